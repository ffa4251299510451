from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "stores"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="stores:qualifications"), name="index"),
    path("platform-documents/", views.document_types, name="document_types"),
    path("platform-documents/new/", views.document_type_create, name="document_type_create"),
    path("platform-documents/<int:pk>/edit/", views.document_type_edit, name="document_type_edit"),
    path("applications/", views.application_list, name="applications"),
    path("applications/new/", views.application_create, name="application_create"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/documents/<int:doc>/upload/", views.document_upload, name="document_upload"),
    path("applications/<int:pk>/documents/<int:doc>/review/", views.document_review, name="document_review"),
    path("applications/<int:pk>/documents/<int:doc>/file/", views.document_file, name="document_file"),
    path("applications/<int:pk>/<slug:step>/", views.application_step, name="application_step"),
    path("qualifications/", views.qualification_list, name="qualifications"),
    path("qualifications/new/", views.qualification_create, name="qualification_create"),
    path("qualifications/<int:pk>/", views.qualification_detail, name="qualification_detail"),
    path("qualifications/<int:pk>/edit/", views.qualification_edit, name="qualification_edit"),
    path("qualifications/<int:pk>/file/", views.qualification_file, name="qualification_file"),
    path("store/<int:store_pk>/", views.store_profile, name="store_profile"),
    path("store/<int:store_pk>/logo/", views.store_logo, name="store_logo"),
    path("store/<int:store_pk>/changes/new/", views.change_create, name="change_create"),
    path("changes/", views.change_list, name="changes"),
    path("changes/<int:pk>/logo/", views.change_logo, name="change_logo"),
    path("changes/<int:pk>/<slug:decision>/", views.change_decide, name="change_decide"),
]
