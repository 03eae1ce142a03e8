"""Password reset by email, in French, from the login page to a new password."""

import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "nouvelle phrase de passe 2026"


@pytest.fixture
def director_with_email(director):
    director.email = "direction.normandie@example.org"
    director.save()
    return director


def reset_link(mailoutbox):
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
    assert mailoutbox == []


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
