"""CAT-04 barcodes: GS1 check digits are verified, in-store EAN-13 numbers (prefix 20–29) are generated
valid and never twice, and free-text internal codes stay within a charset every printer prints."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecomops.catalog import actions, barcodes
from ecomops.catalog.enums import BarcodeSource
from ecomops.catalog.models import SKU, BarcodeSeries
from ecomops.core.errors import BusinessError

prefixes = st.sampled_from(barcodes.INTERNAL_PREFIXES)
counters = st.integers(min_value=0, max_value=barcodes.COUNTER_MAX)


@pytest.mark.parametrize("code", ["4006381333931", "6901234567892", "036000291452", "73513537"])
def test_published_gtins_pass_their_check_digit(code):
    assert barcodes.is_valid_gtin(code)
    assert barcodes.classify(code) == (BarcodeSource.EXTERNAL, code)


@pytest.mark.parametrize("code, kind", [("4006381333932", "EAN-13"), ("036000291453", "UPC-A"), ("73513530", "EAN-8")])
def test_a_wrong_check_digit_is_refused_and_says_which(code, kind):
    with pytest.raises(barcodes.BarcodeError) as refused:
        barcodes.classify(code)
    message = str(refused.value)
    assert kind in message and "校验位" in message and code in message


@given(prefixes, counters)
def test_generated_in_store_numbers_are_valid_ean13_in_the_20_to_29_range(prefix, number):
    code = barcodes.internal_ean13(prefix, number)
    assert len(code) == 13 and code.isdigit() and code[:2] == prefix
    assert barcodes.is_valid_gtin(code)
    assert barcodes.classify(code) == (BarcodeSource.INTERNAL_EAN13, code)


@given(prefixes, counters, counters)
def test_different_counters_never_give_the_same_code(prefix, a, b):
    assert (barcodes.internal_ean13(prefix, a) == barcodes.internal_ean13(prefix, b)) == (a == b)


@given(prefixes, counters, st.integers(min_value=1, max_value=9))
def test_any_single_digit_typo_in_a_generated_code_is_caught(prefix, number, shift):
    code = barcodes.internal_ean13(prefix, number)
    typo = code[:-1] + str((int(code[-1]) + shift) % 10)
    with pytest.raises(barcodes.BarcodeError):
        barcodes.classify(typo)


def test_prefix_outside_the_in_store_range_is_refused():
    with pytest.raises(ValueError):
        barcodes.internal_ean13("69", 1)


@pytest.mark.parametrize("code", ["SL-LJ-250G", "A1/B2", "x_1.2+3", "1234567"])
def test_internal_codes_are_code128_text(code):
    assert barcodes.classify(code) == (BarcodeSource.INTERNAL_CODE128, code)


@pytest.mark.parametrize("code", ["龙井", "A B", "-A1", "A;1", "x" * 41])
def test_internal_codes_outside_the_safe_charset_are_refused(code):
    with pytest.raises(barcodes.BarcodeError):
        barcodes.classify(code)


def test_allocation_hands_out_each_number_once_across_batches(db):
    seen = []
    for size in (1, 7, 3, 25):
        seen.extend(actions.allocate_internal_barcodes(size))
    assert len(seen) == len(set(seen)) == 36
    assert all(barcodes.is_internal_ean13(code) for code in seen)
    assert BarcodeSeries.objects.get(is_active=True).next_number == 37


def test_allocation_skips_numbers_already_used_as_barcodes(cat, style_a):
    series = BarcodeSeries.objects.get(is_active=True)
    upcoming = barcodes.internal_ean13(series.prefix, series.next_number)
    sku = style_a.skus.first()
    actions.update_sku(sku, user=cat.user_a, barcode=upcoming)  # typed in by hand, e.g. from an old system
    codes = actions.allocate_internal_barcodes(3)
    assert upcoming not in codes and len(set(codes)) == 3


def test_allocation_uses_the_configured_prefix(db):
    BarcodeSeries.objects.update(is_active=False)
    BarcodeSeries.objects.create(prefix="25", next_number=1000)
    codes = actions.allocate_internal_barcodes(2)
    assert codes == [barcodes.internal_ean13("25", 1000), barcodes.internal_ean13("25", 1001)]


def test_generated_skus_get_in_store_barcodes(cat, style_a):
    skus = list(style_a.skus.all())
    assert len(skus) == 6
    assert all(s.barcode_source == BarcodeSource.INTERNAL_EAN13 and barcodes.is_valid_gtin(s.barcode) for s in skus)
    assert len({s.barcode for s in skus}) == 6


def test_a_sku_barcode_with_a_bad_check_digit_is_refused_on_the_barcode_field(cat, style_a):
    sku = style_a.skus.first()
    with pytest.raises(BusinessError) as refused:
        actions.update_sku(sku, user=cat.user_a, barcode="6901234567891")
    assert refused.value.field == "barcode" and "校验位" in refused.value.message
    assert SKU.objects.get(pk=sku.pk).barcode == sku.barcode


def test_external_barcode_is_recorded_as_such(cat, style_a):
    sku = actions.update_sku(style_a.skus.first(), user=cat.user_a, barcode="6901234567892")
    assert sku.barcode_source == BarcodeSource.EXTERNAL


def test_a_barcode_is_unique_within_the_client(cat, style_a):
    first, second = list(style_a.skus.order_by("pk"))[:2]
    with pytest.raises(BusinessError) as refused:
        actions.update_sku(second, user=cat.user_a, barcode=first.barcode)
    assert refused.value.field == "barcode"
