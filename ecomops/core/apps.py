from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def seed_everything() -> None:
    """Create the reference data that is missing; what exists (and admins' edits) is left alone."""
    from ecomops.compliance.seed import seed_library
    from ecomops.orderimport.seed import seed_formats
    from ecomops.orders.review import seed_review_rules
    from ecomops.org.seed import seed_reference
    from ecomops.policy.seed import seed_parameters
    from ecomops.stores.seed import seed_document_types

    seed_reference()
    seed_parameters()
    seed_library()
    seed_document_types()
    seed_formats()
    seed_review_rules()


def seed_after_migrate(sender, using="default", **kwargs):
    """Seed reference data once every app has migrated (and again after a test flush).

    Like Django's own permissions, reference data is (re)created when missing, so it is there on a
    fresh install, after `flush`, and in every test database; admins' edits are never overwritten.
    """
    # Django sends post_migrate only for apps that have models; seed on the last of those.
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender is not with_models[-1] or using != "default":
        return
    seed_everything()


class CoreConfig(AppConfig):
    name = "ecomops.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        post_migrate.connect(seed_after_migrate, dispatch_uid="ecomops-seed")
