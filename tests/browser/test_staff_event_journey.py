"""A Normandie staff member records an event and who came, in under a minute."""

import datetime
import time

import pytest
from django.utils import timezone

from events.models import Attendee, Event
from tests.conftest import PASSWORD
from tests.events.conftest import bad_key, make_siret, make_uai

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_records_an_event_and_its_attendance(login, live_server, staff):
    day = timezone.localdate() - datetime.timedelta(days=2)
    alpha, beta = make_siret(1), make_siret(2)
    page = login(staff, PASSWORD)
    started = time.monotonic()

    page.click("nav >> text=Événements")
    assert page.inner_text("[data-figure=companies]") == "0"
    page.click("text=Nouvel événement")
    page.fill("#id_title", "Matinale de l'alternance à Caen")
    page.select_option("#id_kind", "info_meeting")
    page.fill("#id_date", day.strftime("%d/%m/%Y"))
    page.fill("#id_place", "Caen")
    page.click("button:text('Enregistrer')")
    page.wait_for_selector("#attendance-counts")

    page.fill("#id_companies_planned", "12")
    page.fill(
        "#id_attendees",
        f"SIRET;Raison sociale\n{alpha};Menuiserie Alpha\n{bad_key(beta)};Garage Beta\n"
        f"{make_uai(1)};CFA du Calvados",
    )
    page.click("text=Vérifier la liste")
    preview = page.inner_text("#preview")
    assert "1 ligne à corriger" in preview
    assert f"Ligne 3 : « {bad_key(beta)} » : SIRET invalide" in preview
    page.click("button[value=save]")  # saving anyway is refused as a whole
    assert "rien n'a été enregistré" in page.inner_text("#preview")
    assert not Attendee.objects.exists()

    text = page.input_value("#id_attendees").replace(bad_key(beta), beta)
    page.fill("#id_attendees", text)
    page.click("text=Vérifier la liste")
    assert "Liste valide : 3 organisations à ajouter" in page.inner_text("#preview")
    page.click("button[value=save]")
    page.wait_for_selector("#table-attendees")
    assert "Participation enregistrée, 3 organisation(s) ajoutée(s)." in page.inner_text(
        ".messages"
    )
    elapsed = time.monotonic() - started
    assert elapsed < 60

    attendance = page.inner_text("#table-attendance")
    assert "Entreprises\t12\t2" in attendance
    assert f"SIRET {beta}" in page.inner_text("#table-attendees")
    assert "Création : Organisation présente — Garage Beta" in page.inner_text("#history")

    page.click("nav >> text=Événements")
    assert page.inner_text("[data-figure=events]") == "1"
    assert page.inner_text("[data-figure=companies]") == "2"
    assert page.inner_text("[data-figure=training-bodies]") == "1"
    page.click("nav >> text=Normandie")
    row = page.locator(
        "#table-activity tr", has_text="Réunion d'information entreprises"
    ).first.inner_text()
    assert row.split("\t")[:4] == [str(day.year), "Réunion d'information entreprises", "1", "2"]
    assert Event.objects.get().created_by == staff
