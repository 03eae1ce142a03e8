"""An event's department (where it took place) belongs to the event's region: staff are
offered their region's departments only and cannot post another; the services and the
admin refuse a department outside the region; the detail page, the list's filter and
the export show it."""

import csv
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from akto_portal.models import Department
from events import services
from events.models import Event, EventKind
from tests.factories import EventFactory
from tests.responses import drain

pytestmark = pytest.mark.django_db


def event_data(**overrides):
    return {
        "title": "Petit-déjeuner alternance de Caen",
        "kind": EventKind.INFO_MEETING,
        "date": "12/11/2026",
        "place": "Caen",
        "notes": "",
        **overrides,
    }


def test_staff_record_an_event_in_a_department_of_their_region(client_for, staff, today):
    calvados = Department.objects.get(code="14")
    client = client_for(staff)
    offered = client.get(reverse("event-create")).context["form"].fields["department"].queryset
    assert sorted(d.code for d in offered) == ["14", "27", "50", "61", "76"]

    response = client.post(reverse("event-create"), event_data(department=calvados.pk))
    assert response.status_code == 302
    event = Event.objects.get(title="Petit-déjeuner alternance de Caen")
    assert event.department == calvados

    detail = client.get(event.get_absolute_url()).content.decode()
    assert "<dt>Département</dt><dd>14 Calvados</dd>" in detail


def test_staff_of_bretagne_cannot_pick_nor_post_a_normandie_department(client_for, outsider):
    client = client_for(outsider)
    offered = client.get(reverse("event-create")).context["form"].fields["department"].queryset
    assert sorted(d.code for d in offered) == ["22", "29", "35", "56"]

    calvados = Department.objects.get(code="14")
    response = client.post(
        reverse("event-create"), event_data(title="Atelier", department=calvados.pk)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["department"]
    assert not Event.objects.filter(title="Atelier").exists()


def test_services_refuse_a_department_outside_the_region(staff, admin_user, normandie):
    finistere = Department.objects.get(code="29")
    fields = {"title": "Réunion", "kind": EventKind.INFO_MEETING, "date": "2026-06-01"}
    with pytest.raises(ValidationError) as error:
        services.event_create(user=staff, region=normandie, department=finistere, **fields)
    assert error.value.message_dict["department"] == [
        "Le département 29 Finistère n'est pas dans la région Normandie : choisissez un "
        "département de la région, ou aucun."
    ]
    with pytest.raises(ValidationError) as error:
        services.event_create(user=admin_user, region=None, department=finistere, **fields)
    assert "national" in error.value.message_dict["department"][0]
    event = services.event_create(
        user=staff, region=normandie, department=Department.objects.get(code="76"), **fields
    )
    with pytest.raises(ValidationError):
        services.event_update(
            user=staff, event=event, expected_version=event.version, department=finistere
        )
    assert Event.objects.get(pk=event.pk).department.code == "76"
    assert Event.objects.count() == 1


def test_admin_refuses_a_department_outside_the_region(client_for, admin_user, bretagne):
    response = client_for(admin_user).post(
        reverse("admin:events_event_add"),
        {
            "title": "Atelier de Rennes",
            "kind": EventKind.AKTIV_ALTERNANCE,
            "date": "2026-11-12",
            "date_precision": "day",
            "region": bretagne.pk,
            "department": Department.objects.get(code="14").pk,
            "attendances-TOTAL_FORMS": "0",
            "attendances-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["department"]
    assert not Event.objects.filter(title="Atelier de Rennes").exists()


def test_the_list_filters_by_department_and_exports_it(client_for, director, normandie, today):
    calvados, seine_maritime = (Department.objects.get(code=c) for c in ("14", "76"))
    EventFactory(title="À Caen", region=normandie, department=calvados)
    EventFactory(title="Au Havre", region=normandie, department=seine_maritime)
    EventFactory(title="En ligne", region=normandie, department=None, place="")
    client = client_for(director)
    html = client.get(reverse("event-list"), {"department": calvados.pk}).content.decode()
    assert "À Caen" in html and "Au Havre" not in html and "En ligne" not in html
    # Normandie's director is offered Normandie's five departments, not the 101.
    form = client.get(reverse("event-list")).context["filter"].form
    assert [d.code for d in form.fields["department"].queryset] == ["14", "27", "50", "61", "76"]

    response = client.get(reverse("event-export", args=["csv"]), {"region": normandie.pk})
    text = drain(response).decode("utf-8-sig")
    rows = list(
        csv.reader(
            io.StringIO("\n".join(x for x in text.splitlines() if not x.startswith("# "))),
            delimiter=";",
        )
    )
    column = rows[0].index("Département")
    by_title = {row[1]: row[column] for row in rows[1:]}
    assert by_title == {"À Caen": "14 Calvados", "Au Havre": "76 Seine-Maritime", "En ligne": ""}
