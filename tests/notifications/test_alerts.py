"""Alerts through a real SMTP server: one mail when a followed region turns late, one
when it recovers, none at the checks in between; the next crossing alerts again."""

import datetime

import pytest
from django.core.management import call_command

from notifications.models import AlertState, Delivery, Subscription
from notifications.services import subscription_save
from tests.mail_server import AS_OF

pytestmark = pytest.mark.django_db


def send(date=AS_OF):
    call_command("send_digests", "--date", date.isoformat())


def subjects(smtp):
    return [str(m["Subject"]).strip() for m in smtp.messages]


@pytest.fixture
def follower(director, normandie_figures):
    director.email = "directrice.normandie@example.org"
    director.save()
    subscription_save(
        user=director,
        frequency=Subscription.Frequency.NONE,
        regions=[normandie_figures["region"]],
    )
    return director


def set_target(figures, value):
    target = figures["target"]
    target.value = value
    target.save()


def test_alert_once_when_the_region_turns_late_and_once_when_it_recovers(
    smtp, follower, normandie_figures
):
    send()  # 970 for 958 expected: on track, state stored, nothing sent
    assert smtp.messages == []
    assert AlertState.objects.get(subject="region:28").behind is False

    set_target(normandie_figures, 1500)  # 1 250 expected: behind
    send()
    send()
    send(AS_OF + datetime.timedelta(days=1))
    assert subjects(smtp) == ["Alerte : Normandie en retard"]
    body = smtp.messages[0].get_body(preferencelist=("plain",)).get_content()
    assert "Normandie est passée en retard" in body
    assert "970 contrats (janv.–oct. 2025) pour 1\u00a0250 attendus" in body

    set_target(normandie_figures, 1100)  # 917 expected: ahead
    send()
    send()
    assert subjects(smtp)[1:] == ["Fin d'alerte : Normandie n'est plus en retard"]

    set_target(normandie_figures, 1500)  # the next crossing alerts again
    send()
    assert len(smtp.messages) == 3
    assert AlertState.objects.get(subject="region:28").changes == 3


def test_indicator_alert_when_more_than_the_margin_behind_its_period(
    smtp, follower, normandie_figures, settings
):
    indicator = normandie_figures["indicator"]
    subscription_save(user=follower, frequency="none", indicators=[indicator])
    # 20 % of the target when 63 % of 2024-2026 has elapsed: 43 points behind
    settings.DIGEST_ALERT_MARGIN = 50
    send()
    assert smtp.messages == []
    settings.DIGEST_ALERT_MARGIN = 10
    send()
    send()
    assert subjects(smtp) == [
        "Alerte : Entreprises sensibilisées (Convention régionale de test) en retard"
    ]
    assert Delivery.objects.get().key == f"alert:indicator:{indicator.pk}:1"


def test_a_region_late_at_the_first_check_alerts_once(smtp, follower, normandie_figures):
    set_target(normandie_figures, 1500)
    send()
    send()
    assert subjects(smtp) == ["Alerte : Normandie en retard"]


def test_unfollowed_region_alerts_nobody(smtp, director, normandie_figures):
    director.email = "directrice.normandie@example.org"
    director.save()
    set_target(normandie_figures, 1500)
    send()
    assert smtp.messages == [] and not AlertState.objects.exists()
