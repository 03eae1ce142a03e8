"""The URLconf: the shared base's own pages, then each app's URLconf by dotted path
(the project package imports no app)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from akto_portal import views

admin.site.site_header = "Portail de pilotage de l'alternance — administration"
admin.site.site_title = "Administration du portail"
admin.site.index_title = "Référentiels, conventions et objectifs"

urlpatterns = [
    path("compte/jetons/", views.api_tokens, name="api-tokens"),
    path("compte/jetons/<int:pk>/revoquer/", views.api_token_revoke_view, name="api-token-revoke"),
    path("connexion/", auth_views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("conventions/", include("conventions.urls")),
    path("evenements/", include("events.urls")),
    path("imports/", include("contracts.urls")),
    path("admin/", admin.site.urls),
    path("", include("dashboards.urls")),
]
