"""The request-body parser: strict JSON, UTF-8 only, no text the database could not store."""

from __future__ import annotations

import json

from ninja.parser import Parser


class StrictJSONParser(Parser):
    """Like django-ninja's parser, but refuses what would only fail later, deep in the database:
    bytes that are not UTF-8, lone surrogates (``"\\ud800"``) and ``NaN``/``Infinity``.
    Any error here becomes a 400 ``malformed`` answer."""

    def parse_body(self, request):
        text = request.body.decode("utf-8")  # UnicodeDecodeError: not UTF-8
        data = json.loads(text, parse_constant=_refuse_constant)
        # A lone surrogate cannot be encoded; checking the whole body once is cheaper than per field.
        json.dumps(data, ensure_ascii=False).encode("utf-8")
        return data


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")
