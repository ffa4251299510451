from django.urls import path

from . import views

app_name = "orderimport"
urlpatterns = [
    path("", views.import_index, name="imports"),
]
