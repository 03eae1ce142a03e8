# The reconciliation rule (contracts.reconcile): statements superseded by an import are
# kept (superseded_by) instead of deleted, and the rollup holds one figure per cell.
# The rollup is emptied here and filled again after `migrate` (contracts.apps).

import django.db.models.deletion
import django.db.models.functions.comparison
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('akto_portal', '0007_department_table'),
        ('contracts', '0008_contract_rollup'),
    ]

    operations = [
        migrations.RunSQL("DELETE FROM contracts_contractrollup", migrations.RunSQL.noop),
        migrations.RemoveField(model_name='contractrollup', name='by_branch'),
        migrations.RemoveField(model_name='contractrollup', name='by_month'),
        migrations.RemoveField(model_name='contractrollup', name='by_department'),
        migrations.RemoveField(model_name='contractrollup', name='source'),
        migrations.RemoveField(model_name='contractrollup', name='in_total'),
        migrations.RemoveField(model_name='contractrollup', name='in_months'),
        migrations.AddField(
            model_name='contractrollup',
            name='synthetic',
            field=models.BooleanField(default=False),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name='contractrollup',
            constraint=models.UniqueConstraint(
                'grain', 'region', 'year', 'contract_type', 'public',
                django.db.models.functions.comparison.Coalesce('month', 0),
                django.db.models.functions.comparison.Coalesce('branch', 0),
                django.db.models.functions.comparison.Coalesce('department', 0),
                name='contract_rollup_unique_cell',
            ),
        ),
        migrations.AddField(
            model_name='contractcount',
            name='superseded_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='superseded_counts', to='contracts.importbatch', verbose_name="remplacé par l'import"),
        ),
        migrations.AddField(
            model_name='marketstat',
            name='superseded_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='superseded_market_stats', to='contracts.importbatch', verbose_name="remplacé par l'import"),
        ),
        migrations.RemoveConstraint(model_name='contractcount', name='contract_count_unique_fact'),
        migrations.AddConstraint(
            model_name='contractcount',
            constraint=models.UniqueConstraint(
                'region',
                django.db.models.functions.comparison.Coalesce('branch', 0),
                'year',
                django.db.models.functions.comparison.Coalesce('month', 0),
                'contract_type',
                'public',
                django.db.models.functions.comparison.Coalesce('department', 0),
                condition=models.Q(superseded_by__isnull=True),
                name='contract_count_unique_fact',
                violation_error_message="Ce chiffre existe déjà (même région, branche, département, période, type de contrat et public) : modifiez-le plutôt que d'en ajouter un second.",
            ),
        ),
        migrations.RemoveConstraint(model_name='marketstat', name='market_stat_unique'),
        migrations.AddConstraint(
            model_name='marketstat',
            constraint=models.UniqueConstraint(
                django.db.models.functions.comparison.Coalesce('region', 0),
                django.db.models.functions.comparison.Coalesce('department', 0),
                'year',
                django.db.models.functions.comparison.Coalesce('month', 0),
                'measure',
                'source',
                condition=models.Q(superseded_by__isnull=True),
                name='market_stat_unique',
                violation_error_message="Cette statistique existe déjà pour ce territoire, cette période et cette source : modifiez-la plutôt que d'en ajouter une seconde.",
            ),
        ),
    ]
