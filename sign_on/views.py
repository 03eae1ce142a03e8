"""The single sign-on's pages: the start (redirect to the provider), the callback, and
the French refusal page. Mounted whether or not the sign-on is configured: without
OIDC_ISSUER they answer a French 404 that says so."""

import logging

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from mozilla_django_oidc import views as oidc_views

from sign_on.claims import Refused

logger = logging.getLogger(__name__)


def refusal(request: HttpRequest, reason: str, status: int = 403) -> HttpResponse:
    # Whoever is already signed in stays so: a refused callback logs nobody in.
    return render(
        request,
        "sign_on/refused.html",
        {"reason": reason, "contact": settings.OIDC_SUPPORT_CONTACT},
        status=status,
    )


def _unconfigured(request: HttpRequest) -> HttpResponse:
    return render(request, "sign_on/unconfigured.html", status=404)


class _Callback(oidc_views.OIDCAuthenticationCallbackView):
    def login_failure(self) -> HttpResponse:
        return refusal(
            self.request,
            "La connexion par l'annuaire n'a pas abouti (lien expiré, déjà utilisé ou"
            " réponse du fournisseur invalide). Recommencez depuis la page de connexion.",
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            return super().get(request)
        except Refused as refused:
            return refusal(request, refused.reason)
        except (SuspiciousOperation, requests.RequestException, jwt.PyJWTError) as error:
            # A forged, expired or replayed answer, or a provider that refused the code.
            logger.warning("Single sign-on refused: %s", error)
            return self.login_failure()


def authenticate(request: HttpRequest) -> HttpResponse:
    if not settings.OIDC_ENABLED:
        return _unconfigured(request)
    return oidc_views.OIDCAuthenticationRequestView.as_view()(request)


def callback(request: HttpRequest) -> HttpResponse:
    if not settings.OIDC_ENABLED:
        return _unconfigured(request)
    return _Callback.as_view()(request)
