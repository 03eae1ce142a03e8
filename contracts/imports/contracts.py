"""Contract files -> ContractCount figures, in one streaming pass.

Two layouts: *counts* (one row per figure) and *contract lines* (one row per contract,
as a management system exports them), aggregated while reading into a dict keyed by
the figure's key (region, branch, year, month, contract type, public, department):
memory grows with the number of figures, not with the number of lines. Contract lines
keep nothing of a contract but what the figures need — the workplace's department
included, when the file gives it.

A department is a breakdown of its region (see contracts.figures). When some lines of a
series (region, year, contract type) give no department, that series is kept for the
whole region only: adding up its department figures would leave those lines out.

Each contract is counted once: a contract number seen twice is a bad line (nothing is
written). Finding repeats without a set that grows with the file: every number is
hashed into a fixed 16 MiB Bloom filter (three bits per number, by double hashing of
Python's string hash); a number whose bits are all set already is only *possibly* a
repeat and goes to a small candidate set.
Candidates (about 10 per million contracts by chance, plus the true repeats) are
checked exactly in a second, lean pass that reads the contract-number column again.
"""

import datetime
import gc
from collections.abc import Callable, Iterable
from typing import Any

from akto_portal.models import Branch, Department, Region
from contracts.imports.layouts import COUNTS, Layout
from contracts.imports.reading import (
    Table,
    cell_text,
    normalize_header,
    parse_date,
    parse_int,
)
from contracts.imports.report import ImportReport
from contracts.models import MONTHS_FR, ContractType, Public

TRUE_FLAGS = {"1", "oui", "o", "vrai", "true", "x", "y", "yes"}
FALSE_FLAGS = {"", "0", "non", "n", "faux", "false", "no"}
DIPLOMA_LEVELS = {"3", "4", "5", "6", "7", "8"}


class Lookups:
    """Reference data resolved once per import: codes and names -> ids."""

    def __init__(self) -> None:
        self.regions: dict[str, int] = {}
        self.region_names: dict[int, str] = {}
        for region in Region.objects.all():
            self.regions[region.code] = region.pk
            self.regions[normalize_header(region.name)] = region.pk
            self.region_names[region.pk] = region.name
        self.departments: dict[str, int] = {}
        self.department_ids: dict[str, int] = {}
        self.department_names: dict[int, str] = {}
        for pk, code, name, region_id in Department.objects.values_list(
            "pk", "code", "name", "region_id"
        ):
            self.departments[code] = region_id
            self.department_ids[code] = pk
            self.department_names[pk] = f"{code} {name}"
        self.branches: dict[str, int] = {}
        self.branch_names: dict[int, str] = {}
        for branch in Branch.objects.all():
            if branch.idcc:
                self.branches[branch.idcc] = branch.pk
            self.branches[normalize_header(branch.name)] = branch.pk
            self.branch_names[branch.pk] = branch.name

    def region(self, value: object) -> int | None:
        text = cell_text(value)
        if text.isdigit():
            text = text.zfill(2)
        return self.regions.get(text) or self.regions.get(normalize_header(text))

    def department(self, value: object) -> int | None:
        """The region id of a department code ("14", "2A", "974"), or None."""
        return self.departments.get(self._department_code(value))

    def department_id(self, value: object) -> tuple[int | None, int | None]:
        """(department id, region id) of a department code, or (None, None)."""
        code = self._department_code(value)
        return self.department_ids.get(code), self.departments.get(code)

    @staticmethod
    def _department_code(value: object) -> str:
        text = cell_text(value).upper()
        if text.isdigit() and len(text) < 2:
            text = text.zfill(2)
        return text

    def branch(self, value: object) -> int | None:
        text = cell_text(value)
        if text.isdigit():
            return self.branches.get(text.zfill(4))
        return self.branches.get(normalize_header(text))


def contract_type_of(value: object) -> str | None:
    text = normalize_header(value)
    if text in ("a", "ca") or text.startswith(("app", "contrat_d_app", "contrat_app")):
        return ContractType.APPRENTISSAGE.value
    if text in ("p", "cp") or text.startswith(("pro", "contrat_de_pro", "contrat_pro")):
        return ContractType.PROFESSIONNALISATION.value
    return None


def public_of(value: object) -> str | None:
    text = normalize_header(value)
    if text in ("", "all", "tous", "tous_publics", "tout_public"):
        return Public.ALL.value
    if text in ("rqth", "handicap", "th"):
        return Public.RQTH.value
    return None


def period_label(year: int, month: int | None) -> str:
    return f"{MONTHS_FR[month - 1]} {year}" if month else str(year)


# (region, branch, year, month, contract type, public, department): ContractCount.FACT_KEY
FactKey = tuple[Any, ...]
BLOOM_BITS = 27  # 2**27 bits = 16 MiB
BLOOM_MASK = (1 << BLOOM_BITS) - 1


def parse(
    table: Table,
    layout: Layout,
    *,
    report: ImportReport,
    lookups: Lookups,
    today: datetime.date,
    reopen: Callable[[], Table] | None = None,
) -> dict[FactKey, int]:
    """Check and aggregate a contract file; `reopen()` gives the table again, for the
    second pass that confirms repeated contract numbers."""
    positions, ignored, missing = layout.resolve(table.normalized)
    report.ignored_columns = ignored
    if missing:
        report.error(1, "colonne(s) obligatoire(s) absente(s) : " + ", ".join(missing))
        return {}
    width = len(table.header)
    collecting = gc.isenabled()
    gc.disable()  # millions of short-lived rows, no cycle: the collector would only slow
    try:
        if layout is COUNTS:
            facts = _parse_counts(table.rows, positions, width, report, lookups, today)
        else:
            facts, candidates = _parse_lines(table.rows, positions, width, report, lookups, today)
            if candidates and reopen is not None:
                _report_repeats(reopen, positions["contract_number"], candidates, report)
    finally:
        if collecting:
            gc.enable()
    return facts


def _report_repeats(
    reopen: Callable[[], Table], index: int, candidates: set[str], report: ImportReport
) -> None:
    """Second pass: name every line whose contract number (one of the `candidates`, the
    numbers the Bloom filter took for possible repeats) appeared on an earlier line."""
    first_seen: dict[str, int] = {}
    repeats: list[tuple[int, str, int]] = []
    table = reopen()
    column = (
        table.column(index)
        if table.column is not None
        else ((line, values[index]) for line, values in table.rows if len(values) > index)
    )
    try:
        for line, value in column:
            if value in candidates:
                number = value
            elif value[:1].isspace() or value[-1:].isspace():
                number = cell_text(value)
                if number not in candidates:
                    continue
            else:
                continue
            if number in first_seen:
                repeats.append((line, number, first_seen[number]))
            else:
                first_seen[number] = line
    finally:
        table.close()
    for line, number, first in repeats:
        report.error(line, f"contrat n° {number} en double (déjà ligne {first})")
    report.errors.sort(key=lambda e: e.line or 0)


def _parse_counts(
    rows: Iterable[tuple[int, list[str]]],
    pos: dict[str, int],
    width: int,
    report: ImportReport,
    lookups: Lookups,
    today: datetime.date,
) -> dict[FactKey, int]:
    facts: dict[FactKey, int] = {}
    first_line: dict[FactKey, int] = {}
    i_region, i_year, i_type, i_count = (
        pos["region"],
        pos["year"],
        pos["contract_type"],
        pos["count"],
    )
    i_branch, i_month, i_public = pos.get("branch"), pos.get("month"), pos.get("public")
    i_department = pos.get("department")
    for line, values in rows:
        report.rows_read += 1
        if len(values) != width:
            report.error(line, f"{len(values)} colonnes au lieu de {width}")
            continue
        problems = []
        region_id = lookups.region(values[i_region])
        if region_id is None:
            problems.append(f"code région inconnu « {cell_text(values[i_region])} »")
        branch_id = None
        if i_branch is not None and cell_text(values[i_branch]):
            branch_id = lookups.branch(values[i_branch])
            if branch_id is None:
                problems.append(f"branche ou IDCC inconnu « {cell_text(values[i_branch])} »")
        department_id = None
        if i_department is not None and cell_text(values[i_department]):
            department_id, department_region = lookups.department_id(values[i_department])
            if department_id is None:
                problems.append(f"code département inconnu « {cell_text(values[i_department])} »")
            elif region_id is not None and department_region != region_id:
                problems.append(
                    f"le département « {cell_text(values[i_department])} » n'est pas dans la "
                    f"région « {cell_text(values[i_region])} »"
                )
        try:
            year = parse_int(values[i_year])
            if not 2000 <= year <= 2100:
                raise ValueError
        except ValueError:
            year = None
            problems.append(f"année invalide « {cell_text(values[i_year])} »")
        month = None
        if i_month is not None and cell_text(values[i_month]):
            try:
                month = parse_int(values[i_month])
                if not 1 <= month <= 12:
                    raise ValueError
            except ValueError:
                problems.append(f"mois invalide « {cell_text(values[i_month])} » (1 à 12)")
        contract_type = contract_type_of(values[i_type])
        if contract_type is None:
            problems.append(f"type de contrat inconnu « {cell_text(values[i_type])} »")
        public: str | None = Public.ALL.value
        if i_public is not None:
            public = public_of(values[i_public])
            if public is None:
                problems.append(f"public inconnu « {cell_text(values[i_public])} » (all ou rqth)")
        try:
            count = parse_int(values[i_count])
            if count < 0:
                problems.append(f"nombre négatif ({count})")
        except ValueError:
            count = None
            problems.append(f"nombre invalide « {cell_text(values[i_count])} »")
        if year and (year > today.year or (year == today.year and (month or 0) > today.month)):
            problems.append(f"période future ({period_label(year, month)})")
        if problems:
            report.error(line, " ; ".join(problems))
            continue
        key = (region_id, branch_id, year, month, contract_type, public, department_id)
        if key in first_line:
            report.error(line, f"ligne en double : même chiffre que la ligne {first_line[key]}")
            continue
        first_line[key] = line
        assert count is not None  # else a problem was reported
        facts[key] = count
    report.fact_lines = first_line
    return facts


CACHE_SIZE = 100_000  # distinct values remembered per column (bounded memory)


def _date_check(
    raw: str, today: datetime.date, what: str
) -> tuple[datetime.date | None, str | None]:
    """(date or None, problem or None) of a date cell; `what`: "début" or "rupture"."""
    try:
        day = parse_date(raw)
    except ValueError:
        return None, f"date de {what} invalide « {cell_text(raw)} »"
    if day > today:
        return day, f"date de {what} dans le futur ({day:%d/%m/%Y})"
    return day, None


def _rqth_check(raw: str) -> tuple[bool, str | None]:
    flag = cell_text(raw).lower()
    if flag in TRUE_FLAGS:
        return True, None
    if flag in FALSE_FLAGS:
        return False, None
    return False, f"indicateur RQTH invalide « {flag} » (oui ou non)"


def _uai_problem(uai: str) -> str:
    return f"UAI du CFA invalide « {uai} » (7 chiffres et une lettre)"


def _level_check(raw: str) -> str | None:
    level = cell_text(raw)
    if level and level not in DIPLOMA_LEVELS:
        return f"niveau de diplôme invalide « {level} » (3 à 8)"
    return None


class _Checked(dict[str, Any]):
    """A cell's check, computed once per distinct value (a file holds a few hundred
    dates, departments, branches...); forgotten past CACHE_SIZE values."""

    def __init__(self, check: Callable[[str], Any]) -> None:
        super().__init__()
        self.check = check

    def __missing__(self, raw: str) -> Any:
        if len(self) >= CACHE_SIZE:
            self.clear()
        result = self[raw] = self.check(raw)
        return result


def _parse_lines(
    rows: Iterable[tuple[int, list[str]]],
    pos: dict[str, int],
    width: int,
    report: ImportReport,
    lookups: Lookups,
    today: datetime.date,
) -> tuple[dict[FactKey, int], set[str]]:
    """One pass, line by line; each column's distinct values are checked once (cached),
    so a line costs a few dictionary lookups. Values are strings (reading.Table)."""
    facts: dict[FactKey, int] = {}
    first_line: dict[FactKey, int] = {}
    bloom = bytearray(1 << (BLOOM_BITS - 3))
    candidates = set()
    i_number, i_start, i_branch, i_type = (
        pos["contract_number"],
        pos["start_date"],
        pos["branch"],
        pos["contract_type"],
    )
    i_region, i_department = pos.get("region"), pos.get("department")
    i_rqth, i_uai = pos.get("rqth"), pos.get("uai")
    i_level, i_break = pos.get("diploma_level"), pos.get("break_off_date")
    region_cache: dict[str, int | None] = {}
    department_cache: dict[str, tuple[int | None, int | None]] = {}
    branch_cache: dict[str, int | None] = {}
    type_cache: dict[str, str | None] = {}
    starts = _Checked(lambda raw: _date_check(raw, today, "début"))
    breaks = _Checked(lambda raw: _date_check(raw, today, "rupture"))
    rqths, levels = _Checked(_rqth_check), _Checked(_level_check)
    all_public, rqth_public = Public.ALL.value, Public.RQTH.value
    mask = BLOOM_MASK
    for line, values in rows:
        report.rows_read += 1
        if len(values) != width:
            report.error(line, f"{len(values)} colonnes au lieu de {width}")
            continue
        problems = []
        number = values[i_number].strip()
        if not number:
            problems.append("numéro de contrat manquant")
        start, problem = starts[values[i_start]]  # None when invalid; a future date kept
        if problem:
            problems.append(problem)
        region_id = department_id = None
        department_raw = ""
        if i_department is not None and values[i_department].strip():
            raw = department_raw = values[i_department]
            found = department_cache.get(raw)
            if found is None:
                found = department_cache[raw] = lookups.department_id(raw)
            department_id, region_id = found
            if department_id is None:
                problems.append(f"code département inconnu « {cell_text(raw)} »")
        if i_region is not None and values[i_region].strip():
            raw = values[i_region]
            given = region_cache.get(raw)
            if given is None:
                given = region_cache[raw] = lookups.region(raw)
            if given is None:
                problems.append(f"code région inconnu « {cell_text(raw)} »")
            elif region_id is not None and given != region_id:
                problems.append(
                    f"le département « {cell_text(department_raw)} » n'est pas dans la "
                    f"région « {cell_text(raw)} »"
                )
            region_id = given
        elif i_department is None:
            problems.append("région du lieu de travail manquante")
        elif not values[i_department].strip():
            problems.append("code département inconnu « »")
        raw = values[i_branch]
        branch_id = branch_cache.get(raw)
        if branch_id is None:
            branch_id = branch_cache[raw] = lookups.branch(raw)
        if branch_id is None:
            text = cell_text(raw)
            problems.append(
                f"branche ou IDCC inconnu « {text} »" if text else "branche ou IDCC manquant"
            )
        raw = values[i_type]
        contract_type = type_cache.get(raw)
        if contract_type is None:
            contract_type = type_cache[raw] = contract_type_of(raw)
        if contract_type is None:
            problems.append(f"type de contrat inconnu « {cell_text(raw)} »")
        rqth = False
        if i_rqth is not None:
            rqth, problem = rqths[values[i_rqth]]
            if problem:
                problems.append(problem)
        if i_uai is not None:  # mostly distinct values: checked, not remembered
            uai = values[i_uai].strip()
            if uai and not (len(uai) == 8 and uai[:7].isdigit() and uai[7].isalpha()):
                problems.append(_uai_problem(uai))
        if i_level is not None and (problem := levels[values[i_level]]):
            problems.append(problem)
        if i_break is not None and values[i_break].strip():
            break_off, problem = breaks[values[i_break]]
            if problem:
                problems.append(problem)
            elif start is not None and break_off < start:
                problems.append("date de rupture avant la date de début")
        if number:
            # Three bits by double hashing of the string's hash (stable in this process).
            digest = hash(number)
            h1, h2 = digest & 0xFFFFFFFF, (digest >> 32) & 0xFFFFFFFF
            a, b, c = h1 & mask, (h1 + h2) & mask, (h1 + 2 * h2) & mask
            ba, bb, bc = 1 << (a & 7), 1 << (b & 7), 1 << (c & 7)
            a, b, c = a >> 3, b >> 3, c >> 3
            if bloom[a] & ba and bloom[b] & bb and bloom[c] & bc:
                candidates.add(number)
            else:
                bloom[a] |= ba
                bloom[b] |= bb
                bloom[c] |= bc
        if problems:
            report.error(line, " ; ".join(problems))
            continue
        year, month = start.year, start.month
        key = (region_id, branch_id, year, month, contract_type, all_public, department_id)
        if key in facts:
            facts[key] += 1
        else:
            facts[key] = 1
            first_line[key] = line
        if rqth:
            key = (region_id, branch_id, year, month, contract_type, rqth_public, department_id)
            if key in facts:
                facts[key] += 1
            else:
                facts[key] = 1
                first_line[key] = line
    if i_department is not None:
        facts, first_line = _whole_regions_where_departments_miss(facts, first_line)
    report.fact_lines = first_line
    return facts, candidates


def _whole_regions_where_departments_miss(
    facts: dict[FactKey, int], first_line: dict[FactKey, int]
) -> tuple[dict[FactKey, int], dict[FactKey, int]]:
    """Series (region, year, contract type) some of whose lines give no department are
    kept for the whole region only (their department figures would not add up to it)."""
    partial = {(k[0], k[2], k[4]) for k in facts if k[6] is None}
    if not partial:
        return facts, first_line
    merged: dict[FactKey, int] = {}
    lines: dict[FactKey, int] = {}
    for key, count in facts.items():
        if (key[0], key[2], key[4]) in partial:
            whole = (*key[:6], None)
            merged[whole] = merged.get(whole, 0) + count
            lines[whole] = min(lines.get(whole, first_line[key]), first_line[key])
        else:
            merged[key] = count
            lines[key] = first_line[key]
    return merged, lines
