from django.db import models
from django.utils.translation import gettext_lazy as _


class FileKind(models.TextChoices):
    CSV = "csv", _("CSV")
    XLSX = "xlsx", _("Excel (.xlsx)")
    ZIP = "zip", _("压缩包 (.zip)")  # the two files of a pair format (ORD-02: Taobao/Tmall), read inside it


class JobState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


# ORD-02: a job is queued, runs, and ends done or failed; a failed or stopped job is queued (or run)
# again and resumes after its checkpoint. Running → running is a run resumed after its worker died.
JOB_FLOW: dict[str, tuple[str, ...]] = {
    JobState.QUEUED: (JobState.RUNNING, JobState.FAILED),
    JobState.RUNNING: (JobState.DONE, JobState.FAILED, JobState.QUEUED, JobState.RUNNING),
    JobState.FAILED: (JobState.QUEUED, JobState.RUNNING),
    JobState.DONE: (),
}


# What a platform's status text may mean (ImportFormat.statuses values).
PLATFORM_STATUSES = ("unpaid", "paid", "shipped", "received", "completed", "cancelled")

# Our fields an export can carry; the first three are required in every format.
REQUIRED_FIELDS = ("order_no", "sku_code", "quantity")
FIELDS = (
    "order_no", "sku_code", "quantity", "title", "unit_price", "line_amount", "paid_amount", "shipping_fee",
    "status", "placed_at", "paid_at", "buyer_nick", "receiver_name", "receiver_phone", "receiver_address",
    "province", "city", "district", "merchant_note", "buyer_message", "transaction_no", "attributes",
    # ORD-02, real exports: the platform's own SKU id of a line (JD 商品ID), the order's goods amount and
    # the seller's discount when the platform states them (PDD 商品总价 / 店铺优惠折扣).
    "platform_sku_id", "goods_amount", "discount_amount",
    # ORD-02 / PAY-01 / PER-07: the platform's close reason and refund total (订单关闭原因, 退款金额), when
    # it closed the order, and a shared transaction's total (a cart checkout paid in one transaction).
    "close_reason", "refund_amount", "closed_at", "transaction_amount",
)
# Order-level amounts a format may sum over an order's line rows (``ImportFormat.aggregate``).
AGGREGATES = ("sum", "first")
AGGREGATABLE = ("paid_amount", "shipping_fee", "goods_amount", "discount_amount")
# The fields a pair format's line file gives (ImportFormat.line_columns, beside its order_no); every other
# field comes from the order file (ORD-02: Taobao/Tmall 订单报表 + 宝贝报表).
LINE_FIELDS = ("sku_code", "quantity", "title", "unit_price", "line_amount", "attributes", "platform_sku_id")
