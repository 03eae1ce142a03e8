"""CSV and XLSX downloads of the dashboards' tables: every filtered row (not just the
page shown), then the total row the table's footer shows, after what the file holds
(scope, filters, date, sources, the synthetic legend). Written by the portal's shared
writer (akto_portal.spreadsheets)."""

from collections.abc import Iterator, Sequence
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

from akto_portal import formats, spreadsheets
from akto_portal.spreadsheets import About
from contracts.models import ContractType, Public
from dashboards.page import DashboardPage
from dashboards.tables import BaseTable

SOURCES = (
    "documents sources (rapports, conventions), imports de l'outil de gestion des contrats "
    "et saisies des équipes régionales, cités sur le portail à côté de chaque chiffre"
)


def table_rows(table: BaseTable) -> Iterator[list[Any]]:
    """Header, every row, then the total row (as the table footer shows it)."""
    yield from table.as_values()
    yield table.total_row()


def about(page: DashboardPage, *, title: str, url: str) -> list[tuple[str, str]]:
    """What the file holds, for a reader who has only the file."""
    scope, pace = page.scope, page.contracts.pace
    filters = [
        f"branche : {scope.branch}" if scope.branch else "toutes les branches",
        f"type de contrat : {ContractType(scope.contract_type).label}"
        if scope.contract_type
        else "tous types de contrats",
        Public(scope.public).label.lower(),
    ]
    not_applied = [
        ("Part de marché", page.market_share_refusal),
        ("Événements", scope.events_ignore),
    ]
    return [
        ("Fichier", title),
        ("Périmètre", scope.place),
        ("Année", f"{scope.year} ({pace.period_label})"),
        ("Arrêté au", formats.short_date(page.as_of)),
        ("Filtres", ", ".join(filters)),
        *[(name, text) for name, text in not_applied if text],
        ("Exporté le", timezone.localtime().strftime("%d/%m/%Y à %H:%M")),
        ("Sources", SOURCES),
        ("Synthétique", spreadsheets.SYNTHETIC_LEGEND),
        ("Cases vides", "chiffre inconnu (jamais compté comme zéro)"),
        ("Adresse", url),
    ]


def csv_response(table: BaseTable, filename: str, *, about: About = ()) -> StreamingHttpResponse:
    return spreadsheets.csv_response(table_rows(table), filename, about=about)


def xlsx_response(
    sheets: Sequence[tuple[str, BaseTable]], filename: str, *, about: About = ()
) -> FileResponse:
    """sheets: [(title, table)] — one worksheet per table, after "À propos"."""
    return spreadsheets.xlsx_response(
        [(title, table_rows(table)) for title, table in sheets], filename, about=about
    )
