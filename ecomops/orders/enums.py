"""Order states and the allowed transitions (ORD-01), payment and refund kinds (PAY-01, ORD-07),
couriers, invoices (ORD-08, LAW-03).

``ORDER_FLOW`` is the one place that says which state may follow which (like Oscar's pipeline);
``actions.set_state`` refuses every other step.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderState(models.TextChoices):
    PLACED = "placed", _("已下单")
    PAID = "paid", _("已付款")
    AWAITING_REVIEW = "awaiting_review", _("待审单")
    REVIEWED = "reviewed", _("已审单")
    AWAITING_SHIPMENT = "awaiting_shipment", _("待发货")
    SHIPPED = "shipped", _("已发货")
    RECEIVED = "received", _("已签收")
    BUYER_REVIEWED = "buyer_reviewed", _("已评价")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已取消")
    ON_HOLD = "on_hold", _("挂起（异常）")


S = OrderState

# ORD-01: each state and the states allowed next. ON_HOLD returns only to the state it was held from
# (checked by set_state) or is cancelled. Nothing leaves COMPLETED or CANCELLED.
ORDER_FLOW: dict[str, tuple[str, ...]] = {
    S.PLACED: (S.PAID, S.AWAITING_REVIEW, S.CANCELLED, S.ON_HOLD),  # → awaiting_review: cash on delivery only
    S.PAID: (S.AWAITING_REVIEW, S.CANCELLED, S.ON_HOLD),
    S.AWAITING_REVIEW: (S.REVIEWED, S.CANCELLED, S.ON_HOLD),
    S.REVIEWED: (S.AWAITING_SHIPMENT, S.AWAITING_REVIEW, S.CANCELLED, S.ON_HOLD),
    S.AWAITING_SHIPMENT: (S.SHIPPED, S.AWAITING_REVIEW, S.CANCELLED, S.ON_HOLD),
    S.SHIPPED: (S.RECEIVED, S.COMPLETED),
    S.RECEIVED: (S.BUYER_REVIEWED, S.COMPLETED),
    S.BUYER_REVIEWED: (S.COMPLETED,),
    S.COMPLETED: (),
    S.CANCELLED: (),
    S.ON_HOLD: (S.PLACED, S.PAID, S.AWAITING_REVIEW, S.REVIEWED, S.AWAITING_SHIPMENT, S.CANCELLED),
}

# States that may be held (and so returned to); the goods have not left.
HOLDABLE = (S.PLACED, S.PAID, S.AWAITING_REVIEW, S.REVIEWED, S.AWAITING_SHIPMENT)
# After these the parcel has left the warehouse: cancelling is an after-sales refund, not a cancel.
SHIPPED_OR_LATER = (S.SHIPPED, S.RECEIVED, S.BUYER_REVIEWED, S.COMPLETED)
# States reachable only by a paid order (or a cash-on-delivery one).
NEEDS_PAYMENT = (S.AWAITING_SHIPMENT, S.SHIPPED)
FINAL = (S.COMPLETED, S.CANCELLED)
OPEN_STATES = tuple(s for s in S.values if s not in FINAL)


class OrderEventKind(models.TextChoices):
    CREATED = "created", _("创建订单")
    STATE = "state", _("状态变更")
    PAID = "paid", _("付款")
    PAYMENT_FAILED = "payment_failed", _("付款失败")
    PAYMENT_DUPLICATE = "payment_duplicate", _("重复付款")
    PAYMENT_MISMATCH = "payment_mismatch", _("付款金额不符")
    CONFIRMED = "confirmed", _("确认订单")
    CONFIRM_LATE = "confirm_late", _("确认逾期")
    HELD = "held", _("挂起")
    RELEASED = "released", _("解除挂起")
    CANCELLED = "cancelled", _("取消")
    ADDRESS_CHANGED = "address_changed", _("修改地址")
    COURIER_CHANGED = "courier_changed", _("修改快递")
    INVOICE_REQUESTED = "invoice_requested", _("申请发票")
    REFUND = "refund", _("退款")
    SHIPPED = "shipped", _("发货")
    RECEIVED = "received", _("签收")
    BUYER_REVIEWED = "buyer_reviewed", _("买家评价")
    COMPLETED = "completed", _("完成")
    REVEALED = "revealed", _("查看买家信息")
    PLATFORM_UPDATE = "platform_update", _("平台更新")
    SPLIT = "split", _("拆分发货")
    MERGED = "merged", _("合并发货")
    PARCELS_UNDONE = "parcels_undone", _("撤销拆分合并")
    PARCEL_SHIPPED = "parcel_shipped", _("包裹发出")
    NOTE = "note", _("备注")
    # FUL-02…04: the packing station's steps (ecomops.fulfilment), the state stays "awaiting shipment".
    CHECK_STARTED = "check_started", _("开始验货")
    VERIFIED = "verified", _("验货通过")
    PACKED = "packed", _("打包")
    WEIGHED = "weighed", _("称重")
    CHECK_DISCARDED = "check_discarded", _("作废验货")


class PaymentMethod(models.TextChoices):
    ALIPAY = "alipay", _("支付宝")
    WECHAT = "wechat", _("微信支付")
    UNIONPAY = "unionpay", _("银联")
    PLATFORM = "platform", _("平台代收")
    CREDIT = "credit", _("信用卡")
    COD = "cod", _("货到付款")
    OTHER = "other", _("其他")


class PaymentState(models.TextChoices):
    SUCCESS = "success", _("成功")
    FAILED = "failed", _("失败")


class RefundSource(models.TextChoices):
    DUPLICATE_PAYMENT = "duplicate_payment", _("重复付款退款")
    CANCELLATION = "cancellation", _("取消订单退款")
    AFTER_SALES = "after_sales", _("售后退款")
    PRICE_ADJUSTMENT = "price_adjustment", _("补差退款")
    PLATFORM = "platform", _("平台退款")  # read from the platform's export (退款金额), ORD-02
    OTHER = "other", _("其他")


class Courier(models.TextChoices):
    SF_EXPRESS = "sf_express", _("顺丰速运")
    ZTO = "zto", _("中通快递")
    YTO = "yto", _("圆通速递")
    STO = "sto", _("申通快递")
    YUNDA = "yunda", _("韵达快递")
    JT = "jt", _("极兔速递")
    JD = "jd", _("京东物流")
    EMS = "ems", _("EMS")
    OTHER = "other", _("其他快递")


class InvoiceKind(models.TextChoices):
    """LAW-03 art. 14: paper or electronic, on request."""

    ELECTRONIC = "electronic", _("电子普通发票")
    PAPER = "paper", _("纸质普通发票")
    SPECIAL_VAT = "special_vat", _("增值税专用发票")


class InvoiceTitleKind(models.TextChoices):
    PERSONAL = "personal", _("个人")
    COMPANY = "company", _("单位")


class AllocationState(models.TextChoices):
    """ORD-04: where the stock of a reviewed order stands."""

    NONE = "", _("未分配")
    ALLOCATED = "allocated", _("已占用库存")
    WAITING_STOCK = "waiting_stock", _("等待到货")
    CONSUMED = "consumed", _("已出库")


class ReviewRuleCode(models.TextChoices):
    """ORD-03: the automatic review rules; each is a row of ``ReviewRule`` that can be switched off."""

    PAID = "paid", _("已付款（或货到付款）")
    ADDRESS = "address_complete", _("收货信息完整")
    NO_NOTES = "no_notes", _("无客服备注与买家留言")
    NO_EXCEPTION = "no_exception", _("未挂起、无异常")
    AMOUNT = "amount_limit", _("金额低于自动审单上限")
    MATCHED = "lines_matched", _("商品均已匹配SKU")
    STOCK = "stock_available", _("库存充足")


class ReviewBatchState(models.TextChoices):
    OPEN = "open", _("审核中")
    CLOSED = "closed", _("已结束")


REVIEW_BATCH_FLOW: dict[str, tuple[str, ...]] = {
    ReviewBatchState.OPEN: (ReviewBatchState.CLOSED,),
    ReviewBatchState.CLOSED: (),
}


class ParcelKind(models.TextChoices):
    """ORD-08: an order split into several parcels, or several orders merged into one."""

    SPLIT = "split", _("拆分")
    MERGED = "merged", _("合并")


class ParcelState(models.TextChoices):
    OPEN = "open", _("待发出")
    SHIPPED = "shipped", _("已发出")
    CANCELLED = "cancelled", _("已撤销")


# ORD-08: a parcel leaves once, or is cancelled (undone) before it left; nothing follows either.
PARCEL_FLOW: dict[str, tuple[str, ...]] = {
    ParcelState.OPEN: (ParcelState.SHIPPED, ParcelState.CANCELLED),
    ParcelState.SHIPPED: (),
    ParcelState.CANCELLED: (),
}
