# The document number counter moves from the inventory app to core (issue 14: one document base for
# every app). The table and its rows stay where they are; only Django's idea of its owner changes.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
        ("inventory", "0002_customer_holds_close_permission"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DocumentCounter",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("prefix", models.CharField(max_length=8)),
                        ("day", models.DateField()),
                        ("last", models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        "verbose_name": "单据编号计数器",
                        "verbose_name_plural": "单据编号计数器",
                        "db_table": "inventory_documentcounter",
                        "constraints": [models.UniqueConstraint(fields=("prefix", "day"),
                                                                name="inventory_counter_unique")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
