"""The dashboard page rendered once per data version, scope and audience.

The figures part of a dashboard page (its heading and filters, then every KPI, chart
and table) is the same for every user who may see the same things: it is cached as
rendered HTML, fragment by fragment (`FRAGMENTS`), each under a key made of the data
version of the figure families it shows (so a write shows at once, and only the
fragments that show its family are drawn again, see akto_portal/cache.py), the full
URL (filters, sorting, table page), the day (the "arrêté au" of a year in progress),
and the audience: what the user may see (`audience`). The personal parts (the user's
name and links, messages, saved views, the CSRF tokens of their forms) are rendered
around it at every request, never cached.

When some fragments are found, the view computes only what the others read (its
context is lazy, dashboards.views._figures). On a full hit it computes no figure and
binds no filter (the page's scope is cached with its fragments): the page costs the
session, the user with their region, the version and the saved views (four indexed
queries) and the rendering of its frame.
"""

import datetime
import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpRequest

from akto_portal.cache import TIMEOUT, data_version
from akto_portal.models import User
from dashboards.filters import Scope

# Each fragment of the page, with the figure families it shows (akto_portal.triggers):
# it is cached under their data version only, so an attendance entry re-renders the
# events and the conventions (computed indicators count events) and leaves the contract
# parts as they were. The head (heading, standing, filters) shows contract figures.
FRAGMENTS: dict[str, tuple[str, ...]] = {
    "dashboard_head": ("contracts",),
    "dashboard_pace": ("contracts",),
    # The regions, or a department's table, whose columns include its events.
    "dashboard_places": ("contracts", "events"),
    "dashboard_branches": ("contracts",),  # and the years, the market
    "dashboard_conventions": ("contracts", "conventions", "events"),
    "dashboard_events": ("events",),
}
# The page's Scope, cached with its fragments (a hit binds no filter): it depends on the
# URL and the reference tables (regions, branches, departments), whose writes change
# every family's version; it is kept under the contracts version.
SCOPE = "scope"
SCOPE_FAMILIES = ("contracts",)


def audience(user: User | AnonymousUser) -> str:
    """What a user may see on a dashboard: every figure is the same for everyone, but
    the conventions listed depend on the role and region (permissions.
    convention_visibility). Same audience, same page. The region is also the page's
    default scope when the URL names none."""
    if not isinstance(user, User) or not user.is_active:
        return "none"
    return f"{user.role}:{user.region_id or ''}:{int(user.is_superuser)}"


@dataclass
class PageFragments:
    """The cache keys of a page's fragments (and of its scope), and those found."""

    keys: dict[str, str] = field(default_factory=dict)
    found: dict[str, Any] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return bool(self.keys) and len(self.found) == len(self.keys)

    @property
    def scope(self) -> Scope | None:
        return self.found.get(SCOPE) if self.complete else None

    def store(self, name: str, value: Any) -> None:
        if name in self.keys:
            cache.set(self.keys[name], value, TIMEOUT)


def page_fragments(request: HttpRequest, today: datetime.date) -> PageFragments:
    """The fragments of this page already rendered, and its scope (one cache round
    trip). The scope is a function of the URL (path and filters), the user's region
    (its default: in the audience), the day and the data (regions, branches): all in
    the key, so it is cached too."""
    if data_version() is None:  # no data version: nothing is cached
        return PageFragments()
    vary = "|".join([request.get_full_path(), str(today), audience(request.user)])
    digest = hashlib.sha256(vary.encode()).hexdigest()[:32]
    keys = {
        name: f"akto:{data_version(*families)}:page:{name}:{digest}"
        for name, families in (*FRAGMENTS.items(), (SCOPE, SCOPE_FAMILIES))
    }
    got = cache.get_many(list(keys.values()))
    found = {name: got[key] for name, key in keys.items() if key in got}
    return PageFragments(keys, found)
