"""`ecomops check-content`: check any text for barred advertising terms (LAW-02) from the command line.

    ecomops check-content listing.txt
    ecomops check-content - < live-script.txt
    cat post.md | ecomops check-content --client SHANLAN
    ecomops check-content listing.txt --format json

One line per hit, ``FILE:LINE:COLUMN: TERM 「matched text」 [category] reason``, the way compilers and
linters report, so editors can jump to it. Exit status: 0 when the text is clean, 1 when it has
hits (the content must go to human review), 2 when the command could not run (no such file, not
UTF-8, unknown client). Lines and columns count from 1, columns in characters.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from ecomops.compliance.checker import check_text, line_column
from ecomops.org.models import Client

USAGE_ERROR = 2
HITS_FOUND = 1


class Command(BaseCommand):
    help = (
        "Check a text (a file, or - for standard input) for barred advertising terms (LAW-02). "
        "Exit status 1 when there are hits, 0 when there are none."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default="-", help="UTF-8 text file; - (default) reads standard input")
        parser.add_argument("--client", metavar="CODE", help="also apply this client's allowed phrases (its code)")
        parser.add_argument("--format", choices=["text", "json"], default="text", help="output format")

    def handle(self, *args, file: str, client: str | None, format: str, **options):
        text, name = self._read(file)
        client_row = None
        if client:
            client_row = Client.objects.filter(code=client).first()
            if client_row is None:
                raise CommandError(f"no client with the code {client!r}", returncode=USAGE_ERROR)
        result = check_text(text, client=client_row)
        if format == "json":
            self._json(result, name)
        else:
            self._lines(result, name)
        if result.hits:
            sys.stdout.flush()
            raise SystemExit(HITS_FOUND)

    def _read(self, file: str) -> tuple[str, str]:
        try:
            if file == "-":
                data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
                name = "<stdin>"
            else:
                with open(file, "rb") as handle:
                    data = handle.read()
                name = file
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror or error}", returncode=USAGE_ERROR) from None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise CommandError(f"{file}: not UTF-8 text (byte {error.start})", returncode=USAGE_ERROR) from None
        return text, name

    def _lines(self, result, name: str) -> None:
        for hit in result.hits:
            line, column = line_column(result.text, hit.start)
            matched = " ".join(hit.matched.split())  # a hit spanning a line break stays on one line
            self.stdout.write(
                f"{name}:{line}:{column}: {hit.term} 「{matched}」 [{hit.category_label}] {hit.reason}"
            )
        if result.hits:
            count = len(result.hits)
            self.stderr.write(f"{count} 处禁用词，须人工审核 / {count} hit(s): human review needed")
        else:
            self.stderr.write("未发现禁用词 / no barred terms found")

    def _json(self, result, name: str) -> None:
        hits = []
        for hit in result.hits:
            line, column = line_column(result.text, hit.start)
            hits.append({
                "term": hit.term, "matched": hit.matched, "start": hit.start, "end": hit.end, "line": line,
                "column": column, "category": hit.category, "severity": hit.severity, "reason": hit.reason,
            })
        cleared = [
            {"phrase": c.phrase, "kind": c.kind, "matched": c.matched, "start": c.start, "end": c.end,
             "terms": list(c.terms)}
            for c in result.cleared
        ]
        self.stdout.write(json.dumps(
            {"file": name, "needs_review": result.needs_review, "hits": hits, "cleared": cleared},
            ensure_ascii=False, indent=2,
        ))
