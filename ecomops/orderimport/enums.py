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


# What a platform's status text may mean (ImportFormat.statuses values).
PLATFORM_STATUSES = ("unpaid", "paid", "shipped", "received", "completed", "cancelled")

# Our fields an export can carry; the first three are required in every format.
REQUIRED_FIELDS = ("order_no", "sku_code", "quantity")
FIELDS = (
    "order_no", "sku_code", "quantity", "title", "unit_price", "line_amount", "paid_amount", "shipping_fee",
    "status", "placed_at", "paid_at", "buyer_nick", "receiver_name", "receiver_phone", "receiver_address",
    "province", "city", "district", "merchant_note", "buyer_message", "transaction_no", "attributes",
)
# The fields a pair format's line file gives (ImportFormat.line_columns, beside its order_no); every other
# field comes from the order file (ORD-02: Taobao/Tmall 订单报表 + 宝贝报表).
LINE_FIELDS = ("sku_code", "quantity", "title", "unit_price", "line_amount", "attributes")
