"""Writes of contract and market figures: file imports and their undoing.

Rules every import follows:

- **All or nothing.** The whole file is read and checked first; one bad line (named
  with its line number and the reason) and nothing is written. Writing happens in one
  transaction.
- **The same file twice changes nothing.** A file whose SHA-256 checksum matches an
  import still in force, all of whose figures remain, is refused. An undone import, or
  one whose figures later imports have replaced, no longer blocks its file.
- **A file changes what it states, and nothing else.** Contract figures: the
  perimeter of a file and the statements it supersedes are `contracts.statements`;
  the preview lists every figure that changes, from what to what, and the write does
  exactly that. Figures from a published document or a manual entry are never
  superseded: a file that would do so is refused, naming the line. Market statistics:
  the perimeter is (region, department or none, year) within the same open-data
  layout; the other layout's figures are kept (`selectors.market_summary` says which
  one wins).
- **Superseded, not deleted.** The statements an import replaces stay in the database,
  out of force (`superseded_by`), so that `import_batch_undo` gives back exactly the
  state before the import: it removes the import's own rows and puts the superseded
  ones back in force.
- **Every import is recorded** (ImportBatch: file name, checksum, who, when, rows,
  scope) with its own Source of kind "import".
"""

import datetime
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import reduce
from operator import or_
from typing import Any, TypeVar

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, Manager, OuterRef, Q, QuerySet
from django.utils import timezone

from akto_portal.models import Source, User
from contracts import statements
from contracts.imports import contracts as contract_files
from contracts.imports import public as public_files
from contracts.imports import staging
from contracts.imports.bulk import bulk_insert, update_in
from contracts.imports.layouts import CONTRACT_LAYOUTS, PUBLIC_LAYOUTS, Layout, detect
from contracts.imports.reading import FileFormatError, Progress, Table, open_table
from contracts.imports.report import ImportReport
from contracts.models import MONTHS_FR, ContractCount, ImportBatch, MarketStat
from contracts.rollup import (
    STATEMENT_FIELDS,
    rollup_deferred,
    rollup_lock,
    rollup_refresh,
    rollup_replace,
    series_q,
)

BULK_SIZE = 5000
PathLike = str | os.PathLike[str]
_Model = TypeVar("_Model", ContractCount, MarketStat)


class ImportRefused(Exception):
    pass


class _Refused(Exception):
    """The write found the file cannot be written (its transaction is rolled back)."""

    def __init__(self, errors: list[tuple[Any, str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _open(
    path: PathLike,
    *,
    report: ImportReport,
    layouts: Sequence[Layout],
    progress: Progress | None,
) -> tuple[Table, Layout] | None:
    try:
        table = open_table(path, progress=progress, workdir=staging.staging_dir())
    except FileFormatError as exc:
        report.error(None, str(exc))
        return None
    except OSError as exc:
        report.error(None, f"Fichier illisible : {exc}")
        return None
    report.checksum, report.size = table.checksum, table.size
    report.file_format = table.describe()
    layout = detect(table.normalized, layouts)
    if layout is None:
        table.close()
        other = detect(
            table.normalized, PUBLIC_LAYOUTS if layouts is CONTRACT_LAYOUTS else CONTRACT_LAYOUTS
        )
        if other is not None:
            label = ImportBatch.Layout(other.key).label
            where = (
                "import_public_stats ou « Statistiques publiques »"
                if layouts is CONTRACT_LAYOUTS
                else "import_contracts ou « Contrats de l'OPCO »"
            )
            report.error(1, f"ce fichier est au format « {label} » : importez-le par {where}")
        else:
            expected = " ; ou ".join(", ".join(lay.canonical) for lay in layouts)
            report.error(
                1,
                f"format non reconnu : en-têtes « {', '.join(table.header)} » ; "
                f"colonnes attendues : {expected}",
            )
        return None
    report.layout = layout.key
    report.layout_label = ImportBatch.Layout(layout.key).label
    already = _in_force(ImportBatch.objects.filter(checksum=table.checksum)).first()
    if already is not None:
        left = _rows_left(already.source)
        if left >= already.rows_written:
            table.close()
            report.already_imported = already
            return None
        # Later imports replaced some of its figures: importing it again brings them back.
        report.previous_import = {"pk": already.pk, "rows_left": left}
    return table, layout


def _in_force(batches: QuerySet[ImportBatch]) -> QuerySet[ImportBatch]:
    return batches.filter(undone_at__isnull=True, replaced_at__isnull=True)


def _rows_left(source: Source) -> int:
    return (
        ContractCount.objects.filter(source=source).count()
        + MarketStat.objects.filter(source=source).count()
    )


def _mark_replaced(*, keep: Source, now: datetime.datetime) -> list[int]:
    """Batches in force none of whose figures remain are replaced (their file may be
    imported again); returns their ids."""
    emptied = list(
        _in_force(ImportBatch.objects.exclude(source=keep))
        .filter(
            ~Exists(ContractCount.objects.filter(source=OuterRef("source"))),
            ~Exists(MarketStat.objects.filter(source=OuterRef("source"))),
        )
        .values_list("pk", flat=True)
    )
    ImportBatch.objects.filter(pk__in=emptied).update(replaced_at=now)
    return emptied


IMPORT_LOCK_KEY = 4_202_205  # any constant: the advisory lock all imports share


def _serialize_imports() -> None:
    """Imports write one at a time: two admins importing overlapping scopes at the same
    moment wait for each other instead of failing. (SQLite serializes writers itself.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])


def _record(
    *,
    report: ImportReport,
    user: User | None,
    write: Callable[[Source, ImportBatch], None],
) -> ImportReport:
    """Create the Source and the ImportBatch, then `write(source, batch)`, which
    supersedes what the file replaces and writes its rows."""
    now = timezone.now()
    try:
        with transaction.atomic(), rollup_deferred():
            _serialize_imports()
            source = Source.objects.create(
                kind=Source.Kind.IMPORT,
                title=f"Import en cours {report.checksum} {now.timestamp()}",
                reference=f"{report.file_name} — SHA-256 {report.checksum}",
                published_on=timezone.localdate(now),
            )
            # The same file imported again supersedes all that is left of its earlier
            # import: that one is replaced (one batch in force per file).
            again = list(
                _in_force(ImportBatch.objects.filter(checksum=report.checksum)).values_list(
                    "pk", flat=True
                )
            )
            ImportBatch.objects.filter(pk__in=again).update(replaced_at=now)
            report.batch = ImportBatch.objects.create(
                layout=report.layout,
                file_name=report.file_name,
                checksum=report.checksum,
                size=report.size,
                rows_read=report.rows_read,
                rows_written=len(report.facts),
                rows_replaced=report.rows_to_replace,
                scope=report.scope,
                scope_label=report.scope_label,
                source=source,
                created_by=user,
            )
            write(source, report.batch)
            emptied = _mark_replaced(keep=source, now=now)
            # Its title only (an update, not `save()`: a saved source has its figures'
            # rollup computed again, in case its kind changed).
            source.title = (
                f"Import n° {report.batch.pk} : {report.file_name} "
                f"({timezone.localtime(now):%d/%m/%Y %H:%M})"
            )
            Source.objects.filter(pk=source.pk).update(title=source.title)
            ImportBatch.objects.filter(pk__in=[*emptied, *again]).update(replaced_by=report.batch)
    except IntegrityError:
        # Another import of the same file won the race.
        report.batch = None
        report.already_imported = _in_force(
            ImportBatch.objects.filter(checksum=report.checksum)
        ).first()
        if report.already_imported is None:
            raise
    return report


# --- contract figures ---------------------------------------------------------------


def _contract_cells(
    facts: Iterable[tuple[Any, ...]],
) -> defaultdict[tuple[int, int, bool, str], set[int]]:
    """{(region_id, year, by_branch, contract_type): {month or 0}} covered by the facts."""
    cells: defaultdict[tuple[int, int, bool, str], set[int]] = defaultdict(set)
    for region_id, branch_id, year, month, contract_type, *_public_department in facts:
        cells[(region_id, year, branch_id is not None, contract_type)].add(month or 0)
    return cells


def _contract_scope(
    cells: dict[tuple[int, int, bool, str], set[int]], lookups: contract_files.Lookups
) -> tuple[list[dict[str, Any]], str]:
    scope: list[dict[str, Any]] = []
    lines: list[str] = []
    by_region_year: defaultdict[tuple[str, int], set[int]] = defaultdict(set)
    for (region_id, year, by_branch, contract_type), months in sorted(cells.items()):
        scope.append(
            {
                "region": region_id,
                "year": year,
                "months": sorted(months),
                "by_branch": by_branch,
                "contract_type": contract_type,
            }
        )
        by_region_year[(lookups.region_names[region_id], year)].update(months)
    for (region_name, year), months in sorted(by_region_year.items()):
        if months == {0}:
            lines.append(f"{region_name} {year} (année entière)")
        else:
            listed = _month_ranges(year, sorted(m for m in months if m))
            if 0 in months:
                listed.insert(0, f"année {year}")
            lines.append(f"{region_name} : {', '.join(listed)}")
    return scope, "\n".join(lines)


def _month_ranges(year: int, months: Iterable[int]) -> list[str]:
    """[1, 2, 3, 4, 7] -> ["janv. à avr. 2024", "juil. 2024"] (three months or more)."""
    runs: list[list[int]] = []
    for month in months:
        if runs and month == runs[-1][-1] + 1:
            runs[-1].append(month)
        else:
            runs.append([month])
    labels = []
    for run in runs:
        if len(run) >= 3:
            first, last = MONTHS_FR[run[0] - 1], MONTHS_FR[run[-1] - 1]
            labels.append(f"{first} à {last} {year}")
        else:
            labels.extend(contract_files.period_label(year, m) for m in run)
    return labels


def _statements_in_force(series: set[tuple[int, int]]) -> set[tuple[Any, ...]]:
    """The statements in force of these (region, year) series, as STATEMENT_FIELDS."""
    return set(
        ContractCount.objects.filter(series_q(series)).order_by().values_list(*STATEMENT_FIELDS)
    )


def _fact_row(key: tuple[Any, ...], count: int, source_id: int) -> tuple[Any, ...]:
    """A count's row (`FACT_KEY`, count, source) from a fact key, the department last and
    possibly left out."""
    return (*key, *(None,) * (len(ContractCount.FACT_KEY) - len(key)), count, source_id)


def contract_import(
    *,
    path: PathLike,
    file_name: str,
    user: User | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    today: datetime.date | None = None,
) -> ImportReport:
    """Read a contract file (counts or contract lines), check it whole, then write it."""
    report = ImportReport(file_name=file_name, dry_run=dry_run)
    opened = _open(path, report=report, layouts=CONTRACT_LAYOUTS, progress=progress)
    if opened is None:
        return report
    table, layout = opened
    today = today or timezone.localdate()
    lookups = contract_files.Lookups()
    try:
        facts = contract_files.parse(
            table,
            layout,
            report=report,
            lookups=lookups,
            today=today,
            reopen=table.reopen,
        )
    except FileFormatError as exc:
        report.error(None, str(exc))
    finally:
        table.close()
    if report.error_count:
        return report
    if not facts:
        report.error(None, "Le fichier ne contient aucune ligne de données.")
        return report
    report.facts = facts
    cells = _contract_cells(facts)
    report.scope, report.scope_label = _contract_scope(cells, lookups)
    by_contract = layout.key == ImportBatch.Layout.CONTRACT_LINES

    def plan() -> statements.Plan:
        planned = statements.plan(facts, by_contract=by_contract, lookups=lookups)
        report.changes, report.change_count = planned.changes, planned.change_count
        report.rows_to_replace = len(planned.superseded)
        return planned

    if dry_run:
        for key, message in plan().errors:
            report.error(report.fact_lines.get(key), message)
        return report

    def write(source: Source, batch: ImportBatch) -> None:
        # Planned under the import lock: an import that landed meanwhile is seen.
        planned = plan()
        if planned.errors:
            raise _Refused(planned.errors)
        batch.rows_replaced = report.rows_to_replace
        batch.save(update_fields=["rows_replaced"])
        update_in(ContractCount, planned.superseded, {"superseded_by_id": batch.pk})
        bulk_insert(
            ContractCount,
            (*ContractCount.FACT_KEY, "count", "source_id"),
            (_fact_row(key, count, source.pk) for key, count in facts.items()),
        )
        # The series' locks, taken after the rows are written as every writer does: the
        # plan's figures are the rollup unless an edit landed since it read the statements.
        series = {(key[0], key[2]) for key in facts}
        rollup_lock(series)
        if _statements_in_force(series) == {
            (*row[:-1], source.pk if row[-1] == statements.NEW_SOURCE else row[-1])
            for row in planned.after
        }:
            rollup_replace(planned.series, planned.figures)
        else:
            rollup_refresh(series=series)

    try:
        return _record(report=report, user=user, write=write)
    except _Refused as refused:
        for key, message in refused.errors:
            report.error(report.fact_lines.get(key), message)
        report.batch = None
        return report


# --- whole-market statistics ----------------------------------------------------------


def market_import(
    *,
    path: PathLike,
    file_name: str,
    user: User | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    today: datetime.date | None = None,
) -> ImportReport:
    """Read a public statistics file (baromètre or IND-313), check it whole, write it."""
    report = ImportReport(file_name=file_name, dry_run=dry_run)
    opened = _open(path, report=report, layouts=PUBLIC_LAYOUTS, progress=progress)
    if opened is None:
        return report
    table, layout = opened
    today = today or timezone.localdate()
    lookups = contract_files.Lookups()
    try:
        facts = public_files.parse(table, layout, report=report, lookups=lookups, today=today)
    except FileFormatError as exc:
        report.error(None, str(exc))
    finally:
        table.close()
    if report.error_count:
        return report
    if not facts:
        report.error(None, "Le fichier ne contient aucun nombre de contrats d'apprentissage.")
        return report
    report.facts = facts
    cells = sorted({(r, y, d) for r, y, _month, d in facts}, key=str)
    report.scope = [
        {"region": r, "year": y, **({"department": d} if d else {})} for r, y, d in cells
    ]
    by_zone: defaultdict[str, list[int]] = defaultdict(list)
    for region_id, year, department_id in cells:
        zone = (
            lookups.department_names[department_id]
            if department_id
            else lookups.region_names.get(region_id, "France")
        )
        by_zone[zone].append(year)
    report.scope_label = "\n".join(
        f"{zone} : {', '.join(map(str, sorted(years)))}" for zone, years in sorted(by_zone.items())
    )
    report.summary = [
        {
            "region": (
                lookups.department_names[department_id]
                if department_id
                else lookups.region_names.get(region_id, "France")
            ),
            "year": year,
            "period": "année entière" if month is None else f"cumul à fin {month:02d}/{year}",
            "count": value,
        }
        for (region_id, year, month, department_id), value in sorted(
            facts.items(),
            key=lambda kv: (str(kv[0][0]), str(kv[0][3] or ""), kv[0][1], kv[0][2] or 13),
        )
    ]
    in_scope = MarketStat.objects.filter(
        measure=MarketStat.Measure.NEW_CONTRACTS,
        source__kind=Source.Kind.IMPORT,
        source__import_batch__layout=layout.key,
    ).filter(
        reduce(
            or_,
            (
                Q(region__isnull=True, year=y)
                if r is None
                else Q(region_id=r, year=y, department_id=d)
                for r, y, d in cells
            ),
        )
    )
    report.rows_to_replace = in_scope.count()
    if dry_run:
        return report

    def write(source: Source, batch: ImportBatch) -> None:
        _supersede(MarketStat.objects, list(in_scope.values_list("pk", flat=True)), batch)
        MarketStat.objects.bulk_create(
            MarketStat(
                region_id=region_id,
                department_id=department_id,
                year=year,
                month=month,
                measure=MarketStat.Measure.NEW_CONTRACTS,
                value=value,
                source=source,
            )
            for (region_id, year, month, department_id), value in facts.items()
        )

    return _record(report=report, user=user, write=write)


# --- undoing ----------------------------------------------------------------------------


def _supersede(manager: Manager[MarketStat], pks: list[int], batch: ImportBatch) -> None:
    """Put the rows `pks` out of force, superseded by `batch` (in chunks: SQLite bounds
    a statement's parameters)."""
    for start in range(0, len(pks), BULK_SIZE):
        manager.filter(pk__in=pks[start : start + BULK_SIZE]).update(superseded_by=batch)


def _later_batch(model: type[_Model], batch: ImportBatch) -> ImportBatch | None:
    """The import that superseded some of this import's rows, if any."""
    pk = (
        model.statements.filter(source=batch.source, superseded_by__isnull=False)
        .values_list("superseded_by", flat=True)
        .first()
    )
    return None if pk is None else ImportBatch.objects.get(pk=pk)


def _restoring_collides(batch: ImportBatch) -> ImportBatch | None:
    """The import whose rows in force hold a cell that undoing `batch` would put back."""
    restored = ContractCount.statements.filter(superseded_by=batch)
    keys = set(restored.values_list(*ContractCount.FACT_KEY))
    if not keys:
        return None
    series = {(k[0], k[2]) for k in keys}
    for *key, source_id in (
        ContractCount.objects.filter(series_q(series))
        .exclude(source=batch.source)
        .values_list(*ContractCount.FACT_KEY, "source")
    ):
        if tuple(key) in keys:
            return ImportBatch.objects.filter(source_id=source_id).first()
    return None


@transaction.atomic
def import_batch_undo(*, batch: ImportBatch, user: User | None = None) -> int:
    """Give back the state before this import: remove the rows it wrote and put back in
    force the rows it superseded (and the earlier imports it had emptied). The record
    stays, marked undone, and its file may be imported again.

    Refused while a later import in force replaced some of its rows (undo that one
    first): undoing imports in the reverse order of their writes is always possible."""
    _serialize_imports()
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.is_undone:
        raise ImportRefused(f"L'import « {batch} » est déjà annulé.")
    later = (
        _later_batch(ContractCount, batch)
        or _later_batch(MarketStat, batch)
        or _restoring_collides(batch)
    )
    if later is not None:
        raise ImportRefused(
            f"Des chiffres de l'import « {batch} » ont été remplacés depuis par l'import "
            f"n° {later.pk} « {later.file_name} » : annulez d'abord celui-ci."
        )
    with rollup_deferred():
        removed, _ = ContractCount.statements.filter(source=batch.source).delete()
        removed_market, _ = MarketStat.statements.filter(source=batch.source).delete()
        ContractCount.statements.filter(superseded_by=batch).update(superseded_by=None)
        MarketStat.statements.filter(superseded_by=batch).update(superseded_by=None)
    ImportBatch.objects.filter(replaced_by=batch).update(replaced_at=None, replaced_by=None)
    batch.undone_at = timezone.now()
    batch.undone_by = user
    batch.save(update_fields=["undone_at", "undone_by"])
    return removed + removed_market


def import_batch_undo_note(batch: ImportBatch) -> str:
    """What undoing this import gives back, in French, for the person undoing it."""
    if not batch.rows_replaced:
        return "Il n'avait remplacé aucun chiffre : rien d'autre n'est à rétablir."
    earlier = [f"n° {b.pk} « {b.file_name} »" for b in batch.replaced.order_by("pk")]
    where = (
        f" (dont ceux de l'import {', '.join(earlier)}, de nouveau en vigueur)" if earlier else ""
    )
    return f"Les {batch.rows_replaced} chiffre(s) qu'il avait remplacés sont rétablis{where}."
