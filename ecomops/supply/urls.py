from django.urls import path

from . import views

app_name = "supply"
urlpatterns = [
    path("", views.index, name="index"),
    path("orders/", views.order_list, name="orders"),
    path("orders/new/", views.order_create, name="order_create"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/confirm/", views.order_confirm, name="order_confirm"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/decide/", views.plan_decide, name="plan_decide"),
    path("returns/", views.return_list, name="returns"),
    path("returns/uncollected/", views.returns_uncollected, name="returns_uncollected"),
    path("returns/terms/", views.return_terms, name="return_terms"),
    path("returns/<int:pk>/", views.return_detail, name="return_detail"),
    path("returns/<int:pk>/ready/", views.return_ready, name="return_ready"),
    path("returns/<int:pk>/reopen/", views.return_reopen, name="return_reopen"),
    path("returns/<int:pk>/hand-over/", views.return_hand_over, name="return_hand_over"),
    path("returns/<int:pk>/cancel/", views.return_cancel, name="return_cancel"),
    path("defects/", views.defect_list, name="defects"),
    path("defects/new/", views.defect_create, name="defect_create"),
    path("defects/lookup/", views.defect_lookup, name="defect_lookup"),
    path("packaging/", views.packaging, name="packaging"),
    path("packaging/materials/new/", views.material_create, name="material_create"),
    path("packaging/receipts/new/", views.packaging_receipt_create, name="packaging_receipt_create"),
    path("packaging/receipts/<int:pk>/", views.packaging_receipt_detail, name="packaging_receipt_detail"),
    path("packaging/receipts/<int:pk>/post/", views.packaging_receipt_post, name="packaging_receipt_post"),
    path("packaging/consume/", views.packaging_consume, name="packaging_consume"),
    path("packaging/promotions/new/", views.promotion_create, name="promotion_create"),
]
