from django.urls import path

from . import views

app_name = "stockops"
urlpatterns = [
    path("", views.index, name="index"),
    path("transfers/", views.transfer_list, name="transfers"),
    path("transfers/new/", views.transfer_create, name="transfer_create"),
    path("transfers/in-transit/", views.in_transit, name="in_transit"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer_detail"),
    path("transfers/<int:pk>/<str:step>/", views.transfer_step, name="transfer_step"),
    path("counts/", views.count_list, name="counts"),
    path("counts/new/", views.count_create, name="count_create"),
    path("counts/<int:pk>/", views.count_detail, name="count_detail"),
    path("counts/<int:pk>/entry/", views.count_entry, name="count_entry"),
    path("counts/<int:pk>/scan/", views.count_scan, name="count_scan"),
    path("counts/<int:pk>/lines/<int:line_pk>/reason/", views.count_explain, name="count_explain"),
    path("counts/<int:pk>/do/<str:step>/", views.count_step, name="count_step"),
    path("scraps/", views.scrap_list, name="scraps"),
    path("scraps/new/", views.scrap_create, name="scrap_create"),
    path("scraps/<int:pk>/", views.scrap_detail, name="scrap_detail"),
    path("scraps/<int:pk>/<str:step>/", views.scrap_step, name="scrap_step"),
    path("samples/", views.loan_list, name="loans"),
    path("samples/new/", views.loan_create, name="loan_create"),
    path("samples/<int:pk>/", views.loan_detail, name="loan_detail"),
    path("samples/<int:pk>/return/", views.loan_return, name="loan_return"),
    path("samples/<int:pk>/extensions/<int:extension_pk>/", views.loan_decide, name="loan_decide"),
]
