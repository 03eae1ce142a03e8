"""Every database constraint has a French message, and an admin form (or one of its
inline forms) breaking one shows that message instead of failing with a 500."""

import datetime

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from akto_portal.models import Region, Source
from contracts.models import ContractTarget
from conventions.models import Convention, ConventionAxis, Indicator, IndicatorValue, Partner
from events.models import Organisation
from tests.admin_forms import admin_page_data

pytestmark = pytest.mark.django_db
CHECKED_APPS = ["conventions", "events", "akto_portal"]


def constraints():
    models_ = [m for a in CHECKED_APPS for m in apps.get_app_config(a).get_models()]
    for model in [*models_, ContractTarget]:
        for constraint in model._meta.constraints:
            if isinstance(constraint, (models.UniqueConstraint, models.CheckConstraint)):
                yield model, constraint


def test_every_constraint_has_a_french_message_that_is_not_its_name():
    seen = list(constraints())
    assert len(seen) >= 23
    for model, constraint in seen:
        message = constraint.get_violation_error_message()
        assert constraint.violation_error_message != constraint.default_violation_error_message, (
            model,
            constraint.name,
        )
        assert constraint.name not in message
        assert "«" not in message or "»" in message
        assert message.endswith("."), message


@pytest.fixture
def source():
    return Source.objects.create(kind=Source.Kind.DOCUMENT, title="Convention signée")


@pytest.fixture
def agefiph_2025(documents):
    return Convention.objects.get(title="Convention de partenariat AKTO – Agefiph 2025-2027")


def post_change(client, obj, **changes):
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    data = admin_page_data(client.get(url))
    data.update(changes)
    return client.post(url, data)


def refused_with(response, message):
    html = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 200
    assert message in html
    return html


def test_a_second_declination_in_a_region_is_refused_in_french(
    client_for, admin_user, agefiph_2025, normandie
):
    client = client_for(admin_user)
    url = reverse("admin:conventions_convention_add")
    data = admin_page_data(client.get(url))
    data.update(
        title="Agefiph 2025-2027 · Normandie (bis)",
        kind="partnership",
        status="active",
        partners=[str(agefiph_2025.partners.get().pk)],
        region=str(normandie.pk),
        parent=str(agefiph_2025.pk),
        source=str(agefiph_2025.source_id),
    )
    html = refused_with(
        client.post(url, data),
        "Cette convention nationale a déjà une déclinaison dans cette région.",
    )
    assert "convention_one_declination_per_region" not in html
    assert not Convention.objects.filter(title="Agefiph 2025-2027 · Normandie (bis)").exists()


def test_convention_period_and_declination_region_are_refused_in_french(
    client_for, admin_user, agefiph_2025
):
    client = client_for(admin_user)
    refused_with(
        post_change(client, agefiph_2025, start_on="31/12/2027", end_on="01/01/2025"),
        "La fin de la convention doit suivre son début.",
    )
    declination = agefiph_2025.declinations.get(region__code="28")
    refused_with(
        post_change(client, declination, region=""),
        "Une déclinaison régionale doit avoir une région",
    )
    declination.refresh_from_db()
    assert declination.region.code == "28"


def test_inline_indicator_target_negative_or_without_source_is_refused_in_french(
    client_for, admin_user, agefiph_2025
):
    client = client_for(admin_user)
    first = agefiph_2025.indicators.order_by("position", "pk").first()
    refused_with(
        post_change(client, agefiph_2025, **{"indicators-0-target": "-5"}),
        "L'objectif ne peut pas être négatif.",
    )
    refused_with(
        post_change(
            client,
            agefiph_2025,
            **{"indicators-0-target": "450", "indicators-0-target_source": ""},
        ),
        "Un objectif doit avoir sa source",
    )
    first.refresh_from_db()
    assert first.target != 450


def test_inline_axis_number_taken_by_a_new_axis_is_refused(client_for, admin_user, source):
    convention = Convention.objects.create(
        title="COM Bretagne 2026-2028",
        kind=Convention.Kind.COM,
        status=Convention.Status.NEGOTIATION,
        region=Region.objects.get(code="53"),
        source=source,
    )
    convention.partners.add(
        Partner.objects.get_or_create(name="Région Bretagne", kind="regional_council")[0]
    )
    ConventionAxis.objects.create(convention=convention, number=1, title="Apprentissage")
    client = client_for(admin_user)
    response = post_change(
        client,
        convention,
        **{
            "axes-TOTAL_FORMS": "2",
            "axes-1-number": "1",
            "axes-1-title": "Handicap",
            "axes-1-convention": str(convention.pk),
        },
    )
    refused_with(response, "Cette convention a déjà un axe de ce numéro.")
    assert list(convention.axes.values_list("title", flat=True)) == ["Apprentissage"]


def test_inline_negative_reported_value_is_refused_in_french(client_for, admin_user, source):
    convention = Convention.objects.create(
        title="Agefiph 2022-2024 · Normandie",
        kind=Convention.Kind.PARTNERSHIP,
        status=Convention.Status.ENDED,
        region=Region.objects.get(code="28"),
        source=source,
    )
    indicator = Indicator.objects.create(
        convention=convention, name="Personnes handicapées en alternance", unit="people"
    )
    IndicatorValue.objects.create(
        indicator=indicator, value=3100, as_of=datetime.date(2024, 12, 31), source=source
    )
    refused_with(
        post_change(client_for(admin_user), indicator, **{"values-0-value": "-3100"}),
        "Une valeur déclarée ne peut pas être négative.",
    )
    assert indicator.values.get().value == 3100


def test_duplicate_contract_target_is_refused_in_french(client_for, admin_user, source, normandie):
    ContractTarget.objects.create(year=2025, region=normandie, value=3400, source=source)
    client = client_for(admin_user)
    url = reverse("admin:contracts_contracttarget_add")
    data = admin_page_data(client.get(url))
    data.update(year="2025", region=str(normandie.pk), value="3500", source=str(source.pk))
    refused_with(
        client.post(url, data),
        "Un objectif de contrats existe déjà pour cette année, ce territoire, ce type de "
        "contrat et ce public.",
    )
    assert ContractTarget.objects.get(year=2025, region=normandie).value == 3400


def test_organisation_identifier_format_is_refused_in_french(client_for, admin_user):
    organisation = Organisation.objects.create(
        identifier="12345678901234", name="Boulangerie Caennaise", kind="company"
    )
    refused_with(
        post_change(client_for(admin_user), organisation, identifier="123"),
        "Identifiant invalide : 14 chiffres (SIRET) pour une entreprise",
    )


def test_staff_user_without_region_is_refused_in_french(client_for, admin_user, staff):
    refused_with(
        post_change(client_for(admin_user), staff, region=""),
        "Choisissez la région de cet utilisateur : seuls les administrateurs n'en ont pas.",
    )
    staff.refresh_from_db()
    assert staff.region.code == "28"
