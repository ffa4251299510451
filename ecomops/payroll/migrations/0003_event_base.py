"""RunEvent takes the shape of core.events.Event (issue 14): it gains from_state/to_state, filled for the
existing steps from the "from"/"to" their data already held (computations keep them blank)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def fill_states(apps, schema_editor):
    RunEvent = apps.get_model("payroll", "RunEvent")
    for pk, data in RunEvent.objects.exclude(data={}).values_list("pk", "data").iterator():
        before, after = (data or {}).get("from"), (data or {}).get("to")
        if before or after:
            RunEvent.objects.filter(pk=pk).update(from_state=before or "", to_state=after or "")


class Migration(migrations.Migration):

    dependencies = [
        ('payroll', '0002_activity_fund_completion_range'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='runevent',
            name='from_state',
            field=models.CharField(blank=True, choices=[('draft', '草稿'), ('checked', '主管已复核'), ('approved', '财务已审批'), ('locked', '已锁定')], max_length=20, verbose_name='原状态'),
        ),
        migrations.AddField(
            model_name='runevent',
            name='to_state',
            field=models.CharField(blank=True, choices=[('draft', '草稿'), ('checked', '主管已复核'), ('approved', '财务已审批'), ('locked', '已锁定')], max_length=20, verbose_name='新状态'),
        ),
        migrations.AlterField(
            model_name='runevent',
            name='actor',
            field=models.ForeignKey(blank=True, help_text='空表示系统', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人'),
        ),
        migrations.AlterField(
            model_name='runevent',
            name='at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='时间'),
        ),
        migrations.RunPython(fill_states, migrations.RunPython.noop),
    ]
