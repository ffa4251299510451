"""The English catalog: every Chinese UI text has an English translation, and the compiled .mo that
ships with the code (so a fresh machine needs no gettext) matches the .po it was compiled from."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

from django.conf import settings

CATALOG = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"


def _entries():
    """(msgid, msgid_plural, [msgstr…], flags, msgctxt) of every live entry of django.po."""
    text = (CATALOG / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        lines = [line for line in block.strip().splitlines() if line and not line.startswith("#~")]
        if not lines:
            continue
        flags = " ".join(line for line in lines if line.startswith("#,"))
        fields: dict[str, str] = {}
        key = None
        for line in lines:
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                fields[key] += ast.literal_eval(line)
                continue
            key, _, value = line.partition(" ")
            fields[key] = ast.literal_eval(value)
        if "msgid" not in fields or fields["msgid"] == "":
            continue
        strings = [v for k, v in fields.items() if k.startswith("msgstr")]
        yield fields["msgid"], fields.get("msgid_plural"), strings, flags, fields.get("msgctxt")


def test_every_text_has_an_english_translation():
    entries = list(_entries())
    assert len(entries) > 300
    untranslated = [msgid for msgid, _plural, strings, flags, _ctx in entries if "fuzzy" in flags or not all(strings)]
    assert untranslated == []


def test_compiled_catalog_matches_the_po_file():
    with (CATALOG / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for msgid, plural, strings, _flags, context in _entries():
        if context:
            got = compiled.npgettext(context, msgid, plural, 1) if plural else compiled.pgettext(context, msgid)
        else:
            got = compiled.ngettext(msgid, plural, 1) if plural else compiled.gettext(msgid)
        if got != strings[0]:
            stale.append(msgid)
    assert stale == [], "run `ecomops compilemessages` and commit django.mo"
