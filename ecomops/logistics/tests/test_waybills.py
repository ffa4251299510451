"""LOG-02 / LAW-04: electronic waybills in the two standard sizes, one label per page, the Chinese font
embedded, the tracking number as Code 128 and in digits, and the receiver masked as the national
e-waybill standard asks (the policy's name and phone figures; unit and room of the address)."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from ecomops.logistics.waybills import SIZES, Label, Party, label_for_order, masked, render
from ecomops.policy import registry
from ecomops.reports.tests.pdftext import pdf_pages

SH = ZoneInfo("Asia/Shanghai")
SENDER = Party(name="山岚茶业旗舰店", phone="0571-88886666", address="仓前街道文一西路 1500 号 3 号库",
               province="浙江省", city="杭州市", district="余杭区")


def label(name="欧阳娜娜", phone="13812345678", address="世纪大道100号中环国际广场2209", number="SF1400123456789"):
    return Label(tracking_no=number, carrier="顺丰速运", service="标准快递",
                 receiver=Party(name=name, phone=phone, address=address, province="上海市", city="上海市",
                                district="浦东新区"),
                 sender=SENDER, order_ref="TB20261207000123", store="山岚茶业旗舰店", items=3,
                 weight_kg=Decimal("1.25"), printed_at=datetime(2026, 12, 7, 9, 30, tzinfo=SH),
                 goods="西湖龙井 250g ×2；青瓷茶杯 ×1")


def page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    return [(float(w), float(h)) for w, h in re.findall(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)]


@pytest.mark.django_db
@pytest.mark.parametrize("size", sorted(SIZES))
def test_one_label_per_page_in_the_standard_sizes_with_the_font_embedded(size):
    pdf = render([label(), label(number="SF1400123456790")], size=size)
    width, height = SIZES[size]
    assert page_sizes(pdf) == [pytest.approx((width, height), abs=0.01)] * 2
    assert b"/FontFile2" in pdf  # the TrueType font travels with the file
    first, second = pdf_pages(pdf)
    assert "顺丰速运" in first and "标准快递" in first and "SF14 0012 3456 789" in first
    assert "上海市 上海市 浦东新区" in first and "TB20261207000123" in first and "1.25 kg" in first
    assert "西湖龙井 250g ×2；青瓷茶杯 ×1" in first
    assert "SF14 0012 3456 790" in second


@pytest.mark.django_db
def test_the_receiver_is_masked_and_the_full_data_never_printed():
    text = " ".join(pdf_pages(render([label()])))
    assert "欧**娜" in text and "欧阳娜娜" not in text            # a compound surname: the middle hidden
    assert "138******78" in text and "13812345678" not in text  # six digits hidden (LAW-04)
    assert "2209" not in text and "中环国际广场***" in text       # the room of a four-digit number
    assert "文一西路 1500 号" in text                             # the sender is not a buyer: printed whole


@pytest.mark.django_db
@pytest.mark.parametrize(("receiver", "shown", "hidden"), [
    (Party("张三", "13912345678", "文三路 100 号 3 单元 502 室"), ["张*", "139******78", "文三路 100 号"],
     ["502", "张三"]),
    (Party("司马相如", "13700001111", "小区12栋1203号"), ["司**如", "137******11"], ["1203", "司马相如"]),
    (Party("李", "0571-8888", "科技园南路8号"), ["* ", "05******8"], ["0571-8888", "李"]),  # one character, a landline
    (Party("王小明", "13800138000", "望京街道 6号院 3号楼 1203"), ["王*明", "6号院"], ["1203", "小明"]),
])
def test_masking_cases(receiver, shown, hidden):
    out = masked(receiver)
    line = f"{out.name} {out.phone} {out.address}"
    for part in shown:
        assert part in line, line
    for part in hidden:
        assert part not in line, line


@pytest.mark.django_db
def test_the_masking_follows_the_policy(org):
    from django.utils import timezone

    from ecomops.policy import actions as policy_actions
    from ecomops.policy.models import PolicyParameter

    policy_actions.change_value(PolicyParameter.objects.get(key="LAW-04.phone_mask_digits"), "8",
                                effective_from=timezone.localdate(), reason="从严", user=org.admin, human=False)
    assert registry.value("LAW-04.phone_mask_digits") == 8
    assert masked(Party("张三", "13812345678", "")).phone == "138********"  # eight hidden, the prefix kept


def test_a_label_needs_a_size_it_knows_and_something_to_print():
    with pytest.raises(ValueError, match="unknown waybill size"):
        render([label()], size="A4")
    with pytest.raises(ValueError, match="no waybill"):
        render([])


@pytest.mark.django_db
def test_a_long_tracking_number_still_fits():
    pdf = render([label(number="JD0123456789012345678901234-1-1-")], size="76x130")
    assert "JD01 2345 6789" in pdf_pages(pdf)[0]


@pytest.mark.django_db
def test_label_for_an_order_and_the_command(od, tmp_path):
    from ecomops.orders.enums import Courier
    from ecomops.orders.models import Order

    order = od.a1
    with pytest.raises(ValueError, match="no carrier"):
        label_for_order(order)
    Order.objects.filter(pk=order.pk).update(courier=Courier.ZTO, tracking_no="75312345678901")
    order.refresh_from_db()
    made = label_for_order(order)
    assert (made.carrier, made.tracking_no, made.order_ref) == ("中通快递", "75312345678901", "TB1001")
    assert made.items == sum(line.quantity for line in order.lines.all())
    assert made.goods == "西湖龙井 250g ×1"  # the SKU's style name; its size is in the name already
    assert "75312345678901" in "".join(pdf_pages(render([made]))[0].split())
    with pytest.raises(CommandError, match="no ship batch"):
        call_command("waybills", "--batch", "NOPE", "-o", str(tmp_path / "x.pdf"))
