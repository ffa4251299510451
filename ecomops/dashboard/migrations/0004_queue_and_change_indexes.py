"""DAT-01 speed, the "now" queues and the summaries' change tracking.

- Partial indexes of the few orders in the paid-not-shipped and exception queues: the counts read a
  small index instead of a million orders (on PostgreSQL at 1,000,000 orders: 250 ms and 170 ms
  before, 5 ms and under 1 ms after). Their conditions are written as the dashboard's queries say them
  (``figures.queue_counts``), which is what lets SQLite and PostgreSQL use them.
- ``updated_at`` of the orders and ``recorded_at`` of the refunds: a summary refresh finds the days
  touched since the previous refresh through them.

- The sales index of 0002 with the order's id too: the lines of the orders paid today (the top SKUs)
  are then found from the index alone (SQLite has the id in every index already).

They sit on the orders app's tables but serve only the dashboard, hence here."""

from django.db import migrations

UNSHIPPED = "'paid', 'awaiting_review', 'reviewed', 'awaiting_shipment', 'on_hold'"
INDEXES = [
    ("dashboard_order_unshipped_idx", "orders_order", "store_id",
     f'"orders_order"."paid_at" IS NOT NULL AND "orders_order"."state" IN ({UNSHIPPED})'),
    ("dashboard_order_exception_idx", "orders_order", "store_id",
     '"orders_order"."state" = \'on_hold\' OR NOT ("orders_order"."exception_reason" = \'\')'),
    ("dashboard_order_updated_idx", "orders_order", "updated_at", ""),
    ("dashboard_refund_recorded_idx", "orders_refund", "recorded_at", ""),
]


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0003_summaries"),
        ("orders", "0013_tab_count_index"),
    ]

    operations = [
        migrations.RunSQL(["DROP INDEX IF EXISTS dashboard_order_paid_idx",
                           "CREATE INDEX dashboard_order_paid_idx ON orders_order (paid_at, store_id, paid_amount, id)"],
                          reverse_sql=["DROP INDEX IF EXISTS dashboard_order_paid_idx",
                                       "CREATE INDEX dashboard_order_paid_idx ON orders_order "
                                       "(paid_at, store_id, paid_amount)"]),
    ] + [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})"
                          + (f" WHERE {where}" if where else ""),
                          reverse_sql=f"DROP INDEX IF EXISTS {name}")
        for name, table, columns, where in INDEXES
    ]
