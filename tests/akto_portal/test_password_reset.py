"""Password reset by email, in French, from the login page to a new password. The request
queues the mail in the outbox; send_digests (--outbox-only) sends it."""

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from notifications.models import Delivery

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "nouvelle phrase de passe 2026"


@pytest.fixture
def director_with_email(director):
    director.email = "direction.normandie@example.org"
    director.save()
    return director


def send_outbox():
    call_command("send_digests", "--outbox-only", stdout=None)


def reset_link(mailoutbox):
    send_outbox()
    (message,) = mailoutbox
    return re.search(r"https?://testserver(/mot-de-passe/nouveau/\S+/)", message.body).group(1)


def test_the_whole_flow_in_french(client, director_with_email, mailoutbox):
    login_page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in login_page
    assert reverse("password_reset") == "/mot-de-passe/oublie/"

    form = client.get(reverse("password_reset"))
    assert form.status_code == 200  # public: no login asked
    assert "Mot de passe oublié" in form.content.decode()

    sent = client.post(reverse("password_reset"), {"email": "Direction.Normandie@example.org"})
    assert sent["Location"] == reverse("password_reset_done")
    assert "Vérifiez votre messagerie" in client.get(sent["Location"]).content.decode()

    assert mailoutbox == []  # queued, not sent inside the request
    send_outbox()
    (message,) = mailoutbox
    assert message.to == ["direction.normandie@example.org"]
    assert message.subject == "Pilotage de l'alternance : choisir un nouveau mot de passe"
    assert "Bonjour director-normandie" in message.body
    assert "« director-normandie »" in message.body

    # The link leads to a form (Django first swaps the token for a session-held one).
    link = reset_link(mailoutbox)
    page = client.get(link, follow=True)
    assert "Nouveau mot de passe" in page.content.decode()
    set_password_url = page.redirect_chain[-1][0]

    mismatch = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": "autre chose"}
    )
    assert "Les deux mots de passe ne correspondent pas." in mismatch.content.decode()

    done = client.post(
        set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done["Location"] == reverse("password_reset_complete")
    assert (
        "Votre nouveau mot de passe est enregistré."
        in client.get(done["Location"]).content.decode()
    )

    director_with_email.refresh_from_db()
    assert director_with_email.check_password(NEW_PASSWORD)
    # The link served once.
    again = client.get(link, follow=True).content.decode()
    assert "Ce lien n'est plus valable" in again

    logged = client.post(
        reverse("login"), {"username": director_with_email.username, "password": NEW_PASSWORD}
    )
    assert logged.status_code == 302


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "personne@example.org"})
    assert response["Location"] == reverse("password_reset_done")
    send_outbox()
    assert mailoutbox == [] and not Delivery.objects.exists()


def test_a_new_password_lifts_the_lockout_of_that_username(client, director_with_email, mailoutbox):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": director_with_email.username, "password": "mauvais"},
            REMOTE_ADDR="198.51.100.1",
        )
    assert AccessAttempt.objects.filter(username=director_with_email.username).exists()

    client.post(reverse("password_reset"), {"email": director_with_email.email})
    page = client.get(reset_link(mailoutbox), follow=True)
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    response = client.post(
        reverse("login"),
        {"username": director_with_email.username, "password": NEW_PASSWORD},
        REMOTE_ADDR="192.0.2.5",
    )
    assert response.status_code == 302


def test_the_request_queues_one_mail_that_the_outbox_sends_once(
    client, director_with_email, mailoutbox
):
    client.post(reverse("password_reset"), {"email": director_with_email.email})
    assert mailoutbox == []
    delivery = Delivery.objects.get()
    assert (delivery.kind, delivery.status, delivery.user) == (
        Delivery.Kind.PASSWORD_RESET,
        Delivery.Status.PENDING,
        director_with_email,
    )
    assert "/mot-de-passe/nouveau/" in delivery.body

    send_outbox()
    send_outbox()
    (message,) = mailoutbox
    assert message.to == ["direction.normandie@example.org"]
    assert "List-Unsubscribe" not in message.extra_headers
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.body == ""  # the one-time link is not kept once sent


THROTTLED = "Trop de demandes de nouveau mot de passe en peu de temps."


def ask(client, email, ip="203.0.113.7"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_three_requests_an_hour_per_address_the_same_answer_for_an_unknown_one(
    client, director_with_email, mailoutbox
):
    for email in (director_with_email.email, "personne@example.org"):
        for _ in range(settings.PASSWORD_RESET_PER_EMAIL):
            assert ask(client, email)["Location"] == reverse("password_reset_done")
        refused = ask(client, email.upper())  # the same address, written otherwise
        assert refused.status_code == 429
        assert refused["Retry-After"] == "3600"
        assert THROTTLED in refused.content.decode()
    # Three mails queued for the real account, none for the unknown one.
    assert Delivery.objects.filter(user=director_with_email).count() == 3
    assert Delivery.objects.count() == 3
    # Another address from the same client is still served.
    assert ask(client, "autre@example.org").status_code == 302


def test_ten_requests_an_hour_per_client_address(client, director_with_email, mailoutbox):
    for n in range(settings.PASSWORD_RESET_PER_IP):
        assert ask(client, f"personne{n}@example.org").status_code == 302
    refused = ask(client, director_with_email.email)
    assert refused.status_code == 429 and THROTTLED in refused.content.decode()
    assert not Delivery.objects.exists()
    assert ask(client, director_with_email.email, ip="198.51.100.9").status_code == 302
    assert Delivery.objects.filter(user=director_with_email).count() == 1
