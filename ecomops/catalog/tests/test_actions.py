"""CAT-04 styles and SKUs, CAT-07 prices with history, LAW-01 return class, WMS-14 hero tag, and the
platform SKU codes the order import matches on — all changed through actions that check rights and
the client scope (DAT-02)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from ecomops.catalog import actions
from ecomops.catalog.enums import ReturnClass, SpecialGoods, StyleState
from ecomops.catalog.models import SKU, Category, PlatformSKU, Style
from ecomops.catalog.queries import price_history
from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.org.models import ClientGrant

from .conftest import EDITOR_PERMS, with_perms


def test_cat_04_style_gets_one_sku_per_colour_and_size(cat, style_a):
    skus = list(style_a.skus.order_by("pk"))
    assert [(s.colour, s.size) for s in skus] == [
        ("黑色", "S"), ("黑色", "M"), ("黑色", "L"), ("Red", "S"), ("Red", "M"), ("Red", "L")]
    # Chinese colour names stand in the code by their place in the list; ASCII ones by themselves.
    assert [s.sku_code for s in skus] == ["D001-C01-S", "D001-C01-M", "D001-C01-L",
                                          "D001-RED-S", "D001-RED-M", "D001-RED-L"]
    assert all(s.client_id == cat.client_a.pk for s in skus)


def test_cat_04_adding_colours_creates_only_the_missing_skus(cat, style_a):
    created = actions.add_variants(style_a, user=cat.user_a, colours=["黑色", "白色"], sizes=["M", "XL"])
    assert sorted((s.colour, s.size) for s in created) == [("白色", "M"), ("白色", "XL"), ("黑色", "XL")]
    codes = {s.sku_code for s in created}
    assert codes == {"D001-C03-M", "D001-C03-XL", "D001-C01-XL"}  # 白色 is the third colour of the style
    assert style_a.skus.count() == 9
    assert actions.add_variants(style_a, user=cat.user_a, colours=["黑色"], sizes=["M"]) == []


def test_style_without_colours_or_sizes_has_one_sku(cat):
    tea = actions.create_style(user=cat.user_a, client=cat.client_a, style_no="LJ-250", name="西湖龙井 250g",
                               category=cat.tea, unit_cost="80", price="298")
    (sku,) = tea.skus.all()
    assert (sku.colour, sku.size, sku.sku_code) == ("", "", "LJ-250")


def test_generated_code_taken_by_another_sku_gets_a_suffix(cat):
    actions.create_style(user=cat.user_a, client=cat.client_a, style_no="X1-M", name="甲", unit_cost="1", price="2")
    style = actions.create_style(user=cat.user_a, client=cat.client_a, style_no="X1", name="乙", unit_cost="1",
                                 price="2", sizes=["M"])
    assert style.skus.get().sku_code == "X1-M-2"


def test_wms_14_hero_tag_and_law_01_return_class_are_kept_on_the_style(cat):
    style = actions.create_style(user=cat.user_a, client=cat.client_a, style_no="LJ-HERO", name="明前龙井",
                                 category=cat.tea, unit_cost="100", price="368", is_hero=True,
                                 return_class=ReturnClass.EXCLUDED_WITH_CONFIRMATION)
    style.refresh_from_db()
    assert style.is_hero and style.return_class == ReturnClass.EXCLUDED_WITH_CONFIRMATION
    assert style.status == StyleState.DRAFT
    assert style.category.effective_special_goods() == SpecialGoods.FOOD


def test_special_goods_class_is_inherited_from_the_parent_category(cat):
    green = Category.objects.create(code="green_tea", name="绿茶", parent=cat.tea)
    assert green.effective_special_goods() == SpecialGoods.FOOD
    assert cat.womens.effective_special_goods() == SpecialGoods.NONE


def test_style_number_is_unique_per_client_not_across_clients(cat, style_a):
    with pytest.raises(BusinessError) as refused:
        actions.create_style(user=cat.user_a, client=cat.client_a, style_no="D001", name="重复", unit_cost="1",
                             price="1")
    assert refused.value.field == "style_no"
    other = actions.create_style(user=cat.user_b, client=cat.client_b, style_no="D001", name="乙的同号商品",
                                 unit_cost="1", price="1")
    assert other.client == cat.client_b


@pytest.mark.parametrize("field, value, reason", [
    ("price", "-1", "负数"), ("unit_cost", "1.234", "两位小数"), ("price", "abc", "格式"), ("price", None, "请填写"),
])
def test_money_is_non_negative_and_exact_to_the_fen(cat, field, value, reason):
    data = {"unit_cost": "10", "price": "20", field: value}
    with pytest.raises(BusinessError) as refused:
        actions.create_style(user=cat.user_a, client=cat.client_a, style_no="M1", name="甲", **data)
    assert refused.value.field == field and reason in refused.value.message
    assert not Style.objects.filter(style_no="M1").exists()


def test_money_is_never_a_float(cat):
    with pytest.raises(BusinessError):
        actions.create_style(user=cat.user_a, client=cat.client_a, style_no="F1", name="甲", unit_cost=0.1, price=1.5)


def test_dat_02_nobody_creates_products_for_a_client_outside_their_scope(cat):
    with pytest.raises(BusinessError) as refused:
        actions.create_style(user=cat.user_b, client=cat.client_a, style_no="B-IN-A", name="越权", unit_cost="1",
                             price="1")
    assert refused.value.code == "not_found" and refused.value.field == "client"
    assert not Style.objects.filter(style_no="B-IN-A").exists()


def test_dat_02_nobody_changes_another_clients_style_or_sku(cat, style_a):
    with pytest.raises(NotAllowed):
        actions.update_style(style_a, user=cat.user_b, name="改名")
    with pytest.raises(NotAllowed):
        actions.update_sku(style_a.skus.first(), user=cat.user_b, is_active=False)
    with pytest.raises(NotAllowed):
        actions.add_variants(style_a, user=cat.user_b, colours=["蓝色"])
    assert Style.objects.get(pk=style_a.pk).name == "真丝连衣裙"


def test_creating_needs_the_add_permission(cat):
    with pytest.raises(NotAllowed):
        actions.create_style(user=cat.user_a1, client=cat.client_a, style_no="P1", name="甲", unit_cost="1",
                             price="1")


def test_brand_must_belong_to_the_styles_client(cat):
    brand_b = actions.create_brand(user=cat.admin, client=cat.client_b, name="乙牌")
    with pytest.raises(BusinessError) as refused:
        actions.create_style(user=cat.admin, client=cat.client_a, style_no="BR1", name="甲", brand=brand_b,
                             unit_cost="1", price="1")
    assert refused.value.field == "brand"


def test_cat_07_price_change_needs_the_price_right(cat, style_a):
    editor = with_perms(cat.user_b, *EDITOR_PERMS)  # a product editor without the price right
    ClientGrant.objects.create(user=editor, client=cat.client_a)
    editor = type(editor).objects.get(pk=editor.pk)
    actions.update_style(style_a, user=editor, name="真丝连衣裙（新款）")  # data: fine
    with pytest.raises(NotAllowed):
        actions.update_style(style_a, user=editor, price="299")
    with pytest.raises(NotAllowed):
        actions.change_price(style_a, user=editor, price="299")
    with pytest.raises(NotAllowed):
        actions.update_sku(style_a.skus.first(), user=editor, price="299")
    assert Style.objects.get(pk=style_a.pk).price == Decimal("399.00")


def test_cat_07_price_change_leaves_history_with_before_after_who_and_why(cat, style_a):
    actions.change_price(style_a, user=cat.user_a, price="359.00", reason="双十一调价")
    sku = style_a.skus.get(sku_code="D001-RED-L")
    actions.change_price(sku, user=cat.user_a, price="379.00", unit_cost="125", reason="大码用料多")
    history = price_history(style_a)
    newest = history[:3]
    assert {(c.level, c.sku_code, c.field, c.before, c.after, c.reason) for c in newest} == {
        ("sku", "D001-RED-L", "price", None, Decimal("379.00"), "大码用料多"),
        ("sku", "D001-RED-L", "unit_cost", None, Decimal("125.00"), "大码用料多"),
        ("style", "", "price", Decimal("399.00"), Decimal("359.00"), "双十一调价"),
    }
    assert all(c.user == cat.user_a for c in newest)
    # The SKU's own history shows its overrides and the style's change it followed.
    sku_history = price_history(sku)
    assert ("style", "price", Decimal("399.00"), Decimal("359.00")) in {
        (c.level, c.field, c.before, c.after) for c in sku_history}
    sku.refresh_from_db()
    assert (sku.effective_price, sku.effective_cost) == (Decimal("379.00"), Decimal("125.00"))
    other = SKU.objects.get(sku_code="D001-RED-M")
    assert (other.effective_price, other.effective_cost) == (Decimal("359.00"), Decimal("120.00"))


def test_cat_07_saving_the_same_price_writes_no_history(cat, style_a):
    before = Style.history.filter(id=style_a.pk).count()
    actions.change_price(style_a, user=cat.user_a, price="399.00")
    actions.update_style(style_a, user=cat.user_a, name="真丝连衣裙", price=Decimal("399"))
    assert Style.history.filter(id=style_a.pk).count() == before


def test_sku_override_cleared_falls_back_to_the_style(cat, style_a):
    sku = style_a.skus.first()
    actions.change_price(sku, user=cat.user_a, price="10")
    actions.change_price(sku, user=cat.user_a, price=None)
    sku.refresh_from_db()
    assert sku.price is None and sku.effective_price == Decimal("399.00")


def test_a_colour_and_size_exist_once_per_style(cat, style_a):
    sku = style_a.skus.get(sku_code="D001-RED-L")
    with pytest.raises(BusinessError) as refused:
        actions.update_sku(sku, user=cat.user_a, colour="Red", size="M")
    assert refused.value.field == "colour"


# --- platform SKU codes ----------------------------------------------------------------------------


def test_platform_codes_of_a_sku_in_a_store_are_set_and_replaced(cat, style_a):
    sku = style_a.skus.get(sku_code="D001-RED-M")
    actions.set_platform_codes(sku, cat.store_a1, ["TB-1001", "TB-1002"], user=cat.user_a)
    actions.set_platform_codes(sku, cat.store_a2, ["JD-77"], user=cat.user_a)
    actions.set_platform_codes(sku, cat.store_a1, ["TB-1002", "TB-1003"], user=cat.user_a)
    assert sorted(PlatformSKU.objects.filter(sku=sku).values_list("store__code", "platform_sku_code")) == [
        ("A1", "TB-1002"), ("A1", "TB-1003"), ("A2", "JD-77")]
    removed = PlatformSKU.history.filter(platform_sku_code="TB-1001", history_type="-")
    assert removed.count() == 1 and removed.get().history_user == cat.user_a


def test_a_platform_code_is_unique_per_store_but_may_repeat_in_another_store(cat, style_a):
    red_m, red_l = style_a.skus.get(sku_code="D001-RED-M"), style_a.skus.get(sku_code="D001-RED-L")
    actions.set_platform_codes(red_m, cat.store_a1, ["5001"], user=cat.user_a)
    with pytest.raises(BusinessError) as refused:
        actions.set_platform_codes(red_l, cat.store_a1, ["5001"], user=cat.user_a)
    assert refused.value.code == "duplicate" and "D001-RED-M" in refused.value.message
    actions.set_platform_codes(red_l, cat.store_a2, ["5001"], user=cat.user_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlatformSKU.objects.create(store=cat.store_a1, sku=red_l, platform_sku_code="5001")


def test_a_platform_code_cannot_tie_a_sku_to_another_clients_store(cat, style_a):
    sku = style_a.skus.first()
    with pytest.raises(BusinessError) as refused:
        actions.set_platform_codes(sku, cat.store_b1, ["X-1"], user=cat.admin)
    assert refused.value.field == "store"
    assert not PlatformSKU.objects.filter(sku=sku).exists()


def test_platform_codes_only_in_stores_the_user_sees(cat, style_a):
    with pytest.raises(BusinessError) as refused:
        actions.set_platform_codes(style_a.skus.first(), cat.store_b1, ["X-1"], user=cat.user_b)
    # user_b does not see client A: the SKU itself is out of reach.
    assert isinstance(refused.value, NotAllowed)


def test_blank_or_spaced_platform_codes_are_refused(cat, style_a):
    for bad in ["", "A 1"]:
        with pytest.raises(BusinessError) as refused:
            actions.set_platform_codes(style_a.skus.first(), cat.store_a1, [bad], user=cat.user_a)
        assert refused.value.field == "codes"


def test_database_refuses_duplicate_codes_and_barcodes_within_a_client(cat, style_a):
    sku = style_a.skus.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        SKU.objects.create(client=cat.client_a, style=style_a, colour="蓝", size="S", sku_code=sku.sku_code,
                           barcode="X-NEW", barcode_source="internal_code128")
    with pytest.raises(IntegrityError), transaction.atomic():
        SKU.objects.create(client=cat.client_a, style=style_a, colour="蓝", size="S", sku_code="NEW-CODE",
                           barcode=sku.barcode, barcode_source="internal_code128")


def test_category_cannot_sit_below_itself(cat):
    with pytest.raises(BusinessError) as refused:
        actions.update_category(cat.clothing, user=cat.user_a, parent=cat.womens)
    assert refused.value.field == "parent"


def test_category_attribute_names_are_a_clean_list(cat):
    category = actions.create_category(user=cat.user_a, code="shoes", name="鞋靴",
                                       attribute_names=["鞋码", " 材质 ", "鞋码"])
    assert category.attribute_names == ["鞋码", "材质"]
