from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from akto_portal import views
from contracts import views as contract_views

admin.site.site_header = "Portail de pilotage de l'alternance — administration"
admin.site.site_title = "Administration du portail"
admin.site.index_title = "Référentiels, conventions et objectifs"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("regions/<str:code>/", views.region_detail, name="region-detail"),
    path("connexion/", auth_views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("conventions/", include("conventions.urls")),
    path("evenements/", include("events.urls")),
    path("imports/", include("contracts.urls")),
    path("api/v1/market/summary", contract_views.market_summary_api, name="api-market-summary"),
    path("admin/", admin.site.urls),
]
