"""Optimistic locking in the admin for conventions, axes, indicators, reported values and
contract targets: the later save of a form loaded before someone else's save is refused,
with the current values shown, and nothing is overwritten."""

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from akto_portal.models import Region, Source, User
from contracts.models import ContractTarget
from conventions.models import Convention, ConventionAxis, Indicator, IndicatorValue, Partner
from tests.admin_forms import admin_page_data

pytestmark = pytest.mark.django_db
REFUSED = "depuis l&#x27;ouverture de ce formulaire : rien n&#x27;a été enregistré."


@pytest.fixture
def source():
    return Source.objects.create(kind=Source.Kind.DOCUMENT, title="Bilan Agefiph 2024")


@pytest.fixture
def convention(source, normandie):
    convention = Convention.objects.create(
        title="Agefiph 2022-2024 · Normandie",
        kind=Convention.Kind.PARTNERSHIP,
        status=Convention.Status.ACTIVE,
        region=normandie,
        start_on=datetime.date(2022, 1, 1),
        end_on=datetime.date(2024, 12, 31),
        source=source,
    )
    convention.partners.add(
        Partner.objects.get_or_create(name="Agefiph", kind=Partner.Kind.AGEFIPH)[0]
    )
    ConventionAxis.objects.create(convention=convention, number=1, title="Alternance")
    return convention


@pytest.fixture
def indicator(convention):
    return Indicator.objects.create(
        convention=convention,
        name="Personnes handicapées en alternance",
        unit=Indicator.Unit.PEOPLE,
    )


@pytest.fixture
def value(indicator, source):
    return IndicatorValue.objects.create(
        indicator=indicator,
        value=Decimal("3072.5"),
        as_of=datetime.date(2024, 12, 31),
        source=source,
    )


@pytest.fixture
def two_admins(admin_user):
    other = User.objects.create_user("admin-2", role=User.Role.ADMIN, first_name="Camille")
    clients = []
    for user in (admin_user, other):
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def test_stale_save_of_a_reported_value_is_refused_and_keeps_3100(two_admins, value):
    first, second = two_admins
    url = change_url(value)
    first_data = admin_page_data(first.get(url))
    second_data = admin_page_data(second.get(url))
    second_data["value"] = "3100"
    assert second.post(url, second_data).status_code == 302
    first_data["qualifier"] = "at_least"  # puts back 3072.5 with its own change
    response = first.post(url, first_data)
    assert response.status_code == 200
    html = response.content.decode()
    assert REFUSED in html
    assert "Valeurs actuelles : Valeur : 3\xa0100,0 ; Précision : —." in html
    value.refresh_from_db()
    assert (value.value, value.qualifier, value.version) == (Decimal("3100"), "exact", 2)


def test_stale_inline_reported_value_on_the_indicator_page_is_refused(two_admins, value, indicator):
    first, second = two_admins
    url = change_url(indicator)
    first_data = admin_page_data(first.get(url))
    second_data = admin_page_data(second.get(url))
    second_data["values-0-value"] = "3100"
    assert second.post(url, second_data).status_code == 302
    first_data["name"] = "Personnes en situation de handicap en alternance"
    response = first.post(url, first_data)
    assert response.status_code == 200
    assert "Valeurs actuelles : Valeur : 3\xa0100,0." in response.content.decode()
    indicator.refresh_from_db()
    value.refresh_from_db()
    assert (indicator.name, value.value) == ("Personnes handicapées en alternance", 3100)


def test_a_fresh_form_saves_and_moves_the_version_on(two_admins, value):
    first, _ = two_admins
    url = change_url(value)
    data = admin_page_data(first.get(url))
    data["value"] = "3100"
    assert first.post(url, data).status_code == 302
    data = admin_page_data(first.get(url))
    data["value"] = "3150"
    assert first.post(url, data).status_code == 302
    value.refresh_from_db()
    assert (value.value, value.version) == (3150, 3)


def test_stale_indicator_target_in_the_convention_page_is_refused(
    two_admins, convention, indicator, source
):
    first, second = two_admins
    url = change_url(convention)
    first_data = admin_page_data(first.get(url))
    second_data = admin_page_data(second.get(url))
    second_data["indicators-0-target"] = "450"
    second_data["indicators-0-target_source"] = str(source.pk)
    assert second.post(url, second_data).status_code == 302
    first_data["axes-0-title"] = "Alternance et handicap"
    response = first.post(url, first_data)
    assert response.status_code == 200
    assert "Valeurs actuelles : Objectif : 450,0" in response.content.decode()
    indicator.refresh_from_db()
    assert indicator.target == 450
    assert convention.axes.get().title == "Alternance"  # nothing of the page saved


def test_stale_convention_and_axis_are_refused(two_admins, convention):
    first, second = two_admins
    url = change_url(convention)
    first_data = admin_page_data(first.get(url))
    second_data = admin_page_data(second.get(url))
    second_data["status"] = "ended"
    second_data["axes-0-title"] = "Alternance et handicap"
    assert second.post(url, second_data).status_code == 302
    response = first.post(url, first_data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Valeurs actuelles : Statut : Terminée" in html
    assert "Valeurs actuelles : Intitulé : Alternance et handicap" in html
    convention.refresh_from_db()
    assert (convention.status, convention.axes.get().title) == ("ended", "Alternance et handicap")


def test_stale_contract_target_is_refused(two_admins, source, normandie):
    target = ContractTarget.objects.create(year=2025, region=normandie, value=3400, source=source)
    first, second = two_admins
    url = change_url(target)
    first_data = admin_page_data(first.get(url))
    second_data = admin_page_data(second.get(url))
    second_data["value"] = "3500"
    assert second.post(url, second_data).status_code == 302
    response = first.post(url, first_data)
    assert response.status_code == 200
    assert "Valeurs actuelles : Objectif (contrats) : 3\xa0500." in response.content.decode()
    target.refresh_from_db()
    assert target.value == 3500


def test_history_revert_of_a_value_checks_the_current_version(client_for, admin_user, value):
    first = value.history.earliest("history_date").history_id
    value.value = Decimal("3100")
    value.save()
    client = client_for(admin_user)
    url = reverse("admin:conventions_indicatorvalue_simple_history", args=[value.pk, first])
    response = client.post(url, admin_page_data(client.get(url)))
    assert response.status_code == 302
    value.refresh_from_db()
    assert (value.value, value.version) == (Decimal("3072.5"), 3)


def test_a_stale_object_kept_in_memory_is_not_saved_over_a_newer_one(value):
    from akto_portal.locking import StaleObjectError

    stale = IndicatorValue.objects.get(pk=value.pk)
    value.value = Decimal("3100")
    value.save()
    stale.value = Decimal("3072.5")
    with pytest.raises(StaleObjectError):
        stale.save()
    assert IndicatorValue.objects.get(pk=value.pk).value == 3100


def test_read_only_view_of_a_value_has_no_version_field(client_for, director, value):
    response = client_for(director).get(change_url(value))
    html = response.content.decode()
    assert response.status_code == 200
    assert "3\xa0072,5" in html
    assert "expected_version" not in html


def test_a_new_region_target_has_nothing_to_check(client_for, admin_user, source):
    client = client_for(admin_user)
    url = reverse("admin:contracts_contracttarget_add")
    data = admin_page_data(client.get(url))
    bretagne = Region.objects.get(code="53")
    data.update(year="2026", region=str(bretagne.pk), value="900", source=str(source.pk))
    data["public"] = "all"
    assert client.post(url, data).status_code == 302
    assert ContractTarget.objects.get(region=bretagne, year=2026).version == 1


@pytest.mark.parametrize("posted", ["abc", "", None])
def test_a_missing_or_garbled_version_is_refused_not_a_500(client_for, admin_user, value, posted):
    client = client_for(admin_user)
    url = change_url(value)
    data = admin_page_data(client.get(url))
    data["value"] = "3100"
    if posted is None:
        del data["expected_version"]
    else:
        data["expected_version"] = posted
    response = client.post(url, data)
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    value.refresh_from_db()
    assert value.value == Decimal("3072.5")
