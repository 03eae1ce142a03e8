"""Who reads and who writes conventions: directors write nothing (not even through the
history's "revert" form or an admin action); regional staff read the national
conventions and those of their own region only."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from conventions.models import Convention, IndicatorValue
from tests.admin_forms import admin_page_data

pytestmark = pytest.mark.django_db

AGEFIPH_RESULT = "Personnes en situation de handicap en parcours de formation en alternance"


@pytest.fixture
def agefiph_result(documents):
    """The Agefiph 2022-24 result the press release gives: 8 783 people."""
    return IndicatorValue.objects.get(
        indicator__name=AGEFIPH_RESULT, indicator__convention__title__endswith="2022-2024"
    )


@pytest.fixture
def normandie_com(documents):
    return Convention.objects.get(region__code="28", parent=None)


def revert_url(obj):
    model = obj._meta.model_name
    version = obj.history.earliest("history_date").history_id
    return reverse(f"admin:conventions_{model}_simple_history", args=[obj.pk, version])


def revert_data(client, obj, **changes):
    """The history form as an administrator sees it, with some values changed."""
    data = admin_page_data(client.get(revert_url(obj)))
    data.update(changes)
    return data


def test_director_cannot_revert_a_figure_through_the_history(
    client_for, admin_user, director, agefiph_result
):
    data = revert_data(client_for(admin_user), agefiph_result, value="999999")
    response = client_for(director).post(revert_url(agefiph_result), data)
    assert response.status_code == 403
    agefiph_result.refresh_from_db()
    assert agefiph_result.value == Decimal("8783")


def test_director_cannot_rewrite_a_convention_title_through_the_history(
    client_for, admin_user, director, normandie_com
):
    data = revert_data(client_for(admin_user), normandie_com, title="Titre réécrit")
    response = client_for(director).post(revert_url(normandie_com), data)
    assert response.status_code == 403
    normandie_com.refresh_from_db()
    assert normandie_com.title == "Convention d'objectifs et de moyens AKTO – Région Normandie"


def test_director_still_reads_the_history_form(client_for, director, agefiph_result):
    response = client_for(director).get(revert_url(agefiph_result))
    assert response.status_code == 200
    assert response.context["revert_disabled"] is True


def test_admin_reverts_a_figure_through_the_history(client_for, admin_user, agefiph_result):
    client = client_for(admin_user)
    response = client.post(
        revert_url(agefiph_result), revert_data(client, agefiph_result, value="8790")
    )
    assert response.status_code == 302
    agefiph_result.refresh_from_db()
    assert agefiph_result.value == Decimal("8790")
    assert agefiph_result.history.first().history_user == admin_user


def renew_data(convention):
    return {
        "action": "renew",
        ACTION_CHECKBOX_NAME: [convention.pk],
        "apply": "1",
        "title": "COM Normandie 2026-2028",
        "start_on": "2026-01-01",
        "end_on": "2028-12-31",
        "status": "negotiation",
    }


def test_director_cannot_renew_a_convention(client_for, director, normandie_com):
    count = Convention.objects.count()
    client = client_for(director)
    changelist = reverse("admin:conventions_convention_changelist")
    action_form = client.get(changelist).context["action_form"]
    assert action_form is None or "renew" not in dict(action_form.fields["action"].choices)
    response = client.post(changelist, renew_data(normandie_com))
    assert response.status_code == 200  # the list again, no action run
    assert "admin/conventions/convention/renew.html" not in [t.name for t in response.templates]
    assert Convention.objects.count() == count
    assert not Convention.objects.filter(title="COM Normandie 2026-2028").exists()


def test_director_exports_conventions_but_does_not_import_them(client_for, director, documents):
    client = client_for(director)
    export = client.post(
        reverse("admin:conventions_convention_export"),
        {
            "format": "0",
            "resource": "0",
            **{f"conventionresource_{f}": "on" for f in ("id", "title")},
        },
    )
    assert export.status_code == 200
    assert "Convention d'objectifs et de moyens AKTO – Région Normandie" in export.content.decode()
    assert client.get(reverse("admin:conventions_convention_import")).status_code == 403


# Regional staff: national conventions and those of their own region.


def test_staff_read_their_regions_conventions_and_the_national_ones(
    client_for, staff, normandie_com
):
    client = client_for(staff)
    assert client.get(normandie_com.get_absolute_url()).status_code == 200
    national = Convention.objects.get(title__endswith="Agefiph 2025-2027")
    assert client.get(national.get_absolute_url()).status_code == 200


def test_staff_of_another_region_cannot_open_a_regions_convention(
    client_for, outsider, normandie_com
):
    response = client_for(outsider).get(normandie_com.get_absolute_url())
    assert response.status_code == 404


def test_staff_of_another_region_cannot_open_a_regions_declination(client_for, outsider, documents):
    declination = Convention.objects.get(parent__title__endswith="2025-2027", region__code="28")
    client = client_for(outsider)
    assert client.get(declination.get_absolute_url()).status_code == 404
    own = Convention.objects.get(parent__title__endswith="2025-2027", region__code="53")
    assert client.get(own.get_absolute_url()).status_code == 200


def test_national_convention_lists_only_the_declinations_staff_may_read(
    client_for, outsider, director, documents
):
    national = Convention.objects.get(title__endswith="Agefiph 2025-2027")
    page = client_for(outsider).get(national.get_absolute_url())
    assert [d.region.name for d in page.context["declinations"]] == ["Bretagne"]
    assert "Normandie" not in page.content.decode()
    page = client_for(director).get(national.get_absolute_url())
    assert len(page.context["declinations"]) == 18


def test_region_page_lists_a_regions_conventions_only_to_those_who_may_read_them(
    client_for, outsider, staff, normandie_com
):
    url = reverse("region-detail", args=["28"])
    page = client_for(outsider).get(url)
    assert list(page.context["conventions"]()) == []
    assert normandie_com.title not in page.content.decode()
    titles = [c.title for c in client_for(staff).get(url).context["conventions"]()]
    assert normandie_com.title in titles
    assert "Déclinaison régionale AKTO – Agefiph 2025-2027 : Normandie" in titles


def test_event_form_offers_only_the_conventions_covering_the_staffs_region(
    client_for, outsider, admin_user, normandie_com
):
    form = client_for(outsider).get(reverse("event-create")).context["form"]
    offered = set(form.fields["convention"].queryset.values_list("title", flat=True))
    assert normandie_com.title not in offered
    assert "Convention de partenariat AKTO – Agefiph 2025-2027" in offered
    assert "Déclinaison régionale AKTO – Agefiph 2025-2027 : Bretagne" in offered
    assert "Déclinaison régionale AKTO – Agefiph 2025-2027 : Normandie" not in offered
    form = client_for(admin_user).get(reverse("event-create")).context["form"]
    assert normandie_com in form.fields["convention"].queryset


def test_staff_of_another_region_does_not_see_its_convention_on_an_event_page(
    client_for, outsider, staff, normandie_com
):
    from tests.factories import EventFactory

    event = EventFactory(region=normandie_com.region, convention=normandie_com)
    title = "AKTO – Région Normandie"
    html = client_for(outsider).get(event.get_absolute_url()).content.decode()
    assert title not in html
    assert "Convention de la région Normandie" in html
    assert title in client_for(staff).get(event.get_absolute_url()).content.decode()


def test_the_predicate_and_the_list_filter_agree(staff, outsider, director, admin_user, documents):
    from akto_portal.permissions import can_view_convention, convention_visibility

    for user in (staff, outsider, director, admin_user):
        listed = set(Convention.objects.filter(convention_visibility(user)))
        assert listed == {c for c in Convention.objects.all() if can_view_convention(user, c)}
    assert len(set(Convention.objects.filter(convention_visibility(outsider)))) < len(
        set(Convention.objects.filter(convention_visibility(director)))
    )


def test_renew_action_still_works_for_admins(client_for, admin_user, normandie_com):
    response = client_for(admin_user).post(
        reverse("admin:conventions_convention_changelist"), renew_data(normandie_com)
    )
    assert response.status_code == 302
    renewal = Convention.objects.get(title="COM Normandie 2026-2028")
    assert renewal.start_on == datetime.date(2026, 1, 1)


def test_admin_shows_staff_only_the_conventions_they_may_read(
    client_for, staff, outsider, director, normandie_com
):
    from events import services
    from tests.factories import EventFactory

    event = EventFactory(region=normandie_com.region)
    services.event_update(
        user=staff,
        event=event,
        expected_version=event.version,
        convention=normandie_com,
    )
    title = "AKTO – Région Normandie"
    change = reverse("admin:events_event_change", args=[event.pk])
    history = reverse("admin:events_event_history", args=[event.pk])
    client = client_for(outsider)
    for url in (change, history):
        response = client.get(url)
        assert response.status_code == 200
        assert title not in response.content.decode()
    assert "Convention d&#x27;une autre région" in client.get(history).content.decode()
    add = client.get(reverse("admin:events_event_add")).context["adminform"].form
    assert normandie_com not in add.fields["convention"].queryset
    client = client_for(director)
    assert title in client.get(change).content.decode()
    assert title in client.get(history).content.decode()
