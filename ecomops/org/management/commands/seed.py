"""`ecomops seed`: (re)create missing reference data; `--sync-permissions` after an upgrade.

    ecomops seed                       departments, positions, platforms, policy parameters … when missing
    ecomops seed --sync-permissions    also add the default permissions new modules bring to existing groups
"""

from django.core.management.base import BaseCommand

from ecomops.core.apps import seed_everything
from ecomops.org.seed import sync_default_permissions


class Command(BaseCommand):
    help = "Create missing reference data; with --sync-permissions, add new default permissions to position groups."

    def add_arguments(self, parser):
        parser.add_argument("--sync-permissions", action="store_true",
                            help="add (never remove) the default permissions of each position and role group")

    def handle(self, *args, sync_permissions=False, **options):
        seed_everything()
        self.stdout.write("参考数据已补齐 / reference data complete")
        if sync_permissions:
            added = sync_default_permissions()
            for group, names in added.items():
                self.stdout.write(f"  {group}: + {', '.join(names)}")
            self.stdout.write(f"权限已同步：{len(added)} 个权限组有新增 / "
                              f"permissions synced: {len(added)} groups changed")
