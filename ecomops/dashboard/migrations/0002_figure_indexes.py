"""DAT-01 speed: the dashboard's figures read the orders by the day they were paid, shipped or refunded.
Indexes on those columns (the sales one covering store and amount, so the per-store per-day sums come
from the index alone). They sit on the orders app's tables but serve only the dashboard, hence here;
plain CREATE INDEX, the same on SQLite and PostgreSQL."""

from django.db import migrations

INDEXES = [
    ("dashboard_order_paid_idx", "orders_order", "paid_at, store_id, paid_amount", ""),
    ("dashboard_order_shipped_idx", "orders_order", "shipped_at, store_id", ""),
    ("dashboard_refund_at_idx", "orders_refund", "refunded_at", ""),
    ("dashboard_line_order_sku_idx", "orders_orderline", "order_id, sku_id, quantity, amount", ""),
    # ORD-09 late confirmations: nearly every order's deadline is past, few are unconfirmed; a partial
    # index of the unconfirmed ones (SQLite and PostgreSQL both have them) answers the count at once.
    ("dashboard_order_unconfirmed_idx", "orders_order", "confirm_due_at, state, store_id", "confirmed_at IS NULL"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_initial"),
        ("orders", "0013_tab_count_index"),
    ]

    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})"
                          + (f" WHERE {where}" if where else ""),
                          reverse_sql=f"DROP INDEX IF EXISTS {name}")
        for name, table, columns, where in INDEXES
    ]
