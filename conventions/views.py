from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from conventions.models import Convention
from conventions.selectors import convention_for_page, indicator_statuses, period_elapsed_pct


def convention_detail(request, pk):
    try:
        convention = convention_for_page(pk)
    except Convention.DoesNotExist as exc:
        raise Http404 from exc
    today = timezone.localdate()
    return render(
        request,
        "conventions/convention.html",
        {
            "convention": convention,
            "statuses": indicator_statuses(convention, today=today),
            "elapsed_pct": period_elapsed_pct(convention, today),
            "chain": convention.renewal_chain(),
            "can_manage": request.user.has_perm("conventions.change_convention"),
        },
    )
