"""The departments' table takes akto_portal's name (contracts_department ->
akto_portal_department). Rows, ids and the foreign keys pointing to them are kept:
PostgreSQL and SQLite both carry references over a table rename."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("akto_portal", "0006_department"),
        ("contracts", "0006_department_moved_to_akto_portal"),
    ]

    operations = [
        migrations.AlterModelTable(name="department", table=None),
    ]
