"""Fixtures of the import tests: client A's tea (one SKU with platform SKU code P-1 on store A1, one
matched by barcode), an importer for client A, and helpers to import a fixture file or rows."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as HttpClient

from ecomops.catalog.models import SKU, PlatformSKU, Style
from ecomops.orderimport import actions
from ecomops.orderimport.models import ImportFormat
from ecomops.orders.tests.conftest import make_user

FIXTURES = Path(__file__).parent / "fixtures"
IMPORTER = ("orderimport.add_importjob", "orderimport.view_importjob", "orders.view_order", "orders.hold_order",
            "orders.view_orderevent")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class World:
    def upload(self, name_or_bytes, fmt="taobao_merged", *, name=None, user=None, store=None, confirm_platform=True):
        """Every platform's sample goes into store A1 (a Taobao store): the other platforms' formats are
        confirmed (ORD-02), except where a test says ``confirm_platform=False``."""
        if isinstance(name_or_bytes, (bytes, bytearray)):
            content, name = bytes(name_or_bytes), name or "orders.csv"
        else:
            content, name = (FIXTURES / name_or_bytes).read_bytes(), name or name_or_bytes
        return actions.upload(user=user or self.importer, store=store or self.org.store_a1,
                              fmt=ImportFormat.objects.get(code=fmt), upload=SimpleUploadedFile(name, content),
                              background=False, confirm_platform=confirm_platform)


def taobao_csv(rows, *, header=None, encoding="utf-8") -> bytes:
    """A Taobao-format CSV of ``rows`` (dicts by header; missing cells empty)."""
    from .fixtures.make_fixtures import TAOBAO

    header = header or TAOBAO
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(h, "") for h in header])
    return out.getvalue().encode(encoding)


def export_csv(header, rows, *, encoding="gb18030") -> bytes:
    """A seller-centre style export (``="…"`` cells unquoted, CRLF) of ``rows`` (dicts by header)."""
    lines = [",".join(header)]
    lines.extend(",".join(row.get(h.strip(), "") for h in header) for row in rows)
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def tb_pair(orders, items, *, encoding="gb18030") -> tuple[bytes, bytes]:
    """A Taobao two-file export (ORD-02): (订单报表, 宝贝报表) of ``tb_order`` and ``tb_item`` dicts."""
    from .fixtures.make_fixtures import TB_ITEMS, TB_ORDERS

    return export_csv(TB_ORDERS, orders, encoding=encoding), export_csv(TB_ITEMS, items, encoding=encoding)


def tb_order(number, status="买家已付款，等待卖家发货", paid="100.00", **extra) -> dict:
    row = {"订单编号": f'="{number}"', "买家会员名": "buyer", "支付单号": f'="PAY{number}"', "买家应付货款": paid,
           "买家应付邮费": "0.00", "买家实际支付金额": paid, "订单状态": status, "收货人姓名": "王小二",
           "收货地址": "浙江省 杭州市 西湖区 文三路 100 号 3 幢 502 室", "联系手机": "'13812345678",
           "订单创建时间": "2026-03-02 09:15:00", "订单付款时间": "2026-03-02 09:16:00", "宝贝标题": "西湖龙井",
           "宝贝种类": "1", "宝贝总数量": "1", "店铺名称": "甲品牌淘宝店", "退款金额": "0.00"}
    row.update(extra)
    return row


def tb_item(number, code="P-1", qty="1", price="100.00", **extra) -> dict:
    row = {"订单编号": f'="{number}"', "标题": "西湖龙井 250g", "价格": price, "购买数量": qty,
           "外部系统编号": "TEA-001", "商品属性": "净含量：250g", "订单状态": "买家已付款，等待卖家发货",
           "商家编码": code}
    row.update(extra)
    return row


def tb_row(number, code="P-1", qty="1", price="100.00", status="买家已付款，等待卖家发货", **extra) -> dict:
    row = {"订单编号": number, "买家会员名": "buyer", "收货人姓名": "王小二", "联系手机": "13812345678",
           "收货地址": "浙江省 杭州市 西湖区 文三路 100 号 3 幢 502 室", "商品编码": code, "宝贝标题": "西湖龙井",
           "购买数量": qty, "价格": price, "订单状态": status, "订单创建时间": "2026-03-02 09:15:00",
           "订单付款时间": "2026-03-02 09:16:00"}
    row.update(extra)
    return row


@pytest.fixture
def imp(org):
    w = World()
    w.org = org
    w.importer = make_user("importer_a", *IMPORTER, client=org.client_a)
    w.importer_b = make_user("importer_b", *IMPORTER, client=org.client_b)
    style = Style.objects.create(client=org.client_a, style_no="TEA-001", name="西湖龙井 250g",
                                 unit_cost=Decimal("80.00"), price=Decimal("100.00"))
    w.sku = SKU.objects.create(client=org.client_a, style=style, sku_code="TEA-001-250", size="250g",
                               barcode="2000000000015", barcode_source="external")
    w.sku2 = SKU.objects.create(client=org.client_a, style=style, sku_code="TEA-002-100", size="100g",
                                barcode="2000000000022", barcode_source="external")
    PlatformSKU.objects.create(store=org.store_a1, sku=w.sku, platform_sku_code="P-1")
    return w


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                         "QUEUES": ["default", "imports"]}}


@pytest.fixture
def immediate(settings):
    """Background tasks run at once (an upload's import job finishes within the request)."""
    settings.TASKS = IMMEDIATE


def http_client(user) -> HttpClient:
    """A browser-less client signed in as ``user``."""
    http = HttpClient()
    http.force_login(user)
    return http
