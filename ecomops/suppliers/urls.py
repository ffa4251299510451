from django.urls import path

from . import views

app_name = "suppliers"
urlpatterns = [
    path("", views.supplier_list, name="suppliers"),
    path("new/", views.supplier_create, name="supplier_create"),
    path("<int:pk>/", views.supplier_detail, name="supplier_detail"),
    path("<int:pk>/edit/", views.supplier_edit, name="supplier_edit"),
    path("<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/edit/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/agreements/new/", views.agreement_create, name="agreement_create"),
    path("<int:pk>/ratings/new/", views.rating_create, name="rating_create"),
    path("<int:pk>/styles/new/", views.style_link, name="style_link"),
    path("style-links/<int:pk>/remove/", views.style_unlink, name="style_unlink"),
    path("<int:pk>/sampling/new/", views.sampling_create, name="sampling_create"),
    path("sampling/", views.sampling_list, name="sampling"),
    path("recalls/", views.recall_list, name="recalls"),
    path("recalls/<int:pk>/", views.recall_detail, name="recall_detail"),
    path("recalls/<int:pk>/move/", views.recall_move, name="recall_move"),
    path("recalls/<int:pk>/find-orders/", views.recall_find_orders, name="recall_find_orders"),
]
