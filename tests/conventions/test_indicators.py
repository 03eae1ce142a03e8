"""Convention indicators on the convention page: the Normandie COM carries the figures
of its source document, and an unknown value reads "—", never 0."""

import datetime

import pytest
from django.urls import reverse

from conventions.models import Convention, Indicator
from tests.factories import EventFactory
from tests.html_reading import facts, indicator_rows, table_rows

pytestmark = pytest.mark.django_db
NBSP = "\xa0"
RELEASE = (
    "AKTO et la Région Normandie signent une convention d'objectifs et de moyens "
    "(communiqué, mai 2022)"
)


def normandie_com():
    return Convention.objects.get(region__code="28", parent=None)


def test_normandie_convention_page_lists_the_release_figures_with_their_source(
    client_for, director, documents
):
    html = client_for(director).get(normandie_com().get_absolute_url()).content.decode()
    rows = indicator_rows(html)
    seen = {
        name: (row["Valeur de départ"], row["Réalisé"], row["Objectif"], row["Origine"])
        for name, row in rows.items()
    }
    origin = f"{RELEASE}, 31 décembre 2021"
    assert seen == {
        "Contrats d'apprentissage financés par AKTO en Normandie": (
            f"2{NBSP}173",
            f"3{NBSP}071",
            "—",
            origin,
        ),
        "Augmentation du nombre de contrats d'apprentissage financés par AKTO en Normandie "
        "(2021 par rapport à 2020)": ("—", f"41{NBSP}%", "—", origin),
        "Réunions sur le thème de l'alternance réalisées par la direction régionale": (
            "—",
            "26",
            "—",
            origin,
        ),
        "Entreprises ayant participé aux réunions sur l'alternance de la direction régionale": (
            "—",
            "493",
            "—",
            origin,
        ),
        "Salons d'orientation et d'alternance auxquels AKTO a participé en Normandie": (
            "—",
            "5",
            "—",
            origin,
        ),
    }
    assert {row["Réalisé / objectif"] for row in rows.values()} == {"—"}
    assert "Aucun indicateur" not in html


def test_normandie_contracts_indicator_lists_both_years_with_their_source(
    client_for, director, documents
):
    indicator = normandie_com().indicators.get(name__startswith="Contrats d'apprentissage")
    html = client_for(director).get(reverse("indicator-detail", args=[indicator.pk])).content
    html = html.decode()
    assert table_rows(html, "À la date du") == [
        ["31/12/2021", f"3{NBSP}071", RELEASE],
        ["31/12/2020", f"2{NBSP}173", RELEASE],
    ]
    status = facts(html)
    assert status["Réalisé"] == f"3{NBSP}071 ({RELEASE}, 31 décembre 2021)"
    assert status["Valeur de départ"] == f"2{NBSP}173"
    assert (status["Objectif"], status["Réalisé / objectif"]) == ("—", "—")


def test_release_figures_are_loaded_once_with_stable_ids(documents):
    from demo import documents as loader

    def values():
        return sorted(
            normandie_com()
            .indicators.values_list("pk", "values__pk", "values__as_of__year", "values__value")
            .order_by("pk", "values__as_of")
        )

    first = values()
    loader.load_all()
    assert values() == first
    assert [(year, int(value)) for _pk, _vpk, year, value in first] == [
        (2020, 2173),
        (2021, 3071),
        (2021, 41),
        (2021, 26),
        (2021, 493),
        (2021, 5),
    ]


def test_computed_indicator_with_nothing_entered_reads_a_dash_not_zero(
    client_for, director, documents
):
    """Companies reached at the convention's events: one event held, its attendance not
    entered yet — unknown, not 0 companies (nor 0 % of the target)."""
    renewal = Convention.objects.get(title__endswith="2025-2027", parent=None)
    EventFactory(
        title="Atelier sans émargement", convention=renewal, date=datetime.date(2025, 3, 10)
    )
    indicator = Indicator.objects.create(
        convention=renewal,
        name="Entreprises présentes aux ateliers",
        unit=Indicator.Unit.COMPANIES,
        computation=Indicator.Computation.COMPANIES_REACHED,
        target=400,
        target_source=renewal.source,
    )
    client = client_for(director)

    row = indicator_rows(client.get(renewal.get_absolute_url()).content.decode())[indicator.name]
    assert (row["Réalisé"], row["Objectif"], row["Réalisé / objectif"]) == ("—", "400", "—")

    dashboard = client.get(reverse("overview"), {"region": ""}).content.decode()
    row = indicator_rows(dashboard)[f"{indicator.name} calculé"]
    assert (row["Réalisé"], row["Objectif"], row["Réalisé / objectif"]) == ("—", "400", "—")

    page = client.get(reverse("indicator-detail", args=[indicator.pk])).content.decode()
    status = facts(page)
    assert status["Réalisé"] == "— (non connu à ce jour)"
    assert status["Réalisé / objectif"] == "—"

    api = client.get("/api/v1/conventions/indicators", {"region": ""}).json()
    (listed,) = [i for c in api["conventions"] for i in c["indicators"] if i["id"] == indicator.pk]
    assert (listed["value"], listed["target_pct"]) == (None, None)
