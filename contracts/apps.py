import sys
from collections.abc import Collection
from typing import Any

from django.apps import AppConfig
from django.db.models import Model
from django.db.models.signals import post_migrate, post_save


def _fill_rollup(using: str, **kwargs: Any) -> None:
    """After `migrate`: a rollup emptied by a migration (or never filled) is computed from
    the counts already there."""
    from contracts.models import ContractCount, ContractRollup
    from contracts.rollup import rollup_refresh

    if ContractRollup.objects.using(using).exists():
        return
    if ContractCount.objects.using(using).exists():
        rollup_refresh(using=using)


def _loaded_count(sender: type[Model], instance: Any, raw: bool, using: str, **kwargs: Any) -> None:
    """`loaddata` saves counts raw (no `save()` of ours): refresh their series."""
    if raw:
        from contracts.rollup import rollup_refresh

        rollup_refresh(series={(instance.region_id, instance.year)}, using=using)


def _sources_changed(sender: type[Model], pks: Collection[int], using: str, **kwargs: Any) -> None:
    """Sources made synthetic or no longer synthetic: their figures' flag follows."""
    from contracts.models import ContractCount
    from contracts.rollup import rollup_refresh

    series = ContractCount.objects.using(using).filter(source_id__in=pks)._series()
    rollup_refresh(series=series, using=using)


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Contrats et marché"

    def ready(self) -> None:
        from akto_portal import rollups
        from akto_portal.models import source_kinds_changed
        from contracts import indicators  # noqa: F401  (registers its computed indicators)
        from contracts.models import ContractCount
        from contracts.rollup import rollup_differences

        post_migrate.connect(_fill_rollup, sender=self, dispatch_uid="contracts_fill_rollup")
        post_save.connect(_loaded_count, sender=ContractCount, dispatch_uid="contracts_loaddata")
        source_kinds_changed.connect(_sources_changed, dispatch_uid="contracts_source_kinds")
        rollups.register("Le cumul des contrats (contracts_contractrollup)", rollup_differences)

        if sys.argv[1:2] == ["db_worker"]:
            # The background worker also takes back, at startup and then every half
            # lease, the jobs whose worker died (even when no new job comes).
            from contracts import jobs

            jobs.start_lost_job_watch()
