"""The business rules admission review and listing share (CAT-01, CAT-03, STO-04): which certificate
counts as evidence for which checklist item, the brand authorisation a store's platform needs, and
whether a style may be listed in a store at all. Read-only; the actions call these."""

from __future__ import annotations

from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ecomops.catalog.enums import SpecialGoods
from ecomops.catalog.models import Style
from ecomops.core.errors import BusinessError
from ecomops.org.enums import StoreState
from ecomops.org.models import Platform, Store
from ecomops.stores.enums import LICENCE_FOR, QualificationKind
from ecomops.stores.models import Qualification
from ecomops.stores.queries import may_sell
from ecomops.suppliers.enums import RecallState, SamplingResult
from ecomops.suppliers.models import RecallCase, SamplingCheck

from .enums import AdmissionState, CheckItem


def special_goods_of(style: Style) -> str:
    """The special-goods class of the style's category (inherited from its parents), or none."""
    return style.category.effective_special_goods() if style.category_id else SpecialGoods.NONE


def is_admitted(style: Style) -> bool:
    return style.admissions.filter(status=AdmissionState.APPROVED).exists()


def _evidence_client_id(q: Qualification) -> int | None:
    if q.client_id is not None:
        return q.client_id
    return q.store.client_id if q.store_id else None


def _mentions(text: str, platform: Platform) -> bool:
    return any(name and name.lower() in text.lower() for name in (platform.name, platform.name_en, platform.code))


def authorisation_covers_platform(q: Qualification, platform: Platform | None) -> bool:
    """An authorisation whose scope names no platform covers all of them; one that names platforms
    covers only those."""
    if platform is None:
        return True
    scope = f"{q.scope} {q.title}"
    named = [p for p in Platform.objects.all() if _mentions(scope, p)]
    return not named or any(p.pk == platform.pk for p in named)


def brand_authorisations(style: Style, *, platform: Platform | None = None, on: date | None = None) -> list:
    """CAT-01: brand authorisations in force for the style's brand and client (and platform, if given)."""
    if style.brand_id is None:
        return []
    on = on or timezone.localdate()
    brand = style.brand
    names = Q(holder_name__iexact=brand.name) | Q(title__icontains=brand.name) | Q(scope__icontains=brand.name)
    if brand.name_en:
        names |= Q(holder_name__iexact=brand.name_en)
    rows = (
        Qualification.objects.in_force_on(on)
        .filter(kind=QualificationKind.BRAND_AUTHORISATION)
        .filter(Q(client_id=style.client_id) | Q(store__client_id=style.client_id))
        .filter(names)
        .order_by("-valid_to", "pk")
    )
    return [q for q in rows if authorisation_covers_platform(q, platform)]


def licences_for(style: Style, on: date | None = None) -> list:
    """The licences of the client (or one of its stores) in force that cover the style's category."""
    kind = special_goods_of(style)
    if kind == SpecialGoods.NONE:
        return []
    on = on or timezone.localdate()
    return list(
        Qualification.objects.in_force_on(on)
        .filter(kind=LICENCE_FOR[kind])
        .filter(Q(client_id=style.client_id) | Q(store__client_id=style.client_id))
        .order_by("-valid_to", "pk")
    )


def quality_reports(style: Style) -> list:
    return list(
        Qualification.objects.filter(kind=QualificationKind.QUALITY_REPORT, replaced_by__isnull=True)
        .filter(Q(client_id=style.client_id) | Q(store__client_id=style.client_id) | Q(client__isnull=True,
                                                                                       store__isnull=True))
        .order_by("-valid_to", "-pk")[:50]
    )


def sampling_checks(style: Style) -> list:
    """CAT-01: the sampling checks (CAT-06) the quality item may cite: those of the client's styles, the
    style's own first, newest first."""
    checks = SamplingCheck.objects.filter(client_id=style.client_id).select_related("style", "supplier")
    own = list(checks.filter(style=style).order_by("-sampled_on", "-pk"))
    return own + list(checks.exclude(style=style).order_by("-sampled_on", "-pk")[:100])


def open_recalls(style: Style) -> list:
    """CAT-06: the delist-and-recall cases of the style not yet closed."""
    return list(RecallCase.objects.filter(styles=style).exclude(state=RecallState.CLOSED).order_by("pk"))


def check_sampling(style: Style, code: str, check: SamplingCheck) -> None:
    if code != CheckItem.QUALITY:
        raise BusinessError(_("只有“质检报告或抽检结果”一项可以引用抽检记录"), field="sampling_check")
    if check.client_id != style.client_id:
        raise BusinessError(_("所选抽检记录不属于该款式的委托方"), field="sampling_check")


def expected_kind(style: Style, code: str) -> str | None:
    if code == CheckItem.QUALITY:
        return QualificationKind.QUALITY_REPORT
    if code == CheckItem.BRAND_AUTHORISATION:
        return QualificationKind.BRAND_AUTHORISATION
    if code == CheckItem.CERTIFICATES:
        kind = special_goods_of(style)
        return LICENCE_FOR.get(kind)
    return None


def check_evidence(style: Style, code: str, evidence: Qualification) -> None:
    owner = _evidence_client_id(evidence)
    if owner is not None and owner != style.client_id:
        raise BusinessError(_("所选证照不属于该款式的委托方"), field="evidence")
    wanted = expected_kind(style, code)
    if wanted is not None and evidence.kind != wanted:
        raise BusinessError(
            _("此项须以“%(kind)s”为依据，所选为“%(given)s”")
            % {"kind": QualificationKind(wanted).label, "given": evidence.get_kind_display()},
            field="evidence",
        )


def not_applicable_refusal(style: Style, code: str) -> str:
    if code == CheckItem.BRAND_AUTHORISATION and style.brand_id is None:
        return ""
    if code == CheckItem.CERTIFICATES and special_goods_of(style) == SpecialGoods.NONE:
        return ""
    if code == CheckItem.BRAND_AUTHORISATION:
        return _("品牌商品须审核品牌授权，不能选“不适用”")
    if code == CheckItem.CERTIFICATES:
        return _("%(goods)s类目须具备相应许可证，不能选“不适用”") % {
            "goods": SpecialGoods(special_goods_of(style)).label}
    return _("此项为每个商品必查，不能选“不适用”")


def pass_refusal(style: Style, code: str, *, evidence: Qualification | None, sampling_reference: str,
                 sampling_check: SamplingCheck | None = None) -> str:
    """Why this item cannot be marked as passed with this evidence ("" when it can)."""
    today = timezone.localdate()
    if code == CheckItem.QUALITY:
        if sampling_check is not None and sampling_check.result == SamplingResult.FAIL:
            # CAT-06: a failed check is a reason to delist, never evidence of quality.
            return _("所选抽检记录（%(day)s %(style)s）结论为不合格，不能作为质检合格的依据") % {
                "day": sampling_check.sampled_on.isoformat(), "style": sampling_check.style.style_no}
        if evidence is None and sampling_check is None and not sampling_reference:
            return _("须选择质检报告或抽检记录，或填写外部抽检说明")
    if code == CheckItem.BRAND_AUTHORISATION and style.brand_id is not None:
        if evidence is None:
            return _("须选择有效的品牌授权书")
        if not Qualification.objects.in_force_on(today).filter(pk=evidence.pk).exists():
            return _("品牌授权书 %(number)s 不在有效期内") % {"number": evidence.number}
    if code == CheckItem.CERTIFICATES and special_goods_of(style) != SpecialGoods.NONE:
        if evidence is None:
            return _("须选择覆盖该类目的有效许可证")
        if not Qualification.objects.in_force_on(today).filter(pk=evidence.pk).exists():
            return _("许可证 %(number)s 不在有效期内") % {"number": evidence.number}
    return ""


def listing_refusals(store: Store, style: Style, on: date | None = None) -> list[tuple[str, str]]:
    """Every reason the style cannot be listed in the store now, as (field, message); empty when it can."""
    on = on or timezone.localdate()
    found = []
    if not is_admitted(style):
        found.append(("style", _("款式 %(no)s 尚未通过商品准入审核，不能上架") % {"no": style.style_no}))
    if store.status != StoreState.ACTIVE:
        found.append(("store", _("店铺“%(store)s”当前为“%(status)s”，不能上架商品")
                      % {"store": store.name, "status": store.get_status_display()}))
    kind = special_goods_of(style)
    if kind != SpecialGoods.NONE:
        allowed, reason = may_sell(store, kind, on)
        if not allowed:
            found.append(("store", _("类目“%(category)s”须具备许可证：%(reason)s")
                          % {"category": style.category.name, "reason": reason}))
    recalls = open_recalls(style)
    if recalls:
        found.append(("style", _("款式 %(no)s 有未结案的下架召回单 %(cases)s，召回结案前不能上架")
                      % {"no": style.style_no, "cases": "、".join(c.number for c in recalls)}))
    if style.brand_id is not None and not brand_authorisations(style, platform=store.platform, on=on):
        found.append(("style", _("品牌“%(brand)s”没有在有效期内、适用于%(platform)s的品牌授权书")
                      % {"brand": style.brand.name, "platform": store.platform.name}))
    return found


def require_listable(store: Store, style: Style) -> None:
    refusals = listing_refusals(store, style)
    if refusals:
        field, _message = refusals[0]
        raise BusinessError("；".join(message for _f, message in refusals), field=field, code="not_listable")
