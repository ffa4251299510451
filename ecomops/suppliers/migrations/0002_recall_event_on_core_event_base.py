"""Issue 14: the recall event table takes the shape of ``core.events.Event``: ``by`` renamed to
``actor`` (no data lost), a ``kind`` (the state the case reached, filled in for the existing rows)
and a ``data`` column added."""

from django.db import migrations, models
from django.db.models import F


def kind_is_the_state_reached(apps, schema_editor):
    apps.get_model("suppliers", "RecallEvent").objects.update(kind=F("to_state"))


class Migration(migrations.Migration):
    dependencies = [
        ("suppliers", "0001_initial"),
    ]

    operations = [
        migrations.RenameField("recallevent", "by", "actor"),
        migrations.AddField(
            model_name="recallevent", name="kind",
            field=models.CharField(
                choices=[("opened", "已立案"), ("delisted", "已下架"), ("recall_in_progress", "召回中"),
                         ("closed", "已结案")],
                default="", max_length=30, verbose_name="事件",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(kind_is_the_state_reached, migrations.RunPython.noop),
        migrations.AddField(
            model_name="recallevent", name="data",
            field=models.JSONField(blank=True, default=dict, verbose_name="数据"),
        ),
    ]
