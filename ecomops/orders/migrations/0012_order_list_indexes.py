# Issue 15: the order list's keys in its order (deep pages, the scope, the store and state filters).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0011_exportjob'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='order',
            index=models.Index(fields=['-placed_at', '-id', 'store', 'state'], name='orders_list_idx'),
        ),
        migrations.AddIndex(
            model_name='order',
            index=models.Index(fields=['store', '-placed_at', '-id'], name='orders_store_list_idx'),
        ),
        migrations.AddIndex(
            model_name='order',
            index=models.Index(fields=['store', 'state', '-placed_at', '-id'], name='orders_store_state_list_idx'),
        ),
        # Its columns lead orders_store_state_list_idx, which serves it.
        migrations.RemoveIndex(
            model_name='order',
            name='orders_store_state_idx',
        ),
    ]
