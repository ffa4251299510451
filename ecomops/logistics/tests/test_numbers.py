"""LOG-02 / LAW-04: electronic waybill numbers from a carrier's pool (号段), from numbers bought elsewhere
(CSV import) or from its network API (tested against a local fake server; no real key anywhere).
Assigning is all or nothing, in the user's scope, on the order's history, and a number is never given
twice, also with several workers at once (both databases)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO, StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connections

from ecomops.core.errors import BusinessError, NotAllowed
from ecomops.logistics import numbers
from ecomops.logistics.models import Carrier, NumberPool, NumberSource, TrackingNumber
from ecomops.orders.enums import Courier, OrderEventKind, OrderState
from ecomops.orders.models import Order, OrderEvent
from ecomops.orders.tests.conftest import make_user, new_order

S = OrderState
RIGHTS = (numbers.ASSIGN_PERM, numbers.IMPORT_PERM, numbers.POOL_PERM)


def ready(*orders, state=S.AWAITING_SHIPMENT):
    """Orders as printing a ship batch leaves them (the state is what matters here)."""
    from django.utils import timezone

    Order.objects.filter(pk__in=[o.pk for o in orders]).update(state=state, paid_at=timezone.now())
    return [Order.objects.get(pk=o.pk) for o in orders]


@pytest.fixture
def lg(od, org):
    class Data:
        pass

    d = Data()
    d.user = make_user("nums_a", *RIGHTS, client=org.client_a)
    d.user_b = make_user("nums_b", *RIGHTS, client=org.client_b)
    d.nobody = make_user("nums_x", client=org.client_a)
    d.zto = Carrier.objects.get(code=Courier.ZTO)
    d.sf = Carrier.objects.get(code=Courier.SF_EXPRESS)
    return d


def csv_file(text: str, encoding="utf-8") -> BytesIO:
    return BytesIO(text.encode(encoding))


def test_every_courier_has_a_carrier_and_seeding_again_adds_none(db):
    from ecomops.logistics.seed import seed_carriers

    assert set(Carrier.objects.values_list("code", flat=True)) == set(Courier.values)
    assert Carrier.objects.get(code="sf_express").name == "顺丰速运"
    assert Carrier.objects.get(code="zto").number_source == NumberSource.POOL
    assert seed_carriers() == 0


# --- the pool ----------------------------------------------------------------------------------------


def test_pool_numbers_in_order_across_ranges_then_exhausted(od, org, lg):
    numbers.add_pool(lg.zto, user=lg.user, prefix="ZT", first=1, last=2, width=6)
    numbers.add_pool(lg.zto, user=lg.user, prefix="ZT", first=10, last=10, width=6)
    extra = new_order(od.clerk, org.store_a1, "TB1002")
    a1, a2, a3 = ready(od.a1, od.a2, extra)
    done = numbers.assign([a1, a2, a3], lg.zto, user=lg.user)
    assert done.given == {a1.pk: "ZT000001", a2.pk: "ZT000002", a3.pk: "ZT000010"}
    assert [p.next_value for p in NumberPool.objects.order_by("pk")] == [3, 11]  # used up, no gap
    more = ready(new_order(od.clerk, org.store_a1, "TB1003"))
    with pytest.raises(BusinessError) as refused:
        numbers.assign(more, lg.zto, user=lg.user)
    assert refused.value.code == "pool_exhausted" and "中通快递" in refused.value.message
    assert "号段已用完" in refused.value.message


def test_a_pool_may_not_overlap_another_or_run_backwards(lg):
    numbers.add_pool(lg.zto, user=lg.user, first=100, last=199)
    with pytest.raises(BusinessError, match="重叠"):
        numbers.add_pool(lg.zto, user=lg.user, first=150, last=300)
    with pytest.raises(BusinessError, match="结束号不能小于起始号"):
        numbers.add_pool(lg.zto, user=lg.user, first=5, last=4)
    numbers.add_pool(lg.zto, user=lg.user, prefix="X", first=150, last=300)  # another prefix: other numbers


# --- assigning ---------------------------------------------------------------------------------------


def test_assign_sets_the_order_writes_its_history_and_a_rerun_changes_nothing(od, lg):
    numbers.add_pool(lg.zto, user=lg.user, prefix="75", first=1, last=100, width=10)
    (order,) = ready(od.a1, state=S.REVIEWED)
    done = numbers.assign([order.pk], lg.zto, user=lg.user)
    order.refresh_from_db()
    assert (order.courier, order.tracking_no) == ("zto", "750000000001") == ("zto", done.given[order.pk])
    row = TrackingNumber.objects.get(order=order)
    assert (row.carrier, row.source, row.assigned_by) == (lg.zto, "pool", lg.user)
    event = OrderEvent.objects.filter(order=order, kind=OrderEventKind.COURIER_CHANGED).get()
    assert "750000000001" in event.note and event.data["tracking_no"] == "750000000001"
    again = numbers.assign([order.pk], lg.zto, user=lg.user)
    assert again.given == {} and again.kept == {order.pk: "750000000001"}
    assert NumberPool.objects.get().next_value == 2
    assert OrderEvent.objects.filter(order=order, kind=OrderEventKind.COURIER_CHANGED).count() == 1


def test_assign_is_all_or_nothing(od, org, lg):
    numbers.add_pool(lg.zto, user=lg.user, first=1, last=100)
    good = ready(od.a1)[0]
    bad = new_order(od.clerk, org.store_a1, "TB1009")  # placed, not reviewed
    with pytest.raises(BusinessError) as refused:
        numbers.assign([good, bad], lg.zto, user=lg.user)
    assert "TB1009" in refused.value.message and "未分配任何运单号" in refused.value.message
    assert not TrackingNumber.objects.exists() and NumberPool.objects.get().next_value == 1
    good.refresh_from_db()
    assert good.tracking_no == "" and good.courier == ""


def test_assign_in_scope_only_and_with_the_right(od, lg):
    numbers.add_pool(lg.zto, user=lg.user, first=1, last=100)
    a1, b1 = ready(od.a1, od.b1)
    with pytest.raises(BusinessError) as refused:
        numbers.assign([b1], lg.zto, user=lg.user)  # client B's order for client A's clerk
    assert refused.value.code == "not_found"
    with pytest.raises(BusinessError):
        numbers.assign([a1, b1], lg.zto, user=lg.user)
    with pytest.raises(NotAllowed):
        numbers.assign([a1], lg.zto, user=lg.nobody)
    assert not TrackingNumber.objects.exists()
    assert numbers.assign([b1], lg.zto, user=lg.user_b).given


def test_an_inactive_carrier_gives_no_numbers(od, lg):
    numbers.add_pool(lg.zto, user=lg.user, first=1, last=100)
    Carrier.objects.filter(pk=lg.zto.pk).update(is_active=False)
    with pytest.raises(BusinessError, match="已停用"):
        numbers.assign(ready(od.a1), lg.zto, user=lg.user)


# --- imported numbers --------------------------------------------------------------------------------


def test_imported_numbers_are_used_oldest_first_and_once(od, org, lg):
    Carrier.objects.filter(pk=lg.sf.pk).update(number_source=NumberSource.IMPORTED)
    lg.sf.refresh_from_db()
    made = numbers.import_numbers(csv_file("运单号\nSF100\nSF101\nSF102\n"), lg.sf, user=lg.user)
    assert (made.created, made.existing) == (3, 0)
    a1, a2 = ready(od.a1, od.a2)
    assert numbers.assign([a2, a1], lg.sf, user=lg.user).given == {a2.pk: "SF100", a1.pk: "SF101"}
    third = ready(new_order(od.clerk, org.store_a1, "TB1005"), new_order(od.clerk, org.store_a1, "TB1006"))
    with pytest.raises(BusinessError) as refused:
        numbers.assign(third, lg.sf, user=lg.user)  # one number left for two orders
    assert "顺丰速运" in refused.value.message and "导入单号不足" in refused.value.message
    assert TrackingNumber.objects.filter(order__isnull=True).get().number == "SF102"
    assert numbers.assign(third[:1], lg.sf, user=lg.user).given == {third[0].pk: "SF102"}


def test_import_names_every_bad_row_and_writes_nothing(lg):
    text = "运单号\nSF200\n\nSF201\nSF200\n" + "9" * 41 + "\nSF 202\n"
    with pytest.raises(BusinessError) as refused:
        numbers.import_numbers(csv_file(text), lg.sf, user=lg.user)
    message = refused.value.message
    assert "未写入任何单号" in message
    assert "第 3 行：运单号为空" in message
    assert "第 5 行：运单号 SF200 与第 2 行重复" in message
    assert "第 6 行：运单号超过 40 个字符" in message
    assert "第 7 行：运单号只能包含字母、数字和短横线" in message
    assert "第 4 行" not in message  # SF201 is fine
    assert not TrackingNumber.objects.exists()


def test_import_reads_gbk_and_bom_files_and_a_second_import_changes_nothing(lg):
    gbk = csv_file("运单号,备注\r\nSF300,第一箱\r\nSF301,第二箱\r\n", "gbk")
    assert numbers.import_numbers(gbk, lg.sf, user=lg.user).created == 2
    bom = csv_file("运单号\r\nSF300\r\nSF301\r\nSF302\r\n", "utf-8-sig")
    again = numbers.import_numbers(bom, lg.sf, user=lg.user)
    assert (again.created, again.existing) == (1, 2)
    same = numbers.import_numbers(csv_file("运单号\r\nSF300\r\nSF301\r\nSF302\r\n", "utf-8-sig"), lg.sf, user=lg.user)
    assert (same.created, same.existing) == (0, 3)
    assert sorted(TrackingNumber.objects.values_list("number", flat=True)) == ["SF300", "SF301", "SF302"]


def test_import_refuses_a_number_already_used_and_a_file_without_the_header(od, lg):
    numbers.add_pool(lg.sf, user=lg.user, prefix="SF", first=1, last=9, width=3)
    numbers.assign(ready(od.a1), lg.sf, user=lg.user)
    with pytest.raises(BusinessError, match="第 3 行：运单号 SF001 已使用过"):
        numbers.import_numbers(csv_file("运单号\nSF500\nSF001\n"), lg.sf, user=lg.user)
    with pytest.raises(BusinessError, match="表头"):
        numbers.import_numbers(csv_file("number\nSF500\n"), lg.sf, user=lg.user)
    with pytest.raises(NotAllowed):
        numbers.import_numbers(csv_file("运单号\nSF500\n"), lg.sf, user=lg.nobody)
    assert TrackingNumber.objects.count() == 1


# --- a network carrier, against a local fake server --------------------------------------------------


class FakeCarrier:
    """A carrier API on 127.0.0.1: answers what ``reply(body)`` returns (status, bytes) and keeps the
    requests it got."""

    def __init__(self, reply):
        self.reply, self.requests = reply, []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append({"headers": dict(self.headers), "body": body})
                status, payload, *headers = fake.reply(body)
                self.send_response(status)
                for name, value in (headers[0] if headers else {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/waybill/numbers"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def numbers_for(body):
    return 200, json.dumps({"numbers": [f"JT{9000 + i}" for i in range(body["count"])]}).encode()


@pytest.fixture
def jt(lg, monkeypatch):
    monkeypatch.setenv("ECOMOPS_TEST_JT_KEY", "test-key-not-real")
    carrier = Carrier.objects.get(code=Courier.JT)

    def use(url):
        Carrier.objects.filter(pk=carrier.pk).update(number_source=NumberSource.HTTP, api_url=url,
                                                     api_key_env="ECOMOPS_TEST_JT_KEY")
        carrier.refresh_from_db()
        return carrier

    return use


def test_http_numbers_from_the_carrier_api_with_the_key_as_bearer(od, lg, jt):
    a1, a2 = ready(od.a1, od.a2)
    with FakeCarrier(numbers_for) as fake:
        done = numbers.assign([a1, a2], jt(fake.url), user=lg.user)
    assert done.given == {a1.pk: "JT9000", a2.pk: "JT9001"}
    (request,) = fake.requests
    assert request["headers"]["Authorization"] == "Bearer test-key-not-real"
    assert request["body"] == {"carrier": "jt", "count": 2, "orders": ["TB1001", "JD2001"]}
    assert TrackingNumber.objects.get(order=a1).source == "http"
    a1.refresh_from_db()
    assert (a1.courier, a1.tracking_no) == ("jt", "JT9000")


@pytest.mark.parametrize(("reply", "why"), [
    (lambda body: (500, b'{"error": "down"}'), "HTTP 500"),
    (lambda body: (200, b"<html>not json"), "无法识别"),
    (lambda body: (200, b'{"numbers": ["JT1"]}'), "需要 2 个单号，接口返回 1 个"),
    (lambda body: (200, b'{"numbers": ["JT1", "JT1"]}'), "无效或重复"),
    (lambda body: (200, b'{"numbers": ["JT 1", "JT2"]}'), "无效或重复"),
])
def test_http_failures_name_the_carrier_write_nothing_and_never_show_the_key(od, lg, jt, reply, why):
    orders = ready(od.a1, od.a2)
    with FakeCarrier(reply) as fake, pytest.raises(BusinessError) as refused:
        numbers.assign(orders, jt(fake.url), user=lg.user)
    assert "极兔速递" in refused.value.message and why in refused.value.message
    assert "test-key-not-real" not in refused.value.message
    assert not TrackingNumber.objects.exists()
    assert not Order.objects.filter(pk__in=[o.pk for o in orders]).exclude(tracking_no="").exists()


def test_http_without_a_server_or_a_key(od, lg, jt, monkeypatch):
    with FakeCarrier(numbers_for) as fake:
        url = fake.url
    with pytest.raises(BusinessError, match="极兔速递.*无法连接接口"):  # the server is gone
        numbers.assign(ready(od.a1), jt(url), user=lg.user)
    monkeypatch.delenv("ECOMOPS_TEST_JT_KEY")
    with FakeCarrier(numbers_for) as fake, \
            pytest.raises(BusinessError, match="未配置接口密钥（环境变量 ECOMOPS_TEST_JT_KEY）"):
        numbers.assign(ready(od.a1), jt(fake.url), user=lg.user)
    assert fake.requests == []


def test_http_a_redirect_is_refused_so_the_key_goes_nowhere_else(od, lg, jt):
    with FakeCarrier(numbers_for) as elsewhere:
        with FakeCarrier(lambda body: (307, b"{}", {"Location": elsewhere.url})) as fake, \
                pytest.raises(BusinessError, match="HTTP 307"):
            numbers.assign(ready(od.a1), jt(fake.url), user=lg.user)
    assert len(fake.requests) == 1 and elsewhere.requests == []


# --- several workers at once -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_log02_six_workers_taking_numbers_from_one_pool_never_get_the_same_number(od, org, lg):
    """Six workers × four orders each take numbers from one pool at once: 24 numbers, all different,
    the pool moved on by exactly 24 (both databases)."""
    numbers.add_pool(lg.zto, user=lg.user, prefix="ZT", first=1, last=1000, width=8)
    batches = [ready(*[new_order(od.clerk, org.store_a1, f"R{w}-{i}") for i in range(4)]) for w in range(6)]
    barrier = threading.Barrier(6)
    given, errors = {}, []

    def worker(n):
        try:
            barrier.wait()
            given.update(numbers.assign(batches[n], Carrier.objects.get(pk=lg.zto.pk), user=lg.user).given)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(given) == 24 and len(set(given.values())) == 24
    assert sorted(given.values()) == [f"ZT{v:08d}" for v in range(1, 25)]
    assert NumberPool.objects.get().next_value == 25
    assert TrackingNumber.objects.count() == 24


@pytest.mark.django_db(transaction=True)
def test_log02_six_workers_taking_imported_numbers_use_each_once(od, org, lg):
    Carrier.objects.filter(pk=lg.sf.pk).update(number_source=NumberSource.IMPORTED)
    text = "运单号\n" + "".join(f"SF{v}\n" for v in range(700, 730))
    numbers.import_numbers(csv_file(text), Carrier.objects.get(pk=lg.sf.pk), user=lg.user)
    batches = [ready(*[new_order(od.clerk, org.store_a1, f"I{w}-{i}") for i in range(4)]) for w in range(6)]
    barrier = threading.Barrier(6)
    given, errors = {}, []

    def worker(n):
        try:
            barrier.wait()
            given.update(numbers.assign(batches[n], Carrier.objects.get(pk=lg.sf.pk), user=lg.user).given)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(given) == 24 and len(set(given.values())) == 24
    assert TrackingNumber.objects.filter(order__isnull=True).count() == 6


# --- the command -------------------------------------------------------------------------------------


def test_the_waybills_command_gives_numbers_with_carrier_before_printing(od, org, lg, tmp_path):
    from django.utils import timezone

    from ecomops.dispatch.models import BatchOrder, ShipBatch

    numbers.add_pool(lg.zto, user=lg.user, prefix="75", first=1, last=100, width=10)
    a1, a2 = ready(od.a1, od.a2)
    now = timezone.now()
    batch = ShipBatch.objects.create(number="SB20260302-1", day=now.date(), seq=1, cutoff="12:00", state="printed")
    for order in (a1, a2):
        BatchOrder.objects.create(batch=batch, order=order, joined_at=now, printed_at=now)
    with pytest.raises(CommandError, match="no printed order with a tracking number"):
        call_command("waybills", "--batch", batch.number, "-o", str(tmp_path / "w.pdf"), stdout=StringIO())
    with pytest.raises(CommandError, match="no carrier nope"):
        call_command("waybills", "--batch", batch.number, "--carrier", "nope", stdout=StringIO())
    out = StringIO()
    call_command("waybills", "--batch", batch.number, "--carrier", "zto", "--user", lg.user.username,
                 "-o", str(tmp_path / "w.pdf"), stdout=out)
    assert "2 tracking number(s) of zto given" in out.getvalue() and "2 waybill(s) written" in out.getvalue()
    assert (tmp_path / "w.pdf").read_bytes().startswith(b"%PDF")
    assert set(Order.objects.filter(pk__in=[a1.pk, a2.pk]).values_list("tracking_no", flat=True)) == {
        "750000000001", "750000000002"}
    again = StringIO()
    call_command("waybills", "--batch", batch.number, "--carrier", "zto", "--user", lg.user.username,
                 "-o", str(tmp_path / "w.pdf"), stdout=again)
    assert "given" not in again.getvalue() and NumberPool.objects.get().next_value == 3


# --- the API -----------------------------------------------------------------------------------------


def test_api_lists_carriers_gives_numbers_and_imports_a_file(od, org, lg):
    from django.test import Client as HttpClient

    from ecomops.orders.tests.conftest import Api

    make = make_user("nums_api", *RIGHTS, "logistics.view_carrier", client=org.client_a)
    api = Api(make)
    numbers.add_pool(lg.zto, user=lg.user, prefix="ZT", first=1, last=10, width=4)
    carriers = api.get("logistics/carriers")
    assert carriers.status_code == 200, carriers.content
    zto = next(c for c in carriers.json() if c["code"] == "zto")
    assert (zto["name"], zto["number_source"], zto["pool_remaining"]) == ("中通快递", "pool", 10)
    assert zto["imported_waiting"] == 0 and "api_key" not in str(set(zto) - {"api_key_env"})
    assert Api(lg.nobody).get("logistics/carriers").status_code == 403

    a1, b1 = ready(od.a1, od.b1)
    mixed = api.post("logistics/tracking-numbers/assign", {"carrier": "zto", "order_ids": [a1.pk, b1.pk]})
    assert mixed.status_code == 400 and mixed.json()["error"]["code"] == "not_found"
    assert api.post("logistics/tracking-numbers/assign", {"carrier": "nope", "order_ids": [a1.pk]}).status_code == 404
    given = api.post("logistics/tracking-numbers/assign", {"carrier": "zto", "order_ids": [a1.pk]})
    assert given.status_code == 200, given.content
    assert given.json() == {"given": [{"order_id": a1.pk, "platform_order_no": "TB1001", "tracking_no": "ZT0001"}],
                            "kept": []}
    again = api.post("logistics/tracking-numbers/assign", {"carrier": "zto", "order_ids": [a1.pk]})
    assert again.json()["kept"] == given.json()["given"] and again.json()["given"] == []

    http = HttpClient()
    http.force_login(make)
    upload = csv_file("运单号\r\nSF1\r\nSF2\r\n", "gbk")
    upload.name = "单号.csv"
    made = http.post("/api/v1/logistics/carriers/sf_express/tracking-numbers/import", {"file": upload})
    assert made.status_code == 201, made.content
    assert made.json() == {"created": 2, "existing": 0}
    bad = csv_file("运单号\r\nSF3\r\nSF3\r\n")
    bad.name = "bad.csv"
    refused = http.post("/api/v1/logistics/carriers/sf_express/tracking-numbers/import", {"file": bad})
    assert refused.status_code == 400 and "第 3 行" in refused.json()["error"]["message"]
    assert TrackingNumber.objects.filter(carrier=lg.sf).count() == 2


def test_admin_adds_a_pool_from_its_first_number_and_refuses_an_overlap(lg):
    from django.contrib.auth import get_user_model
    from django.test import Client as HttpClient

    http = HttpClient()
    http.force_login(get_user_model().objects.create_superuser("root_pool", password="x"))
    form = {"carrier": lg.zto.pk, "prefix": "ZT", "first": 5, "last": 9, "width": 4}
    assert http.post("/admin/logistics/numberpool/add/", form).status_code == 302
    pool = NumberPool.objects.get()
    assert (pool.next_value, pool.history.count()) == (5, 1)
    overlap = http.post("/admin/logistics/numberpool/add/", {**form, "first": 9, "last": 20})
    assert overlap.status_code == 200 and "重叠" in overlap.content.decode()
    assert http.get("/admin/logistics/carrier/").status_code == 200
    assert http.get(f"/admin/logistics/carrier/{lg.zto.pk}/change/").status_code == 200
