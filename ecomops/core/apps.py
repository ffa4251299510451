from django.apps import AppConfig, apps
from django.contrib.staticfiles.apps import StaticFilesConfig
from django.db.models.signals import post_migrate


def seed_everything() -> None:
    """Create the reference data that is missing; what exists (and admins' edits) is left alone.

    Each app seeds its own reference data in its AppConfig's ``seed_reference_data`` (org, policy,
    compliance, stores, orders, orderimport); they run in the order of INSTALLED_APPS, so an app's seed
    may rely on the apps listed before it (the import formats on org's platforms). Core names no app.
    """
    for config in apps.get_app_configs():
        seed = getattr(config, "seed_reference_data", None)
        if seed is not None:
            seed()


def seed_after_migrate(sender, using="default", **kwargs):
    """Seed reference data once every app has migrated (and again after a test flush).

    Like Django's own permissions, reference data is (re)created when missing, so it is there on a
    fresh install, after `flush`, and in every test database; admins' edits are never overwritten.
    """
    # Django sends post_migrate only for apps that have models, one app after the other; each app's
    # permissions are created on its own signal, and the seeded groups need every app's permissions:
    # so seed on the last of those apps, not on each app's own signal.
    with_models = [config for config in apps.get_app_configs() if config.models_module is not None]
    if sender is not with_models[-1] or using != "default":
        return
    seed_everything()


class CoreConfig(AppConfig):
    default = True  # this module also holds StaticAssetsConfig; "ecomops.core" means this one
    name = "ecomops.core"
    label = "core"
    verbose_name = "基础"

    def ready(self) -> None:
        post_migrate.connect(seed_after_migrate, dispatch_uid="ecomops-seed")


class StaticAssetsConfig(StaticFilesConfig):
    """Django's staticfiles, told to leave out what the npm packages ship besides the files we serve:
    ECharts' dist holds 49 MB of other builds, source maps and extensions (Bootstrap's maps stay: its
    CSS names them, and the manifest storage follows the reference); only ``echarts.min.js`` is
    used (``collectstatic`` would copy, hash and compress the rest for nothing)."""

    ignore_patterns = [
        *StaticFilesConfig.ignore_patterns,
        "echarts*.map",
        "echarts.esm*",
        "echarts.js",
        "echarts.common*",
        "echarts.simple*",
        "extension",
    ]
