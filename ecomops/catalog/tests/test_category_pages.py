"""CAT-04 / STO-04: the category tree every client shares is kept on pages (not the admin): list with
the special-goods class each category has or inherits, create and edit through ``catalog.actions``,
with Chinese messages on the field at fault; only the company's staff with the rights change it."""

from __future__ import annotations

import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from ecomops.catalog.enums import SpecialGoods
from ecomops.catalog.models import Category

from .conftest import with_perms

pytestmark = pytest.mark.django_db


def browser(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_sto04_category_list_shows_the_tree_and_inherited_special_goods(cat):
    green = Category.objects.create(code="green", name="绿茶", parent=cat.tea)
    page = browser(cat.user_a).get(reverse("catalog:categories"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="category-table"' in html
    # Outline order: 服装 › 女装, then 茶叶 › 绿茶; 绿茶 inherits 食品 from 茶叶.
    assert html.index("服装") < html.index("女装") < html.index("茶叶") < html.index("绿茶")
    row = html[html.index("绿茶"):html.index("绿茶") + 800]
    assert "食品" in row and "沿用上级" in row
    assert reverse("catalog:category_edit", args=[green.pk]) in html
    assert reverse("catalog:category_create") in html
    # The catalogue page links the tree.
    assert reverse("catalog:categories") in browser(cat.user_a).get(reverse("catalog:styles")).content.decode()


def test_cat04_create_a_category_below_a_parent(cat):
    http = browser(cat.user_a)
    response = http.post(reverse("catalog:category_create"), {
        "code": "dresses", "name": "连衣裙", "name_en": "Dresses", "parent": cat.womens.pk,
        "special_goods": SpecialGoods.NONE, "attribute_names": "面料，季节\n风格", "sort_order": "3",
        "is_active": "on",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Category.objects.get(code="dresses")
    assert (created.parent, created.attribute_names, created.sort_order) == (cat.womens, ["面料", "季节", "风格"], 3)
    assert created.history.get().history_user == cat.user_a


@pytest.mark.parametrize(
    ("data", "field_message"),
    [
        ({"code": "", "name": "鞋靴"}, "这个字段是必填项"),
        ({"code": "tea", "name": "重复"}, "类目编码“tea”已被使用"),
        ({"code": "坏 编码", "name": "鞋靴"}, "只能包含字母、数字"),
        ({"code": "shoes", "name": "鞋靴", "attribute_names": "长" * 31}, "过长（最多 30 个字）"),
    ],
)
def test_cat04_bad_category_input_is_refused_in_chinese(cat, data, field_message):
    body = {"special_goods": SpecialGoods.NONE, "sort_order": "0", "is_active": "on", **data}
    response = browser(cat.user_a).post(reverse("catalog:category_create"), body)
    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert not Category.objects.filter(name__in=["鞋靴", "重复"]).exists()


def test_cat04_edit_refuses_a_parent_below_itself_and_saves_the_special_goods(cat):
    http = browser(cat.user_a)
    url = reverse("catalog:category_edit", args=[cat.clothing.pk])
    page = http.get(url)
    assert page.status_code == 200 and 'value="clothing"' in page.content.decode()
    base = {"code": "clothing", "name": "服装", "special_goods": SpecialGoods.NONE, "sort_order": "0",
            "is_active": "on"}
    refused = http.post(url, {**base, "parent": cat.womens.pk})
    assert refused.status_code == 400 and "上级类目不能是本类目或其下级类目" in refused.content.decode()
    cat.clothing.refresh_from_db()
    assert cat.clothing.parent is None
    saved = http.post(url, {**base, "name": "服饰", "special_goods": SpecialGoods.COSMETICS})
    assert saved.status_code == 302
    cat.clothing.refresh_from_db()
    assert (cat.clothing.name, cat.clothing.special_goods) == ("服饰", SpecialGoods.COSMETICS)
    assert cat.womens.effective_special_goods() == SpecialGoods.COSMETICS


def test_cat04_only_staff_with_the_rights_change_categories(cat):
    """Client users read the tree (they see their own style counts) but never reach the edit pages."""
    member = browser(cat.member_a)
    listing = member.get(reverse("catalog:categories"))
    assert listing.status_code == 200 and reverse("catalog:category_create") not in listing.content.decode()
    assert member.get(reverse("catalog:category_create")).status_code == 404
    assert member.get(reverse("catalog:category_edit", args=[cat.tea.pk])).status_code == 404
    reader = browser(cat.user_a1)  # may read styles, holds no category right
    assert reader.get(reverse("catalog:categories")).status_code == 403
    viewer = browser(with_perms(cat.nobody, "catalog.view_category"))
    assert viewer.get(reverse("catalog:categories")).status_code == 200
    assert viewer.post(reverse("catalog:category_create"), {"code": "x", "name": "x"}).status_code == 403
    assert viewer.get(reverse("catalog:category_edit", args=[cat.tea.pk])).status_code == 403
    assert not Category.objects.filter(code="x").exists()


def test_cat04_client_user_cannot_change_the_shared_tree_through_the_action(cat):
    from ecomops.catalog import actions
    from ecomops.core.errors import NotAllowed

    member = with_perms(cat.member_a, "catalog.add_category", "catalog.change_category")
    with pytest.raises(NotAllowed):
        actions.create_category(user=member, code="shoes", name="鞋靴")
    with pytest.raises(NotAllowed):
        actions.update_category(cat.tea, user=member, name="茶")


def test_cat04_category_is_changed_through_the_api(cat, api_as):
    api = api_as(cat.user_a)
    moved = api.patch(f"catalog/categories/{cat.womens.pk}", {"parent_id": None, "special_goods": "cosmetics"})
    assert moved.status_code == 200, moved.content
    assert (moved.json()["parent_id"], moved.json()["special_goods"]) == (None, "cosmetics")
    loop = api.patch(f"catalog/categories/{cat.clothing.pk}", {"parent_id": cat.clothing.pk})
    assert loop.status_code == 400 and loop.json()["error"]["field"] == "parent_id"
    taken = api.patch(f"catalog/categories/{cat.womens.pk}", {"code": "tea"})
    assert taken.status_code == 400 and taken.json()["error"]["field"] == "code"
    member = api_as(with_perms(cat.member_a, "catalog.change_category"))
    assert member.patch(f"catalog/categories/{cat.tea.pk}", {"name": "茶"}).status_code == 403
    cat.tea.refresh_from_db()
    assert cat.tea.name == "茶叶"
