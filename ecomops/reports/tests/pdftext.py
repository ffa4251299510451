"""Read back the text of a PDF written by reportlab, without a PDF library (none is in the lock):
inflate the streams, map each font subset's codes through its ToUnicode CMap, and collect the strings
shown with Tj/TJ in each page's content stream. Enough for our own files; not a general PDF reader."""

from __future__ import annotations

import base64
import re
import zlib

OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
STREAM = re.compile(rb"^(.*?/Length (\d+).*?)stream\r?\n", re.S)


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    """Every object: (its dictionary text, its inflated stream or None)."""
    found = {}
    for match in OBJECT.finditer(data):
        body = match.group(2)
        stream = STREAM.match(body)
        if stream is None:
            found[int(match.group(1))] = (body, None)
            continue
        head = stream.group(1)
        content = body[stream.end():stream.end() + int(stream.group(2))]
        filters = re.findall(rb"/(ASCII85Decode|FlateDecode)", head)
        for name in filters:
            if name == b"ASCII85Decode":
                text = content.strip()
                text = text[2:] if text.startswith(b"<~") else text
                content = base64.a85decode(b"<~" + text if not text.endswith(b"~>") else b"<~" + text, adobe=True)
            else:
                content = zlib.decompress(content)
        found[int(match.group(1))] = (head, content)
    return found


def _cmap(content: bytes) -> dict[int, str]:
    return {int(code, 16): chr(int(uni, 16))
            for code, uni in re.findall(rb"<([0-9A-Fa-f]{2})>\s*<([0-9A-Fa-f]{4})>", content)}


def _literal(content: bytes, start: int) -> tuple[bytes, int]:
    """The PDF literal string opening at ``start`` ("("), unescaped, and the index after it."""
    out, depth, i = bytearray(), 1, start + 1
    escapes = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}
    while i < len(content):
        ch = content[i]
        if ch == 0x5C:  # backslash
            nxt = content[i + 1]
            if 0x30 <= nxt <= 0x37:
                digits = re.match(rb"[0-7]{1,3}", content[i + 1:i + 4]).group()
                out.append(int(digits, 8))
                i += 1 + len(digits)
                continue
            out += escapes.get(nxt, bytes([nxt]))
            i += 2
            continue
        if ch == 0x28:
            depth += 1
        elif ch == 0x29:
            depth -= 1
            if depth == 0:
                return bytes(out), i + 1
        out.append(ch)
        i += 1
    raise ValueError("unterminated string")


def pdf_pages(data: bytes) -> list[str]:
    """The text of each page (strings joined by spaces within a page)."""
    objects = _objects(data)
    fonts: dict[bytes, dict[int, str] | None] = {}
    for head, _stream in objects.values():
        name = re.search(rb"/Name\s*/(\S+?)[\s/>]", head)
        if name and b"/Font" in head:
            to_unicode = re.search(rb"/ToUnicode\s+(\d+) 0 R", head)
            fonts[name.group(1)] = _cmap(objects[int(to_unicode.group(1))][1]) if to_unicode else None
    pages = []
    for head, _stream in objects.values():
        if not re.search(rb"/Type\s*/Page[^s]", head):
            continue
        refs = re.search(rb"/Contents\s+(?:\[(.*?)\]|(\d+ 0 R))", head, re.S)
        numbers = [int(n) for n in re.findall(rb"(\d+) 0 R", refs.group(1) or refs.group(2))]
        texts = []
        for number in numbers:
            content = objects[number][1]
            font, i = None, 0
            while i < len(content):
                if content[i] == 0x28:
                    raw, i = _literal(content, i)
                    cmap = fonts.get(font)
                    texts.append("".join(cmap.get(b, "?") for b in raw) if cmap else raw.decode("latin-1"))
                    continue
                if content[i] == 0x2F:  # /Name size Tf
                    match = re.match(rb"/(\S+)\s+[\d.]+\s+Tf", content[i:i + 80])
                    if match:
                        font = match.group(1)
                i += 1
        pages.append(" ".join(texts))
    return pages
