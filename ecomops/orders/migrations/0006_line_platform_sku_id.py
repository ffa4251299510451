from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0005_parcels"),
    ]

    operations = [
        migrations.AddField(
            model_name="orderline",
            name="platform_sku_id",
            field=models.CharField(blank=True, max_length=64, verbose_name="平台SKU ID"),
        ),
    ]
