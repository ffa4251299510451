from django.urls import path

from . import views

app_name = "compliance"
urlpatterns = [
    path("", views.check_page, name="check"),
    path("terms/", views.term_list, name="terms"),
    path("terms/new/", views.term_create, name="term_create"),
    path("terms/import-policy/", views.term_import, name="term_import"),
    path("terms/<int:pk>/edit/", views.term_edit, name="term_edit"),
    path("terms/<int:pk>/toggle/", views.term_toggle, name="term_toggle"),
    path("phrases/", views.phrase_list, name="phrases"),
    path("phrases/new/", views.phrase_create, name="phrase_create"),
    path("phrases/<int:pk>/edit/", views.phrase_edit, name="phrase_edit"),
    path("phrases/<int:pk>/toggle/", views.phrase_toggle, name="phrase_toggle"),
]
