"""The navigation: only the modules that exist and that the user may open."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from ecomops.core.access import may_open

# (url name, label, icon, permission needed or None, hidden from client users)
NAVIGATION = [
    ("home", _("首页"), "house", None, False),
    ("org:clients", _("委托方与店铺"), "shop", None, False),
    ("catalog:styles", _("商品"), "box-seam", "catalog.view_style", False),
    ("org:departments", _("组织架构"), "diagram-3", "org.view_department", True),
    ("org:staff", _("员工"), "people", "org.view_staff", True),
    ("org:work_calendar", _("工作日历"), "calendar3", "org.view_calendarday", True),
    ("org:attendance", _("考勤"), "person-check", "org.view_attendance", True),
    ("policy:parameters", _("政策参数"), "sliders", "policy.view_policyparameter", True),
    ("policy:regulations", _("制度与承诺书"), "journal-check", None, True),
    ("stores:qualifications", _("店铺入驻与资质"), "award", "stores.view_qualification", False),
    ("suppliers:suppliers", _("供应商"), "truck", "suppliers.view_supplier", False),
    ("compliance:check", _("内容合规"), "patch-check", None, True),
    ("listing:listings", _("商品审核与上架"), "shop-window", "listing.view_listing", False),
    ("listing:chains", _("新品上新"), "stars", "listing.view_newproductchain", True),
    ("orders:orders", _("订单"), "receipt", "orders.view_order", False),
    ("orders:review", _("审单"), "list-check", "orders.review_order", True),
    ("orderimport:imports", _("订单导入"), "upload", "orderimport.view_importjob", True),
    ("dispatch:board", _("发货批次"), "send", "dispatch.view_shipbatch", True),
    ("logistics:cases", _("物流"), "truck-front", "logistics.view_logisticscase", True),
    ("logistics:carriers", _("承运商与单号"), "upc", "logistics.view_carrier", True),
    ("waves:list", _("拣货波次"), "cart3", "waves.view_wave", True),
    ("fulfilment:station", _("验货打包"), "upc-scan", "fulfilment.view_packcheck", True),
    ("fulfilment:prepack_list", _("预打包"), "box-seam", "fulfilment.view_prepackjob", True),
    ("fulfilment:handovers", _("发货交接"), "truck-front", "fulfilment.view_handover", True),
    ("payroll:index", _("目标与薪资"), "cash-coin", None, True),
    ("inventory:board", _("仓库看板"), "clipboard-data", "inventory.view_dailyclose", True),
    ("inventory:stock", _("库存"), "boxes", "inventory.view_stockbalance", False),
    ("receiving:receipts", _("收货与质检"), "box-arrow-in-down", "receiving.view_receipt", True),
    ("stockops:index", _("仓内作业"), "arrow-left-right", "stockops.view_transfer", True),
    ("supply:index", _("采购补货与退厂"), "cart-check", "supply.view_replenishmentplan", True),
    ("reports:list", _("经营报表"), "file-earmark-bar-graph", "reports.view_managementreport", True),
    ("scheduling:jobs", _("定时任务"), "alarm", "scheduling.view_job", True),
    ("audit:trail", _("审计日志"), "shield-check", "audit.view_audit_trail", True),
    ("api-1.0.0:openapi-view", _("API 文档"), "code-square", None, True),
]

# The pages that belong to an entry besides its own (url-name prefixes), so one entry is highlighted.
SECTIONS = {
    "org:clients": ("org:client", "org:store"),
    "catalog:styles": ("catalog:",),
    "org:departments": ("org:department",),
    "org:staff": ("org:staff",),
    "org:work_calendar": ("org:work_calendar",),
    "org:attendance": ("org:attendance",),
    "policy:parameters": ("policy:parameter",),
    "policy:regulations": ("policy:regulation",),
    "stores:qualifications": ("stores:",),
    "suppliers:suppliers": ("suppliers:",),
    "compliance:check": ("compliance:",),
    "listing:listings": ("listing:listing", "listing:admission"),
    "listing:chains": ("listing:chain",),
    "audit:trail": ("audit:",),
    "reports:list": ("reports:",),
    "scheduling:jobs": ("scheduling:",),
    "inventory:stock": ("inventory:",),
    "orders:orders": ("orders:order", "orders:reconciliation"),
    "orders:review": ("orders:review",),
    "orderimport:imports": ("orderimport:",),
    "dispatch:board": ("dispatch:",),
    "logistics:cases": ("logistics:case", "logistics:tracking", "logistics:message", "logistics:score",
                        "logistics:bill", "logistics:price", "logistics:customs"),
    "logistics:carriers": ("logistics:carrier",),
    "waves:list": ("waves:",),
    "fulfilment:station": ("fulfilment:station", "fulfilment:check"),
    "fulfilment:prepack_list": ("fulfilment:prepack",),
    "fulfilment:handovers": ("fulfilment:handover",),
    "payroll:index": ("payroll:",),
    "receiving:receipts": ("receiving:",),
    "stockops:index": ("stockops:",),
    "supply:index": ("supply:",),
}


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    is_member = hasattr(user, "client_member")
    items = []
    current = getattr(getattr(request, "resolver_match", None), "view_name", "")
    # A page with its own entry highlights only that entry, not also the section it belongs to.
    exact = any(current == entry[0] for entry in NAVIGATION)
    for name, label, icon, perm, internal_only in NAVIGATION:
        if internal_only and is_member:
            continue
        if perm and not user.has_perm(perm):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # the module is not installed in this deployment
        if not may_open(user, url):
            continue  # issue 15: no entry leads to a page that would refuse the user
        active = current == name or (
            not exact and any(current.startswith(prefix) for prefix in SECTIONS.get(name, ()))
        )
        items.append({"url": url, "label": label, "icon": icon, "active": active})
    return {"nav_items": items, "is_client_member": is_member}
