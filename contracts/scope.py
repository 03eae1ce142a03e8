"""The scope parser: the one reading of `region`, `department`, `year`, `date`, `branch`,
`contract_type` and `public` for the pages, the JSON API (dashboards' and the market's),
the departments page and the digests. It lives with the contract counts it filters, a
floor below `dashboards` so that `contracts/views.py` reads scopes the same way.

The dashboard filter is kept in the URL so any view can be bookmarked or sent as a link.

`branch`, `contract_type` and `public` filter the contract counts; `region`, `year` and
`date` choose the scope and the moment, which the selectors apply (a region page still
compares its region with the others, and a year is compared with the years before).

France is a value of its own: `region=FR` (an empty `region=` also means France, as in
older links). Only a URL without `region` falls back to the user's home region, and every
link the page builds writes the region down, so a choice of France survives pagination,
sorting, drill-down, exports and saved views.

`department` (its code: `14`, `2A`) narrows a region to one of its departments and is
written in every link like the region. A department implies its region: without
`region`, the department's region is taken; a `region` the department is not in is an
error of the filter (the API answers 400; a page shows the region named and says why).

`date` ("arrêté au") is a day of `year` when both are given: `year=2024&date=2025-03-31`
is refused, never read as 2025; an impossible date (31/13/2024) is refused too. An API
answers 400 `{"errors": {field: [messages]}}` (`parse_scope`); a page shows the default
for the value in error, and says so in the filter form and a message (`bind_filter`).
"""

import datetime
from dataclasses import dataclass, replace
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.http import urlencode

from akto_portal.api_auth import InvalidParameters
from akto_portal.date_inputs import INPUT_FORMATS, date_widget
from akto_portal.models import Branch, Department, Region
from contracts.models import ContractCount, ContractType, Public

FRANCE = "FR"


def _region_choices() -> list[tuple[str, str]]:
    return [(FRANCE, "France entière")] + [(r.code, r.name) for r in Region.objects.all()]


def _department_choices() -> list[tuple[str, str]]:
    return [(d.code, f"{d.code} {d.name}") for d in Department.objects.order_by("code")]


class DashboardForm(forms.Form):
    """The filter's form: a department must be in the region named (when one is)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = data.get("department")
        region = data.get("region") or FRANCE
        if code and "region" in self.data and "region" in data:
            department = Department.objects.select_related("region").get(code=code)
            if region == FRANCE or department.region.code != region:
                where = "France entière" if region == FRANCE else f"la région « {region} »"
                self.add_error(
                    "department",
                    f"Le département « {code} » ({department.name}) n'est pas dans {where} : "
                    f"il est dans la région « {department.region.code} » "
                    f"({department.region.name}).",
                )
        as_of, year = data.get("date"), data.get("year")
        if as_of is not None and year and int(year) != as_of.year:
            self.add_error(
                "date",
                f"L'arrêté au {as_of:%d/%m/%Y} n'est pas en {int(year)} : choisissez un jour "
                f"de {int(year)}, ou retirez l'année pour voir {as_of.year}.",
            )
        return data


class DashboardFilter(django_filters.FilterSet):
    region = django_filters.ChoiceFilter(
        label="Région",
        choices=_region_choices,
        empty_label=None,
        method="_scope",
        error_messages={"invalid_choice": "Région inconnue : « %(value)s »."},
    )
    department = django_filters.ChoiceFilter(
        label="Département",
        choices=_department_choices,
        empty_label="Toute la région",
        method="_scope",
        error_messages={"invalid_choice": "Département inconnu : « %(value)s »."},
    )
    year = django_filters.NumberFilter(
        label="Année",
        method="_scope",
        min_value=2000,
        max_value=2100,
    )
    date = django_filters.DateFilter(
        label="Arrêté au",
        method="_scope",
        widget=date_widget(),
        input_formats=INPUT_FORMATS,
        error_messages={
            "invalid": "Date impossible : attendu un jour existant, jj/mm/aaaa (ex. 31/03/2024)."
        },
    )
    branch = django_filters.ModelChoiceFilter(
        label="Branche", queryset=Branch.objects.all(), empty_label="Toutes les branches"
    )
    contract_type = django_filters.ChoiceFilter(
        label="Type de contrat", choices=ContractType.choices, empty_label="Tous types"
    )
    public = django_filters.ChoiceFilter(
        label="Public", choices=Public.choices, empty_label=None, method="_scope"
    )

    # The errors of the values a page dropped to show the rest (bind_filter).
    dropped: dict[str, list[str]] = {}

    class Meta:
        model = ContractCount
        fields = ["region", "department", "year", "date", "branch", "contract_type", "public"]
        form = DashboardForm

    def _scope(
        self, queryset: QuerySet[ContractCount], name: str, value: Any
    ) -> QuerySet[ContractCount]:
        return queryset  # applied by the selectors, see Scope

    def filter_queryset(self, queryset: QuerySet[ContractCount]) -> QuerySet[ContractCount]:
        # RQTH figures are a subset of "all publics": a series is always one public.
        public = self.form.cleaned_data.get("public") or Public.ALL
        return super().filter_queryset(queryset).filter(public=public)


@dataclass
class Scope:
    """What a dashboard shows: a region (None: France), a year, a date, the filters."""

    region: Region | None
    year: int
    as_of: datetime.date
    branch: Branch | None = None
    contract_type: str = ""
    public: str = Public.ALL
    date_given: bool = False
    department: Department | None = None  # one department of `region`

    @property
    def place(self) -> str:
        """ "Normandie", "Calvados (Normandie)" or "France entière"."""
        if self.department is not None and self.region is not None:
            return f"{self.department.name} ({self.region.name})"
        return self.region.name if self.region else "France entière"

    @property
    def label(self) -> str:
        """ "Normandie · Hôtels, cafés, restaurants", "Calvados (Normandie)" or "France
        entière"."""
        return f"{self.place} · {self.branch.name}" if self.branch else self.place

    @property
    def slug(self) -> str:
        """For file names: "28", "28-14", "france"."""
        if self.region is None:
            return "france"
        return f"{self.region.code}-{self.department.code}" if self.department else self.region.code

    @property
    def contract_filters(self) -> dict[str, str]:
        """The filters only contract counts know (branch, contract type, public), as
        applied: {"branch": "la branche « Hôtels, cafés, restaurants »", …}."""
        applied = {}
        if self.branch is not None:
            applied["branch"] = f"la branche « {self.branch.name} »"
        if self.contract_type:
            applied["contract_type"] = (
                f"le type de contrat « {ContractType(self.contract_type).label} »"
            )
        if self.public != Public.ALL:
            applied["public"] = f"le public « {Public(self.public).label} »"
        return applied

    @property
    def events_ignore(self) -> str:
        """What the events and attendance say of the contract filters: events have no
        branch, contract type nor public, so those filters never apply to them (they are
        shown whole, never blanked)."""
        applied = list(self.contract_filters.values())
        if not applied:
            return ""
        which = " ni ".join(applied)
        verb = "ne s'applique pas" if len(applied) == 1 else "ne s'appliquent pas"
        return (
            f"Les événements et la participation n'ont ni branche, ni type de contrat, ni "
            f"public : {which} {verb} à eux ; ils sont comptés en entier."
        )

    @property
    def targets_apply(self) -> bool:
        return self.branch is None and not self.contract_type

    def region_scope(self) -> "Scope":
        """The same scope for the whole region (a department's region)."""
        return replace(self, department=None)

    def query(self, **overrides: Any) -> str:
        """The URL query string of this scope, region always written (FR for France), so
        that drill-down links, exports and saved views keep it. The department is kept
        too, unless the link goes to another region (`region=` given without
        `department=`)."""
        department = self.department.code if self.department else ""
        if "region" in overrides and "department" not in overrides:
            department = ""
        params: dict[str, Any] = {
            "region": self.region.code if self.region else FRANCE,
            "department": department,
            "year": self.year,
            "branch": self.branch.pk if self.branch else "",
            "contract_type": self.contract_type,
            "public": "" if self.public == Public.ALL else self.public,
        }
        if self.date_given and "year" not in overrides:
            params["date"] = self.as_of.isoformat()
        params.update(overrides)
        return urlencode({k: v for k, v in params.items() if v not in ("", None)})


def scope_data(scope: Scope) -> dict[str, object]:
    """The scope as filter data, to show the form as the page applies it (defaults
    included)."""
    return {
        "region": scope.region.code if scope.region else FRANCE,
        "department": scope.department.code if scope.department else "",
        "year": scope.year,
        "date": scope.as_of.strftime("%d/%m/%Y") if scope.date_given else "",
        "branch": scope.branch.pk if scope.branch else "",
        "contract_type": scope.contract_type,
        "public": scope.public,
    }


def scope_from(
    filterset: DashboardFilter,
    *,
    today: datetime.date,
    default_region: Region | None = None,
    default_year: int | None = None,
) -> Scope:
    """Read the scope from a bound, valid filter. A missing `region` parameter means the
    user's home region (the department's region when a department is named); `FR` or an
    empty one means France."""
    data = filterset.form.cleaned_data
    code = data.get("region") or FRANCE
    department = None
    if data.get("department"):
        department = Department.objects.select_related("region").get(code=data["department"])
    if "region" not in filterset.data:
        region = department.region if department else default_region
    elif code == FRANCE:
        region = None
    else:
        region = Region.objects.get(code=code)
    if department is not None and department.region != region:
        department = None  # refused by the form; never a department outside the region
    as_of = data.get("date")
    date_given = as_of is not None
    year = data.get("year")
    if as_of is not None:
        year = as_of.year
    year = int(year) if year else (default_year or today.year)
    if as_of is None:
        as_of = min(today, datetime.date(year, 12, 31))
    return Scope(
        region=region,
        year=year,
        as_of=as_of,
        branch=data.get("branch"),
        contract_type=data.get("contract_type") or "",
        public=data.get("public") or Public.ALL,
        date_given=date_given,
        department=department,
    )


def _messages(filterset: DashboardFilter) -> dict[str, list[str]]:
    return {name: [str(m) for m in errors] for name, errors in filterset.errors.items()}


def bind_filter(data: QueryDict) -> DashboardFilter:
    """The dashboard filter bound to `data`, for a page: values in error are dropped (the
    page shows the defaults for them) and kept in `dropped` with their French messages,
    which the page shows in its filter form."""
    data = data.copy()
    filterset = DashboardFilter(data, queryset=ContractCount.objects.all())
    if not filterset.is_valid():
        dropped = _messages(filterset)
        for name in dropped:
            data.pop(name, None)
        filterset = DashboardFilter(data, queryset=ContractCount.objects.all())
        filterset.is_valid()
        filterset.dropped = dropped
    return filterset


def parse_scope(
    data: QueryDict,
    *,
    today: datetime.date,
    default_region: Region | None = None,
    require: tuple[str, ...] = (),
) -> tuple[DashboardFilter, Scope]:
    """The filter and scope of `data`, for an API or a job: any value in error raises
    `InvalidParameters({field: [messages]})` (400 in an API), nothing is replaced."""
    filterset = DashboardFilter(data, queryset=ContractCount.objects.all())
    errors = {} if filterset.is_valid() else _messages(filterset)
    for name in require:
        if not data.get(name, "").strip():
            errors.setdefault(name, []).append(f"Paramètre « {name} » attendu.")
    if errors:
        raise InvalidParameters(errors)
    return filterset, scope_from(filterset, today=today, default_region=default_region)
