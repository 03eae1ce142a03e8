"""The dashboards' tables (django-tables2): rows built from the same figures as the charts,
so a table, its chart, its CSV/XLSX export and the API always agree.

HTML cells are formatted the French way (`render_*`); exports get raw numbers
(`value_*`). A table's totals are given by the page model (dashboards.page), shown in its
footer and exported as the last row; an unknown total stays empty.
"""

from collections.abc import Collection, Iterator, Mapping
from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django_tables2.columns import BoundColumn
from django_tables2.rows import BoundRow

from akto_portal.formats import (
    PERCENT,
    REPORTED_MONTH,
    UNKNOWN,
    month_label,
    number,
    signed_percent,
)
from contracts.facts import Dashboard, Departments
from contracts.pace import CumulativeSeries
from contracts.scope import Scope
from contracts.selectors import MarketSummary
from events.models import EventKind, ParticipantCategory
from events.selectors import NO_MONTH, EventsByDepartment, EventsYear

SYNTHETIC_BADGE = ' <span class="badge synthetic">synthétique</span>'


def _num(value: float | None, record: Mapping[str, Any] | None = None) -> str:
    text = number(value)
    if record and record.get("synthetic") and value is not None:
        return format_html("{}" + SYNTHETIC_BADGE, text)
    return text


def _share(value: float | None) -> str:
    """A share in percent, as precise as the figure: "12,3 %", "100 %"."""
    return UNKNOWN if value is None else f"{number(value)}{PERCENT}"


def _footer(table: "BaseTable", bound_column: BoundColumn) -> str:
    """A footer reads as the cells above it ("−7 %" under "−7 %", never "-6,8")."""
    if bound_column.name in table.total_keys:
        return bound_column.column.text(table.totals().get(bound_column.name))
    return ""


def _label_footer(table: "BaseTable", bound_column: BoundColumn) -> str:
    return table.totals().get("label", "Total")


class NumberColumn(tables.Column):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "attrs", {"td": {"class": "num"}, "th": {"class": "num"}, "tf": {"class": "num"}}
        )
        kwargs.setdefault("footer", _footer)
        super().__init__(*args, **kwargs)

    @staticmethod
    def text(value: Any) -> str:
        return number(value)

    def render(self, value: Any) -> str:
        return self.text(value)

    def value(self, value: Any) -> Any:
        return value


class GrowthColumn(NumberColumn):
    """An evolution in percent, rounded as the sources quote it: "−7 %"."""

    text = staticmethod(signed_percent)


class ShareColumn(NumberColumn):
    """A share in percent, as precise as the figure: "12,3 %"."""

    text = staticmethod(_share)


class BaseTable(tables.Table):
    total_keys: tuple[str, ...] = ()

    def __init__(
        self, data: Any, *args: Any, totals: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(data, *args, **kwargs)
        self._totals = totals or {}

    class Meta:
        attrs = {"class": "data"}
        template_name = "dashboards/_table.html"
        default = "—"

    def cells(self, row: BoundRow) -> Iterator[tuple[str, Any]]:
        """The row's cells, each with its `<td>` attributes, as django-tables2's
        `row.items` renders them, by direct calls (templates/dashboards/_table.html).
        django-tables2 reads the signature of a cell's render method and rebuilds the
        column's attributes at every cell, half of a cold page's table rendering; our
        render methods all take `(value, record)` (columns: `(value)`) and our cell
        attributes do not depend on the row, so both are done once.
        tests/dashboards/test_tables.py checks both renderings are the same."""
        record = row.record
        for column, td, render in self._cell_writers():
            value = record.get(column.accessor)
            if value in column.column.empty_values:
                yield td, column.default
            else:
                yield td, render(value, record) if render else column.column.render(value)

    def _cell_writers(self) -> list[tuple[BoundColumn, str, Any]]:
        if getattr(self, "_writers", None) is None:
            self._writers = [
                (column, column.attrs["td"].as_html(), getattr(self, f"render_{column.name}", None))
                for column in self.columns
            ]
        return self._writers

    def as_values(self, exclude_columns: Collection[str] = ()) -> Iterator[list[Any]]:
        """Header, then the raw value of every row in the table's order (every page)."""
        columns = [
            c
            for c in self.columns.iterall()
            if not (c.column.exclude_from_export or c.name in exclude_columns)
        ]
        yield [str(c.header) for c in columns]
        for row in self.rows:
            yield [row.record.get(c.name) for c in columns]

    def totals(self) -> dict[str, Any]:
        """The footer's figures, as the page model gives them (None: unknown)."""
        return self._totals

    def total_row(self) -> list[Any]:
        columns = [c for c in self.columns.iterall() if not c.column.exclude_from_export]
        totals = self.totals()
        return [
            totals.get("label", "Total") if i == 0 else totals.get(c.name)
            for i, c in enumerate(columns)
        ]


def _link(record: Mapping[str, Any], label: Any) -> str:
    url = record.get("url")
    return format_html('<a href="{}">{}</a>', url, label) if url else label


class RegionTable(BaseTable):
    name = tables.Column("Région", footer=_label_footer)
    contracts = NumberColumn("Contrats à date")
    previous = NumberColumn("Même période N-1")
    growth = GrowthColumn("Évolution (%)")
    target = NumberColumn("Objectif annuel")
    expected = NumberColumn("Attendu à date")
    status = tables.Column("Rythme", orderable=False)
    total_keys = ("contracts", "previous", "growth", "target", "expected")

    class Meta(BaseTable.Meta):
        prefix = "r-"

    def render_name(self, value: Any, record: dict[str, Any]) -> str:
        return _link(record, value)

    def render_contracts(self, value: Any, record: dict[str, Any]) -> str:
        return _num(value, record)

    def render_status(self, value: Any, record: dict[str, Any]) -> str:
        return format_html('<span class="pace {}">{}</span>', record["status_code"], value)


class BranchTable(BaseTable):
    name = tables.Column("Branche", footer=_label_footer)
    contracts = NumberColumn("Contrats à date")
    previous = NumberColumn("Même période N-1")
    growth = GrowthColumn("Évolution (%)")
    share = ShareColumn("Part (%)")
    total_keys = ("contracts", "previous", "growth")

    class Meta(BaseTable.Meta):
        prefix = "b-"
        per_page = 20

    def render_name(self, value: Any, record: dict[str, Any]) -> str:
        return _link(record, value)

    def render_contracts(self, value: Any, record: dict[str, Any]) -> str:
        return _num(value, record)


# The events figures of the department table: those of the region's events headline.
DEPARTMENT_EVENT_MEASURES = ("events", "companies", "training_bodies", "youth")


class DepartmentTable(BaseTable):
    code = tables.Column("Code", footer="")
    name = tables.Column("Département", footer=_label_footer)
    contracts = NumberColumn("Contrats à date")
    previous = NumberColumn("Même période N-1")
    growth = GrowthColumn("Évolution (%)")
    share = ShareColumn("Part de la région (%)")
    market_share = ShareColumn("Part de marché (%)")
    events = NumberColumn("Événements tenus")
    companies = NumberColumn("Entreprises présentes")
    training_bodies = NumberColumn("CFA / OF présents")
    youth = NumberColumn("Jeunes présents")
    total_keys = (
        "contracts",
        "previous",
        "growth",
        "share",
        "market_share",
        *DEPARTMENT_EVENT_MEASURES,
    )

    class Meta(BaseTable.Meta):
        prefix = "d-"
        orderable = False
        row_attrs = {"class": lambda record: "selected" if record.get("current") else ""}

    def render_name(self, value: Any, record: dict[str, Any]) -> str:
        if record.get("current"):
            return format_html('<strong aria-current="page">{}</strong>', value)
        return _link(record, value)

    def render_contracts(self, value: Any, record: dict[str, Any]) -> str:
        return _num(value, record)

    def render_events(self, value: Any, record: dict[str, Any]) -> str:
        return _num(value, {"synthetic": record.get("events_synthetic")})


class MonthTable(BaseTable):
    label = tables.Column("Mois", footer=_label_footer, order_by=("month",))
    contracts = NumberColumn("Contrats")
    cumulative = NumberColumn("Cumul")
    previous = NumberColumn("Contrats N-1")
    previous_cumulative = NumberColumn("Cumul N-1")
    expected_cumulative = NumberColumn("Cumul attendu (objectif)")
    total_keys = ("contracts", "previous")

    class Meta(BaseTable.Meta):
        prefix = "m-"
        per_page = 12

    def render_contracts(self, value: Any, record: dict[str, Any]) -> str:
        return _num(value, record)


class ParticipantsTable(BaseTable):
    """Events held and participants by category: the columns of both events tables."""

    events = NumberColumn("Événements")
    companies = NumberColumn("Entreprises")
    training_bodies = NumberColumn("CFA / OF")
    youth = NumberColumn("Jeunes")
    families = NumberColumn("Familles")
    partners = NumberColumn("Partenaires")
    total_keys = ("events", "companies", "training_bodies", "youth", "families", "partners")

    def render_events(self, value: Any, record: dict[str, Any]) -> str:
        return _num(value, record)


class EventTable(ParticipantsTable):
    kind = tables.Column("Type d'événement", footer=_label_footer)
    axis = tables.Column("Axe du plan d'actions")

    class Meta(BaseTable.Meta):
        prefix = "e-"
        sequence = ("kind", "axis", "...")


class EventMonthTable(ParticipantsTable):
    label = tables.Column("Mois", footer=_label_footer, order_by=("month",))

    class Meta(BaseTable.Meta):
        prefix = "em-"
        per_page = 13
        sequence = ("label", "...")

    def render_events(self, value: Any, record: dict[str, Any]) -> str:
        return _num(value, record)


# --- rows ---------------------------------------------------------------------------------


def region_rows(dashboard: Dashboard) -> list[dict[str, Any]]:
    scope = dashboard.scope
    assert isinstance(scope, Scope)  # the page model's; the links need its query string
    return [
        {
            "name": region.name,
            "code": region.code,
            "contracts": p.contracts,
            "previous": p.previous_value,
            "growth": p.growth,
            "target": p.target_value,
            "expected": p.expected,
            "status": p.status_label or "—",
            "status_code": p.status or "",
            "synthetic": p.synthetic,
            "url": reverse("overview") + "?" + scope.query(region=region.code),
        }
        for region, p in dashboard.region_paces
    ]


def branch_rows(dashboard: Dashboard) -> list[dict[str, Any]]:
    scope = dashboard.scope
    assert isinstance(scope, Scope)  # the page model's; the links need its query string
    rows = [
        {**row, "url": reverse("overview") + "?" + scope.query(branch=row["branch"].pk)}
        for row in dashboard.branch_rows
    ]
    for row in rows:
        del row["branch"]
    if dashboard.unbranched:
        rows.append(
            {**dashboard.unbranched, "previous": None, "growth": None, "share": None, "url": ""}
        )
    return rows


def department_rows(
    departments: Departments,
    market: Mapping[int, MarketSummary],
    events: EventsByDepartment,
    scope: Scope,
) -> list[dict[str, Any]]:
    """The departments of a region, each with the link to its dashboard (the scope's
    filters kept), then the part of its total not known by department (contracts not
    broken down, events without a department and reported totals).
    `market`: {department_id: MarketSummary}."""
    rows: list[dict[str, Any]] = []
    for row in departments.rows:
        pk = row["department"].pk
        summary = market.get(pk)
        figures = events.departments.get(pk, {})
        rows.append(
            {
                **{k: v for k, v in row.items() if k != "department"},
                "market_share": summary.share_pct if summary else None,
                "url": reverse("overview") + "?" + scope.query(department=row["code"]),
                "current": scope.department is not None and scope.department.code == row["code"],
                **{m: figures.get(m) for m in DEPARTMENT_EVENT_MEASURES},
                "events_synthetic": (pk, "events") in events.synthetic,
            }
        )
    if departments.unassigned is not None or events.has_rest:
        rows.append(
            {
                "code": "",
                "name": "Non ventilé par département",
                "contracts": departments.unassigned,
                "previous": None,
                "growth": None,
                "synthetic": False,
                "share": None,
                "market_share": None,
                "url": "",
                "current": False,
                **{m: events.rest.get(m) for m in DEPARTMENT_EVENT_MEASURES},
                "events_synthetic": (None, "events") in events.synthetic,
            }
        )
    return rows


def month_rows(series: CumulativeSeries) -> list[dict[str, Any]]:
    """The months table: the page model's series (DashboardPage.series), one row a month."""
    rows = []
    cumulative, previous = series.cumulative, series.previous_months
    previous_cumulative = series.previous_cumulative
    for m in range(1, 13):
        counted = m <= len(series.months)
        rows.append(
            {
                "month": m,
                "label": month_label(m),
                "contracts": series.months[m - 1].value if counted else None,
                "cumulative": cumulative[m - 1] if counted else None,
                "previous": previous[m - 1].value if previous is not None else None,
                "previous_cumulative": (
                    previous_cumulative[m - 1] if previous_cumulative is not None else None
                ),
                "expected_cumulative": (
                    series.expected_cumulative[m - 1] if series.expected_cumulative else None
                ),
                "synthetic": counted and series.months[m - 1].synthetic,
            }
        )
    return rows


def _axis_label(row: dict[str, Any]) -> str:
    if row.get("reported"):
        return REPORTED_MONTH
    number = row.get("axis__number", row.get("event__axis__number"))
    return f"Axe {number}" if number else "—"


def _event_row(kind: str, source: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": EventKind(kind).label,
        "axis": _axis_label(source),
        "events": None,
        "synthetic": False,
        "reported": bool(source.get("reported")),
        **{c.value: None for c in ParticipantCategory},
    }


def event_rows(events: EventsYear) -> list[dict[str, Any]]:
    """Events and participants by kind and action-plan axis; a reported yearly total is
    a row of its own (it replaces the recorded events of its kind)."""
    rows: dict[tuple[str, Any], dict[str, Any]] = {}
    for r in events.held:
        key = (r["kind"], None if r.get("reported") else r["axis__number"])
        row = rows.setdefault(key, _event_row(r["kind"], r))
        row["events"] = (row["events"] or 0) + r["n"]
        row["synthetic"] = row["synthetic"] or bool(r["synthetic"])
    for r in events.attendance:
        key = (r["event__kind"], None if r.get("reported") else r["event__axis__number"])
        row = rows.setdefault(key, _event_row(r["event__kind"], r))
        row[r["category"]] = (row[r["category"]] or 0) + r["n"]
    return sorted(rows.values(), key=lambda r: (-(r["events"] or 0), r["kind"], r["axis"]))


class IndicatorEventTable(tables.Table):
    """The events an indicator counts (a queryset, paginated in SQL)."""

    date = tables.DateColumn(format="d/m/Y", verbose_name="Date")
    title = tables.Column("Événement", linkify=True)
    region = tables.Column("Région", default="National")
    reached = NumberColumn("Participants comptés", footer="")

    class Meta:
        attrs = {"class": "data"}
        template_name = "django_tables2/table.html"
        default = "—"
        prefix = "i-"
        order_by = "-date"


def event_month_rows(events: EventsYear) -> list[dict[str, Any]]:
    """One row per month: the events held and their participants by category; reported
    yearly totals, which have no month, come last as "sans détail mensuel"."""
    rows = [
        {
            "month": m,
            "label": month_label(m),
            "events": None,
            "synthetic": False,
            **{c.value: None for c in ParticipantCategory},
        }
        for m in range(1, NO_MONTH + 1)
    ]
    for r in events.held:
        row = rows[r["month"] - 1]
        row["events"] = (row["events"] or 0) + r["n"]
        row["synthetic"] = row["synthetic"] or bool(r["synthetic"])
    for r in events.attendance:
        row = rows[r["month"] - 1]
        row[r["category"]] = (row[r["category"]] or 0) + r["n"]
    if all(rows[-1][key] is None for key in ["events", *(c.value for c in ParticipantCategory)]):
        rows.pop()
    return rows


TABLE_CLASSES: dict[str, type[BaseTable]] = {
    "regions": RegionTable,
    "branches": BranchTable,
    "months": MonthTable,
    "events": EventTable,
    "event_months": EventMonthTable,
}
