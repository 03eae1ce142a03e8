"""Digests sent through a real SMTP server: the figures are the API's for the same
scope, nothing goes twice for a period, failures are retried, unsubscribing stops them."""

import re

import pytest
from django.core.management import call_command
from django.test import Client

from contracts.pace import STATUS_LABELS
from notifications.models import Delivery, Subscription
from notifications.services import subscription_save
from reports import images
from tests.mail_server import AS_OF

pytestmark = pytest.mark.django_db
SPACES = re.compile(r"[\s\u00a0\u202f]")


def send(date=AS_OF, *args):
    call_command("send_digests", "--date", date.isoformat(), *args, stdout=None)


@pytest.fixture
def subscriber(director):
    director.email = "directrice.normandie@example.org"
    director.save()
    subscription_save(user=director, frequency=Subscription.Frequency.WEEKLY)
    return director


def text_part(message):
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def header(message, name):
    return str(message[name]).strip()


def line(text, label):
    """The value after "label : " on its line, as written."""
    match = re.search(rf"^{re.escape(label)} : (.+)$", text, re.MULTILINE)
    assert match, f"{label!r} absent du texte :\n{text}"
    return match.group(1)


def integer(value):
    return int(SPACES.sub("", value).replace("−", "-").split("(")[0])


def test_digest_figures_equal_the_api_for_the_same_scope(
    smtp, subscriber, normandie_figures, client_for
):
    send()
    [message] = smtp.messages
    assert message["To"] == "directrice.normandie@example.org"
    text = text_part(message)
    api = client_for(subscriber)
    query = {"region": "28", "date": AS_OF.isoformat()}
    summary = api.get("/api/v1/contracts/summary", query).json()
    assert (summary["contracts"], summary["previous_year"], summary["expected"]) == (
        970,
        1000,
        958,
    )
    assert integer(line(text, "Contrats à date")) == summary["contracts"]
    assert integer(line(text, "Même période 2024")) == summary["previous_year"]
    assert "(évolution : −3\u00a0%)" in line(text, "Même période 2024")
    assert round(summary["growth_pct"]) == -3
    assert integer(line(text, "Attendu à date")) == summary["expected"]
    assert integer(line(text, "Objectif 2025")) == summary["target"] == 1150
    assert integer(line(text, "Écart à l'attendu")) == summary["contracts"] - summary["expected"]
    assert line(text, "Statut") == STATUS_LABELS[summary["status"]] == "dans les temps"

    by_branch = api.get("/api/v1/contracts/by-branch", query).json()["rows"]
    behind = [r for r in by_branch if r["previous"] and r["contracts"] < r["previous"]]
    most_behind = sorted(behind, key=lambda r: r["contracts"] / r["previous"])[:3]
    assert "BRANCHES LES PLUS EN RETARD SUR LA MÊME PÉRIODE DE 2024" in text
    written = re.findall(r"^- (.+) : ([\d\u00a0]+) contre ([\d\u00a0]+) \((.+)\)$", text, re.M)
    assert [(name, integer(n), integer(ref)) for name, n, ref, _gap in written] == [
        (r["name"], r["contracts"], r["previous"]) for r in most_behind
    ]
    # Only branches behind their reference: a branch at 0 % is not "most behind".
    assert [g for *_rest, g in written] == ["−50 (80,0\u00a0%)", "−30 (88,0\u00a0%)"]

    events = api.get("/api/v1/events/summary", query).json()
    assert integer(line(text, "Événements depuis le début de l'année")) == 3
    assert events["total"]["events"] == 3
    assert integer(line(text, "Événements tenus")) == 1  # the week before: 12/11
    assert integer(line(text, "Entreprises")) == 15
    assert integer(line(text, "Jeunes et demandeurs d'emploi")) == 40

    conventions = api.get("/api/v1/conventions/indicators", query).json()["conventions"]
    [indicator] = conventions[0]["indicators"]
    assert indicator["target_pct"] == 20.0
    assert (
        "- Entreprises sensibilisées (Convention régionale de test) : 20,0 % de l'objectif"
        in text.replace("\u00a0", " ")
    )


def test_mail_is_multipart_alternative_with_inline_chart_link_and_unsubscribe_headers(
    smtp, subscriber, normandie_figures, client_for
):
    send()
    [message] = smtp.messages
    assert message.get_content_type() == "multipart/alternative"
    plain, related = message.get_payload()
    assert plain.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html, image = related.get_payload()
    assert html.get_content_type() == "text/html"
    assert 'src="cid:cumul"' in html.get_content()
    assert image.get_content_type() == "image/png" and image["Content-ID"] == "<cumul>"
    assert image.get_content().startswith(b"\x89PNG\r\n\x1a\n")
    unsubscribe = header(message, "List-Unsubscribe").strip("<>")
    assert unsubscribe.startswith("http://portail.test/desabonnement/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in text_part(message)
    link = line(text_part(message), "Tableau de bord")
    assert link == "http://portail.test/?region=28&year=2025&date=2025-11-17"
    page = client_for(subscriber).get(link.removeprefix("http://portail.test"))
    assert page.status_code == 200
    assert "970" in page.content.decode()


def test_a_second_run_sends_nothing_and_the_next_week_sends_again(
    smtp, subscriber, normandie_figures
):
    send()
    send()
    send(AS_OF.replace(day=20))  # same ISO week
    assert len(smtp.messages) == 1
    send(AS_OF.replace(day=24))
    assert len(smtp.messages) == 2
    # "since the last digest": from the 17th on, no event was held
    assert integer(line(text_part(smtp.messages[1]), "Événements tenus")) == 0
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 2


def test_monthly_digest_goes_once_a_month(smtp, subscriber, normandie_figures):
    subscription_save(user=subscriber, frequency=Subscription.Frequency.MONTHLY)
    for day in (3, 17, 24, 30):
        send(AS_OF.replace(day=day))
    assert len(smtp.messages) == 1
    assert header(smtp.messages[0], "Subject").startswith("Alternance · Normandie : 970 contrats")


def test_dry_run_sends_and_records_nothing(smtp, subscriber, normandie_figures, capsys):
    call_command("send_digests", "--dry-run", "--date", AS_OF.isoformat())
    assert "directrice.normandie@example.org : Alternance · Normandie" in capsys.readouterr().out
    assert smtp.messages == [] and not Delivery.objects.exists()


def test_a_refused_send_is_retried_in_the_same_run(smtp, subscriber, normandie_figures):
    smtp.refuse = 1
    send()
    assert len(smtp.messages) == 1
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 2)
    assert "451" in delivery.last_error


def test_a_send_failing_every_attempt_is_kept_and_sent_by_the_next_run(
    smtp, subscriber, normandie_figures, caplog
):
    smtp.refuse = 2  # both attempts of the first run
    send()
    assert smtp.messages == []
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.FAILED, 2)
    assert "Serveur occupé" in delivery.last_error
    assert "en échec, réessayé au prochain passage" in caplog.text
    send()
    assert len(smtp.messages) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 3)


def test_unsubscribe_link_works_without_login_and_stops_the_mails(
    smtp, subscriber, normandie_figures
):
    send()
    url = (
        header(smtp.messages[0], "List-Unsubscribe").strip("<>").removeprefix("http://portail.test")
    )
    anonymous = Client()
    page = anonymous.get(url)
    assert page.status_code == 200 and "Me désabonner" in page.content.decode()
    assert Subscription.objects.get(user=subscriber).frequency == "weekly"  # GET changes nothing
    done = anonymous.post(url, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert "ne recevra plus" in done.content.decode()
    assert Subscription.objects.get(user=subscriber).frequency == "none"
    send(AS_OF.replace(day=24))
    assert len(smtp.messages) == 1


def test_a_forged_unsubscribe_link_is_refused(client, subscriber):
    response = client.post("/desabonnement/42:forged:signature/")
    assert response.status_code == 404
    assert Subscription.objects.get(user=subscriber).frequency == "weekly"


def test_a_digest_queued_before_unsubscribing_is_not_sent(smtp, subscriber, normandie_figures):
    smtp.refuse = 2
    send()
    Client().post(
        smtp_unsubscribe_path(subscriber),
    )
    send()
    assert smtp.messages == []
    assert Delivery.objects.get().status == Delivery.Status.CANCELLED


def smtp_unsubscribe_path(user):
    from notifications.digests import unsubscribe_token

    return f"/desabonnement/{unsubscribe_token(user)}/"


def test_users_without_email_or_subscription_get_nothing(smtp, director, staff, normandie_figures):
    subscription_save(user=director, frequency=Subscription.Frequency.WEEKLY)  # no email
    send()
    assert smtp.messages == [] and not Delivery.objects.exists()


def test_chart_is_drawn_from_the_page_model_and_absent_without_data(normandie_figures, director):
    from notifications.digests import user_page

    page = user_page(director, AS_OF)
    png = images.cumulative_png(page.series)
    assert png.startswith(b"\x89PNG")
    assert images.cumulative_png(user_page(director, AS_OF, region_code="53").series) is None
