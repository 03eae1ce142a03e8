from django.apps import AppConfig


class SignOnConfig(AppConfig):
    name = "sign_on"
    verbose_name = "Connexion par l'annuaire (OpenID Connect)"
