from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "ecomops.policy"
    label = "policy"
    verbose_name = "制度与政策参数"
