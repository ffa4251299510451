"""Crawling the demo company as one of its logins: shared by the link check (test_links) and the
Chinese-words check. A crawl opens the home page and the navigation, then follows links breadth-first;
it reads at most ``per_view`` pages of each kind (view name) for further links, and asks for the target
of every link it finds, so a link leading to a 403 or 404 is caught wherever it appears.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urlsplit

from django.test import Client as HttpClient
from django.urls import Resolver404, resolve, reverse

HREF = re.compile(r'<a\b[^>]*?\shref="(/[^"#]*)"', re.IGNORECASE)
POST_FORM = re.compile(r'<form\b(?=[^>]*\bmethod="post")[^>]*?\saction="(/[^"#]*)"', re.IGNORECASE)
# Files answer bytes, not pages; the API, the admin, the language switch and the file server are
# checked elsewhere. Downloads (.xlsx, .pdf, /export/) are still asked for: a link to one must not 403.
NOT_PAGES = re.compile(r"^/(api|admin|i18n|static|media)/")
DOWNLOAD = re.compile(r"/file/|/logo/|\.(xlsx|pdf|csv)(\?|$)|/export/|/download/|/print/")


def view_name(path: str) -> str | None:
    try:
        return resolve(urlsplit(path).path).view_name
    except Resolver404:
        return None


def links(html: str) -> list[str]:
    return [unescape(href) for href in HREF.findall(html) if not NOT_PAGES.search(href)]


@dataclass
class Crawl:
    """What a crawl saw: ``pages`` {path: html} of the pages read, ``status`` {path: code} of every
    link target asked for, ``found_on`` {path: the first page that linked to it}."""

    pages: dict[str, str] = field(default_factory=dict)
    status: dict[str, int] = field(default_factory=dict)
    found_on: dict[str, str] = field(default_factory=dict)
    buttons: dict[str, str] = field(default_factory=dict)  # a POST form's action: the first page showing it

    def broken(self) -> dict[str, tuple[int, str]]:
        """Links to a page the user may not open (403), that is not there (404), or that failed (5xx)."""
        return {path: (code, self.found_on.get(path, "")) for path, code in self.status.items()
                if code in (403, 404) or code >= 500}


def refused_buttons(seen: Crawl, user) -> dict[str, str]:
    """The POST forms (buttons) the pages showed whose action the user's permissions would refuse."""
    from ecomops.core.access import may_open

    return {action: source for action, source in seen.buttons.items()
            if not NOT_PAGES.search(action) and not may_open(user, action)}


def sign_in(username: str, password: str) -> HttpClient:
    http = HttpClient(raise_request_exception=False)  # a 500 is recorded, not raised
    response = http.post(reverse("login"), {"username": username, "password": password})
    assert response.status_code == 302, f"{username} cannot sign in"
    return http


def crawl(http: HttpClient, *, per_view: int = 3, max_depth: int = 4, modules: tuple[str, ...] | None = None) -> Crawl:
    """Breadth-first from the home page and its navigation. Every link found is asked for once; pages
    of a view already read ``per_view`` times are asked for (their status counts) but not read for
    more links. ``modules`` limits which apps' pages are read for links (None: all)."""
    seen = Crawl()
    home = reverse("home")
    frontier: list[tuple[str, int, str]] = [(home, 0, "")]
    read_per_view: dict[str, int] = {}
    downloads: set[str] = set()
    while frontier:
        path, depth, source = frontier.pop(0)
        if path in seen.status:
            continue
        name = view_name(path)
        if name is None:
            seen.status[path] = 404
            seen.found_on.setdefault(path, source)
            continue
        if name in ("logout", "set_language"):
            continue
        if DOWNLOAD.search(path):
            # A download is built for real (an export of every order takes seconds): one of each kind.
            if name in downloads:
                continue
            downloads.add(name)
        response = http.get(path)
        seen.status[path] = response.status_code
        seen.found_on.setdefault(path, source)
        is_html = response.get("Content-Type", "").startswith("text/html")
        if response.status_code != 200 or not is_html or DOWNLOAD.search(path):
            continue
        html = response.content.decode()
        if read_per_view.get(name, 0) >= per_view or depth >= max_depth:
            continue
        if modules is not None and name.split(":")[0] not in modules and name != "home":
            continue
        read_per_view[name] = read_per_view.get(name, 0) + 1
        seen.pages[path] = html
        for action in POST_FORM.findall(html):
            seen.buttons.setdefault(unescape(action), path)
        frontier.extend((link, depth + 1, path) for link in links(html) if link not in seen.status)
    return seen
