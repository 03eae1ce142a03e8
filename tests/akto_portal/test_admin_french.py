"""The admin is French throughout: third-party apps' sections and models, the history
table's columns and an empty change reason."""

import re
from html import unescape

import pytest
from django.urls import reverse

from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def _text(response):
    return unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_the_admin_index_names_every_section_in_french(client_for, admin_user):
    response = client_for(admin_user).get(reverse("admin:index"))

    assert response.wsgi_request.user == admin_user
    assert response.status_code == 200
    text = _text(response)
    for english in ("Tasks Database Backend", "Task Results", "Task Result"):
        assert english.lower() not in text.lower()
    assert re.search(r"\bAxes\b", text) is None or "Axes du plan" in text  # never "AXES" alone
    assert [m for m in re.findall(r"\bAxes\b[^\n]{0,20}", text) if "plan" not in m] == []
    assert "Sécurité des connexions (tentatives et blocages)" in text
    assert "Tâches en arrière-plan" in text


def test_the_task_list_is_in_french(client_for, admin_user):
    response = client_for(admin_user).get(
        reverse("admin:django_tasks_database_dbtaskresult_changelist")
    )

    assert response.wsgi_request.user == admin_user
    text = _text(response)
    assert "Tâches en arrière-plan" in text
    assert "enqueued" not in text.lower() and "Task" not in text


def test_the_history_table_is_in_french_and_an_empty_reason_is_a_dash(
    client_for, admin_user, normandie
):
    event = EventFactory(region=normandie)  # one history record, without a reason
    url = reverse("admin:events_event_history", args=[event.pk])

    response = client_for(admin_user).get(url)

    assert response.wsgi_request.user == admin_user
    assert response.status_code == 200
    html = response.content.decode()
    start = html.index('<table id="change-history"')
    table = html[start : html.index("</table>", start)]
    headers = [unescape(h).strip() for h in re.findall(r'<th scope="col">(.*?)</th>', table)]
    assert headers[-2:] == ["Raison de la modification", "Modifications"]
    assert ">None<" not in re.sub(r"\s+", "", table).replace("&nbsp;", "")
    assert re.search(r"<td>\s*—\s*</td>", table)
