"""The demo company's suppliers (CAT-06) and listings (CAT-01…03): a few in every review state.

Runs after the catalogue and the certificates (ecomops.demo.catalog, ecomops.demo.stores), through
the same actions people use, so every demo record has its events and history.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from ecomops.catalog.models import Style
from ecomops.listing import actions
from ecomops.listing.enums import CheckItem, ItemResult
from ecomops.listing.rules import special_goods_of
from ecomops.stores.enums import LICENCE_FOR, HolderKind, QualificationKind
from ecomops.stores.models import Qualification
from ecomops.suppliers import actions as supplier_actions
from ecomops.suppliers.enums import SamplingResult
from ecomops.suppliers.models import SamplingCheck

SUPPLIERS = [
    # client code, code, name, styles supplied (style_no prefix), rating
    ("SHANLAN", "SUP-LJ", "杭州龙坞茶农专业合作社", "SL-T00", "92"),
    ("SHANLAN", "SUP-CD", "杭州知味糕点食品有限公司", "SL-S00", "78"),
    ("SONGYU", "SUP-FZ", "绍兴棉语纺织服饰有限公司", "SY-H00", "85"),
    ("SONGYU", "SUP-HZ", "广州芳澜日化有限公司", "SY-C00", "66"),
]

# (store, style_no, title, where it ends up). 最好 and 第一 are LAW-02 terms: those go to human review.
LISTINGS = [
    ("SL-TM", "SL-T001", "山岚 西湖龙井 明前特级 罐装绿茶", "published"),
    ("SL-TM", "SL-T002", "山岚 西湖龙井 明前一级 春茶", "published"),
    ("SL-TB", "SL-T003", "山岚 西湖龙井 雨前一级 口粮好茶", "approved"),
    ("SL-TM", "SL-T006", "山岚 碧螺春 全网销量第一 明前特级", "needs_review"),
    ("SL-TB", "SL-T007", "山岚 碧螺春 明前一级 花果香", "awaiting_review"),
    ("SL-TM", "SL-S001", "山岚 桂花糕 传统手工茶点", "returned"),
    ("SL-TB", "SL-W001", "山岚 青瓷盖碗 三才碗 功夫茶具", "delisted"),
    ("SY-PDD", "SY-H001", "松屿 春季纯棉睡衣套装 女款家居服", "published"),
    ("SY-PDD", "SY-H002", "松屿 春季莫代尔家居服 最好穿的睡衣", "needs_review"),
    ("SY-PDD", "SY-H003", "松屿 春季法兰绒睡袍 加厚保暖", "draft"),
]


# (client, style_no, hours since the inbound notice): new styles waiting for sizes and publishing (CAT-08).
NEW_PRODUCTS = [("SHANLAN", "SL-T004", 26), ("SONGYU", "SY-H003", 3)]


def _authorise_brands(*, admin, clients: dict, today: date) -> None:
    from ecomops.stores.actions import create_qualification

    for code, brand in (("SHANLAN", "山岚"), ("SONGYU", "松屿")):
        create_qualification(user=admin, holder_kind=HolderKind.BRAND, holder_name=brand, client=clients[code],
                             kind=QualificationKind.BRAND_AUTHORISATION, title=f"{brand}品牌授权书",
                             number=f"AUTH-{code}-2026", issuer=clients[code].name, scope="全平台经营授权",
                             valid_from=date(today.year, 1, 1), valid_to=date(today.year + 1, 12, 31))


def _evidence(style: Style, kind: str):
    return (Qualification.objects.filter(client=style.client, kind=kind)
            .order_by("-valid_to").first())


def _admit(style: Style, *, admin) -> None:
    review = actions.open_admission(user=admin, style=style, note="演示数据")
    licence = LICENCE_FOR.get(special_goods_of(style))
    for code in CheckItem.values:
        kwargs = {}
        if code == CheckItem.QUALITY:
            # CAT-01: the supplier library's passed sampling check of the style when there is one.
            check = SamplingCheck.objects.filter(style=style, result=SamplingResult.PASS).first()
            if check is not None:
                kwargs["sampling_check"] = check
            else:
                kwargs["sampling_reference"] = f"外部抽检 QC-{style.style_no} 合格"
        elif code == CheckItem.BRAND_AUTHORISATION:
            kwargs["evidence"] = _evidence(style, QualificationKind.BRAND_AUTHORISATION)
        elif code == CheckItem.CERTIFICATES:
            if licence is None:
                actions.record_item(review, user=admin, code=code, result=ItemResult.NOT_APPLICABLE)
                continue
            kwargs["evidence"] = _evidence(style, licence)
        actions.record_item(review, user=admin, code=code, result=ItemResult.PASSED, **kwargs)
    actions.decide_admission(review, user=admin, outcome="approved")


def _list(store, style, title, target, *, admin) -> None:
    listing = actions.create_listing(
        user=admin, store=store, style=style, title=title, price=style.price,
        selling_points=["产地直供", "顺丰包邮"], description=f"{style.name}，{store.name}正品发售。",
    )
    if target == "draft":
        return
    actions.submit_listing(listing, user=admin)
    if target in ("needs_review", "awaiting_review"):
        return
    if target == "returned":
        actions.return_listing(listing, user=admin, reasons="主图需要补充实拍图，规格说明不完整")
        return
    actions.approve_listing(listing, user=admin, publish=target in ("published", "delisted"))
    if target == "delisted":
        actions.delist_listing(listing, user=admin, reason="换季调整，暂停销售")


def build_suppliers_and_listings(*, admin, clients: dict, stores: dict, today: date) -> dict[str, int]:
    _authorise_brands(admin=admin, clients=clients, today=today)
    for client_code, code, name, prefix, rating in SUPPLIERS:
        supplier = supplier_actions.create_supplier(user=admin, client=clients[client_code], code=code, name=name)
        supplier_actions.add_agreement(supplier, user=admin, signed_on=date(today.year, 1, 5),
                                       valid_from=date(today.year, 1, 5), valid_to=date(today.year + 1, 1, 4),
                                       terms="供货质量须符合国家标准；每批附出厂检验报告；不合格品无条件退货。",
                                       sampling_interval_days=90)
        supplier_actions.rate_supplier(supplier, user=admin, period=f"{today.year}", score=rating)
        for style in Style.objects.filter(client=clients[client_code], style_no__startswith=prefix)[:5]:
            supplier_actions.link_style(supplier, style, user=admin, is_primary=True)
        first = Style.objects.filter(client=clients[client_code], style_no__startswith=prefix).first()
        # The care-products supplier fails its sampling check: a delist-and-recall case opens (CAT-06).
        result = "fail" if code == "SUP-HZ" else "pass"
        findings = "" if result == "pass" else "香精含量标识不符"
        supplier_actions.record_sampling(user=admin, supplier=supplier, style=first,
                                         sampled_on=today - timedelta(days=3), sample_size=5, result=result,
                                         inspector="质检员 演示", findings=findings)
    admitted = set()
    for store_code, style_no, title, target in LISTINGS:
        store = stores[store_code]
        style = Style.objects.get(client=store.client, style_no=style_no)
        if style.pk not in admitted:
            _admit(style, admin=admin)
            admitted.add(style.pk)
        _list(store, style, title, target, admin=admin)
    # CAT-08: two new styles were put away; QC is to measure them and the product department to publish.
    now = timezone.now()
    for client_code, style_no, hours_ago in NEW_PRODUCTS:
        style = Style.objects.get(client=clients[client_code], style_no=style_no)
        actions.raise_new_product_chain(style, now - timedelta(hours=hours_ago), user=admin)
    return {"suppliers": len(SUPPLIERS), "listings": len(LISTINGS), "new_products": len(NEW_PRODUCTS)}
