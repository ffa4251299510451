from django.urls import path

from . import views

app_name = "receiving"
urlpatterns = [
    path("", views.receipt_list, name="receipts"),
    path("new/", views.receipt_create, name="receipt_create"),
    path("<int:pk>/", views.receipt_detail, name="receipt_detail"),
    path("<int:pk>/lines/<int:line_id>/remove/", views.receipt_remove_line, name="receipt_remove_line"),
    path("<int:pk>/sign/<str:role>/", views.receipt_sign, name="receipt_sign"),
    path("<int:pk>/acknowledge/", views.receipt_acknowledge, name="receipt_acknowledge"),
    path("<int:pk>/book/", views.receipt_book, name="receipt_book"),
    path("<int:pk>/cancel/", views.receipt_cancel, name="receipt_cancel"),
    path("<int:pk>/labels.pdf", views.receipt_labels, name="receipt_labels"),
    path("<int:pk>/defect-labels.pdf", views.defect_labels, name="defect_labels"),
    path("<int:pk>/qc/", views.qc_page, name="qc"),
    path("<int:pk>/qc/report/", views.qc_report, name="qc_report"),
    path("<int:pk>/putaway/", views.putaway_page, name="putaway"),
]
