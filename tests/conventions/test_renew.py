import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from conventions.models import Convention
from conventions.services import ConventionError, convention_renew

pytestmark = pytest.mark.django_db


@pytest.fixture
def normandie_com(documents):
    return Convention.objects.get(region__code="28", parent=None)


def test_renew_copies_axes_and_indicators_and_links_the_old_one(documents):
    first = Convention.objects.get(title__endswith="2022-2024")
    Convention.objects.filter(parent__renews=first).delete()  # its regional declinations
    Convention.objects.filter(renews=first).delete()
    renewal = convention_renew(
        convention=first,
        title="Agefiph 2025-2027 bis",
        start_on=datetime.date(2025, 1, 1),
        end_on=datetime.date(2027, 12, 31),
    ).convention
    assert renewal.renews == first
    assert [a.title for a in renewal.axes.all()] == [a.title for a in first.axes.all()]
    baselines = {i.name: i.baseline for i in renewal.indicators.all()}
    assert (
        baselines["Personnes en situation de handicap en parcours de formation en alternance"]
        == 8783
    )
    assert all(i.target is None for i in renewal.indicators.all())


def test_a_convention_is_renewed_once(documents):
    first = Convention.objects.get(title__endswith="2022-2024")
    with pytest.raises(ConventionError):
        convention_renew(
            convention=first,
            title="x",
            start_on=datetime.date(2028, 1, 1),
            end_on=datetime.date(2030, 12, 31),
        )


def test_admin_renew_action(client_for, admin_user, normandie_com):
    client = client_for(admin_user)
    url = reverse("admin:conventions_convention_changelist")
    form_page = client.post(url, {"action": "renew", ACTION_CHECKBOX_NAME: [normandie_com.pk]})
    assert form_page.status_code == 200
    assert "Renouveler" in form_page.content.decode()
    response = client.post(
        url,
        {
            "action": "renew",
            ACTION_CHECKBOX_NAME: [normandie_com.pk],
            "apply": "1",
            "title": "COM Normandie 2026-2028",
            "start_on": "2026-01-01",
            "end_on": "2028-12-31",
            "status": "negotiation",
        },
    )
    renewal = Convention.objects.get(title="COM Normandie 2026-2028")
    assert response.status_code == 302
    assert renewal.renews == normandie_com
    assert renewal.axes.count() == 3


def test_admin_renew_action_refuses_an_inverted_period(client_for, admin_user, normandie_com):
    response = client_for(admin_user).post(
        reverse("admin:conventions_convention_changelist"),
        {
            "action": "renew",
            ACTION_CHECKBOX_NAME: [normandie_com.pk],
            "apply": "1",
            "title": "COM inversée",
            "start_on": "2028-01-01",
            "end_on": "2026-12-31",
            "status": "negotiation",
        },
    )
    assert response.status_code == 200
    assert "La fin doit suivre le début." in response.content.decode()
    assert not Convention.objects.filter(title="COM inversée").exists()


def test_convention_period_constraint(documents):
    from django.db import IntegrityError, transaction

    convention = Convention.objects.get(title__endswith="2022-2024")
    convention.end_on = datetime.date(2021, 1, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        convention.save()


def test_convention_changes_are_in_the_audit_history(client_for, admin_user, normandie_com):
    normandie_com.status = Convention.Status.ACTIVE
    normandie_com.save()
    assert normandie_com.history.count() == 2
    url = reverse("admin:conventions_convention_history", args=[normandie_com.pk])
    assert client_for(admin_user).get(url).status_code == 200
