"""Issue 15: no English in the Chinese UI. Every demo login walks its pages (the walk of
tests/test_walk_demo.py) in Chinese, and the visible text of each page — tags, scripts, styles,
comments and attributes stripped — has no Latin word outside codes: identifiers with digits
(SKU-001, v1, SF00000012), upper-case abbreviations (SKU, API, QC, PDF, KPI, WMS-01), units, the
product's and the platforms' names and the records' own data. People appear by name, not by login
(the signed-in user's own login on their account menu is the one login a page shows), and a select's
blank choice says 请选择, not "---------".
"""

from __future__ import annotations

import re
from html import unescape

import pytest

from .test_walk_demo import LOGINS, company, sign_in, walk  # noqa: F401  (company: the module's fixture)

# Scripts, styles and comments are not text; <code>, <pre> and <kbd> hold code (an HTTP header to send).
HIDDEN = re.compile(r"<(script|style|template|svg|code|pre|kbd)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
TAG = re.compile(r"<[^>]*>")
# Text set in the monospace code style (eo-mono: numbers, keys, column names of a platform's file).
MONO = re.compile(r"(<[a-z0-9]+\b[^>]*\bclass=\"[^\"]*\beo-mono\b[^\"]*\"[^>]*>)[^<]*", re.IGNORECASE)
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9_\-.'’]*")
# Words that are names, not UI chrome: the product, spreadsheet programs, the language menu, the
# platforms and couriers the records name, units.
ALLOWED = {
    "EcomOps", "Excel", "WPS", "English", "Amazon", "Tmall", "Taobao", "Shopify", "Douyin", "Temu",
    "kg", "g", "cm", "mm", "ml", "pcs", "xlsx", "csv", "pdf", "zip",
}


# Latin words the walk meets that are data or code shown as such, not UI chrome (read from the pages,
# each kind checked by hand; the test fails on any word not here):
# - the platforms' own column headers and status values of their export files, shown in the import
#   formats and exceptions exactly as the platform writes them (Amazon's tab-delimited .txt report);
PLATFORM_FILES = {
    "PartiallyShipped", "Pending", "Shipped", "Unshipped", "Canceled", "Cancelled", "amazon-order-id",
    "buyer-email", "buyer-name", "buyer-phone-number", "item-price", "order-id", "order-status",
    "payments-date", "product-name", "purchase-date", "quantity-purchased", "recipient-name", "ship-city",
    "ship-phone-number", "ship-state", "shipping-price", "sku", "tab-delimited", "txt", "report", "city",
    "district", "province", "quantity", "price", "title", "status", "order", "paid", "unpaid", "shipped",
    "received", "completed", "cancelled", "number", "sum", "join", "first",
}
# - platform codes (taobao, jd …) and names the platform document types and stores carry;
PLATFORMS = {
    "aliexpress", "amazon", "douyin", "eBay", "ebay", "jd", "kuaishou", "Lazada", "lazada", "pinduoduo",
    "Shop", "Shopee", "shopee", "taobao", "temu", "TikTok", "tmall", "xiaohongshu",
}
# - the advertising-law checker's barred English terms (the compliance list shows its own entries);
BARRED_TERMS = {"best", "cheapest", "lowest", "world-class", "No", "one", "before", "food", "trademark"}
# - the demo clients' English names and a store's main category (Amazon's "Home & Kitchen");
DEMO_DATA = {"Shanlan", "Songyu", "Home", "Kitchen"}
# - the API token page's example request header; logins shown as logins (the sign-in log).
CODE = {"Authorization", "Bearer", "zhuguan", "fengshufen"}
# - key names as printed on keyboards (the attendance grid's Ctrl+S) and the grid's typed ASCII codes
#   shown next to their Chinese (v, x, c15, z10, j, b, k).
KEYS = {"Ctrl"}
KNOWN = PLATFORM_FILES | PLATFORMS | BARRED_TERMS | DEMO_DATA | CODE | KEYS


def visible_text(html: str) -> str:
    text = HIDDEN.sub(" ", html)
    text = MONO.sub(r"\1 ", text)
    text = TAG.sub(" ", text)
    return unescape(text)


def is_code(word: str) -> bool:
    word = word.strip(".-'’_")
    return (
        not word
        or len(word) == 1
        or any(ch.isdigit() for ch in word)
        or word.upper() == word  # SKU, API, QC, PDF, WMS-
        or "_" in word or "." in word  # identifiers: business_licence, supply.purchaseorder
        or word in ALLOWED
    )


def english_words(html: str, allowed: set[str]) -> set[str]:
    return {word for word in LATIN.findall(visible_text(html)) if not is_code(word) and word not in allowed}


def data_words() -> set[str]:
    """Latin words the demo's records carry (brand, style, store and supplier names, e-mail addresses,
    platform SKU codes): user data shown as entered, not UI text."""
    from ecomops.catalog.models import Brand, Style
    from ecomops.org.models import Client, Store
    from ecomops.suppliers.models import Supplier

    words: set[str] = set()
    for model, fields in ((Brand, ("name",)), (Style, ("name", "style_no")), (Store, ("name", "code")),
                          (Client, ("name", "code")), (Supplier, ("name", "code"))):
        for values in model.objects.values_list(*fields):
            for value in values:
                words.update(LATIN.findall(str(value or "")))
    return words


def test_visible_text_helpers():
    assert english_words('<td class="small eo-mono">order-id</td><td>order-id</td>', set()) == {"order-id"}
    html = ('<p title="English title">订单 <b>SKU</b> v1 SF00000012 <script>var x = "word";</script>'
            '<!-- note --> Pending 请选择</p><select><option value="">---------</option></select>')
    assert english_words(html, set()) == {"Pending"}
    assert is_code("QC") and is_code("WMS-01") and is_code("D001-BK-M") and not is_code("Approved")


@pytest.mark.django_db
@pytest.mark.parametrize("username", LOGINS)
def test_the_chinese_ui_has_no_english_words(company, username):  # noqa: F811
    from django.contrib.auth import get_user_model

    own_login = {username}
    other_logins = set(get_user_model().objects.exclude(username=username).values_list("username", flat=True))
    allowed = ((data_words() | own_login) - other_logins) | KNOWN
    found: dict[str, str] = {}
    dashes: list[str] = []
    for path, (status, html) in walk(sign_in(username)).items():
        if status != 200 or not html:
            continue
        for word in sorted(english_words(html, allowed)):
            found.setdefault(word, path)
        if "---------" in visible_text(html):
            dashes.append(path)
    if found:
        pytest.fail("English words in the Chinese UI:\n" + "\n".join(f"{w}  {p}" for w, p in sorted(found.items())))
    assert not dashes, dashes
