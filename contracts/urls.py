from django.urls import path

from contracts import views

urlpatterns = [
    path("", views.import_index, name="contract-imports"),
    path("envoyer/", views.import_upload, name="contract-import-upload"),
    path("<uuid:job_id>/apercu/", views.import_preview, name="contract-import-preview"),
    path("<uuid:job_id>/etat/", views.import_status, name="contract-import-status"),
    path("<uuid:job_id>/confirmer/", views.import_confirm, name="contract-import-confirm"),
    path(
        "modeles/<str:layout>.<str:extension>",
        views.import_example,
        name="contract-import-example",
    ),
]
