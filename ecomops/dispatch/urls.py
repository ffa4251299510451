from django.urls import path

from . import views

app_name = "dispatch"
urlpatterns = [
    path("", views.board, name="board"),
    path("assign/", views.assign_pending, name="assign"),
    path("<int:pk>/", views.batch_detail, name="batch"),
    path("<int:pk>/print/", views.batch_print, name="batch_print"),
    path("<int:pk>/pick-list.pdf", views.batch_pdf, name="batch_pdf"),
]
