from django.apps import AppConfig


class ListingConfig(AppConfig):
    name = "ecomops.listing"
    label = "listing"
    verbose_name = "商品审核与上架"

    def ready(self) -> None:
        from ecomops.suppliers import recall_hooks

        from . import actions, recalls

        # CAT-06: a recall case going off sale takes its listings down; its page lists them.
        recall_hooks.provide(delist=actions.delist_for_recall, listings=recalls.case_listings)
