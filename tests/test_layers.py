"""Apps talk to each other through public names only (issue 14). Ruff's SLF001 refuses ``module._name``
outside tests; this test refuses the other form, ``from ecomops.<other app>… import _name``, which no
ruff rule checks for first-party code. Inside one app, modules may share their private helpers."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "ecomops"


def _app_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "ecomops" else ""


def _private_imports_across_apps(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if relative.parts[-2:-1] in (("tests",), ("migrations",)) or "tests" in relative.parts:
            continue
        own_app = relative.parts[0] if len(relative.parts) > 1 else ""
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
                continue
            app = _app_of(node.module)
            if not app or app == own_app:
                continue
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"{root.name}/{relative}:{node.lineno} imports {node.module}.{alias.name}")
    return found


def test_no_app_imports_another_apps_private_names():
    found = _private_imports_across_apps(ROOT)
    assert not found, "use (or add) a public action instead:\n" + "\n".join(found)


def test_the_check_finds_a_private_import_across_apps(tmp_path):
    (tmp_path / "supply").mkdir()
    (tmp_path / "supply" / "actions.py").write_text("from ecomops.org.actions import _clean, require_perm\n")
    (tmp_path / "org").mkdir()
    (tmp_path / "org" / "demo.py").write_text("from ecomops.org.actions import _clean\n")
    expected = f"{tmp_path.name}/supply/actions.py:1 imports ecomops.org.actions._clean"
    assert _private_imports_across_apps(tmp_path) == [expected]
