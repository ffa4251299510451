from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "ecomops.org"
    label = "org"
    verbose_name = "组织与权限"

    def seed_reference_data(self) -> None:
        """Create departments, positions, role groups and platforms (ORG-01, ORG-02, STO-01) when missing."""
        from ecomops.org.seed import seed_reference

        seed_reference()
        from ecomops.org.calendar import seed_statutory_years

        seed_statutory_years()  # the working-day calendar of the years around today (PER-13)
