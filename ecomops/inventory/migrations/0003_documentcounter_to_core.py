# The document number counter now belongs to core (see core 0002); its table is left in place.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("inventory", "0002_customer_holds_close_permission"),
        ("core", "0002_documentcounter"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="DocumentCounter")],
            database_operations=[],
        ),
    ]
