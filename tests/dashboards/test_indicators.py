"""Conventions' indicators on the dashboards, and the drill-down to their data."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from akto_portal.models import Region
from conventions.models import Convention, Indicator
from events.models import Event, EventKind
from tests.factories import AttendanceFactory, ContractCountFactory, EventFactory, SourceFactory
from tests.html_reading import facts, indicator_rows

pytestmark = pytest.mark.django_db
NBSP = "\xa0"


def test_national_dashboard_shows_agefiph_2022_24_results_beside_2025_27_targets(
    client_for, director, agefiph_targets
):
    response = client_for(director).get(reverse("overview"), {"region": ""})
    (item,) = response.context["progress"]()
    assert item["convention"].title == "Convention de partenariat AKTO – Agefiph 2025-2027"
    # Share of 2025-01-01..2027-12-31 elapsed today (63.3 % on 24/11/2026).
    start, end, today = datetime.date(2025, 1, 1), datetime.date(2027, 12, 31), timezone.localdate()
    elapsed = min(max((today - start).days, 0), (end - start).days)
    assert item["elapsed_pct"] == round(elapsed * 100 / (end - start).days, 1)
    html = response.content.decode()
    assert "Résultat 2022-24" in html and "Objectif 2025-27" in html
    row = html.split("Personnes en situation de handicap en parcours de formation")[1]
    row = row.split("</tr>")[0]
    assert f"8{NBSP}783" in row and f"9{NBSP}500" in row


def test_computed_indicator_shows_its_achieved_value_and_percentage_everywhere(
    client_for, director, agefiph_targets
):
    """The demo's "Ateliers Aktiv'alternance tenus": 163 workshops held against a target
    of 150 read 163 and 109 % on the convention page, its own page, the dashboard and
    the API."""
    renewal = Convention.objects.get(title__endswith="2025-2027", parent=None)
    normandie = Region.objects.get(code="28")
    source = SourceFactory(title="Saisie des ateliers")

    def workshops(n, **fields):
        return [
            Event(
                title=f"Atelier {fields} {i}",
                kind=EventKind.AKTIV_ALTERNANCE,
                region=normandie,
                convention=renewal,
                source=source,
                **{"date": datetime.date(2025, 3, 10), **fields},
            )
            for i in range(n)
        ]

    Event.objects.bulk_create(
        workshops(163)
        + workshops(2, is_cancelled=True)
        + workshops(3, date=timezone.localdate() + datetime.timedelta(days=30))
    )
    indicator = Indicator.objects.get(name="Ateliers Aktiv'alternance tenus (calculé)")
    client = client_for(director)
    expected = ("163", "150 synthétique", f"109{NBSP}%")

    row = indicator_rows(client.get(renewal.get_absolute_url()).content.decode())[indicator.name]
    assert (row["Réalisé"], row["Objectif"], row["Réalisé / objectif"]) == expected

    dashboard = client.get(reverse("overview"), {"region": ""}).content.decode()
    row = indicator_rows(dashboard)[f"{indicator.name} calculé"]
    assert (row["Réalisé"], row["Objectif"], row["Réalisé / objectif"]) == expected

    status = facts(client.get(reverse("indicator-detail", args=[indicator.pk])).content.decode())
    assert status["Réalisé"] == "163"
    assert status["Objectif"].startswith("150 ")
    assert status["Réalisé / objectif"] == f"109{NBSP}%"

    api = client.get("/api/v1/conventions/indicators", {"region": ""}).json()
    (listed,) = [i for c in api["conventions"] for i in c["indicators"] if i["id"] == indicator.pk]
    assert (listed["value"], listed["target"], listed["target_pct"]) == (163, 150, 108.7)


def test_computed_contracts_indicator_drills_down_to_yearly_totals(
    client_for, director, agefiph_targets
):
    normandie = Region.objects.get(code="28")
    for year, count in ((2025, 40), (2026, 25)):
        ContractCountFactory(region=normandie, year=year, public="rqth", count=count)
    indicator = Indicator.objects.get(name__startswith="Contrats d'apprentissage de personnes")
    response = client_for(director).get(reverse("indicator-detail", args=[indicator.pk]))
    assert [(r["year"], r["contracts"]) for r in response.context["inputs"]["years"]] == [
        (2025, 40),
        (2026, 25),
    ]
    assert response.context["inputs"]["total"] == 65
    html = response.content.decode()
    assert "public=rqth" in html
    status = facts(html)
    # 65 of 9 000: 0.7 %.
    assert (status["Réalisé"], status["Réalisé / objectif"]) == ("65", f"1{NBSP}%")


def test_events_indicator_drills_down_to_the_events_counted(client_for, director, agefiph_targets):
    renewal = Convention.objects.get(title__endswith="2025-2027", parent=None)
    held = EventFactory(title="Atelier de Caen", kind="aktiv_alternance", convention=renewal)
    AttendanceFactory(event=held, actual=12)
    EventFactory(title="Atelier annulé", convention=renewal, is_cancelled=True)
    indicator = Indicator.objects.get(name="Ateliers Aktiv'alternance tenus (calculé)")
    response = client_for(director).get(reverse("indicator-detail", args=[indicator.pk]))
    html = response.content.decode()
    assert "Atelier de Caen" in html and "Atelier annulé" not in html
    assert [e.reached for e in response.context["inputs"]["events"]] == [12]


def test_outsider_cannot_open_another_regions_indicator(client_for, outsider, documents):
    normandie_com = Convention.objects.get(title__endswith="Région Normandie")
    indicator = Indicator.objects.create(convention=normandie_com, name="Réunions", unit="events")
    assert (
        client_for(outsider).get(reverse("indicator-detail", args=[indicator.pk])).status_code
        == 404
    )


def test_outsider_reads_national_indicators(client_for, outsider, agefiph_targets):
    indicator = Indicator.objects.filter(convention__region=None).first()
    assert (
        client_for(outsider).get(reverse("indicator-detail", args=[indicator.pk])).status_code
        == 200
    )


def test_director_reads_any_regions_indicator(client_for, director, documents):
    com = Convention.objects.get(title__endswith="Région Normandie")
    indicator = Indicator.objects.create(convention=com, name="Réunions", unit="events")
    assert (
        client_for(director).get(reverse("indicator-detail", args=[indicator.pk])).status_code
        == 200
    )


def test_unknown_indicator_is_404(client_for, director, documents):
    assert client_for(director).get(reverse("indicator-detail", args=[999999])).status_code == 404


def test_outsider_does_not_see_another_regions_indicators_on_page_or_api(
    client_for, outsider, director, documents
):
    com = Convention.objects.get(title__endswith="Région Normandie")
    Indicator.objects.create(convention=com, name="Réunions avec les CFA", unit="events")
    params = {"region": "28"}
    client = client_for(director)

    def regional(progress):
        return [i["convention"] for i in progress if i["convention"].region_id is not None]

    assert regional(client.get(reverse("overview"), params).context["progress"]()) == [com]
    api = client.get("/api/v1/conventions/indicators", params).json()["conventions"]
    client = client_for(outsider)
    page = client.get(reverse("overview"), params)
    assert page.wsgi_request.user == outsider
    # The outsider (staff of Bretagne) sees the national conventions, not Normandie's own.
    assert regional(page.context["progress"]()) == []
    assert [i["convention"].region_id for i in page.context["progress"]()] == [None]
    assert "Réunions avec les CFA" not in page.content.decode()
    outsider_api = client.get("/api/v1/conventions/indicators", params).json()["conventions"]
    assert len(outsider_api) == len(api) - 1
