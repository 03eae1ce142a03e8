"""The portal's URLconf, with its error handlers, plus views that fail on purpose, as
pages and under /api/."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.urls import path

from akto_portal import urls


def broken(request):
    raise RuntimeError("a bug")


def bad(request):
    raise BadRequest("bad")


def forbidden(request):
    raise PermissionDenied


urlpatterns = [
    *[
        path(f"{prefix}echec/{name}/", view)
        for prefix in ("", "api/v1/")
        for name, view in (("500", broken), ("400", bad), ("403", forbidden))
    ],
    *urls.urlpatterns,
]
handler400 = urls.handler400
handler403 = urls.handler403
handler404 = urls.handler404
handler500 = urls.handler500
