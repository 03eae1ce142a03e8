"""Input no view can store or look up, refused before any view sees it.

A NUL character cannot travel to PostgreSQL (psycopg raises `ValueError: ... NUL (0x00)
characters` in any query that carries it), so a NUL in the path, the query string or a
submitted form is answered 400 here, once, rather than as a 500 in whichever view first
puts it in a query. The form is read in `process_view`, as CsrfViewMiddleware (before this
one) already did; a CSRF-exempt view (the upload, which chooses its own upload handlers
before anything reads the body) is left to check its own fields.

A view that puts a non-number (or, on SQLite, a 30-digit number) from the request in a
lookup gets a 400 too (`process_exception`): those are the client's bad requests, and
Django's admin makes them in several places of its own (action selections, `?region=abc`
on an add form, history ids).
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.utils.datastructures import MultiValueDict

from akto_portal.errors import bad_request

NUL = "\x00"


def is_unqueryable_value(exc: Exception) -> bool:
    """Is this the error of a value no query can take, typed by the client into a URL or
    a form that a view (Django's admin included: its action selection, `?region=abc` on
    an add form, a history id) put in a lookup as it came? Django says "Field 'id'
    expected a number but got 'abc'."; SQLite cannot bind an integer of 30 digits."""
    text = str(exc)
    if isinstance(exc, (ValueError, TypeError)):
        return text.startswith("Field '") and " expected " in text
    return isinstance(exc, OverflowError) and "too large to convert to SQLite" in text


def _has_nul(query: QueryDict | MultiValueDict[str, Any]) -> bool:
    return any(NUL in key or any(NUL in value for value in values) for key, values in query.lists())


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if NUL in request.path or _has_nul(request.GET):
            raise BadRequest("NUL character in the URL")
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_unqueryable_value(exception):
            return bad_request(request, exception)
        return None

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> None:
        if request.method != "POST" or getattr(view_func, "csrf_exempt", False):
            return None
        if _has_nul(request.POST) or any(NUL in name for name in request.FILES):
            raise BadRequest("NUL character in the form")
        return None
