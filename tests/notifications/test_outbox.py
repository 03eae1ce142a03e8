"""The outbox through a real SMTP server: a mail is claimed and committed before it is
sent, so a sender that dies after the send never sends it again; one user, subject or
label that fails never stops the others, and send_digests still exits 0."""

import datetime

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.utils import timezone

from notifications import alerts, digests, mail
from notifications.models import AlertState, Delivery, Subscription
from notifications.services import subscription_save
from tests.mail_server import AS_OF
from tests.notifications.test_digests import line, text_part

pytestmark = pytest.mark.django_db


def send(capsys=None):
    """send_digests as cron runs it: a CommandError (exit code 1) fails the test."""
    call_command("send_digests", "--date", AS_OF.isoformat())
    return capsys.readouterr().err if capsys else ""


@pytest.fixture
def subscriber(director):
    director.email = "directrice.normandie@example.org"
    director.save()
    subscription_save(user=director, frequency=Subscription.Frequency.WEEKLY)
    return director


@pytest.fixture
def colleague(staff):
    staff.email = "equipe.normandie@example.org"
    staff.save()
    subscription_save(user=staff, frequency=Subscription.Frequency.WEEKLY)
    return staff


def test_a_sender_dying_after_the_mail_left_never_sends_it_again(
    smtp, subscriber, normandie_figures, monkeypatch, capsys
):
    real_send = mail.RelatedAlternativesMessage.send

    def send_then_die(self, *args, **kwargs):
        sent = real_send(self, *args, **kwargs)
        raise SystemExit("worker killed")  # after the server took the mail, before the record
        return sent

    monkeypatch.setattr(mail.RelatedAlternativesMessage, "send", send_then_die)
    with pytest.raises(SystemExit):
        send()
    monkeypatch.undo()
    assert len(smtp.messages) == 1
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SENDING and delivery.claimed_at is not None

    send()  # the next run: the claim is fresh (its sender may still be at work)
    assert len(smtp.messages) == 1
    assert Delivery.objects.get().status == Delivery.Status.SENDING

    Delivery.objects.update(claimed_at=timezone.now() - datetime.timedelta(minutes=16))
    err = send(capsys)
    assert len(smtp.messages) == 1  # reported, not resent
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.UNCERTAIN
    assert "peut-être parti, non renvoyé" in delivery.last_error
    assert "incertain, non renvoyé : directrice.normandie@example.org" in err
    send()
    assert len(smtp.messages) == 1


def test_database_locked_when_recording_the_send_does_not_send_it_again(
    smtp, subscriber, colleague, normandie_figures, monkeypatch
):
    real_record = mail._record

    def locked(delivery, status, fields):
        if status == Delivery.Status.SENT and delivery.user == subscriber:
            raise OperationalError("database is locked")
        return real_record(delivery, status, fields)

    monkeypatch.setattr(mail, "_record", locked)
    send()  # exit 0: the other user's digest is sent and recorded
    monkeypatch.undo()
    assert sorted(m["To"] for m in smtp.messages) == [
        "directrice.normandie@example.org",
        "equipe.normandie@example.org",
    ]
    assert Delivery.objects.get(user=colleague).status == Delivery.Status.SENT
    assert Delivery.objects.get(user=subscriber).status == Delivery.Status.SENDING
    send()
    assert len(smtp.messages) == 2


def test_a_400_character_label_stops_nobody_and_send_digests_exits_0(
    smtp, subscriber, colleague, normandie_figures
):
    indicator = normandie_figures["indicator"]
    indicator.name = ("Entreprises sensibilisées aux métiers de l'hôtellerie " * 6)[:300]
    indicator.save()
    convention = indicator.convention
    convention.title = "Convention régionale de test " + "x" * 68
    convention.save()
    label = f"{indicator.name} ({convention.title})"
    assert len(label) == 400
    # The director follows the indicator (20 % of its target, 63 % of the period elapsed).
    subscription_save(
        user=subscriber, frequency=Subscription.Frequency.WEEKLY, indicators=[indicator]
    )

    send()  # no CommandError: exit code 0

    state = AlertState.objects.get(subject=f"indicator:{indicator.pk}")
    assert len(state.label) == 300 and state.label == label[:299] + "…"
    assert state.behind is True
    alert = Delivery.objects.get(kind=Delivery.Kind.ALERT)
    assert alert.status == Delivery.Status.SENT
    assert len(alert.subject) == 250 and alert.subject.endswith("…")
    assert sorted(str(m["To"]) for m in smtp.messages) == [
        "directrice.normandie@example.org",
        "directrice.normandie@example.org",
        "equipe.normandie@example.org",
    ]
    assert Delivery.objects.filter(kind=Delivery.Kind.DIGEST, status="sent").count() == 2


def test_one_user_whose_digest_fails_stops_nobody_and_is_retried_up_to_the_limit(
    smtp, subscriber, colleague, normandie_figures, monkeypatch, capsys, settings
):
    real_page = digests.user_page

    def page(user, *args, **kwargs):
        if user == subscriber:
            raise ValueError("page illisible")
        return real_page(user, *args, **kwargs)

    monkeypatch.setattr(digests, "user_page", page)
    monkeypatch.setattr(alerts, "user_page", page)
    err = send(capsys)
    assert [str(m["To"]) for m in smtp.messages] == ["equipe.normandie@example.org"]
    failed = Delivery.objects.get(user=subscriber)
    assert failed.status == Delivery.Status.FAILED
    assert "ValueError: page illisible" in failed.last_error
    assert "échec : directrice.normandie@example.org" in err

    monkeypatch.undo()  # fixed: the next run sends it, with its subject
    send()
    assert [str(m["To"]) for m in smtp.messages][1:] == ["directrice.normandie@example.org"]
    failed.refresh_from_db()
    assert failed.status == Delivery.Status.SENT
    assert failed.subject.startswith("Alternance · Normandie : 970 contrats")

    # Never fixed: abandoned after DIGEST_MAX_ATTEMPTS attempts, then left alone.
    settings.DIGEST_MAX_ATTEMPTS = 3
    Delivery.objects.all().delete()
    monkeypatch.setattr(digests, "user_page", page)
    for _ in range(3):
        send()
    failed = Delivery.objects.get(user=subscriber)
    assert (failed.status, failed.attempts) == (Delivery.Status.ABANDONED, 3)
    assert len(smtp.messages) == 3  # the colleague's digest again, once


def test_the_digest_gap_in_percent_is_the_dashboards_to_the_decimal(
    smtp, subscriber, normandie_figures, client_for
):
    send()
    text = text_part(smtp.messages[0])
    # 970 contracts for 958 expected: +12, i.e. 101,3 % of the expected level, written
    # as the dashboard and the PDF write it (not "+1,3 %" beside the page's "101 %").
    assert line(text, "Écart à l'attendu") == "+12 (101,3\u00a0%) de l'attendu"
    gap = digests.user_page(subscriber, AS_OF).gap_to_expected  # what the dashboard shows
    assert (gap.contracts, gap.reference, gap.diff, gap.pct) == (970, 958, 12, 101.3)
    page = client_for(subscriber).get("/", {"region": "28", "date": AS_OF.isoformat()})
    assert "+12 contrats (101,3\u00a0% de l'attendu)" in page.content.decode()
