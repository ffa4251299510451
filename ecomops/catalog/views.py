"""Pages of the catalogue (CAT-04, CAT-07): the product list, a style with its SKU matrix, platform codes
and price history, the style and SKU forms, and the spreadsheet import and export.

Views stay thin: they scope (DAT-02: another client's product is a 404), filter and render; every
change goes through ``catalog.actions``.
"""

from __future__ import annotations

import io
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from ecomops.core.decorators import internal_page, page
from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.core.forms import add_business_error, submit
from ecomops.org.models import Client
from ecomops.org.scoping import get_visible_or_404, is_client_member

from . import actions
from .enums import SpecialGoods
from .forms import (
    BrandForm,
    CategoryForm,
    ImportForm,
    PlatformCodesForm,
    SkuForm,
    StyleFilterForm,
    StyleForm,
    clients_whole,
)
from .importing import write_errors, write_template
from .models import SKU, Brand, Category, Style
from .queries import (
    may_change,
    price_history,
    readable_clients,
    readable_or_404,
    search_styles,
    skus_with_codes,
    stores_of,
    write_export,
)
from .sheets import XLSX_CONTENT_TYPE, read_table

PER_PAGE = 25
IMPORT_ERRORS_SHOWN = 500
ERROR_FILES_KEPT_SECONDS = 24 * 3600


def _paginate(request, queryset):
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def _last_change(record):
    return record.history.select_related("history_user").order_by("-history_date", "-history_id").first()


# --- list and detail -------------------------------------------------------------------------------


@page("catalog.view_style")
def style_list(request):
    form = StyleFilterForm(request.GET or None, user=request.user)
    filters = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {"q": data["q"], "client": data["client"], "brand": data["brand"], "status": data["status"],
                   "is_hero": {"1": True, "0": False}.get(data["hero"])}
        if data["category"]:
            filters["category"] = data["category"]
    styles = search_styles(request.user, **filters).annotate(sku_count=Count("skus"))
    page_obj = _paginate(request, styles)
    user = request.user
    can_import = user.has_perms(("catalog.add_style", "catalog.change_style"))
    export_clients = list(readable_clients(user))
    whole = clients_whole(user).exists()
    return render(request, "catalog/style_list.html", {
        "form": form, "page_obj": page_obj, "styles": page_obj.object_list,
        "can_add": user.has_perm("catalog.add_style") and whole,
        "can_import": can_import and whole,
        "export_clients": export_clients,
        "selected_client": form.cleaned_data.get("client") if form.is_valid() else None,
    })


def _style_or_404(request, pk: int) -> Style:
    return readable_or_404(Style.objects.select_related("client", "brand", "category"), request.user, pk=pk)


def _changeable(request, client_id: int) -> None:
    """A store's staff read the client's catalogue; changing it needs the client whole (CAT-04)."""
    if not may_change(request.user, client_id):
        raise PermissionDenied


@page("catalog.view_style")
def style_detail(request, pk: int):
    style = _style_or_404(request, pk)
    skus = list(skus_with_codes(request.user, style))
    colours = list(dict.fromkeys(s.colour for s in skus))
    sizes = list(dict.fromkeys(s.size for s in skus))
    cells = {(s.colour, s.size): s for s in skus}
    matrix = [{"colour": c, "cells": [cells.get((c, z)) for z in sizes]} for c in colours]
    user = request.user
    return render(request, "catalog/style_detail.html", {
        **_related(request, style),
        "style": style, "skus": skus, "sizes": sizes, "matrix": matrix,
        "show_matrix": len(skus) > 1 and any(colours) and any(sizes),
        "stores": stores_of(user, style.client),
        "price_changes": price_history(style)[:50],
        "can_edit": user.has_perm("catalog.change_style") and may_change(user, style.client_id),
        "can_edit_codes": user.has_perm("catalog.change_platformsku") and may_change(user, style.client_id),
        "last_change": _last_change(style),
    })


def _related(request, style: Style) -> dict:
    """What hangs off a style in the modules built on the catalogue (suppliers, admission review and
    listings, the new-product chain), each shown only to those who may open it. Reached through the
    reverse relations, so the catalogue imports none of those modules."""
    user = request.user
    internal = not is_client_member(user)
    related = {}
    if internal and user.has_perm("listing.view_admissionreview"):
        related["admission"] = style.admissions.order_by("-opened_at", "-pk").first()
        related["can_view_admission"] = True
    if user.has_perm("listing.view_listing"):
        related["listings"] = list(style.listings.visible_to(user).select_related("store").order_by("store__code"))
    if internal and user.has_perm("listing.view_newproductchain"):
        related["chain"] = getattr(style, "new_product_chain", None)
    if user.has_perm("suppliers.view_supplier"):
        links = style.style_suppliers.visible_to(user).select_related("supplier")
        related["supplier_links"] = list(links.order_by("-is_primary", "supplier__code"))
    return related


# --- create and edit -------------------------------------------------------------------------------


@page("catalog.add_style")
def style_create(request):
    initial = {}
    if request.GET.get("client", "").isdigit():
        initial["client"] = int(request.GET["client"])
    form = StyleForm(request.POST or None, initial=initial, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        style = submit(form, actions.create_style, user=request.user, client=data["client"],
                       colours=data["colours"], sizes=data["sizes"], **form.style_fields())
        if style is not None:
            messages.success(request, _("已创建款式 %(no)s，生成 %(n)s 个 SKU")
                             % {"no": style.style_no, "n": style.skus.count()})
            return redirect("catalog:style_detail", pk=style.pk)
    return render(request, "catalog/style_form.html", {"form": form, "style": None})


def _save_style(style, *, user, fields, colours, sizes, reason):
    with transaction.atomic():
        style = actions.update_style(style, user=user, reason=reason, **fields)
        created = actions.add_variants(style, user=user, colours=colours, sizes=sizes) if colours or sizes else []
    return style, created


@page("catalog.change_style")
def style_edit(request, pk: int):
    style = _style_or_404(request, pk)
    _changeable(request, style.client_id)
    form = StyleForm(request.POST or None, instance=style, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = submit(form, _save_style, style, user=request.user, fields=form.style_fields(),
                       colours=data["colours"], sizes=data["sizes"], reason=data.get("reason") or "")
        if saved is not None:
            style, created = saved
            text = _("已保存款式 %(no)s") % {"no": style.style_no}
            if created:
                text += _("，新增 %(n)s 个 SKU") % {"n": len(created)}
            messages.success(request, text)
            return redirect("catalog:style_detail", pk=style.pk)
    return render(request, "catalog/style_form.html", {"form": form, "style": _style_or_404(request, pk)})


@page("catalog.change_style")
def sku_edit(request, pk: int):
    sku = readable_or_404(SKU.objects.select_related("style", "client"), request.user, pk=pk)
    _changeable(request, sku.client_id)
    user = request.user
    form = SkuForm(request.POST or None, instance=sku, user=user, prefix="sku")
    codes_form = PlatformCodesForm(None, user=user, sku=sku, prefix="codes")
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k != "reason" and k in form.changed_data}
        saved = submit(form, actions.update_sku, sku, user=user, reason=form.cleaned_data.get("reason") or "",
                       **changes)
        if saved is not None:
            messages.success(request, _("已保存 SKU %(code)s") % {"code": saved.sku_code})
            return redirect("catalog:style_detail", pk=sku.style_id)
    return _sku_page(request, sku, form, codes_form)


def _sku_page(request, sku, form, codes_form):
    codes = (sku.platform_codes.filter(store__in=stores_of(request.user, sku.client))
             .select_related("store").order_by("store__code", "platform_sku_code"))
    return render(request, "catalog/sku_form.html", {
        "sku": sku, "form": form, "codes_form": codes_form, "codes": codes,
        "can_edit_codes": request.user.has_perm("catalog.change_platformsku"),
        "price_changes": price_history(sku)[:30],
    })


@page("catalog.change_platformsku")
def sku_platform_codes(request, pk: int):
    sku = readable_or_404(SKU.objects.select_related("style", "client"), request.user, pk=pk)
    _changeable(request, sku.client_id)
    if request.method != "POST":
        return redirect("catalog:sku_edit", pk=sku.pk)
    codes_form = PlatformCodesForm(request.POST, user=request.user, sku=sku, prefix="codes")
    if codes_form.is_valid():
        store = codes_form.cleaned_data["store"]
        saved = submit(codes_form, actions.set_platform_codes, sku, store, codes_form.cleaned_data["codes"],
                       user=request.user)
        if saved is not None:
            messages.success(request, _("已更新 SKU %(code)s 在店铺 %(store)s 的平台SKU编码")
                             % {"code": sku.sku_code, "store": store.name})
            return redirect("catalog:sku_edit", pk=sku.pk)
    form = SkuForm(None, instance=sku, user=request.user, prefix="sku")
    return _sku_page(request, sku, form, codes_form)


# --- brands ----------------------------------------------------------------------------------------


@page("catalog.view_brand")
def brand_list(request):
    """The brands of the clients the user sees; a new one is added here (trademark certificates and
    brand authorisations attach to it later, STO-04 / CAT-01)."""
    user = request.user
    can_add = user.has_perm("catalog.add_brand")
    form = BrandForm(request.POST or None, user=user) if can_add else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            data = dict(form.cleaned_data)
            brand = submit(form, actions.create_brand, user=user, client=data.pop("client"), **data)
            if brand is not None:
                messages.success(request, _("已添加品牌 %(name)s") % {"name": brand.name})
                return redirect("catalog:brands")
    brands = (Brand.objects.readable_by(user).select_related("client").annotate(style_count=Count("styles"))
              .order_by("client__code", "name"))
    page_obj = _paginate(request, brands)
    can_change = user.has_perm("catalog.change_brand")
    for brand in page_obj.object_list:
        brand.can_edit = can_change and may_change(user, brand.client_id)
    return render(request, "catalog/brand_list.html",
                  {"page_obj": page_obj, "brands": page_obj.object_list, "form": form})


@page("catalog.change_brand")
def brand_edit(request, pk: int):
    brand = readable_or_404(Brand.objects.select_related("client"), request.user, pk=pk)
    _changeable(request, brand.client_id)
    form = BrandForm(request.POST or None, instance=Brand.objects.get(pk=pk), user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = submit(form, actions.update_brand, brand, user=request.user, **form.cleaned_data)
        if saved is not None:
            messages.success(request, _("已保存品牌 %(name)s") % {"name": saved.name})
            return redirect("catalog:brands")
    return render(request, "catalog/brand_form.html", {"form": form, "brand": brand},
                  status=400 if form.errors else 200)


# --- categories ------------------------------------------------------------------------------------


def category_tree() -> list:
    """Every category in outline order with its depth, the special-goods class it has (own or from a
    parent) and where that class comes from."""
    categories = list(Category.objects.select_related("parent").order_by("sort_order", "code"))
    children: dict = {}
    for category in categories:
        children.setdefault(category.parent_id, []).append(category)
    out, seen = [], set()

    def walk(parent_id, depth, inherited):
        for category in children.get(parent_id, []):
            if category.pk in seen:
                continue
            seen.add(category.pk)
            category.depth = depth
            category.indent = "\u3000" * depth
            own = category.special_goods != SpecialGoods.NONE
            category.effective_goods = category.special_goods if own else inherited
            category.goods_inherited = not own and inherited != SpecialGoods.NONE
            category.effective_goods_label = SpecialGoods(category.effective_goods).label
            out.append(category)
            walk(category.pk, depth + 1, category.effective_goods)

    walk(None, 0, SpecialGoods.NONE)
    return out


@page("catalog.view_category")
def category_list(request):
    """CAT-04 / STO-04: the category tree every client shares, with its special-goods classes."""
    user = request.user
    internal = not is_client_member(user)
    styles = Style.objects.readable_by(user).values("category").annotate(n=Count("pk"))
    counts = {row["category"]: row["n"] for row in styles}
    tree = category_tree()
    for category in tree:
        category.style_count = counts.get(category.pk, 0)
    return render(request, "catalog/category_list.html", {
        "categories": tree,
        "can_add": internal and user.has_perm("catalog.add_category"),
        "can_edit": internal and user.has_perm("catalog.change_category"),
    })


@internal_page("catalog.add_category")
def category_create(request):
    initial = {}
    if request.GET.get("parent", "").isdigit():
        initial["parent"] = int(request.GET["parent"])
    form = CategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        category = submit(form, actions.create_category, user=request.user, **form.category_fields())
        if category is not None:
            messages.success(request, _("已添加类目 %(name)s") % {"name": category.name})
            return redirect("catalog:categories")
    return render(request, "catalog/category_form.html", {"form": form, "category": None},
                  status=400 if form.errors else 200)


@internal_page("catalog.change_category")
def category_edit(request, pk: int):
    category = get_object_or_404(Category, pk=pk)
    form = CategoryForm(request.POST or None, instance=Category.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        saved = submit(form, actions.update_category, category, user=request.user, **form.category_fields())
        if saved is not None:
            messages.success(request, _("已保存类目 %(name)s") % {"name": saved.name})
            return redirect("catalog:categories")
    return render(request, "catalog/category_form.html", {"form": form, "category": category},
                  status=400 if form.errors else 200)


# --- import and export -----------------------------------------------------------------------------


def _error_dir() -> Path:
    directory = Path(settings.VAR_DIR) / "catalog-import-errors"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _keep_errors(request, errors) -> str:
    """Write the error list as .xlsx for download by this session; old files are removed."""
    directory = _error_dir()
    cutoff = time.time() - ERROR_FILES_KEPT_SECONDS
    for old in directory.glob("*.xlsx"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            pass
    token = uuid.uuid4().hex
    with (directory / f"{token}.xlsx").open("wb") as out:
        write_errors(errors, out)
    request.session["catalog_import_errors"] = token
    return token


@page(("catalog.add_style", "catalog.change_style"))
def import_products(request):
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            table = read_table(upload.read(), filename=upload.name)
            result = actions.import_products(user=request.user, client=form.cleaned_data["client"], table=table,
                                             dry_run=form.cleaned_data["dry_run"],
                                             reason=_("导入 %(file)s") % {"file": upload.name[:80]})
        except actions.ImportRejected as rejected:
            context.update(errors=rejected.errors[:IMPORT_ERRORS_SHOWN], error_count=len(rejected.errors),
                           error_token=_keep_errors(request, rejected.errors), file_name=upload.name)
        except BusinessError as error:
            if isinstance(error, NotAllowed):
                raise PermissionDenied from None
            add_business_error(form, error)
        else:
            context.update(result=result, file_name=upload.name, client=form.cleaned_data["client"])
    return render(request, "catalog/import.html", context)


@page(("catalog.add_style", "catalog.change_style"))
def import_errors(request, token: str):
    if request.session.get("catalog_import_errors") != token:
        raise Http404
    path = _error_dir() / f"{token}.xlsx"
    if not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename="导入错误.xlsx", content_type=XLSX_CONTENT_TYPE)


@page("catalog.view_style")
def import_template(request):
    out = io.BytesIO()
    write_template(out)
    return _download(out.getvalue(), "商品导入模板.xlsx", XLSX_CONTENT_TYPE)


@page("catalog.view_style")
def export_products(request):
    if not request.GET.get("client", "").isdigit():
        raise Http404
    # The catalogue of a client seen whole or through one of its stores (read, CAT-04); the platform
    # codes of the other stores stay out of the file (export_rows).
    client = get_visible_or_404(Client, request.user, pk=int(request.GET["client"]))
    stamp = timezone.localdate().strftime("%Y%m%d")
    if request.GET.get("format") == "csv":
        out = io.StringIO()
        write_export(request.user, client, out, fmt="csv")
        return _download(out.getvalue().encode("utf-8"), f"商品_{client.code}_{stamp}.csv", "text/csv; charset=utf-8")
    out = io.BytesIO()
    write_export(request.user, client, out)
    return _download(out.getvalue(), f"商品_{client.code}_{stamp}.xlsx", XLSX_CONTENT_TYPE)


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response

