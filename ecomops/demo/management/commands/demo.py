"""``ecomops demo``: build the demo company (a fictional agency) to try EcomOps with."""

from django.core.management.base import BaseCommand, CommandError

from ecomops.core.errors import BusinessError
from ecomops.demo import org as demo


class Command(BaseCommand):
    help = (
        "建立演示公司：代运营公司、2 个委托方、5 个店铺、约 30 名员工、考勤与制度承诺书，并打印演示登录。"
        " Builds the demo company (an agency with 2 clients, 5 stores, ~30 staff) and prints the demo logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="数据库已有数据时跳过（make run 使用） / skip quietly unless the database is empty",
        )
        parser.add_argument(
            "--orders",
            type=int,
            default=0,
            metavar="N",
            help="另外批量生成 N 笔近 60 天的订单，用于性能测试（需要演示公司） / "
            "add N synthetic orders of the last 60 days for benchmarks (needs the demo company)",
        )

    def handle(self, *args, if_empty: bool = False, orders: int = 0, **options):
        if orders < 0:
            raise CommandError("--orders 须为正整数 / --orders must be a positive number")
        if orders and demo.demo_exists():
            self.bulk_orders(orders)
            return
        try:
            result = demo.build(if_empty=if_empty)
        except BusinessError as error:
            raise CommandError(error.message) from None
        if orders and result.company is not None:
            self.bulk_orders(orders)
        if result.created:
            counts = result.counts
            self.stdout.write(self.style.SUCCESS(
                f"演示公司已建立 / demo company created: {result.company.name}"
            ))
            self.stdout.write(
                f"  委托方 {counts['clients']} · 店铺 {counts['stores']} · 员工 {counts['staff']} · "
                f"考勤记录 {counts['attendance']}（{result.month[0]}-{result.month[1]:02d}）"
            )
            self.stdout.write(
                f"  款号 {counts['styles']} · SKU {counts['skus']} · 证照 {counts['qualifications']} · "
                f"供应商 {counts['suppliers']} · 上架申请 {counts['listings']}"
            )
            self.stdout.write(
                f"  仓库 {counts['warehouses']} · 库存流水 {counts['stock_moves']} · 订单 {counts['orders']}"
                f"（{counts['import_jobs']} 个平台导出文件导入）"
            )
        elif result.company is not None:
            self.stdout.write(
                f"演示公司已存在，未做改动 / demo company exists, nothing changed: {result.company.name}"
            )
        else:
            self.stdout.write(
                "数据库已有数据，未建立演示公司 / the database holds data already: no demo company loaded"
            )
            return
        self.print_logins()

    def bulk_orders(self, count: int) -> None:
        import sys
        import time

        from ecomops.demo.orders import build_bulk_orders

        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            rate = done / max(time.perf_counter() - started, 1e-9)
            sys.stderr.write(f"\r批量订单 / bulk orders {done:,}/{total:,} ({done * 100 // total}%) · {rate:,.0f}/s")
            sys.stderr.flush()

        made = build_bulk_orders(count, progress=progress)
        sys.stderr.write("\n")
        self.stdout.write(self.style.SUCCESS(
            f"已生成订单 / orders added: {made:,} in {time.perf_counter() - started:.1f}s"
        ))
        from ecomops.dashboard.summaries import refresh

        summary = refresh()  # DAT-01: the dashboard's summaries of the days the new orders fell on
        self.stdout.write(f"看板汇总 / dashboard summaries: {summary.days} 天 / days in {summary.seconds:.1f}s")

    def print_logins(self) -> None:
        self.stdout.write(f"演示登录（密码均为 / password for all）：{demo.DEMO_PASSWORD}")
        for username, zh, en in demo.LOGINS:
            self.stdout.write(f"  {username:<8} {zh} / {en}")
        self.stdout.write(
            "  其他演示员工用拼音账号登录，如 chenzhiyuan（总经理） / other staff: pinyin usernames"
        )
