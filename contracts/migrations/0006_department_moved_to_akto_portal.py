"""Department is now akto_portal's (reference data): the counts' and market figures'
foreign keys point to it there. Nothing changes in the database (same table, same
rows, same constraints); akto_portal 0007 then renames the table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("akto_portal", "0006_department"),
        ("contracts", "0005_department_grain"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="contractcount",
                    name="department",
                    field=models.ForeignKey(
                        blank=True,
                        help_text="Vide : toute la région (un chiffre par département en est le détail).",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="contract_counts",
                        to="akto_portal.department",
                        verbose_name="département",
                    ),
                ),
                migrations.AlterField(
                    model_name="marketstat",
                    name="department",
                    field=models.ForeignKey(
                        blank=True,
                        help_text="Vide : toute la région (ou la France) ; sinon un département de la région.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="market_stats",
                        to="akto_portal.department",
                        verbose_name="département",
                    ),
                ),
                migrations.DeleteModel(name="Department"),
            ],
            database_operations=[],
        ),
    ]
