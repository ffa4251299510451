from django.urls import path

from . import views

app_name = "orderimport"
urlpatterns = [
    path("", views.import_index, name="imports"),
    path("upload/", views.upload, name="upload"),
    path("<int:pk>/", views.job_detail, name="job_detail"),
    path("<int:pk>/errors.xlsx", views.job_errors_xlsx, name="job_errors"),
    path("<int:pk>/resume/", views.job_resume, name="job_resume"),
    path("exceptions/", views.exceptions, name="exceptions"),
    path("exceptions/rematch/", views.rematch, name="rematch"),
    path("formats/", views.formats, name="formats"),
    path("formats/new/", views.format_edit, name="format_new"),
    path("formats/<int:pk>/", views.format_edit, name="format_edit"),
    path("formats/<int:pk>/sample/", views.format_sample, name="format_sample"),
]
