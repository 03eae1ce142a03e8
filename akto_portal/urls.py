"""The URLconf: the shared base's own pages, then each app's URLconf by dotted path
(the project package imports no app)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from akto_portal import health, login_throttling, views

admin.site.login_form = login_throttling.AdminLoginForm
admin.site.site_header = "Portail de pilotage de l'alternance — administration"
admin.site.site_title = "Administration du portail"
admin.site.index_title = "Référentiels, conventions et objectifs"

# Password reset by email, in French (Django's views; templates in templates/registration/).
# The request page ("password_reset", "admin_password_reset") is notifications': it queues
# the mail in the outbox that sends digests and alerts (notifications/password_reset.py).
password_reset = [
    path(
        "mot-de-passe/oublie/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        login_throttling.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/modifie/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("compte/jetons/", views.api_tokens, name="api-tokens"),
    path("compte/jetons/<int:pk>/revoquer/", views.api_token_revoke_view, name="api-token-revoke"),
    path(
        "connexion/",
        views.LoginView.as_view(authentication_form=login_throttling.LoginForm),
        name="login",
    ),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    *password_reset,
    path("connexion/annuaire/", include("sign_on.urls")),
    path("healthz", health.healthz, name="healthz"),
    path("conventions/", include("conventions.urls")),
    path("evenements/", include("events.urls")),
    path("imports/", include("contracts.urls")),
    path("admin/", admin.site.urls),
    path("", include("reports.urls")),
    path("", include("notifications.urls")),
    path("", include("dashboards.urls")),
]

# French error pages; JSON under /api/; 503 while the database is unreachable.
handler400 = "akto_portal.errors.bad_request"
handler403 = "akto_portal.errors.permission_denied"
handler404 = "akto_portal.errors.page_not_found"
handler500 = "akto_portal.errors.server_error"
