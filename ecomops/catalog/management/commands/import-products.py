"""`ecomops import-products FILE --client CODE [--dry-run] [--user NAME]`: import styles, SKUs and
platform SKU codes from an .xlsx or CSV file in the import template's format (CAT-04).

Every row is checked first; on any error each one is printed with its row number and column and
nothing is imported (exit status 1). Otherwise the summary says what was created, updated or left
unchanged. The import acts as ``--user`` (its rights and client scope apply, and the audit history
names it); without it, as the first active superuser.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ecomops.catalog import actions
from ecomops.catalog.management import acting_user
from ecomops.catalog.sheets import read_table
from ecomops.core.errors import BusinessError
from ecomops.org.models import Client


class Command(BaseCommand):
    help = "Import products (styles, SKUs, platform SKU codes) of one client from .xlsx or CSV (CAT-04)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--client", required=True, help="client code (委托方编码)")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--user", help="acting account (default: the first active superuser)")

    def handle(self, *args, file: Path, client: str, dry_run: bool, user: str | None, **options):
        account = acting_user(user)
        found = Client.objects.filter(code=client).first()
        if found is None:
            raise CommandError(f"no client with code {client!r}")
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from None
        try:
            table = read_table(data, filename=file.name)
            result = actions.import_products(user=account, client=found, table=table, dry_run=dry_run,
                                             reason=f"导入 {file.name}")
        except actions.ImportRejected as rejected:
            for error in rejected.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{len(rejected.errors)} error(s) in {file.name}; nothing was imported",
                               returncode=1) from None
        except BusinessError as error:
            raise CommandError(error.message, returncode=1) from None
        prefix = "dry run, nothing written: " if dry_run else ""
        self.stdout.write(
            f"{prefix}{result.rows} rows; styles {result.styles_created} created, {result.styles_updated} updated, "
            f"{result.styles_unchanged} unchanged; SKUs {result.skus_created} created, {result.skus_updated} "
            f"updated, {result.skus_unchanged} unchanged; platform codes {result.platform_codes_added} added, "
            f"{result.platform_codes_removed} removed"
        )
