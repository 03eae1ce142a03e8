import sys

from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Contrats et marché"

    def ready(self):
        from contracts import indicators  # noqa: F401  (registers its computed indicators)

        if sys.argv[1:2] == ["db_worker"]:
            # The background worker also takes back, at startup and then every half
            # lease, the jobs whose worker died (even when no new job comes).
            from contracts import jobs

            jobs.start_lost_job_watch()
