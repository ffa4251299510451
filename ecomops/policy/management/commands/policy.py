"""`ecomops policy`: read the policy registry from the command line.

    ecomops policy list [--group PER]
    ecomops policy show PER-08.commission_rates [--on 2026-05-31]
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from ecomops.policy import registry
from ecomops.policy.kinds import ParameterKind, display, fmt_decimal, fmt_percent
from ecomops.policy.models import PolicyParameter


class Command(BaseCommand):
    help = "List policy parameters or show the value in force on a date (POL-01, POL-02)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="list parameters and their values in force today")
        listing.add_argument("--group", help="clause group, e.g. PER, WMS")
        show = sub.add_parser("show", help="show one parameter, its value on a date and its versions")
        show.add_argument("key")
        show.add_argument("--on", type=date.fromisoformat, help="YYYY-MM-DD (default: today, Asia/Shanghai)")

    def handle(self, *args, action, **options):
        if action == "list":
            parameters = PolicyParameter.objects.all()
            if options.get("group"):
                parameters = parameters.filter(group=options["group"].upper())
            for parameter in parameters:
                try:
                    resolved = registry.resolve(parameter.key)
                    shown = display(parameter.kind, resolved.version.value, parameter.options)
                except registry.PolicyMissing:
                    shown = "—"
                self.stdout.write(f"{parameter.key:<48} {shown}")
            return
        on = options.get("on") or registry.today()
        try:
            resolved = registry.resolve(options["key"], on)
        except registry.PolicyMissing as error:
            raise CommandError(str(error)) from None
        parameter = resolved.parameter
        self.stdout.write(f"{parameter.clause} {parameter.name} / {parameter.name_en}")
        self.stdout.write(f"{on:%Y-%m-%d}: {display(parameter.kind, resolved.version.value, parameter.options)}"
                          f"  ({resolved.version.label})")
        if parameter.kind == ParameterKind.TIER_TABLE:
            table = resolved.value
            columns = [c["key"] for c in table.columns]
            self.stdout.write("  " + " | ".join(["r", *columns]))
            show = fmt_percent if table.value_kind == ParameterKind.PERCENTAGE else fmt_decimal
            for tier in table.tiers:
                self.stdout.write("  " + " | ".join([tier.label(), *[show(tier.values[c]) for c in columns]]))
        for version in parameter.versions.order_by("-effective_from", "-number"):
            self.stdout.write(
                f"  v{version.number} from {version.effective_from:%Y-%m-%d}: "
                f"{display(parameter.kind, version.value, parameter.options)}  {version.reason}"
            )
