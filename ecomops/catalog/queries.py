"""Read side of the catalogue: scoped searches, the price history (CAT-07) and the export rows.

Nothing here writes. Every query starts from ``readable_by(user)`` (DAT-02, CAT-04): the clients the
user sees whole, and those seen through one of their stores (read only; the actions refuse changes).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.utils.translation import gettext as _

from ecomops.org.models import Client, Store
from ecomops.org.scoping import scope_for

from .models import SKU, PlatformSKU, Style

PRICE_FIELDS = ("unit_cost", "price")


def readable_or_404(queryset, user, **lookup):
    """One brand, style or SKU the user may read; anything else, existing or not, is a 404."""
    try:
        return queryset.readable_by(user).get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_change(user, client_id: int) -> bool:
    """Changing a client's catalogue needs the client whole (a client grant or all clients)."""
    return scope_for(user).sees_client(client_id)


def readable_clients(user):
    """The clients whose catalogue the user reads (whole or through one of their stores)."""
    return Client.objects.visible_to(user).order_by("code")


def styles_for(user):
    return Style.objects.readable_by(user).select_related("client", "brand", "category")


def search_styles(user, *, q: str = "", client=None, brand=None, category=None, status: str = "",
                  is_hero: bool | None = None):
    """Styles the user may see, by style no., name, SKU code or barcode, and the usual filters."""
    styles = styles_for(user)
    q = (q or "").strip()
    if q:
        sku_match = SKU.objects.filter(style=OuterRef("pk")).filter(
            Q(sku_code__icontains=q) | Q(barcode=q)
        )
        styles = styles.filter(Q(style_no__icontains=q) | Q(name__icontains=q) | Exists(sku_match))
    if client is not None:
        styles = styles.filter(client=client)
    if brand is not None:
        styles = styles.filter(brand=brand)
    if category is not None:
        styles = styles.filter(category=category)
    if status:
        styles = styles.filter(status=status)
    if is_hero is not None:
        styles = styles.filter(is_hero=is_hero)
    return styles.order_by("client__code", "style_no", "pk")


def visible_platform_codes(user):
    return PlatformSKU.objects.visible_to(user).select_related("store", "store__platform")


def skus_with_codes(user, style: Style):
    """The SKUs of a style, with the platform codes of the stores the user may see."""
    return (
        style.skus.order_by("pk")
        .select_related("style")
        .prefetch_related(Prefetch("platform_codes", queryset=visible_platform_codes(user).order_by(
            "store__code", "platform_sku_code"), to_attr="visible_codes"))
    )


# --- price history (CAT-07) ----------------------------------------------------------------------


@dataclass
class PriceChange:
    at: datetime
    user: Any
    level: str  # "style" or "sku"
    sku_code: str
    field: str
    before: Decimal | None
    after: Decimal | None
    reason: str

    @property
    def field_label(self) -> str:
        return _("成本价") if self.field == "unit_cost" else _("销售价")

    @property
    def level_label(self) -> str:
        return _("款式") if self.level == "style" else _("SKU")


def _changes(rows, level: str, key_of) -> list[PriceChange]:
    out: list[PriceChange] = []
    previous: dict[Any, Any] = {}
    for row in rows:
        key = key_of(row)
        before = previous.get(key)
        for name in PRICE_FIELDS:
            old = getattr(before, name) if before is not None else None
            new = getattr(row, name)
            if row.history_type == "-":
                continue
            if old != new and not (before is None and new is None):
                out.append(PriceChange(
                    at=row.history_date, user=row.history_user, level=level,
                    sku_code=getattr(row, "sku_code", ""), field=name, before=old, after=new,
                    reason=row.history_change_reason or "",
                ))
        previous[key] = row
    return out


def price_history(target: Style | SKU) -> list[PriceChange]:
    """Every change of cost and price that concerns ``target``, newest first: for a style, its own
    and those of its SKUs' overrides; for a SKU, its overrides and its style's (which it follows when
    it has none). A SKU override of ``None`` means "the style's price"."""
    if isinstance(target, Style):
        style_id, sku_filter = target.pk, {"style_id": target.pk}
    else:
        style_id, sku_filter = target.style_id, {"id": target.pk}
    style_rows = (Style.history.filter(id=style_id).select_related("history_user")
                  .order_by("history_date", "history_id"))
    sku_rows = (SKU.history.filter(**sku_filter).select_related("history_user")
                .order_by("history_date", "history_id"))
    changes = _changes(style_rows, "style", lambda row: row.id) + _changes(sku_rows, "sku", lambda row: row.id)
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes


# --- export (the import's own format) ------------------------------------------------------------


def export_rows(user, client) -> Iterator[list]:
    """One row per SKU (or per SKU and platform code of a store the user sees), in the columns of the
    import template, so the file imports back unchanged."""
    from .importing import COLUMNS, RETURN_LABELS

    keys = [c.key for c in COLUMNS]
    scope = scope_for(user)
    codes = PlatformSKU.objects.select_related("store").order_by("store__code", "platform_sku_code")
    if not scope.all:
        codes = codes.filter(store_id__in=scope.store_ids)
    skus = (
        SKU.objects.readable_by(user).filter(client=client)
        .select_related("style", "style__brand", "style__category")
        .prefetch_related(Prefetch("platform_codes", queryset=codes, to_attr="export_codes"))
        .order_by("style__style_no", "pk")
    )
    for sku in skus.iterator(chunk_size=2000):
        style = sku.style
        base = {
            "style_no": style.style_no, "name": style.name, "brand": style.brand.name if style.brand else "",
            "category": style.category.code if style.category else "", "colour": sku.colour, "size": sku.size,
            "sku_code": sku.sku_code, "barcode": sku.barcode, "unit_cost": sku.effective_cost,
            "price": sku.effective_price, "is_hero": "是" if style.is_hero else "否",
            "return_class": RETURN_LABELS.get(style.return_class, style.return_class),
            "platform_sku_code": "", "store_code": "",
        }
        if not sku.export_codes:
            yield [base[k] for k in keys]
        for record in sku.export_codes:
            yield [{**base, "platform_sku_code": record.platform_sku_code, "store_code": record.store.code}[k]
                   for k in keys]


def stores_of(user, client):
    return Store.objects.visible_to(user).filter(client=client).order_by("code")


def write_export(user, client, out, *, fmt: str = "xlsx") -> None:
    """The client's catalogue in the import template's format (.xlsx, or CSV in UTF-8 with BOM)."""
    from .importing import COLUMNS, TEXT_COLUMNS, WIDTHS
    from .sheets import write_csv, write_xlsx

    headers = [c.header for c in COLUMNS]
    rows = export_rows(user, client)
    if fmt == "csv":
        write_csv(headers, rows, out)
    else:
        write_xlsx([("商品", headers, rows, {"text_columns": TEXT_COLUMNS, "widths": WIDTHS})], out)
