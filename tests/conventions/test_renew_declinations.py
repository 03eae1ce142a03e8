"""Renewing regional declinations, through the admin's "Renouveler" action: a national
convention carries its declinations; a declination is renewed under the renewed national
convention (never a duplicate declination of a region, never a 500)."""

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from akto_portal.models import Region, Source
from conventions.models import Convention, ConventionAxis, Indicator, IndicatorValue

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:conventions_convention_changelist")
AGEFIPH_2025_NORMANDIE = "Déclinaison régionale AKTO – Agefiph 2025-2027 : Normandie"


def renew(client, convention, title, start="2025-01-01", end="2027-12-31"):
    return client.post(
        CHANGELIST,
        {
            "action": "renew",
            ACTION_CHECKBOX_NAME: [convention.pk],
            "apply": "1",
            "title": title,
            "start_on": start,
            "end_on": end,
            "status": "negotiation",
        },
    )


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def declination(national, region, title, *, value=None):
    """A regional declination with one axis and one indicator (and a reported value)."""
    declined = Convention.objects.create(
        title=title,
        kind=Convention.Kind.PARTNERSHIP,
        status=Convention.Status.ENDED,
        region=region,
        parent=national,
        start_on=national.start_on,
        end_on=national.end_on,
        source=national.source,
    )
    axis = ConventionAxis.objects.create(convention=declined, number=1, title="Alternance")
    indicator = Indicator.objects.create(
        convention=declined,
        axis=axis,
        name="Contrats d'apprentissage de personnes handicapées",
        unit=Indicator.Unit.CONTRACTS,
    )
    if value is not None:
        IndicatorValue.objects.create(
            indicator=indicator, value=value, as_of=national.end_on, source=national.source
        )
    return declined


@pytest.fixture
def agefiph_2022_normandie(documents, normandie):
    national = Convention.objects.get(title="Convention de partenariat AKTO – Agefiph 2022-2024")
    return declination(national, normandie, "Agefiph 2022-2024 · Normandie", value=412)


@pytest.fixture
def regional_council_2022():
    """A national convention not renewed yet, declined in Normandie and Bretagne."""
    source = Source.objects.create(kind=Source.Kind.MANUAL, title="Convention signée")
    national = Convention.objects.create(
        title="Convention Régions de France 2022-2024",
        kind=Convention.Kind.PARTNERSHIP,
        status=Convention.Status.ENDED,
        start_on=datetime.date(2022, 1, 1),
        end_on=datetime.date(2024, 12, 31),
        source=source,
    )
    ConventionAxis.objects.create(convention=national, number=1, title="Apprentissage")
    for code, value in [("28", 412), ("53", 96)]:
        region = Region.objects.get(code=code)
        declination(national, region, f"Régions de France 2022-2024 · {region.name}", value=value)
    return national


def test_renewing_a_declination_links_the_existing_declination_of_the_renewed_national(
    client_for, admin_user, agefiph_2022_normandie
):
    before = Convention.objects.count()
    response = renew(
        client_for(admin_user), agefiph_2022_normandie, "Agefiph 2025-2027 · Normandie"
    )
    existing = Convention.objects.get(title=AGEFIPH_2025_NORMANDIE)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:conventions_convention_change", args=[existing.pk]
    )
    assert Convention.objects.count() == before  # no duplicate declination
    assert existing.renews == agefiph_2022_normandie
    assert existing.parent.title == "Convention de partenariat AKTO – Agefiph 2025-2027"
    assert messages_of(response) == [
        "« Convention de partenariat AKTO – Agefiph 2025-2027 » a déjà sa déclinaison en "
        f"Normandie : « {AGEFIPH_2025_NORMANDIE} ». Aucune convention n'a été créée : "
        f"« {AGEFIPH_2025_NORMANDIE} » est désormais liée à « Agefiph 2022-2024 · Normandie » "
        "comme son renouvellement."
    ]


def test_renewing_a_declination_before_its_national_convention_says_what_to_do_first(
    client_for, admin_user, regional_council_2022
):
    normandie_2022 = Convention.objects.get(title="Régions de France 2022-2024 · Normandie")
    before = Convention.objects.count()
    response = renew(client_for(admin_user), normandie_2022, "Régions de France 2025-2027")
    assert response.status_code == 200
    assert (
        "« Régions de France 2022-2024 · Normandie » est une déclinaison régionale de "
        "« Convention Régions de France 2022-2024 », qui n&#x27;a pas encore été renouvelée : "
        "renouvelez d&#x27;abord la convention nationale"
    ) in response.content.decode()
    assert Convention.objects.count() == before


def test_renewing_a_national_convention_renews_its_declinations_under_it(
    client_for, admin_user, regional_council_2022
):
    response = renew(
        client_for(admin_user), regional_council_2022, "Convention Régions de France 2025-2027"
    )
    assert response.status_code == 302
    renewal = Convention.objects.get(title="Convention Régions de France 2025-2027")
    declinations = {d.title: d for d in renewal.declinations.all()}
    assert sorted(declinations) == [
        "Régions de France 2025-2027 · Bretagne",
        "Régions de France 2025-2027 · Normandie",
    ]
    normandie = declinations["Régions de France 2025-2027 · Normandie"]
    assert normandie.renews.title == "Régions de France 2022-2024 · Normandie"
    assert (normandie.region.code, normandie.start_on, normandie.end_on) == (
        "28",
        datetime.date(2025, 1, 1),
        datetime.date(2027, 12, 31),
    )
    assert [a.title for a in normandie.axes.all()] == ["Alternance"]
    indicator = normandie.indicators.get()
    assert (indicator.axis.convention, indicator.baseline, indicator.target) == (
        normandie,
        412,
        None,
    )
    assert declinations["Régions de France 2025-2027 · Bretagne"].indicators.get().baseline == 96
    assert messages_of(response) == [
        "« Convention Régions de France 2025-2027 » créée, liée à « Convention Régions de "
        "France 2022-2024 ». Déclinaisons régionales renouvelées avec elle : « Régions de "
        "France 2025-2027 · Bretagne », « Régions de France 2025-2027 · Normandie »."
    ]


def test_a_declination_added_after_the_national_renewal_is_renewed_under_it(
    client_for, admin_user, regional_council_2022, normandie
):
    client = client_for(admin_user)
    renew(client, regional_council_2022, "Convention Régions de France 2025-2027")
    occitanie = Region.objects.get(code="76")
    late = declination(regional_council_2022, occitanie, "Régions de France 2022-2024 · Occitanie")
    form_page = client.post(CHANGELIST, {"action": "renew", ACTION_CHECKBOX_NAME: [late.pk]})
    assert 'value="Régions de France 2025-2027 · Occitanie"' in form_page.content.decode()
    response = renew(client, late, "Régions de France 2025-2027 · Occitanie")
    assert response.status_code == 302
    renewed = Convention.objects.get(title="Régions de France 2025-2027 · Occitanie")
    assert renewed.parent.title == "Convention Régions de France 2025-2027"
    assert renewed.renews == late
    assert messages_of(response) == [
        "« Régions de France 2025-2027 · Occitanie » créée, liée à « Régions de France "
        "2022-2024 · Occitanie ». C'est la déclinaison en Occitanie de « Convention Régions "
        "de France 2025-2027 »."
    ]
