"""Issue 15: the order list in bulk — the batch actions on the selected rows, the status tabs, sorting,
the columns a user chose and their saved filters. ``views.order_list`` renders them with
:func:`list_context`; the POSTs here change orders only through ``orders.bulk`` (the one-order acts).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ecomops.core import validate
from ecomops.core.decorators import page
from ecomops.core.errors import BusinessError
from ecomops.core.outcome import run_action

from . import bulk
from .enums import Courier
from .models import Order, OrderListPreference, SavedOrderFilter
from .queries import TABS, search_kind_choices, tab_counts

# The columns a user may hide (the order number always shows); ``sort`` the key of ``queries.SORTS``.
COLUMNS = (
    ("store", gettext_lazy("店铺"), "store"),
    ("buyer", gettext_lazy("买家昵称"), ""),
    ("placed", gettext_lazy("下单时间"), "placed"),
    ("amount", gettext_lazy("实付金额（元）"), "amount"),
    ("state", gettext_lazy("状态"), "state"),
    ("courier", gettext_lazy("快递/运单号"), ""),
    ("batch", gettext_lazy("批次"), ""),
    ("exception", gettext_lazy("异常"), ""),
)
COLUMN_KEYS = tuple(key for key, _label, _sort in COLUMNS)
DEFAULT_HIDDEN = ("courier",)
MAX_SAVED_FILTERS = 20
MAX_FAILURES_SHOWN = 20


def hidden_columns(user) -> set[str]:
    preference = OrderListPreference.objects.filter(user=user).first()
    if preference is None:
        return set(DEFAULT_HIDDEN)
    return {key for key in preference.hidden_columns if key in COLUMN_KEYS}


def _list_query(text: str) -> str:
    """A query string of the list (from a form), rebuilt so it can only be a query string."""
    params = QueryDict((text or "").lstrip("?"), mutable=True)
    params.pop("page", None)
    return params.urlencode()


def _back(text: str):
    query = _list_query(text)
    return redirect(reverse("orders:orders") + (f"?{query}" if query else ""))


def list_context(request, filters: dict) -> dict:
    """What the bulk list adds to ``order_list``'s page: tabs with counts (one grouped query), the
    sortable and chosen columns, the saved filters and the batch actions the user may use."""
    user = request.user
    counts = tab_counts(user, **filters)
    if filters.get("exception") is True and not filters.get("state"):
        active = "exception"
    else:
        active = filters.get("state") or ""
    hidden = hidden_columns(user)
    sort = request.GET.get("sort", "")
    columns = []
    for key, label, sort_key in COLUMNS:
        column = {"key": key, "label": label, "shown": key not in hidden, "sort": sort_key, "dir": ""}
        if sort_key:
            column["dir"] = "asc" if sort == sort_key else "desc" if sort == f"-{sort_key}" else ""
            column["next"] = f"-{sort_key}" if column["dir"] == "asc" else sort_key
        columns.append(column)
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "tabs": [{"value": value, "label": label, "count": counts.get(value, 0), "active": value == active}
                 for value, label in TABS],
        "columns": columns, "cols": {c["key"]: c["shown"] for c in columns},
        "no_sort": {"dir": "asc" if sort == "no" else "desc" if sort == "-no" else "",
                    "next": "-no" if sort == "no" else "no"},
        "kinds": search_kind_choices(),
        "saved_filters": SavedOrderFilter.objects.filter(user=user).order_by("name", "pk"),
        "list_query": query.urlencode(),
        "bulk_actions": bulk.available(user), "bulk_export": user.has_perm(bulk.EXPORT_PERM),
        "couriers": Courier.choices,
        "bulk_needs": {a.needs for a in bulk.available(user)},
    }


def _ids(post) -> list[int] | None:
    """The selected ids, or None when one is not an id at all (treated like an order not found)."""
    values = post.getlist("ids")
    if not all(value.isdigit() and len(value) < 12 for value in values):
        return None
    return sorted({int(value) for value in values})


@require_POST
@page("orders.view_order")
def order_bulk(request):
    """One POST for every batch action: ``act`` and the selected ``ids``. Every id is looked up in the
    user's scope first (one outside it: 404, nothing done), the action's permission is checked (403),
    then each order runs in its own transaction and the outcome is reported as "n 成功，m 失败" with
    each failure's order number and reason."""
    post = request.POST
    act = post.get("act", "")
    back = post.get("next", "")
    ids = _ids(post)
    if ids is None:
        raise Http404
    if act != bulk.EXPORT and act not in bulk.ACTIONS:
        messages.error(request, _("没有这个操作"))
        return _back(back)
    if not ids:
        messages.error(request, _("请先勾选订单"))
        return _back(back)
    if len(ids) > bulk.MAX_ORDERS:
        messages.error(request, _("一次最多处理 %(n)d 单") % {"n": bulk.MAX_ORDERS})
        return _back(back)
    found = Order.objects.visible_to(request.user).filter(pk__in=ids)
    if found.count() != len(ids):
        raise Http404  # DAT-02: an order of another store is not found, and nothing is done
    if act == bulk.EXPORT:
        return _export(request, found, back)
    action = bulk.ACTIONS[act]
    if not action.allowed(request.user):
        raise PermissionDenied
    text, courier = post.get("text", ""), post.get("courier", "")
    try:
        if action.needs in (bulk.NEEDS_REASON, bulk.NEEDS_NOTE):
            label = _("备注") if action.needs == bulk.NEEDS_NOTE else _("原因")
            text = validate.text(text, field="text", label=label, max_length=200 if action.needs == bulk.NEEDS_REASON
                                 else 500, required=True)
        if action.needs == bulk.NEEDS_COURIER and courier not in Courier.values:
            raise BusinessError(_("请选择快递公司"), field="courier")
    except BusinessError as error:
        messages.error(request, error.message)
        return _back(back)
    orders = list(found.select_related("store", "review_batch").order_by("pk"))
    result = bulk.run(action, orders, user=request.user, text=text, courier=courier)
    summary = _("%(action)s：%(ok)d 成功，%(bad)d 失败") % {"action": action.label, "ok": len(result.done),
                                                       "bad": len(result.failed)}
    if result.failed:
        messages.warning(request, summary)
        for order, why in result.failed[:MAX_FAILURES_SHOWN]:
            messages.error(request, _("%(no)s：%(why)s") % {"no": order.platform_order_no, "why": why})
        if len(result.failed) > MAX_FAILURES_SHOWN:
            messages.error(request, _("另有 %(n)d 单失败未列出") % {"n": len(result.failed) - MAX_FAILURES_SHOWN})
    else:
        messages.success(request, summary)
    return _back(back)


def _export(request, orders, back: str):
    """The selected orders as .xlsx (receivers masked), through the list's own export."""
    from django.http import FileResponse

    from .exports import export_orders

    handle = run_action(request, export_orders, request.user, orders)
    if handle is None:
        return _back(back)
    name = f"orders-selected-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@require_POST
@page("orders.view_order")
def list_columns(request):
    """The columns the user shows (checked) — the others are hidden, remembered per user."""
    shown = set(request.POST.getlist("show"))
    hidden = [key for key in COLUMN_KEYS if key not in shown]
    OrderListPreference.objects.update_or_create(user=request.user, defaults={"hidden_columns": hidden})
    messages.success(request, _("列设置已保存"))
    return _back(request.POST.get("next", ""))


@require_POST
@page("orders.view_order")
def filter_save(request):
    """Save the list's current query under a name (the user's own; the same name replaces it)."""
    back = request.POST.get("next", "")
    try:
        name = validate.text(request.POST.get("name"), field="name", label=_("筛选名称"), max_length=40,
                             required=True, single_line=True)
    except BusinessError as error:
        messages.error(request, error.message)
        return _back(back)
    query = _list_query(back)
    if len(query) > 1000:
        messages.error(request, _("筛选条件太长，不能保存"))
        return _back(back)
    mine = SavedOrderFilter.objects.filter(user=request.user)
    if not mine.filter(name=name).exists() and mine.count() >= MAX_SAVED_FILTERS:
        messages.error(request, _("最多保存 %(n)d 个常用筛选") % {"n": MAX_SAVED_FILTERS})
        return _back(back)
    try:
        SavedOrderFilter.objects.update_or_create(user=request.user, name=name, defaults={"query": query})
    except IntegrityError:  # two saves of the same name at once: the other one won
        pass
    messages.success(request, _("已保存常用筛选“%(name)s”") % {"name": name})
    return _back(back)


@require_POST
@page("orders.view_order")
def filter_delete(request, pk: int):
    """Delete one of the user's own saved filters (another user's is not found)."""
    saved = SavedOrderFilter.objects.filter(user=request.user, pk=pk).first()
    if saved is None:
        raise Http404
    saved.delete()
    messages.success(request, _("已删除常用筛选“%(name)s”") % {"name": saved.name})
    return _back(request.POST.get("next", ""))
