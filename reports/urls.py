from django.urls import path

from reports import pdf

urlpatterns = [
    path("rapport.pdf", pdf.dashboard_report, name="dashboard-report"),
]
