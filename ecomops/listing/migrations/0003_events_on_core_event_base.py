"""Issue 14: the admission and listing event tables take the shape of ``core.events.Event`` (the
status columns renamed to from_state / to_state, no data lost; a ``data`` column added)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("listing", "0002_sampling_check_recall_case_measurements"),
    ]

    operations = [
        migrations.RenameField("admissionevent", "from_status", "from_state"),
        migrations.RenameField("admissionevent", "to_status", "to_state"),
        migrations.RenameField("listingevent", "from_status", "from_state"),
        migrations.RenameField("listingevent", "to_status", "to_state"),
        migrations.AddField(
            model_name="admissionevent", name="data",
            field=models.JSONField(blank=True, default=dict, verbose_name="数据"),
        ),
        migrations.AddField(
            model_name="listingevent", name="data",
            field=models.JSONField(blank=True, default=dict, verbose_name="数据"),
        ),
    ]
