from django.urls import path

from . import views

app_name = "policy"
urlpatterns = [
    path("parameters/", views.parameter_list, name="parameters"),
    path("parameters/<str:key>/", views.parameter_detail, name="parameter_detail"),
    path("parameters/<str:key>/on/", views.parameter_value_on, name="parameter_value_on"),
    path("parameters/<str:key>/change/", views.parameter_change, name="parameter_change"),
    path("regulations/", views.regulation_list, name="regulations"),
    path("regulations/new/", views.regulation_create, name="regulation_create"),
    path("regulations/<int:pk>/", views.regulation_detail, name="regulation_detail"),
    path("regulations/<int:pk>/acknowledge/", views.regulation_acknowledge, name="regulation_acknowledge"),
    path("regulations/<int:pk>/publish/", views.regulation_publish, name="regulation_publish"),
]
