from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "ecomops.org"
    label = "org"
    verbose_name = "组织与权限"

    def seed_reference_data(self) -> None:
        """Create departments, positions, role groups and platforms (ORG-01, ORG-02, STO-01) when missing."""
        from ecomops.org.seed import seed_reference

        seed_reference()
