
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def entries_of_printed_batches(apps, schema_editor):
    """Before this migration a batch was printed whole: its entries were printed when it was."""
    ShipBatch = apps.get_model("dispatch", "ShipBatch")
    BatchOrder = apps.get_model("dispatch", "BatchOrder")
    printed = ShipBatch.objects.filter(pk=OuterRef("batch_id"))
    BatchOrder.objects.filter(batch__printed_at__isnull=False).update(
        printed_at=Subquery(printed.values("printed_at")[:1]), printed_by=Subquery(printed.values("printed_by")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ('dispatch', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='batchorder',
            name='printed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='打印时间'),
        ),
        migrations.AddField(
            model_name='batchorder',
            name='printed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='打印人'),
        ),
        migrations.RunPython(entries_of_printed_batches, migrations.RunPython.noop),
    ]
