from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "ecomops.catalog"
    label = "catalog"
    verbose_name = "商品"
