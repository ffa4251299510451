from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.style_list, name="styles"),
    path("styles/new/", views.style_create, name="style_create"),
    path("styles/<int:pk>/", views.style_detail, name="style_detail"),
    path("styles/<int:pk>/edit/", views.style_edit, name="style_edit"),
    path("skus/<int:pk>/edit/", views.sku_edit, name="sku_edit"),
    path("skus/<int:pk>/platform-codes/", views.sku_platform_codes, name="sku_platform_codes"),
    path("brands/", views.brand_list, name="brands"),
    path("brands/<int:pk>/edit/", views.brand_edit, name="brand_edit"),
    path("categories/", views.category_list, name="categories"),
    path("categories/new/", views.category_create, name="category_create"),
    path("categories/<int:pk>/edit/", views.category_edit, name="category_edit"),
    path("import/", views.import_products, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("import/errors/<str:token>.xlsx", views.import_errors, name="import_errors"),
    path("export/", views.export_products, name="export"),
]
