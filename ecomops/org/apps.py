from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "ecomops.org"
    label = "org"
    verbose_name = "组织与权限"
