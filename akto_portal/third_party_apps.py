"""Third-party apps under French names in the admin: their AppConfig subclassed (the
public way to name an installed app), listed in INSTALLED_APPS instead of theirs. The
names of their models and fields come from their own French catalogue (django-axes) or
ours (`locale/fr`: django-tasks-db)."""

from axes.apps import AppConfig as AxesConfig
from django_tasks_db.apps import TasksAppConfig


class LoginThrottlingConfig(AxesConfig):
    """django-axes: failed logins and lockouts (not the action plan's axes)."""

    verbose_name = "Sécurité des connexions (tentatives et blocages)"


class BackgroundTasksConfig(TasksAppConfig):
    """django-tasks-db: the imports and mails run in the background."""

    verbose_name = "Tâches en arrière-plan"
