from django.urls import path

from . import views

app_name = "listing"
urlpatterns = [
    path("", views.listing_list, name="listings"),
    path("new/", views.listing_create, name="listing_create"),
    path("<int:pk>/", views.listing_detail, name="listing_detail"),
    path("<int:pk>/<slug:step>/", views.listing_step, name="listing_step"),
    path("admissions/", views.admission_list, name="admissions"),
    path("admissions/open/<int:style_pk>/", views.admission_open, name="admission_open"),
    path("admissions/<int:pk>/", views.admission_detail, name="admission_detail"),
    path("admissions/<int:pk>/items/<slug:code>/", views.admission_item, name="admission_item"),
    path("admissions/<int:pk>/<slug:step>/", views.admission_step, name="admission_step"),
    path("new-products/", views.chain_list, name="chains"),
    path("new-products/<int:pk>/", views.chain_measure, name="chain_measure"),
]
