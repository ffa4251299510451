"""Logistics pages (LOG-01…03): logistics cases with their steps, tracking import, the buyer message
templates, the carriers' monthly scorecard with the routing suggestion, the carriers' bills, the price
cards, and the carriers with their number pools, imported numbers and contracts. Everything a user sees
is their own clients' parcels (DAT-02); carriers, pools, contracts, price cards, bills and the buyer
message templates are the agency's own (a carrier page shows each part only to a user who may view it,
and of the numbers given to orders only counts)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ecomops.core.decorators import internal_page
from ecomops.core.errors import BusinessError
from ecomops.core.outcome import run_action
from ecomops.core.users import person_name
from ecomops.orders.enums import Courier

from . import buyer_texts, freight, numbers, scorecard, services, tracking
from .models import (
    BuyerMessageTemplate,
    Carrier,
    CarrierBill,
    CarrierContract,
    CarrierService,
    CaseKind,
    CaseState,
    LogisticsCase,
    NumberSource,
    PriceCard,
    TrackingNumber,
)
from .queries import carrier_stock

VIEW_CASES = "logistics.view_logisticscase"
HANDLE = tracking.HANDLE_PERM
RECORD = tracking.RECORD_PERM
VIEW_SHIPMENTS = "logistics.view_shipment"
RECONCILE = "logistics.reconcile_carrierbill"
VIEW_TEMPLATES = "logistics.view_buyermessagetemplate"
CHANGE_TEMPLATES = tracking.TEMPLATE_PERM
MAX_UPLOAD = 20 * 1024 * 1024


def _month(text: str | None) -> date:
    try:
        return date.fromisoformat(f"{text}-01") if text else timezone.localdate().replace(day=1)
    except ValueError:
        return timezone.localdate().replace(day=1)


def _upload(request) -> tuple[bytes, str] | None:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择文件"))
        return None
    if upload.size > MAX_UPLOAD:
        messages.error(request, _("文件超过 20 MB"))
        return None
    return upload.read(), upload.name


@internal_page(VIEW_CASES)
def cases(request):
    state = request.GET.get("state", "")
    rows = (LogisticsCase.objects.visible_to(request.user)
            .select_related("shipment__order__store").order_by("-opened_at", "-pk"))
    if state in CaseState.values:
        rows = rows.filter(state=state)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "logistics/cases.html", {"page": page, "state": state, "states": CaseState.choices,
                                                    "can_record": request.user.has_perm(RECORD),
                                                    "couriers": Courier.choices})


def _case(request, pk: int) -> LogisticsCase:
    case = (LogisticsCase.objects.visible_to(request.user).select_related("shipment__order__store")
            .filter(pk=pk).first())
    if case is None:
        raise Http404
    return case


@internal_page(VIEW_CASES)
def case_detail(request, pk: int):
    case = _case(request, pk)
    return render(request, "logistics/case.html", {
        "case": case, "events": case.shipment.events.order_by("at"), "can_handle": request.user.has_perm(HANDLE),
        "message": case.message or tracking.buyer_message(case), "history": case.history.order_by("history_date")})


STEPS = {"inform": (tracking.inform_buyer, "message", _("已告知买家")),
         "claim": (tracking.claim, "amount", _("已登记索赔")),
         "compensate": (tracking.compensate, "amount", _("已登记赔付")),
         "close": (tracking.close_case, "note", _("异常单已关闭"))}


@require_POST
@internal_page((VIEW_CASES, HANDLE))
def case_step(request, pk: int, step: str):
    if step not in STEPS:
        raise Http404
    case = _case(request, pk)
    action, field, done = STEPS[step]
    run_action(request, action, case, user=request.user, done=done, **{field: request.POST.get(field, "")})
    return redirect("logistics:case", pk=case.pk)


@require_POST
@internal_page((VIEW_CASES, RECORD))
def tracking_import(request):
    upload = _upload(request)
    courier = request.POST.get("courier", "")
    if upload is not None:
        if courier not in Courier.values:
            messages.error(request, _("请选择快递公司"))
        else:
            result = run_action(request, tracking.import_events, upload[0], user=request.user, courier=courier,
                                filename=upload[1])
            if result is not None:
                messages.success(request, _("新增轨迹 %(added)d 条，已有跳过 %(skipped)d 条，签收 %(delivered)d 单，"
                                            "新登记异常 %(cases)d 单") % vars(result))
    return redirect("logistics:cases")


@internal_page(VIEW_TEMPLATES)
def message_templates(request):
    """The buyer message of each kind of case: its template, a preview against an example order, when
    and by whom it was last changed, and (with the right) an edit form."""
    templates = {t.kind: t for t in BuyerMessageTemplate.objects.all()}
    rows = []
    for kind, label in CaseKind.choices:
        template = templates.get(kind)
        last = (template.history.select_related("history_user").order_by("-history_date", "-history_id").first()
                if template else None)
        rows.append({"kind": kind, "label": label, "template": template,
                     "preview": buyer_texts.fill(tracking.template_text(kind), buyer_texts.EXAMPLE),
                     "default": buyer_texts.DEFAULT_TEXTS[kind],
                     "changed_at": last.history_date if last else None,
                     "changed_by": (person_name(last.history_user) or _("系统")) if last else ""})
    return render(request, "logistics/message_templates.html", {
        "rows": rows, "placeholders": buyer_texts.PLACEHOLDERS, "example": buyer_texts.EXAMPLE,
        "can_change": request.user.has_perm(CHANGE_TEMPLATES)})


@require_POST
@internal_page((VIEW_TEMPLATES, CHANGE_TEMPLATES))
def message_template_update(request, pk: int):
    template = BuyerMessageTemplate.objects.filter(pk=pk).first()
    if template is None:
        raise Http404
    run_action(request, tracking.update_template, template, user=request.user, text=request.POST.get("text", ""),
               active=request.POST.get("is_active") == "on",
               done=_("已保存“%(kind)s”的买家告知模板") % {"kind": template.get_kind_display()})
    return redirect("logistics:message_templates")


@internal_page(VIEW_SHIPMENTS)
def scores(request):
    month = _month(request.GET.get("month"))
    return render(request, "logistics/scorecard.html", {
        "month": month, "scores": scorecard.scorecard(month, user=request.user),
        "routes": scorecard.routing(month, user=request.user)})


@internal_page(RECONCILE)
def bills(request):
    return render(request, "logistics/bills.html", {"bills": CarrierBill.objects.all()[:100],
                                                    "couriers": Courier.choices,
                                                    "month": timezone.localdate().replace(day=1)})


@require_POST
@internal_page(RECONCILE)
def bill_import(request):
    upload = _upload(request)
    if upload is None:
        return redirect("logistics:bills")
    try:
        month = date.fromisoformat(f"{request.POST.get('month', '')}-01")
    except ValueError:
        messages.error(request, _("请选择账期（年-月）"))
        return redirect("logistics:bills")
    bill = run_action(request, freight.import_bill, upload[0], user=request.user,
                      courier=request.POST.get("courier", ""), month=month, filename=upload[1],
                      done=lambda b: _("账单已导入：%(n)d 票，差异 %(d)d 票") % {"n": b.parcels, "d": b.differences})
    return redirect("logistics:bill", pk=bill.pk) if bill else redirect("logistics:bills")


@internal_page(RECONCILE)
def bill_detail(request, pk: int):
    bill = CarrierBill.objects.filter(pk=pk).first()
    if bill is None:
        raise Http404
    lines = bill.lines.order_by("result", "row", "pk")
    if request.GET.get("only") == "differences":
        lines = lines.exclude(result="matched")
    return render(request, "logistics/bill.html", {"bill": bill, "page": Paginator(lines, 100).get_page(
        request.GET.get("page")), "only": request.GET.get("only", "")})


@internal_page("logistics.view_pricecard")
def price_cards(request):
    cards = PriceCard.objects.all()
    courier = request.GET.get("courier", "")
    if courier in Courier.values:
        cards = cards.filter(courier=courier)
    return render(request, "logistics/price_cards.html", {
        "cards": cards[:200], "couriers": Courier.choices, "courier": courier,
        "can_add": request.user.has_perm("logistics.add_pricecard")})


@require_POST
@internal_page(("logistics.view_pricecard", "logistics.add_pricecard"))
def price_card_add(request):
    post = request.POST
    try:
        valid_from = date.fromisoformat(post.get("valid_from", ""))
    except ValueError:
        messages.error(request, _("请填写生效日期"))
        return redirect("logistics:price_cards")
    provinces = _provinces(post.get("provinces", ""))
    try:
        freight.add_price_card(user=request.user, courier=post.get("courier", ""), name=post.get("name", ""),
                               first_weight_g=post.get("first_weight_g"), first_price=post.get("first_price", ""),
                               step_weight_g=post.get("step_weight_g"), step_price=post.get("step_price", ""),
                               valid_from=valid_from, provinces=provinces)
    except BusinessError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("运费价格表已添加"))
    return redirect("logistics:price_cards")


# --- cross-border customs (LOG-04, LAW-06) ---------------------------------------------------------------

VIEW_CUSTOMS = "logistics.view_customsdeclaration"


@internal_page(VIEW_CUSTOMS)
def customs_list(request):
    from .models import CustomsDeclaration, CustomsStatus

    status = request.GET.get("status", "")
    rows = CustomsDeclaration.objects.visible_to(request.user).select_related("order").order_by("-created_at", "-pk")
    if status in CustomsStatus.values:
        rows = rows.filter(status=status)
    return render(request, "logistics/customs_list.html", {
        "page": Paginator(rows, 50).get_page(request.GET.get("page")), "status": status,
        "statuses": CustomsStatus.choices})


def _declaration(request, pk: int):
    from .models import CustomsDeclaration

    found = CustomsDeclaration.objects.visible_to(request.user).select_related("order__store").filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


@internal_page(VIEW_CUSTOMS)
def customs_detail(request, pk: int):
    from .models import CustomsStatus

    declaration = _declaration(request, pk)
    codes = [(v, label) for v, label in CustomsStatus.choices if v not in (CustomsStatus.DRAFT, CustomsStatus.DECLARED)]
    return render(request, "logistics/customs_detail.html", {
        "declaration": declaration, "lines": declaration.lines.all(),
        "receipts": declaration.receipts.order_by("at", "pk"), "codes": codes,
        "can_record": request.user.has_perm("logistics.declare_customs")})


@require_POST
@internal_page((VIEW_CUSTOMS, "logistics.declare_customs"))
def customs_receipt(request, pk: int):
    from . import customs

    declaration = _declaration(request, pk)
    run_action(request, customs.record_receipt, declaration, user=request.user,
               status=request.POST.get("status", ""), note=request.POST.get("note", ""), done=_("回执已录入"))
    return redirect("logistics:customs", pk=declaration.pk)


# --- carriers, their number pools and contracts (LOG-01, LOG-02) -------------------------------------

VIEW_CARRIER = "logistics.view_carrier"
VIEW_POOLS = "logistics.view_numberpool"
VIEW_NUMBERS = "logistics.view_trackingnumber"
VIEW_CONTRACTS = "logistics.view_carriercontract"
VIEW_CARDS = "logistics.view_pricecard"


def _province_union(pairs) -> dict:
    """(key, provinces) pairs, where empty provinces mean the whole country → per key the union of its
    provinces, sorted; ``[]`` when one of them is for the whole country, no key when it has no pair."""
    out: dict = {}
    for key, provinces in pairs:
        if not provinces or out.get(key, set()) is None:
            out[key] = None
        else:
            out.setdefault(key, set()).update(provinces)
    return {key: sorted(provinces) if provinces is not None else [] for key, provinces in out.items()}


def _coverage(on: date) -> dict[str, list[str]]:
    """Per courier: the provinces of its price cards valid on ``on``."""
    return _province_union(PriceCard.objects.filter(valid_from__lte=on).exclude(valid_to__lt=on)
                           .values_list("courier", "provinces"))


def _service_coverage() -> dict[int, list[str]]:
    """Per carrier id: the provinces its active services cover."""
    return _province_union(CarrierService.objects.filter(is_active=True).values_list("carrier_id", "provinces"))


def _in_force(on: date):
    return CarrierContract.objects.filter(starts_on__lte=on, ends_on__gte=on)


@internal_page(VIEW_CARRIER)
def carriers(request):
    user, today = request.user, timezone.localdate()
    stock = carrier_stock()
    contracts: dict[str, list[CarrierContract]] = {}
    if user.has_perm(VIEW_CONTRACTS):
        for contract in _in_force(today).order_by("-starts_on", "pk"):
            contracts.setdefault(contract.courier, []).append(contract)
    coverage = _coverage(today) if user.has_perm(VIEW_CARDS) else {}
    served = _service_coverage()
    rows = [{"carrier": c, "stock": stock.get(c.pk, {}), "contracts": contracts.get(c.code, []),
             "coverage": coverage.get(c.code), "served": served.get(c.pk)} for c in Carrier.objects.order_by("code")]
    return render(request, "logistics/carriers.html", {
        "rows": rows, "can_pools": user.has_perm(VIEW_POOLS), "can_numbers": user.has_perm(VIEW_NUMBERS),
        "can_contracts": user.has_perm(VIEW_CONTRACTS), "can_cards": user.has_perm(VIEW_CARDS)})


def _the_carrier(code: str) -> Carrier:
    carrier = Carrier.objects.filter(code=code).first()
    if carrier is None:
        raise Http404
    return carrier


@internal_page(VIEW_CARRIER)
def carrier_detail(request, code: str):
    carrier, user, today = _the_carrier(code), request.user, timezone.localdate()
    context = {"carrier": carrier, "today": today, "can_pools": user.has_perm(VIEW_POOLS),
               "can_numbers": user.has_perm(VIEW_NUMBERS), "can_contracts": user.has_perm(VIEW_CONTRACTS),
               "can_cards": user.has_perm(VIEW_CARDS),
               "can_add_pool": user.has_perm(VIEW_POOLS) and user.has_perm(numbers.POOL_PERM),
               "can_import": user.has_perm(VIEW_NUMBERS) and user.has_perm(numbers.IMPORT_PERM),
               "can_add_contract": user.has_perm(VIEW_CONTRACTS) and user.has_perm("logistics.add_carriercontract"),
               "can_change": user.has_perm(numbers.CHANGE_CARRIER_PERM)}
    context["services"] = carrier.services.order_by("-is_default", "-is_active", "name", "pk")
    if context["can_pools"]:
        context["pools"] = [{"first": p.format(p.first), "last": p.format(p.last), "next": p.format(p.next_value),
                             "used": p.next_value - p.first, "remaining": p.remaining, "created_at": p.created_at}
                            for p in carrier.pools.order_by("prefix", "first", "pk")]
    if context["can_numbers"]:
        # Counts only: the numbers given to orders belong to clients the user may not see.
        imported = TrackingNumber.objects.filter(carrier=carrier, source=NumberSource.IMPORTED)
        context["imported"] = {"total": imported.count(), "waiting": imported.filter(order__isnull=True).count()}
    if context["can_contracts"]:
        context["contracts"] = CarrierContract.objects.filter(courier=carrier.code).order_by("-starts_on", "-pk")
    if context["can_cards"]:
        context["cards"] = PriceCard.objects.filter(courier=carrier.code).order_by("-valid_from", "pk")[:50]
    return render(request, "logistics/carrier.html", context)


def _whole(value: str, *, minimum: int) -> int | None:
    """A whole number typed into a form (not below ``minimum``), or None."""
    try:
        number = int((value or "").strip())
    except ValueError:
        return None
    return number if number >= minimum else None


@require_POST
@internal_page((VIEW_CARRIER, VIEW_POOLS, numbers.POOL_PERM))
def carrier_pool_add(request, code: str):
    carrier, post = _the_carrier(code), request.POST
    values, refused = {}, None
    for name, minimum, why in (("first", 0, _("起始号须为不小于 0 的整数")),
                               ("last", 0, _("结束号须为不小于 0 的整数")), ("width", 1, _("位数须为正整数"))):
        values[name] = _whole(post.get(name, ""), minimum=minimum)
        if values[name] is None and refused is None:
            refused = why
    if refused is not None:
        messages.error(request, refused)
    else:
        run_action(request, numbers.add_pool, carrier, user=request.user, prefix=post.get("prefix", "").strip(),
                   **values, done=lambda pool: _("号段已添加：%(pool)s") % {"pool": pool})
    return redirect("logistics:carrier", code=carrier.code)


@require_POST
@internal_page((VIEW_CARRIER, VIEW_NUMBERS, numbers.IMPORT_PERM))
def carrier_numbers_import(request, code: str):
    carrier = _the_carrier(code)
    upload = _upload(request)
    if upload is not None:
        run_action(request, numbers.import_numbers, upload[0], carrier, user=request.user,
                   done=lambda r: _("已导入单号 %(created)d 个，此前已导入 %(existing)d 个") % vars(r))
    return redirect("logistics:carrier", code=carrier.code)


def _day(request, name: str, label: str) -> date | None:
    try:
        return date.fromisoformat(request.POST.get(name, "").strip())
    except ValueError:
        messages.error(request, _("请填写%(label)s（年-月-日）") % {"label": label})
        return None


@require_POST
@internal_page((VIEW_CARRIER, VIEW_CONTRACTS, "logistics.add_carriercontract"))
def carrier_contract_add(request, code: str):
    carrier, post = _the_carrier(code), request.POST
    starts_on = _day(request, "starts_on", _("开始日期"))
    ends_on = _day(request, "ends_on", _("结束日期")) if starts_on else None
    if starts_on and ends_on:
        run_action(request, freight.add_contract, user=request.user, courier=carrier.code,
                   number=post.get("number", ""), starts_on=starts_on, ends_on=ends_on,
                   standard_days=post.get("standard_days", ""), settlement_terms=post.get("settlement_terms", ""),
                   late_penalty=post.get("late_penalty", ""), compensation_cap=post.get("compensation_cap", ""),
                   cargo_safety=post.get("cargo_safety", ""),
                   done=lambda c: _("承运合同 %(no)s 已添加") % {"no": c.number})
    return redirect("logistics:carrier", code=carrier.code)


@require_POST
@internal_page((VIEW_CARRIER, numbers.CHANGE_CARRIER_PERM))
def carrier_active(request, code: str):
    carrier = _the_carrier(code)
    active = request.POST.get("active") == "1"
    run_action(request, numbers.set_active, carrier, user=request.user, active=active,
               done=_("承运商已启用") if active else _("承运商已停用"))
    return redirect("logistics:carrier", code=carrier.code)


def _provinces(text: str) -> list[str]:
    """Provinces typed into a form, separated by commas (，、 or ,)."""
    return [p for p in (text or "").replace("，", ",").replace("、", ",").split(",") if p.strip()]


@require_POST
@internal_page((VIEW_CARRIER, services.CHANGE_CARRIER_PERM))
def carrier_service_add(request, code: str):
    carrier, post = _the_carrier(code), request.POST
    run_action(request, services.add_service, carrier, user=request.user, name=post.get("name", ""),
               provinces=_provinces(post.get("provinces", "")), is_default=post.get("is_default") == "1",
               done=lambda s: _("承运服务“%(name)s”已添加") % {"name": s.name})
    return redirect("logistics:carrier", code=carrier.code)


@require_POST
@internal_page((VIEW_CARRIER, services.CHANGE_CARRIER_PERM))
def carrier_service_active(request, code: str, pk: int):
    carrier = _the_carrier(code)
    service = CarrierService.objects.filter(carrier=carrier, pk=pk).first()
    if service is None:
        raise Http404
    active = request.POST.get("active") == "1"
    run_action(request, services.set_service_active, service, user=request.user, active=active,
               done=_("承运服务已启用") if active else _("承运服务已停用"))
    return redirect("logistics:carrier", code=carrier.code)
