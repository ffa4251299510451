from django.apps import AppConfig


class ListingConfig(AppConfig):
    name = "ecomops.listing"
    label = "listing"
    verbose_name = "商品审核与上架"
