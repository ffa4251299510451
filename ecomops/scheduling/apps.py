from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "ecomops.scheduling"
    label = "scheduling"
    verbose_name = "定时任务"

    def seed_reference_data(self) -> None:
        """A row for every registered job (after every migrate); administrators' edits are kept."""
        from .actions import seed_jobs

        seed_jobs()
