from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "ecomops.policy"
    label = "policy"
    verbose_name = "制度与政策参数"

    def seed_reference_data(self) -> None:
        """Create the policy parameters (the rule registry) when missing (after every migrate)."""
        from ecomops.policy.seed import seed_parameters

        seed_parameters()
