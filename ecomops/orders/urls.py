from django.urls import path

from . import views

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="orders"),
    path("reconciliation/", views.reconciliation_page, name="reconciliation"),
    path("<int:pk>/", views.order_detail, name="order_detail"),
    path("<int:pk>/reveal/", views.order_reveal, name="order_reveal"),
    path("<int:pk>/act/", views.order_act, name="order_act"),
]
