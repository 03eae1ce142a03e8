from collections.abc import Iterable

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from akto_portal.http import AuthenticatedRequest
from akto_portal.models import User
from akto_portal.permissions import can_view_convention
from conventions.models import Convention
from conventions.selectors import convention_for_page, indicator_statuses, period_elapsed_pct


def _visible(user: User, conventions: Iterable[Convention]) -> list[Convention]:
    return [c for c in conventions if can_view_convention(user, c)]


def convention_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """A convention the user may read (404 otherwise, as for one that does not exist)."""
    try:
        convention = convention_for_page(pk)
    except Convention.DoesNotExist as exc:
        raise Http404 from exc
    if not can_view_convention(request.user, convention):
        raise Http404
    today = timezone.localdate()
    return render(
        request,
        "conventions/convention.html",
        {
            "convention": convention,
            "statuses": indicator_statuses(convention, today=today),
            "elapsed_pct": period_elapsed_pct(convention, today),
            "chain": _visible(request.user, convention.renewal_chain()),
            "declinations": _visible(request.user, convention.declinations.all()),
            "can_manage": request.user.has_perm("conventions.change_convention"),
        },
    )
