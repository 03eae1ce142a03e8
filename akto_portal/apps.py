from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save, pre_migrate


def _install_triggers(using: str, **kwargs: Any) -> None:
    from django.db import connections

    from akto_portal import triggers

    triggers.install(connections[using], sources=True)


def _drop_source_triggers(using: str, **kwargs: Any) -> None:
    from django.db import connections

    from akto_portal import triggers

    triggers.drop_sources(connections[using])


class AktoPortalConfig(AppConfig):
    name = "akto_portal"
    verbose_name = "Référentiels et utilisateurs"

    def ready(self) -> None:
        # At the end of every migrate (SQLite drops the triggers of a table a migration
        # rebuilds, whichever app the migration belongs to).
        pre_migrate.connect(
            _drop_source_triggers, sender=self, dispatch_uid="akto_portal_source_versions"
        )
        post_migrate.connect(
            _install_triggers, sender=self, dispatch_uid="akto_portal_data_version"
        )
        from akto_portal import signed_in_users

        user_model = self.get_model("User")
        for signal in (post_save, post_delete):
            signal.connect(
                signed_in_users.user_changed, sender=user_model, dispatch_uid="akto_portal_user"
            )
