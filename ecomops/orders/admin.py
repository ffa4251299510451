"""Read-only admin of orders, payments and refunds: posted records are changed only through the
actions (corrections are new records). The receiver's personal data is not shown here."""

from django.contrib import admin

from ecomops.audit.admin import ReadOnlyAdmin

from .models import InvoiceRequest, Order, OrderEvent, Payment, Refund


@admin.register(Order)
class OrderAdmin(ReadOnlyAdmin):
    list_display = ("platform_order_no", "store", "state", "paid_amount", "placed_at", "confirm_late")
    list_filter = ("state", "store")
    search_fields = ("platform_order_no",)
    exclude = ("receiver_name", "receiver_phone", "receiver_address", "phone_hash", "receiver_hash", "name_hash")


@admin.register(OrderEvent)
class OrderEventAdmin(ReadOnlyAdmin):
    list_display = ("order", "kind", "from_state", "to_state", "actor", "at")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("platform_order_no", "store", "transaction_no", "amount", "status", "is_duplicate", "paid_at")


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ("order", "amount", "source", "refunded_at")


@admin.register(InvoiceRequest)
class InvoiceRequestAdmin(ReadOnlyAdmin):
    list_display = ("order", "kind", "title_kind", "title", "requested_at")
