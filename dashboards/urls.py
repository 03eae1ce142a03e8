from django.urls import include, path

from contracts import views as contract_views
from dashboards import api, departments, views

api_v1 = [
    path("contracts/summary", api.contracts_summary, name="api-contracts-summary"),
    path("contracts/by-year", api.contracts_by_year, name="api-contracts-by-year"),
    path("contracts/by-month", api.contracts_by_month, name="api-contracts-by-month"),
    path("contracts/by-region", api.contracts_by_region, name="api-contracts-by-region"),
    path("contracts/by-branch", api.contracts_by_branch, name="api-contracts-by-branch"),
    path(
        "contracts/by-department",
        departments.contracts_by_department_api,
        name="api-contracts-by-department",
    ),
    path("events/summary", api.events_summary, name="api-events-summary"),
    path("conventions/indicators", api.conventions_indicators, name="api-conventions-indicators"),
    path("market/summary", contract_views.market_summary_api, name="api-market-summary"),
]

urlpatterns = [
    path("", views.overview, name="overview"),
    path("regions/<str:code>/", views.region_detail, name="region-detail"),
    path(
        "regions/<str:code>/departements/",
        departments.region_departments,
        name="region-departments",
    ),
    path(
        "regions/<str:code>/departements.<str:fmt>",
        departments.departments_export,
        name="region-departments-export",
    ),
    path("export/<str:name>.<str:fmt>", views.dashboard_export, name="dashboard-export"),
    path("indicateurs/<int:pk>/", views.indicator_detail, name="indicator-detail"),
    path("vues/", views.saved_view_create, name="saved-view-create"),
    path("vues/<int:pk>/supprimer/", views.saved_view_delete_view, name="saved-view-delete"),
    path("api/v1/", include(api_v1)),
]
