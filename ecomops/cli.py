"""The ``ecomops`` command: Django's management commands under the product's name.

    ecomops migrate
    ecomops demo
    ecomops runserver 127.0.0.1:8000
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecomops.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ecomops", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
