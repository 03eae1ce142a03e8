"""An event counts towards a convention only if the convention covers its region: a
national convention covers every region, a regional one (or a regional declination)
its own region only — on the staff pages, in the services and in the admin."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conventions.models import Convention
from events import services
from events.models import Event, EventKind
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def normandie_com(documents):
    return Convention.objects.get(region__code="28", parent=None)


@pytest.fixture
def agefiph(documents):
    return Convention.objects.get(title="Convention de partenariat AKTO – Agefiph 2025-2027")


def event_data(**overrides):
    return {
        "title": "Atelier de Rennes",
        "kind": EventKind.AKTIV_ALTERNANCE,
        "date": "12/11/2026",
        "place": "Rennes",
        "notes": "",
        **overrides,
    }


def test_staff_cannot_attach_their_event_to_another_regions_convention(
    client_for, outsider, normandie_com
):
    response = client_for(outsider).post(
        reverse("event-create"), event_data(convention=normandie_com.pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["convention"]
    assert not Event.objects.filter(title="Atelier de Rennes").exists()


def test_staff_cannot_move_their_event_to_another_regions_convention(
    client_for, outsider, bretagne, normandie_com
):
    event = EventFactory(region=bretagne, title="Atelier de Rennes")
    response = client_for(outsider).post(
        reverse("event-update", args=[event.pk]),
        event_data(convention=normandie_com.pk, version=event.version),
    )
    assert response.status_code == 200
    event.refresh_from_db()
    assert event.convention is None


def test_staff_attach_their_event_to_a_national_convention_or_their_declination(
    client_for, outsider, agefiph
):
    client = client_for(outsider)
    client.post(reverse("event-create"), event_data(convention=agefiph.pk))
    assert Event.objects.get(title="Atelier de Rennes").convention == agefiph
    declination = agefiph.declinations.get(region__code="53")
    client.post(reverse("event-create"), event_data(title="Atelier 2", convention=declination.pk))
    assert Event.objects.get(title="Atelier 2").convention == declination


def test_services_refuse_a_convention_that_does_not_cover_the_region(
    outsider, bretagne, normandie_com, agefiph
):
    with pytest.raises(ValidationError) as refused:
        services.event_create(
            user=outsider,
            region=bretagne,
            title="Atelier de Rennes",
            kind=EventKind.AKTIV_ALTERNANCE,
            date="2026-11-12",
            convention=normandie_com,
        )
    assert "Normandie" in refused.value.message_dict["convention"][0]
    event = services.event_create(
        user=outsider,
        region=bretagne,
        title="Atelier de Rennes",
        kind=EventKind.AKTIV_ALTERNANCE,
        date="2026-11-12",
        convention=agefiph,
    )
    with pytest.raises(ValidationError):
        services.event_update(
            user=outsider, event=event, expected_version=event.version, convention=normandie_com
        )
    assert Event.objects.get(pk=event.pk).convention == agefiph


def test_a_national_event_counts_only_towards_a_national_convention(
    admin_user, normandie_com, agefiph
):
    fields = {"title": "Séminaire national", "kind": EventKind.SEMINAR, "date": "2026-06-01"}
    with pytest.raises(ValidationError):
        services.event_create(user=admin_user, region=None, convention=normandie_com, **fields)
    event = services.event_create(user=admin_user, region=None, convention=agefiph, **fields)
    assert event.convention == agefiph


def test_admin_cannot_attach_an_event_to_another_regions_convention(
    client_for, admin_user, bretagne, normandie_com
):
    response = client_for(admin_user).post(
        reverse("admin:events_event_add"),
        {
            "title": "Atelier de Rennes",
            "kind": EventKind.AKTIV_ALTERNANCE,
            "date": "2026-11-12",
            "date_precision": "day",
            "region": bretagne.pk,
            "convention": normandie_com.pk,
            "attendances-TOTAL_FORMS": "0",
            "attendances-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["convention"]
    assert not Event.objects.filter(title="Atelier de Rennes").exists()


def test_cancelling_an_event_with_a_mismatched_convention_says_why(
    client_for, staff, normandie, documents
):
    # Recorded before the rule existed: a Normandie event on another region's convention.
    other = Convention.objects.get(region__code="24", parent=None)
    event = EventFactory(region=normandie, convention=other)
    response = client_for(staff).post(
        reverse("event-cancel", args=[event.pk]), {"cancelled": "1", "version": event.version}
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert not event.is_cancelled
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "ne couvre pas" in messages[0]
