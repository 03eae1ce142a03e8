from django.urls import path

from contracts import views

urlpatterns = [
    path("", views.import_index, name="contract-imports"),
    path("envoyer/", views.import_upload, name="contract-import-upload"),
    path("<str:token>/apercu/", views.import_preview, name="contract-import-preview"),
    path("<str:token>/confirmer/", views.import_confirm, name="contract-import-confirm"),
    path("progression/<uuid:key>/", views.import_progress, name="contract-import-progress"),
    path(
        "modeles/<str:layout>.<str:extension>",
        views.import_example,
        name="contract-import-example",
    ),
]
