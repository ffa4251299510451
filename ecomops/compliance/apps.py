from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "ecomops.compliance"
    label = "compliance"
    verbose_name = "内容合规"
