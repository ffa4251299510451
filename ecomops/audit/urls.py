from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.trail_view, name="trail"),
    path("logins/", views.login_events, name="logins"),
    path("personal-data/", views.personal_data_reads, name="personal_data"),
]
