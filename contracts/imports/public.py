"""Whole-market statistics (all OPCOs) from two open-data layouts -> MarketStat rows.

- *Baromètre des résultats de l'action publique*, regional file: the rows whose
  `id_indicateur` is `nombre-contrats-apprentissage` give new apprenticeship contracts
  of a region; dated 31 December, the figure is the whole year's; dated the last day
  of another month, it is the year-to-date figure through that month.
- *IND-313*: `indic_va` is the cumulative year-to-date number of new contracts, one row
  per month, dated the first day of that month; we read the row dated 1 March 2024 as
  "January to March 2024" (the month it labels). The series restarts every January:
  monthly new contracts are differences within one year, never across years.
  `maille` NAT (zone FRANCE) is France, REG (zone R28) a region, DEPT (zone D14, D2A,
  D971) a department, kept with its region (MarketStat.department): a breakdown of the
  region, never added to it.

Values are stored as MarketStat(measure=new_contracts): month empty for a whole year,
otherwise the cumulative figure from January through that month. A fact's key is
(region id or None, year, month or None, department id or None).
"""

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from contracts.imports.contracts import Lookups
from contracts.imports.layouts import BAROMETRE, Layout
from contracts.imports.reading import Table, cell_text, parse_date
from contracts.imports.report import ImportReport

# (region id or None, year, month or None, department id or None) -> the value
MarketKey = tuple[Any, ...]
Row = tuple[MarketKey, Decimal] | None

APPRENTICESHIP_INDICATOR = "nombre-contrats-apprentissage"
FRANCE_CODES = {"", "fr", "fra", "france", "nat", "00"}


def parse_decimal(value: object) -> Decimal:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value))
    text = cell_text(value).replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    return Decimal(text.replace(",", "."))


def parse(
    table: Table,
    layout: Layout,
    *,
    report: ImportReport,
    lookups: Lookups,
    today: datetime.date,
) -> dict[MarketKey, Decimal]:
    positions, ignored, missing = layout.resolve(table.normalized)
    report.ignored_columns = ignored
    if missing:
        report.error(1, "colonne(s) obligatoire(s) absente(s) : " + ", ".join(missing))
        return {}
    width = len(table.header)
    facts: dict[MarketKey, Decimal] = {}
    first_line: dict[MarketKey, int] = {}
    parse_row = _barometre_row if layout is BAROMETRE else _ind313_row
    for line, values in table.rows:
        report.rows_read += 1
        if len(values) != width:
            report.error(line, f"{len(values)} colonnes au lieu de {width}")
            continue
        problems: list[str] = []
        row = parse_row(values, positions, lookups, today, problems)
        if problems:
            report.error(line, " ; ".join(problems))
            continue
        if row is None:
            report.rows_ignored += 1
            continue
        key, value = row
        if key in first_line:
            report.error(line, f"ligne en double : même période que la ligne {first_line[key]}")
            continue
        first_line[key] = line
        facts[key] = value
    _check_cumulative(facts, first_line, report)
    report.fact_lines = first_line
    report.ignored_note = (
        "lignes d'autres indicateurs" if layout is BAROMETRE else "lignes sans valeur réalisée"
    )
    return facts


def _value(raw: str, problems: list[str]) -> Decimal | None:
    try:
        value = parse_decimal(raw)
    except (InvalidOperation, ValueError):
        problems.append(f"valeur invalide « {cell_text(raw)} »")
        return None
    if value < 0:
        problems.append(f"valeur négative ({value})")
    return value


def _date(raw: str, today: datetime.date, problems: list[str]) -> datetime.date | None:
    try:
        date = parse_date(raw)
    except ValueError:
        problems.append(f"date invalide « {cell_text(raw)} »")
        return None
    if date > today:
        problems.append(f"date dans le futur ({date:%d/%m/%Y})")
    return date


def _barometre_row(
    values: Sequence[str],
    pos: dict[str, int],
    lookups: Lookups,
    today: datetime.date,
    problems: list[str],
) -> Row:
    if cell_text(values[pos["id_indicateur"]]) != APPRENTICESHIP_INDICATOR:
        return None
    code = cell_text(values[pos["code_region"]])
    region_id = None
    if code.lower() not in FRANCE_CODES:
        region_id = lookups.region(code)
        if region_id is None:
            problems.append(f"code région inconnu « {code} »")
    date = _date(values[pos["date"]], today, problems)
    value = _value(values[pos["valeur"]], problems)
    month = None
    if date is not None:
        last_day = calendar.monthrange(date.year, date.month)[1]
        if date.day != last_day:
            problems.append(f"date {date:%d/%m/%Y} : un cumul se date du dernier jour d'un mois")
        elif date.month != 12:
            month = date.month
    if problems or date is None or value is None:  # a problem was named for a None
        return None
    return (region_id, date.year, month, None), value


def _ind313_row(
    values: Sequence[str],
    pos: dict[str, int],
    lookups: Lookups,
    today: datetime.date,
    problems: list[str],
) -> Row:
    maille = cell_text(values[pos["maille"]]).upper()
    zone = cell_text(values[pos["enforce_zone_id"]]).upper()
    if not cell_text(values[pos["indic_va"]]):
        return None  # a target-only row (future months carry indic_vc alone)
    region_id = department_id = None
    if maille == "DEPT":
        found = lookups.department_id(zone[1:]) if zone.startswith("D") else (None, None)
        department_id, region_id = found
        if department_id is None:
            problems.append(f"code département inconnu « {zone} »")
    elif maille == "NAT":
        if zone != "FRANCE":
            problems.append(f"zone nationale inattendue « {zone} » (FRANCE)")
    elif maille == "REG":
        region_id = lookups.region(zone[1:]) if zone.startswith("R") else None
        if region_id is None:
            problems.append(f"code région inconnu « {zone} »")
    else:
        problems.append(f"maille inconnue « {maille} » (NAT, REG ou DEPT)")
    date = _date(values[pos["metric_enforce_date"]], today, problems)
    value = _value(values[pos["indic_va"]], problems)
    if problems or date is None or value is None:  # a problem was named for a None
        return None
    return (region_id, date.year, date.month, department_id), value


def _check_cumulative(
    facts: dict[MarketKey, Decimal], first_line: dict[MarketKey, int], report: ImportReport
) -> None:
    """Within one year, a cumulative series never decreases (it restarts each January)."""
    series: defaultdict[MarketKey, list[tuple[int, Decimal]]] = defaultdict(list)
    for (region_id, year, month, department_id), value in facts.items():
        if month is not None:
            series[(region_id, year, department_id)].append((month, value))
    for (region_id, year, department_id), points in series.items():
        points.sort()
        for (month_before, before), (month, value) in zip(points, points[1:], strict=False):
            if value < before:
                report.error(
                    first_line[(region_id, year, month, department_id)],
                    f"cumul en baisse : {value:n} à fin {month:02d}/{year} contre "
                    f"{before:n} à fin {month_before:02d}/{year}",
                )
        yearly = facts.get((region_id, year, None, department_id))
        if yearly is not None and points and points[-1][1] > yearly:
            month, value = points[-1]
            report.error(
                first_line[(region_id, year, month, department_id)],
                f"cumul {value:n} à fin {month:02d}/{year} "
                f"supérieur au total de l'année {yearly:n}",
            )


def monthly_from_cumulative(points: Iterable[tuple[int, Decimal]]) -> dict[int, Decimal]:
    """[(month, cumulative)] of one year -> {month: new contracts that month}."""
    result: dict[int, Decimal] = {}
    before = Decimal(0)
    for month, value in sorted(points):
        result[month] = value - before
        before = value
    return result
