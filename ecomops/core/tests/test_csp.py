"""Content-Security-Policy (DAT-02, issue 12): every response carries a strict policy, and no template
needs more than it allows (no inline script, handler or style; htmx told not to inject its styles)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

import ecomops

HEADER = "Content-Security-Policy"
PACKAGE = Path(ecomops.__file__).parent
TEMPLATES = sorted(PACKAGE.glob("**/templates/**/*.html"))
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)
JS_URL = re.compile(r"(href|src|action)\s*=\s*[\"']?\s*javascript:", re.I)


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed[name] = sources
    return parsed


def assert_strict(header: str) -> None:
    policy = directives(header)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert "'unsafe-inline'" not in header and "'unsafe-eval'" not in header and "*" not in header
    assert "http:" not in header and "https:" not in header


def test_pages_carry_a_strict_policy(client, org):
    assert_strict(client.get(reverse("login"))[HEADER])
    client.force_login(org.admin)
    for url in (reverse("home"), reverse("tokens"), reverse("org:clients"), "/admin/", "/api/v1/docs"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict(response[HEADER])


def test_errors_api_answers_and_redirects_carry_it_too(client, org):
    assert_strict(client.get("/no/such/page/")[HEADER])  # 404
    assert_strict(client.get(reverse("home"))[HEADER])  # redirect to the login page
    assert_strict(client.get("/api/v1/openapi.json")[HEADER])
    assert_strict(client.get("/api/v1/me")[HEADER])  # 401 JSON


def test_the_error_pages_use_no_inline_style(client, org):
    for name in ("500.html", "403_csrf.html"):
        text = (PACKAGE / "templates" / name).read_text()
        assert not STYLE_ATTRIBUTE.search(text) and "ecomops/css/error.css" in text


@pytest.mark.parametrize("template", TEMPLATES, ids=[str(t.relative_to(PACKAGE)) for t in TEMPLATES])
def test_templates_need_nothing_the_policy_refuses(template):
    text = template.read_text()
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to a static file"
    assert not HANDLER.search(text), "on…= handler: bind it from a static script"
    assert not STYLE_ATTRIBUTE.search(text), "style attribute: use a class in ecomops.css"
    assert not STYLE_ELEMENT.search(text), "<style> element: use a static stylesheet"
    assert not JS_URL.search(text), "javascript: URL"


def test_htmx_is_told_not_to_inject_its_indicator_styles(client, org):
    client.force_login(org.admin)
    text = client.get(reverse("home")).text
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", text)
    assert meta and '"includeIndicatorStyles": false' in meta.group(1)
    # the config must come before htmx itself reads it
    assert text.index("htmx-config") < text.index("django_htmx/htmx")
    css = (PACKAGE / "core/static/ecomops/css/ecomops.css").read_text()
    assert ".htmx-indicator" in css
