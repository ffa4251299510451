from django.urls import path  # noqa: F401

app_name = "stockops"
urlpatterns: list = []
