"""The national overview and the region pages."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from akto_portal import charts
from akto_portal.models import Region
from akto_portal.selectors import national_summary, region_summary, regions_for_year
from contracts import selectors as contracts
from conventions.selectors import conventions_for_region
from events import selectors as events


def _year_param(request, years, default):
    try:
        year = int(request.GET.get("annee", default))
    except ValueError:
        return default
    return year if year in years else default


def overview(request):
    today = timezone.localdate()
    totals, year_rows, targets = national_summary()
    years = [r.year for r in year_rows if r.contracts.known]
    year = _year_param(
        request, years, max((y for y in years if y <= today.year), default=today.year)
    )
    region_rows = regions_for_year(totals, targets, year)
    return render(
        request,
        "akto_portal/overview.html",
        {
            "year": year,
            "years": years,
            "year_rows": year_rows,
            "region_rows": region_rows,
            "market_stats": contracts.market_stats(region=None),
            "activity": events.activity_summary(region=None),
            "chart_years": charts.contracts_by_year(year_rows),
            "chart_regions": charts.contracts_by_region(region_rows),
        },
    )


def region_detail(request, code):
    region = get_object_or_404(Region, code=code)
    today = timezone.localdate()
    year_rows = region_summary(region)
    years = [r.year for r in year_rows if r.contracts.known]
    year = _year_param(
        request, years, max((y for y in years if y <= today.year), default=today.year)
    )
    months, unbroken = contracts.monthly_breakdown(year=year, region=region)
    previous_months, previous_unbroken = contracts.monthly_breakdown(year=year - 1, region=region)
    return render(
        request,
        "akto_portal/region.html",
        {
            "region": region,
            "year": year,
            "years": years,
            "year_rows": year_rows,
            "unbroken": unbroken,
            "previous_unbroken": previous_unbroken,
            "conventions": conventions_for_region(region),
            "activity": events.activity_summary(region=region),
            "upcoming_events": events.upcoming_events(region=region, today=today),
            "recent_events": events.recent_events(region=region, today=today),
            "chart_years": charts.contracts_by_year(year_rows),
            "chart_months": charts.contracts_by_month(months, previous_months, year=year),
        },
    )
