"""Issue 14: the application event table (and its history) takes the shape of ``core.events.Event``
(the status columns renamed to from_state / to_state, no data lost; a ``data`` column added)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("stores", "0001_initial"),
    ]

    operations = [
        migrations.RenameField("applicationevent", "from_status", "from_state"),
        migrations.RenameField("applicationevent", "to_status", "to_state"),
        migrations.RenameField("historicalapplicationevent", "from_status", "from_state"),
        migrations.RenameField("historicalapplicationevent", "to_status", "to_state"),
        migrations.AddField(
            model_name="applicationevent", name="data",
            field=models.JSONField(blank=True, default=dict, verbose_name="数据"),
        ),
        migrations.AddField(
            model_name="historicalapplicationevent", name="data",
            field=models.JSONField(blank=True, default=dict, verbose_name="数据"),
        ),
    ]
