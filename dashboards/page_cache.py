"""The dashboard page rendered once per data version, scope and audience.

The figures part of a dashboard page (its heading and filters, then every KPI, chart
and table) is the same for every user who may see the same things: it is cached as
rendered HTML under a key made of the data version (so any write shows at once, see
akto_portal/cache.py), the full URL (filters, sorting, table page), the scope with its
defaults written down, the day (the "arrêté au" of a year in progress), and the
audience: what the user may see (`audience`). The personal parts (the user's name and
links, messages, saved views, the CSRF tokens of their forms) are rendered around it
at every request, never cached.

On a hit the view computes no figure and binds no filter (the page's scope is cached
with its fragments): the page costs the session, the user with their region, the
version and the saved views (four indexed queries) and the rendering of its frame.
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

FRAGMENTS = ("dashboard_head", "dashboard_main")
SCOPE = "scope"  # the page's Scope, cached with its fragments: a hit binds no filter


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
    version = data_version()
    if version is None:  # no data version: nothing is cached
        return PageFragments()
    vary = "|".join([str(version), request.get_full_path(), str(today), audience(request.user)])
    digest = hashlib.sha256(vary.encode()).hexdigest()[:32]
    keys = {name: f"akto:{version}:page:{name}:{digest}" for name in (*FRAGMENTS, SCOPE)}
    got = cache.get_many(list(keys.values()))
    found = {name: got[key] for name, key in keys.items() if key in got}
    return PageFragments(keys, found)
