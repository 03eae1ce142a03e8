"""Who may do what: the three roles, as an authentication backend and small predicates.

- admins manage everything (they are superusers);
- regional directors read everything and write nothing (not even through the admin's
  history "revert" form or its actions);
- regional staff read the portal and record the events and attendance of their own
  region only — checked object by object, on the server. Of the conventions, they read
  the national ones and those of their own region (its regional declinations included).

The README's "Roles and permissions" section says the same for people.
"""

from functools import cache
from typing import Any, Protocol

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q

from akto_portal import signed_in_users
from akto_portal.models import User

AnyUser = User | AnonymousUser  # `request.user`

PORTAL_APPS = ("akto_portal", "contracts", "conventions", "events", "notifications")
# Models regional staff may add, change and delete (objects of their region only).
STAFF_EDITABLE_MODELS = ("events.event", "events.attendance", "events.attendee")


class InRegion(Protocol):
    """A convention, or anything else placed in a region (None: national)."""

    @property
    def region_id(self) -> int | None: ...


@cache
def _view_permissions() -> frozenset[str]:
    return frozenset(
        f"{model._meta.app_label}.view_{model._meta.model_name}"
        for app_label in PORTAL_APPS
        for model in apps.get_app_config(app_label).get_models()
        if not (model._meta.model_name or "").startswith("historical")
    )


@cache
def _staff_permissions() -> frozenset[str]:
    perms: set[str] = set()
    for label in STAFF_EDITABLE_MODELS:
        app_label, model_name = label.split(".")
        if model_name not in apps.get_app_config(app_label).models:
            continue
        perms.update(
            f"{app_label}.{action}_{model_name}" for action in ("view", "add", "change", "delete")
        )
    return frozenset(perms)


def role_permissions(user: AnyUser) -> frozenset[str]:
    if not isinstance(user, User) or not user.is_active:
        return frozenset()
    if user.is_director:
        return _view_permissions()
    if user.is_regional_staff:
        return _staff_permissions()
    return frozenset()


class RoleBackend(ModelBackend):
    """Django's model backend, plus the permissions each role carries, plus the
    object-level rules: `user.has_perm("events.change_event", event)`."""

    def get_user(self, user_id: Any) -> User | None:
        """The signed-in user of a request, with their region in the same query (every
        page shows it and defaults to it); from the shared cache when there is one
        (`signed_in_users`)."""
        return signed_in_users.get(user_id, self._load_user, self.user_can_authenticate)

    @staticmethod
    def _load_user(user_id: Any) -> User | None:
        try:
            return get_user_model()._default_manager.select_related("region").get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None

    def get_all_permissions(self, user_obj: AnyUser, obj: Model | None = None) -> set[str]:
        if obj is not None:
            return set()
        return {*super().get_all_permissions(user_obj), *role_permissions(user_obj)}

    def has_perm(self, user_obj: AnyUser, perm: str, obj: Model | None = None) -> bool:
        if not user_obj.is_active:
            return False
        if user_obj.is_superuser:
            return True
        if obj is None:
            return super().has_perm(user_obj, perm)
        if perm not in self.get_all_permissions(user_obj):
            return False
        if perm.startswith("events."):
            if perm.split(".")[1].startswith("view_"):
                return True
            return can_edit_region(user_obj, event_region_id(obj))
        return perm.split(".")[1].startswith("view_")


def event_region_id(obj: Model) -> int | None:
    """The region an event-app object belongs to (the event's, for attendance rows)."""
    event: Any = getattr(obj, "event", obj)
    return event.region_id


def can_edit_region(user: AnyUser, region_id: int | None) -> bool:
    """May this user record events and attendance for this region?"""
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    return (
        isinstance(user, User)
        and user.is_regional_staff
        and region_id is not None
        and region_id == user.region_id
    )


def can_record_events(user: AnyUser) -> bool:
    """May this user create events at all (admins, and staff for their region)?"""
    return user.is_active and (
        user.is_superuser
        or (isinstance(user, User) and user.is_regional_staff and bool(user.region_id))
    )


def can_change_event(user: AnyUser, event: Model) -> bool:
    """May this user change this event, its attendance and its attendees?"""
    return user.has_perm("events.change_event", event)


def _convention_regions(user: AnyUser) -> set[int | None] | None:
    """The regions whose conventions this user reads: None for every convention, else a
    set of region ids in which None stands for the national conventions."""
    if not isinstance(user, User) or not user.is_active:
        return set()
    if user.is_superuser or user.is_director:
        return None
    return {None, user.region_id}


def can_view_convention(user: AnyUser, convention: InRegion) -> bool:
    """Admins and directors read every convention; regional staff read the national ones
    and those of their own region (its declinations of national conventions included)."""
    regions = _convention_regions(user)
    return regions is None or convention.region_id in regions


def convention_visibility(user: AnyUser) -> Q:
    """`can_view_convention` as a filter on conventions, for lists and form choices."""
    regions = _convention_regions(user)
    if regions is None:
        return Q()
    visible = Q(region__in=[r for r in regions if r is not None])
    if None in regions:
        visible |= Q(region__isnull=True)
    return visible
