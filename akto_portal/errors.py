"""Error responses: French pages in the portal's style, JSON under /api/.

Wired in akto_portal/urls.py (handler400/403/404/500) and settings.CSRF_FAILURE_VIEW.

A database outage (Django's `OperationalError` or `InterfaceError`) is answered 503, not
500: Django turns an exception raised anywhere — a view, or a middleware such as the
session or authentication one, whatever its place — into a response by calling
handler500 while that exception is being handled, so `server_error` is the one place
that sees them all. Nothing is kept from the outage: the next request opens a fresh
connection (CONN_HEALTH_CHECKS) and the portal answers again as soon as the database does.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

API_PREFIX = "/api/"
DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30

DETAILS = {
    400: "Requête invalide.",
    403: "Accès refusé.",
    404: "Ressource introuvable.",
    500: "Erreur interne du serveur. L'incident est enregistré.",
    503: "Service momentanément indisponible : la base de données ne répond pas. "
    "Réessayez dans quelques instants.",
}


def is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def json_error(status: int, detail: str | None = None) -> JsonResponse:
    return JsonResponse({"detail": detail or DETAILS[status]}, status=status)


def is_database_outage(exc: BaseException | None) -> bool:
    """Is this exception, or one it was raised from, a lost or refused database connection?"""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, DATABASE_ERRORS):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return json_error(400)
    return defaults.bad_request(request, exception)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return json_error(403)
    return defaults.permission_denied(request, exception)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return json_error(404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_database_outage(sys.exc_info()[1]):
        return service_unavailable(request)
    if is_api(request):
        return json_error(500)
    return defaults.server_error(request)


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503 while the database is unreachable. The page is rendered without the request's
    context (no user, no session): those need the database."""
    response: HttpResponse
    if is_api(request):
        response = json_error(503)
    else:
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid CSRF token (an expired page, cookies refused, another
    site posting on the user's behalf)."""
    if is_api(request):
        return json_error(403, "Vérification CSRF échouée : rechargez la page et réessayez.")
    return HttpResponse(loader.render_to_string("403_csrf.html", request=request), status=403)
