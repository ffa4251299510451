"""Fixtures of the listing tests: a product editor and a reviewer of client A, active stores, a plain
and a food style, and helpers that pass a style through admission review (CAT-01)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from ecomops.catalog import actions as catalog_actions
from ecomops.catalog.enums import SpecialGoods
from ecomops.catalog.models import Category
from ecomops.listing import actions
from ecomops.listing.enums import AdmissionState, CheckItem, ItemResult
from ecomops.org.enums import StoreState
from ecomops.org.models import ClientGrant
from ecomops.stores.enums import HolderKind, QualificationKind
from ecomops.stores.models import Qualification

EDITOR_PERMS = (
    "catalog.view_style", "catalog.add_style", "catalog.change_style", "catalog.view_category",
    "listing.view_admissionreview", "listing.add_admissionreview", "listing.view_listing", "listing.add_listing",
    "listing.change_listing", "listing.publish_listing", "listing.view_newproductchain",
)
REVIEWER_PERMS = (
    "catalog.view_style", "listing.view_admissionreview", "listing.review_admissionreview", "listing.view_listing",
    "listing.review_listing",
)


def with_perms(user, *perms):
    for perm in perms:
        app, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    return get_user_model().objects.get(pk=user.pk)


def qualification(*, user, kind, number, valid_to, client=None, store=None, holder_kind=None, holder_name="",
                  scope="", valid_from=None):
    if holder_kind is None:
        holder_kind = HolderKind.STORE if store else HolderKind.CLIENT
    return Qualification.objects.create(
        holder_kind=holder_kind, holder_name=holder_name, client=client, store=store, kind=kind, number=number,
        valid_from=valid_from, valid_to=valid_to, scope=scope, created_by=user,
    )


@pytest.fixture
def lst(org):
    """``org`` plus: user_a as product editor and ``reviewer`` as admission and listing reviewer of client A,
    member_a reading A's listings, stores A1 and B1 active, a plain dress and a tea (food) style of A."""
    org.user_a = with_perms(org.user_a, *EDITOR_PERMS)
    org.user_b = with_perms(org.user_b, *EDITOR_PERMS, *REVIEWER_PERMS)
    org.member_a = with_perms(org.member_a, *EDITOR_PERMS, *REVIEWER_PERMS)
    org.reviewer = with_perms(get_user_model().objects.create_user("reviewer", password=org.password),
                              *REVIEWER_PERMS)
    ClientGrant.objects.create(user=org.reviewer, client=org.client_a)
    for store in (org.store_a1, org.store_a2, org.store_b1):
        store.status = StoreState.ACTIVE
        store.save()
    org.clothing = Category.objects.create(code="clothing", name="服装")
    org.tea = Category.objects.create(code="tea", name="茶叶", special_goods=SpecialGoods.FOOD)
    org.dress = catalog_actions.create_style(
        user=org.admin, client=org.client_a, style_no="D001", name="真丝连衣裙", category=org.clothing,
        unit_cost=Decimal("120.00"), price=Decimal("399.00"), colours=["黑色"], sizes=["S", "M"],
    )
    org.longjing = catalog_actions.create_style(
        user=org.admin, client=org.client_a, style_no="T001", name="西湖龙井", category=org.tea,
        unit_cost=Decimal("200.00"), price=Decimal("588.00"), colours=[], sizes=["250g"],
    )
    org.dress_b = catalog_actions.create_style(
        user=org.admin, client=org.client_b, style_no="B001", name="羊毛围巾", category=org.clothing,
        unit_cost=Decimal("50.00"), price=Decimal("199.00"), colours=[], sizes=["均码"],
    )
    return org


def admit(style, *, opener, reviewer, evidence=None):
    """Pass ``style`` through admission review with every item checked (CAT-01)."""
    from ecomops.listing.rules import not_applicable_refusal

    review = actions.open_admission(user=opener, style=style)
    for code in CheckItem.values:
        if code == CheckItem.QUALITY:
            actions.record_item(review, user=reviewer, code=code, result=ItemResult.PASSED,
                                sampling_reference="抽检单 S-2024-001 合格")
        elif code in (CheckItem.BRAND_AUTHORISATION, CheckItem.CERTIFICATES):
            if not not_applicable_refusal(style, code):
                actions.record_item(review, user=reviewer, code=code, result=ItemResult.NOT_APPLICABLE)
            else:
                actions.record_item(review, user=reviewer, code=code, result=ItemResult.PASSED,
                                    evidence=(evidence or {}).get(code))
        else:
            actions.record_item(review, user=reviewer, code=code, result=ItemResult.PASSED)
    review = actions.decide_admission(review, user=reviewer, outcome=AdmissionState.APPROVED)
    assert review.status == AdmissionState.APPROVED
    return review


def food_licence(org, *, days_left, store=None, number="JY13301060000001"):
    """A food business licence of client A (or of ``store``) valid until today + ``days_left``."""
    today = org.today
    return qualification(
        user=org.admin, kind=QualificationKind.FOOD_LICENCE, number=number,
        client=None if store else org.client_a, store=store,
        valid_from=today - timedelta(days=400), valid_to=today + timedelta(days=days_left),
    )


CLEAN = {"title": "真丝连衣裙 夏季新款 桑蚕丝", "selling_points": ["22姆米桑蚕丝", "可机洗"],
         "description": "面料为100%桑蚕丝，建议手洗。", "price": Decimal("399.00")}
