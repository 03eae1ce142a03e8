from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_triggers(using, **kwargs):
    from django.db import connections

    from akto_portal import triggers

    triggers.install(connections[using])


class AktoPortalConfig(AppConfig):
    name = "akto_portal"
    verbose_name = "Référentiels et utilisateurs"

    def ready(self):
        # At the end of every migrate (SQLite drops the triggers of a table a migration
        # rebuilds, whichever app the migration belongs to).
        post_migrate.connect(
            _install_triggers, sender=self, dispatch_uid="akto_portal_data_version"
        )
