"""Issue 14: the warehouse operations' event table takes the shape of ``core.events.Event``:
``action`` renamed to ``kind`` and ``by`` to ``actor`` (no data lost); ``from_state``, ``to_state``
(empty for the existing rows) and ``data`` added."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stockops", "0001_initial"),
    ]

    operations = [
        migrations.RenameField("stockopsevent", "action", "kind"),
        migrations.RenameField("stockopsevent", "by", "actor"),
        migrations.AddField(
            model_name="stockopsevent", name="from_state",
            field=models.CharField(blank=True, max_length=20, verbose_name="原状态"),
        ),
        migrations.AddField(
            model_name="stockopsevent", name="to_state",
            field=models.CharField(blank=True, max_length=20, verbose_name="新状态"),
        ),
        migrations.AddField(
            model_name="stockopsevent", name="data",
            field=models.JSONField(blank=True, default=dict, verbose_name="数据"),
        ),
    ]
