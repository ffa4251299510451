from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "ecomops.scheduling"
    label = "scheduling"
    verbose_name = "定时任务"
