from django.urls import path

from . import export_views, list_views, review_views, views

app_name = "orders"
urlpatterns = [
    path("", views.order_list, name="orders"),
    path("reconciliation/", views.reconciliation_page, name="reconciliation"),
    path("export.xlsx", views.order_export, name="order_export"),
    path("bulk/", list_views.order_bulk, name="bulk"),
    path("columns/", list_views.list_columns, name="list_columns"),
    path("filters/", list_views.filter_save, name="filter_save"),
    path("filters/<int:pk>/delete/", list_views.filter_delete, name="filter_delete"),
    path("exports/", export_views.export_jobs, name="exports"),
    path("exports/start/", export_views.export_start, name="export_start"),
    path("review/", review_views.workbench, name="review"),
    path("review/auto/", review_views.run_auto, name="review_auto"),
    path("review/take/", review_views.take_batch, name="review_take"),
    path("review/batch/<int:pk>/", review_views.batch_detail, name="review_batch"),
    path("review/batch/<int:pk>/act/", review_views.batch_act, name="review_batch_act"),
    path("review/waiting/", review_views.waiting, name="review_waiting"),
    path("review/waiting/retry/", review_views.retry, name="review_retry"),
    path("review/rules/<int:pk>/toggle/", review_views.toggle_rule, name="review_rule_toggle"),
    path("review/rules/<int:pk>/", review_views.rule_edit, name="review_rule"),
    path("<int:pk>/", views.order_detail, name="order_detail"),
    path("<int:pk>/reveal/", views.order_reveal, name="order_reveal"),
    path("<int:pk>/act/", views.order_act, name="order_act"),
    path("<int:pk>/parcels/", views.order_parcels, name="order_parcels"),
]
