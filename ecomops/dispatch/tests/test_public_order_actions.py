"""The ship batches change orders only through the public acts of ``orders.actions`` (issue 12: every
state change from another module goes through the owning module's action, so the checks, the stock
and the events of that act cannot be skipped)."""

from __future__ import annotations

import ast
from pathlib import Path


def test_dispatch_uses_no_private_name_of_the_order_actions():
    root = Path(__file__).resolve().parents[1]
    found = {}
    for path in sorted(root.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        private = sorted({node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)
                          and isinstance(node.value, ast.Name) and node.value.id == "order_actions"
                          and node.attr.startswith("_")})
        if private:
            found[path.name] = private
    assert found == {}
