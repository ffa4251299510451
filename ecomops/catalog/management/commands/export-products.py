"""`ecomops export-products --client CODE -o FILE [--user NAME]`: the client's catalogue in the import
template's format (.xlsx, or CSV in UTF-8 with BOM when FILE ends in .csv), ready to edit and import."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ecomops.catalog.management import acting_user
from ecomops.catalog.queries import write_export
from ecomops.org.models import Client


class Command(BaseCommand):
    help = "Export the products of one client as .xlsx or CSV in the import template's format (CAT-04)."

    def add_arguments(self, parser):
        parser.add_argument("--client", required=True, help="client code (委托方编码)")
        parser.add_argument("-o", "--output", required=True, type=Path)
        parser.add_argument("--user", help="acting account (default: the first active superuser)")

    def handle(self, *args, client: str, output: Path, user: str | None, **options):
        account = acting_user(user)
        found = Client.objects.filter(code=client).first()
        if found is None:
            raise CommandError(f"no client with code {client!r}")
        if not account.has_perm("catalog.view_style"):
            raise CommandError(f"{account.get_username()} may not read the catalogue")
        if output.suffix.lower() == ".csv":
            with output.open("w", encoding="utf-8", newline="") as out:
                write_export(account, found, out, fmt="csv")
        else:
            with output.open("wb") as out:
                write_export(account, found, out)
        self.stdout.write(f"exported to {output}")
