from django.apps import AppConfig


class SignOnConfig(AppConfig):
    name = "sign_on"
    verbose_name = "Connexion par l'annuaire (OpenID Connect)"

    def ready(self) -> None:
        from sign_on import checks  # noqa: F401  (registers the configuration check)
