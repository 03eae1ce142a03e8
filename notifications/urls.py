from django.urls import path

from notifications import password_reset, views

urlpatterns = [
    path("compte/abonnements/", views.subscriptions, name="subscriptions"),
    path("desabonnement/<str:token>/", views.unsubscribe, name="unsubscribe"),
    # The admin's login links to the same page ("admin_password_reset").
    path(
        "mot-de-passe/oublie/",
        password_reset.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oublie/",
        password_reset.PasswordResetView.as_view(),
        name="admin_password_reset",
    ),
]
