from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "ecomops.compliance"
    label = "compliance"
    verbose_name = "内容合规"

    def seed_reference_data(self) -> None:
        """Create the compliance lists (LAW-02), after the policy registry when missing (after every migrate)."""
        from ecomops.compliance.seed import seed_library

        seed_library()
