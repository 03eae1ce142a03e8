"""Contract figures: how many new contracts, where, when, and against which target.

A figure is a count for a region, a period (a month, or a whole year when only the
yearly total is known), a contract type and a public, optionally for one branch.
Several granularities may coexist for the same series (a published yearly total
and a monthly breakdown by branch); `contracts.figures` states (and applies) the rule that
keeps a year from ever being counted twice.
"""

import uuid
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, router, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce

from akto_portal import formats
from akto_portal.locking import VersionedModel
from akto_portal.models import Branch, Department, Qualifier, Region, Source

_M = TypeVar("_M", bound=models.Model)

# Short French month names, January first ("janv." … "déc."): akto_portal.formats.
MONTHS_FR = formats.MONTHS


class ContractType(models.TextChoices):
    APPRENTISSAGE = "apprentissage", "Apprentissage"
    PROFESSIONNALISATION = "professionnalisation", "Professionnalisation"


class Public(models.TextChoices):
    """`RQTH` figures are a subset of `ALL` figures: never add the two."""

    ALL = "all", "Tous publics"
    RQTH = "rqth", "Personnes en situation de handicap (RQTH)"


class ContractCountQuerySet(models.QuerySet["ContractCount"]):
    """Every bulk write of contract counts keeps the rollup (`ContractRollup`) right, in
    the same transaction: the (region, year) series it touches are computed again."""

    def bulk_create(
        self, objs: Iterable["ContractCount"], *args: Any, **kwargs: Any
    ) -> list["ContractCount"]:
        from contracts.rollup import rollup_refresh

        objs = list(objs)
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            rollup_refresh(series={(o.region_id, o.year) for o in objs}, using=self.db)
        return created

    def bulk_update(
        self, objs: Iterable["ContractCount"], fields: Iterable[str], *args: Any, **kwargs: Any
    ) -> int:
        from contracts.rollup import rollup_refresh

        objs = list(objs)
        with transaction.atomic(using=self.db):
            before = self._series_of([o.pk for o in objs])
            updated = super().bulk_update(objs, fields, *args, **kwargs)
            rollup_refresh(series=before | {(o.region_id, o.year) for o in objs}, using=self.db)
        return updated

    def update(self, **kwargs: Any) -> int:
        from contracts.rollup import rollup_refresh

        with transaction.atomic(using=self.db):
            moves = bool({"region", "region_id", "year"} & set(kwargs))
            pks = list(self.values_list("pk", flat=True)) if moves else []
            before = self._series()
            updated = super().update(**kwargs)
            rollup_refresh(series=before | self._series_of(pks), using=self.db)
        return updated

    update.alters_data = True  # type: ignore[attr-defined]

    def delete(self) -> tuple[int, dict[str, int]]:
        from contracts.rollup import rollup_refresh

        with transaction.atomic(using=self.db):
            before = self._series()
            deleted = super().delete()
            rollup_refresh(series=before, using=self.db)
        return deleted

    delete.alters_data = True  # type: ignore[attr-defined]

    def _series(self) -> set[tuple[int, int]]:
        """The (region_id, year) series of these counts."""
        return set(self.values_list("region_id", "year").distinct().order_by())

    def _series_of(self, pks: list[int]) -> set[tuple[int, int]]:
        """The series of the counts `pks` (in chunks: SQLite bounds a statement's
        parameters)."""
        manager = self.model._base_manager.using(self.db)
        found: set[tuple[int, int]] = set()
        for start in range(0, len(pks), 5000):
            chunk = manager.filter(pk__in=pks[start : start + 5000])
            found |= set(chunk.values_list("region_id", "year").distinct().order_by())
        return found

    def for_year(self, year: int) -> "ContractCountQuerySet":
        return self.filter(year=year)

    def for_region(self, region: Region | None) -> "ContractCountQuerySet":
        return self.filter(region=region) if region is not None else self

    def yearly(self) -> "ContractCountQuerySet":
        return self.filter(month__isnull=True)

    def monthly(self) -> "ContractCountQuerySet":
        return self.filter(month__isnull=False)


class InForceManager(models.Manager[_M]):
    """The statements in force: those no import has superseded (`superseded_by`)."""

    def get_queryset(self) -> models.QuerySet[_M]:
        return super().get_queryset().filter(superseded_by__isnull=True)


class StatementsManager(models.Manager[_M]):
    """Every statement, in force or superseded."""


class ContractCountManager(InForceManager.from_queryset(ContractCountQuerySet)):  # type: ignore[misc]
    pass


class ContractCount(models.Model):
    """Number of new contracts of one series for one period (a month or a whole year):
    a statement about one cell (`contracts.reconcile`). An import that states a cell
    supersedes the earlier statements inside it (`superseded_by`): they are kept, out of
    force, so that undoing the import puts them back exactly."""

    region = models.ForeignKey(
        Region, verbose_name="région", on_delete=models.PROTECT, related_name="contract_counts"
    )
    branch = models.ForeignKey(
        Branch,
        verbose_name="branche",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contract_counts",
        help_text="Vide : toutes branches confondues.",
    )
    department = models.ForeignKey(
        Department,
        verbose_name="département",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contract_counts",
        help_text="Vide : toute la région (un chiffre par département en est le détail).",
    )
    year = models.PositiveSmallIntegerField(
        "année", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    month = models.PositiveSmallIntegerField(
        "mois",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="Vide : total de l'année entière.",
    )
    contract_type = models.CharField("type de contrat", max_length=30, choices=ContractType.choices)
    public = models.CharField("public", max_length=10, choices=Public.choices, default=Public.ALL)
    count = models.PositiveIntegerField("nombre de contrats")
    source = models.ForeignKey(
        Source, verbose_name="source", on_delete=models.PROTECT, related_name="contract_counts"
    )
    superseded_by = models.ForeignKey(
        "ImportBatch",
        verbose_name="remplacé par l'import",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="superseded_counts",
    )

    objects = ContractCountManager()  # in force
    statements = ContractCountQuerySet.as_manager()  # in force or superseded

    # The key of an aggregated fact, as imports and generators build them; the department
    # comes last and may be left out (a fact of the whole region).
    FACT_KEY = (
        "region_id",
        "branch_id",
        "year",
        "month",
        "contract_type",
        "public",
        "department_id",
    )

    class Meta:
        verbose_name = "nombre de contrats"
        verbose_name_plural = "nombres de contrats"
        ordering = ["region", "year", "month"]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=0), name="contract_count_not_negative"),
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12),
                name="contract_count_month_valid",
            ),
            # One figure in force per series and period, "all branches" and "whole year"
            # included.
            models.UniqueConstraint(
                "region",
                Coalesce("branch", 0),
                "year",
                Coalesce("month", 0),
                "contract_type",
                "public",
                Coalesce("department", 0),
                condition=Q(superseded_by__isnull=True),
                name="contract_count_unique_fact",
                violation_error_message=(
                    "Ce chiffre existe déjà (même région, branche, département, période, type "
                    "de contrat et public) : modifiez-le plutôt que d'en ajouter un second."
                ),
            ),
        ]
        indexes = [models.Index(fields=["year", "region"], name="contract_count_year_region")]

    def __str__(self) -> str:
        period = f"{self.month:02d}/{self.year}" if self.month else str(self.year)
        return f"{self.region} {period} : {self.count}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        from contracts.rollup import rollup_refresh

        using = kwargs.get("using") or router_for_write(self)
        with transaction.atomic(using=using):
            before = type(self).objects.using(using)._series_of([self.pk] if self.pk else [])
            super().save(*args, **kwargs)
            rollup_refresh(series=before | {(self.region_id, self.year)}, using=using)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        from contracts.rollup import rollup_refresh

        using = kwargs.get("using") or router_for_write(self)
        with transaction.atomic(using=using):
            before = type(self).objects.using(using)._series_of([self.pk])
            deleted = super().delete(*args, **kwargs)
            rollup_refresh(series=before, using=using)
        return deleted

    def clean(self) -> None:
        """Refuse a figure that would contradict its series: a breakdown adding up to more
        than its whole (`contracts.reconcile`), as imports do."""
        super().clean()
        from contracts.statements import contradictions

        if None in (self.region_id, self.year, self.count) or not self.contract_type:
            return
        found = contradictions(self)
        if found:
            raise ValidationError({"count": found})

    @classmethod
    def from_fact(cls, key: Sequence[Any], count: int, source: Source) -> "ContractCount":
        """A count from a fact key (see FACT_KEY) and its number of contracts."""
        return cls(**dict(zip(cls.FACT_KEY, key, strict=False)), count=count, source=source)


def router_for_write(instance: models.Model) -> str:
    return router.db_for_write(type(instance), instance=instance)


class ContractRollup(models.Model):
    """The contract figures of every series, the reconciliation rule applied
    (`contracts.reconcile`), kept exactly equal to a recomputation from the statements in
    force (`contracts.rollup`): what the readers of `contracts.figures` sum.

    Three grains, each row the figure of one cell of one series (region, year, contract
    type, public): SERIES, the whole region (all branches); BRANCH, one branch of the
    region; DEPARTMENT, one department (all branches). `month` empty: the yearly figure;
    `unbroken`: a yearly figure none of whose months is known at that grain."""

    class Grain(models.IntegerChoices):
        SERIES = 0, "série"
        BRANCH = 1, "par branche"
        DEPARTMENT = 2, "par département"

    grain = models.PositiveSmallIntegerField(choices=Grain.choices)
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    contract_type = models.CharField(max_length=30, choices=ContractType.choices)
    public = models.CharField(max_length=10, choices=Public.choices)
    month = models.PositiveSmallIntegerField(null=True)
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, null=True, related_name="+")
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, related_name="+"
    )
    total = models.IntegerField()
    synthetic = models.BooleanField()
    unbroken = models.BooleanField()

    class Meta:
        verbose_name = "cumul de contrats"
        indexes = [
            models.Index(fields=["grain", "year", "region"], name="contract_rollup_grain_year"),
            models.Index(fields=["branch", "year"], name="contract_rollup_branch_year"),
            models.Index(fields=["department", "year"], name="contract_rollup_dept_year"),
        ]
        constraints = [
            models.UniqueConstraint(
                "grain",
                "region",
                "year",
                "contract_type",
                "public",
                Coalesce("month", 0),
                Coalesce("branch", 0),
                Coalesce("department", 0),
                name="contract_rollup_unique_cell",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} {self.get_grain_display()} : {self.total}"


class ContractTarget(VersionedModel):
    """A target number of new contracts for a year: national (no region), regional, or
    departmental (a department of its region)."""

    year = models.PositiveSmallIntegerField(
        "année", validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    region = models.ForeignKey(
        Region,
        verbose_name="région",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contract_targets",
        help_text="Vide : objectif national.",
    )
    department = models.ForeignKey(
        Department,
        verbose_name="département",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contract_targets",
        help_text="Vide : objectif de toute la région ; sinon un département de la région.",
    )
    contract_type = models.CharField(
        "type de contrat",
        max_length=30,
        choices=ContractType.choices,
        blank=True,
        default="",
        help_text="Vide : tous types de contrats (alternance).",
    )
    public = models.CharField("public", max_length=10, choices=Public.choices, default=Public.ALL)
    value = models.PositiveIntegerField("objectif (contrats)")
    source = models.ForeignKey(
        Source, verbose_name="source", on_delete=models.PROTECT, related_name="contract_targets"
    )

    class Meta:
        verbose_name = "objectif de contrats"
        verbose_name_plural = "objectifs de contrats"
        ordering = ["-year", "region"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="contract_target_not_negative",
                violation_error_message="Un objectif de contrats ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(department__isnull=True) | Q(region__isnull=False),
                name="contract_target_department_in_region",
                violation_error_message=(
                    "Un objectif départemental doit avoir la région de son département."
                ),
            ),
            models.UniqueConstraint(
                "year",
                Coalesce("region", 0),
                Coalesce("department", 0),
                "contract_type",
                "public",
                name="contract_target_unique",
                violation_error_message=(
                    "Un objectif de contrats existe déjà pour cette année, ce territoire, ce type"
                    " de contrat et ce public."
                ),
            ),
        ]

    def __str__(self) -> str:
        scope = self.department or self.region or "National"
        return f"{scope} {self.year} : {self.value}"

    def clean(self) -> None:
        super().clean()
        if self.department is None:
            return
        if self.region_id is None:
            self.region_id = self.department.region_id
        elif self.department.region_id != self.region_id:
            raise ValidationError(
                {
                    "department": f"Le département {self.department} n'est pas dans la "
                    f"région {self.region}."
                }
            )


class MarketStat(models.Model):
    """A figure about the whole apprenticeship market (all OPCOs), e.g. the national
    growth of apprenticeship contracts the press release quotes (+37 % in 2021)."""

    class Measure(models.TextChoices):
        NEW_CONTRACTS = "new_contracts", "Nouveaux contrats d'apprentissage"
        GROWTH_PCT = "growth_pct", "Évolution sur un an (%)"

    region = models.ForeignKey(
        Region,
        verbose_name="région",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="market_stats",
        help_text="Vide : France entière.",
    )
    department = models.ForeignKey(
        Department,
        verbose_name="département",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="market_stats",
        help_text="Vide : toute la région (ou la France) ; sinon un département de la région.",
    )
    year = models.PositiveSmallIntegerField("année")
    month = models.PositiveSmallIntegerField(
        "mois",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="Vide : année entière ; sinon cumul de l'année jusqu'à ce mois inclus.",
    )
    measure = models.CharField("mesure", max_length=20, choices=Measure.choices)
    value = models.DecimalField("valeur", max_digits=12, decimal_places=1)
    qualifier = models.CharField(
        max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT, blank=True
    )
    source = models.ForeignKey(
        Source, verbose_name="source", on_delete=models.PROTECT, related_name="market_stats"
    )
    superseded_by = models.ForeignKey(
        "ImportBatch",
        verbose_name="remplacé par l'import",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="superseded_market_stats",
    )

    objects = InForceManager()  # in force
    statements = StatementsManager()  # in force or superseded

    class Meta:
        verbose_name = "statistique du marché"
        verbose_name_plural = "statistiques du marché"
        ordering = ["-year", "region"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12),
                name="market_stat_month_valid",
            ),
            models.CheckConstraint(
                condition=~Q(measure="new_contracts") | Q(value__gte=0),
                name="market_stat_count_not_negative",
            ),
            models.UniqueConstraint(
                Coalesce("region", 0),
                Coalesce("department", 0),
                "year",
                Coalesce("month", 0),
                "measure",
                "source",
                condition=Q(superseded_by__isnull=True),
                name="market_stat_unique",
                violation_error_message=(
                    "Cette statistique existe déjà pour ce territoire, cette période et cette "
                    "source : modifiez-la plutôt que d'en ajouter une seconde."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region or 'France'} {self.year} {self.get_measure_display()} : {self.value}"


class ImportBatch(models.Model):
    """One imported file: what it was, who imported it, what it wrote and where.

    Its rows point to `source` (a Source of kind "import"), so undoing the batch removes
    exactly those rows. A file already imported (same checksum, in force, all its rows
    still there) is refused. A batch whose rows a later import has all replaced is no
    longer in force (`replaced_by`): its file may be imported again.
    """

    class Layout(models.TextChoices):
        COUNTS = "counts", "Contrats : nombres agrégés"
        CONTRACT_LINES = "contract_lines", "Contrats : une ligne par contrat"
        BAROMETRE = "barometre", "Marché : baromètre de l'action publique"
        IND313 = "ind313", "Marché : indicateur IND-313"

    layout = models.CharField("format", max_length=20, choices=Layout.choices)
    file_name = models.CharField("fichier", max_length=255)
    checksum = models.CharField("empreinte SHA-256", max_length=64, db_index=True)
    size = models.PositiveBigIntegerField("taille (octets)", default=0)
    rows_read = models.PositiveIntegerField("lignes lues", default=0)
    rows_written = models.PositiveIntegerField("chiffres écrits", default=0)
    rows_replaced = models.PositiveIntegerField("chiffres remplacés", default=0)
    scope = models.JSONField("périmètre", default=list, blank=True)
    scope_label = models.TextField("périmètre (résumé)", blank=True)
    source = models.OneToOneField(
        Source, verbose_name="source", on_delete=models.PROTECT, related_name="import_batch"
    )
    created_by = models.ForeignKey(
        "akto_portal.User",
        verbose_name="importé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("importé le", auto_now_add=True)
    undone_at = models.DateTimeField("annulé le", null=True, blank=True)
    undone_by = models.ForeignKey(
        "akto_portal.User",
        verbose_name="annulé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    replaced_at = models.DateTimeField("remplacé le", null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self",
        verbose_name="remplacé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaced",
    )

    class Meta:
        verbose_name = "import de fichier"
        verbose_name_plural = "imports de fichiers"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["checksum"],
                condition=Q(undone_at__isnull=True, replaced_at__isnull=True),
                name="import_batch_checksum_unique_in_force",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_layout_display()})"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None

    @property
    def in_force(self) -> bool:
        return self.undone_at is None and self.replaced_at is None


class ImportJob(models.Model):
    """An uploaded file on its way through the background worker: checked first (a dry
    run whose report is the preview), then, once its uploader confirms, written.

    The file waits in the private staging folder (`contracts.imports.staging`) under
    the job's id, and is deleted once it can no longer be confirmed."""

    class Kind(models.TextChoices):
        CONTRACTS = "contracts", "Contrats de l'OPCO"
        MARKET = "market", "Statistiques publiques du marché"

    class Step(models.TextChoices):
        CHECK = "check", "Vérification"
        WRITE = "write", "Écriture"

    class State(models.TextChoices):
        QUEUED = "queued", "En attente"
        RUNNING = "running", "En cours"
        CHECKED = "checked", "Vérifié"
        DONE = "done", "Importé"
        FAILED = "failed", "Échec"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField("nature", max_length=20, choices=Kind.choices)
    file_name = models.CharField("fichier", max_length=255)
    size = models.PositiveBigIntegerField("taille (octets)", default=0)
    step = models.CharField("étape", max_length=10, choices=Step.choices, default=Step.CHECK)
    state = models.CharField("état", max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)
    report = models.JSONField("rapport", default=dict, blank=True)
    message = models.TextField("message", blank=True)
    batch = models.ForeignKey(
        ImportBatch, verbose_name="import", on_delete=models.SET_NULL, null=True, blank=True
    )
    # While a worker runs the job, it holds it until `lease_until` and renews that lease
    # (a heartbeat); a running job whose lease has passed lost its worker
    # (`contracts.jobs.import_jobs_recover`). `attempts` counts the runs of its step.
    lease_until = models.DateTimeField("bail jusqu'au", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("essais", default=0)
    created_by = models.ForeignKey(
        "akto_portal.User", verbose_name="envoyé par", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField("envoyé le", auto_now_add=True)
    updated_at = models.DateTimeField("mis à jour le", auto_now=True)

    class Meta:
        verbose_name = "fichier en cours d'import"
        verbose_name_plural = "fichiers en cours d'import"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_step_display()} : {self.get_state_display()})"

    @property
    def busy(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total) if self.total else 0
