"""The doors of the portal, for tests/test_every_door.py: every URL pattern classified
(read-only, personal, or a write), and for each write door the attempts that try it —
what is posted, how those who may not are refused, who may (the control).

When you add a URL pattern or an admin, classify it here: READ_ONLY (its POST is tried
too and must change nothing), PERSONAL (writes on the user's own things only), or a
write door (WRITE_DOORS and an attempt builder; an admin's pages are derived from the
registry, and its new actions need their data in ACTION_DATA).
"""

import dataclasses
import re
import uuid
from collections.abc import Callable

import tablib
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import RequestFactory
from django.urls import URLResolver, get_resolver, reverse
from import_export.admin import ImportMixin
from simple_history.admin import SimpleHistoryAdmin

from akto_portal.models import SavedView
from akto_portal.permissions import STAFF_EDITABLE_MODELS
from contracts.models import ImportBatch
from conventions.models import Convention, IndicatorValue
from events.models import Attendee, Event
from tests.admin_forms import admin_page_data
from tests.conftest import PASSWORD
from tests.events.conftest import make_siret

ATTACKERS = ("director", "outsider")  # Normandie's director; Bretagne's staff


# The walk ---------------------------------------------------------------------------


def url_patterns(patterns=None, prefix="", namespace=""):
    """(route, qualified name) of every pattern of the URLconf, recursively."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace) if n)
            yield from url_patterns(pattern.url_patterns, route, inner)
        else:
            name = pattern.name and ":".join(n for n in (namespace, pattern.name) if n)
            yield route, name


# Pages that write nothing, whoever asks: {url name: its URL in the test world}. Their
# POST is tried too, and must change nothing.
READ_ONLY: dict[str, Callable] = {
    "overview": lambda w: reverse("overview"),
    "region-detail": lambda w: reverse("region-detail", args=["28"]),
    "dashboard-export": lambda w: reverse("dashboard-export", args=["regions", "csv"]),
    "dashboard-report": lambda w: reverse("dashboard-report") + "?region=28&year=2021",
    "indicator-detail": lambda w: reverse("indicator-detail", args=[w.figure.indicator_id]),
    "api-contracts-summary": lambda w: reverse("api-contracts-summary"),
    "api-contracts-by-year": lambda w: reverse("api-contracts-by-year"),
    "api-contracts-by-month": lambda w: reverse("api-contracts-by-month"),
    "api-contracts-by-region": lambda w: reverse("api-contracts-by-region"),
    "api-contracts-by-branch": lambda w: reverse("api-contracts-by-branch"),
    "api-contracts-by-department": lambda w: reverse("api-contracts-by-department") + "?region=28",
    "region-departments": lambda w: reverse("region-departments", args=["28"]),
    "region-departments-export": lambda w: reverse("region-departments-export", args=["28", "csv"]),
    "api-events-summary": lambda w: reverse("api-events-summary"),
    "api-conventions-indicators": lambda w: reverse("api-conventions-indicators"),
    "api-market-summary": lambda w: reverse("api-market-summary"),
    "convention-detail": lambda w: w.convention.get_absolute_url(),
    "event-list": lambda w: reverse("event-list"),
    "event-export": lambda w: reverse("event-export", args=["csv"]),
    "event-completeness": lambda w: reverse("event-completeness") + "?region=28",
    "event-detail": lambda w: w.event.get_absolute_url(),
    "contract-imports": lambda w: reverse("contract-imports"),
    "contract-import-preview": lambda w: reverse("contract-import-preview", args=[uuid.uuid4()]),
    "contract-import-status": lambda w: reverse("contract-import-status", args=[uuid.uuid4()]),
    "contract-import-example": lambda w: reverse("contract-import-example", args=["counts", "csv"]),
    "admin:index": lambda w: reverse("admin:index"),
    "admin:app_list": lambda w: reverse("admin:app_list", args=["conventions"]),
    "admin:jsi18n": lambda w: reverse("admin:jsi18n"),
    "admin:autocomplete": lambda w: reverse("admin:autocomplete"),
    "admin:view_on_site": lambda w: reverse(
        "admin:view_on_site", args=[w.content_type_id(Event), w.event.pk]
    ),
    "admin:password_change_done": lambda w: reverse("admin:password_change_done"),
    "healthz": lambda w: reverse("healthz"),
    "password_reset_done": lambda w: reverse("password_reset_done"),
    "password_reset_complete": lambda w: reverse("password_reset_complete"),
}

# Writes on the user's own things only (their session, password, saved views, tokens).
PERSONAL = {
    "login",
    "logout",
    "admin:login",
    "admin:logout",
    "admin:password_change",
    "saved-view-create",
    "api-tokens",
    # Password reset: a mail to the account's own address, then a new password through
    # the one-time link it carries (tests/akto_portal/test_password_reset.py).
    "password_reset",
    "admin_password_reset",
    "password_reset_confirm",
    # The user's own subscriptions; unsubscribing by the signed link in their mails.
    "subscriptions",
    "unsubscribe",
    # Single sign-on: the redirect to the provider and its callback, which logs in (and
    # at the first login creates) the account the provider vouches for, nobody else's
    # (tests/sign_on/).
    "sign_on:authenticate",
    "sign_on:callback",
}

# The writes outside the admin's model pages (which come from the registry), each with
# its attempts below.
WRITE_DOORS = {
    "event-create",
    "event-update",
    "event-cancel",
    "event-delete",
    "event-restore",
    "event-attendance",
    "event-attendee-remove",
    "event-grid",
    "saved-view-delete",
    "api-token-revoke",
    "contract-import-upload",
    "contract-import-confirm",
    "admin:auth_user_password_change",  # another user's password
}

# The admin's pages for each registered model: "admin:<app>_<model>_<kind>".
ADMIN_READ_KINDS = {"changelist", "history", "export"}  # the changelist's actions: below
ADMIN_WRITE_KINDS = {"add", "change", "delete", "simple_history", "import", "process_import"}
# Unnamed admin patterns: the old-style object URL (a redirect) and the catch-all.
UNNAMED_ADMIN_ROUTES = [
    re.compile(r"^admin/(\w+)/(\w+)/<path:object_id>/$"),
    re.compile(r"^admin/\(\?P<url>\.\*\)\$$"),
]


def _admin_kind(name):
    """'change' for 'admin:conventions_convention_change', if the model is registered."""
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            return name[len(prefix) :]
    return None


def classify(route, name):
    if name is None:
        return "admin redirect" if any(r.match(route) for r in UNNAMED_ADMIN_ROUTES) else None
    if name in READ_ONLY:
        return "read-only"
    if name in PERSONAL:
        return "personal"
    if name in WRITE_DOORS:
        return "write"
    kind = _admin_kind(name)
    if kind in ADMIN_READ_KINDS:
        return "read-only"
    if kind in ADMIN_WRITE_KINDS:
        return "write"
    return None


# The test world -----------------------------------------------------------------------


@dataclasses.dataclass
class World:
    users: dict
    clients: dict
    event: Event
    attendee: Attendee
    convention: Convention
    figure: IndicatorValue
    saved_view: SavedView
    token_id: int
    group: Group
    batch: ImportBatch

    def content_type_id(self, model):
        from django.contrib.contenttypes.models import ContentType

        return ContentType.objects.get_for_model(model).pk

    def request(self, role):
        request = RequestFactory().get("/admin/")
        request.user = self.users[role]
        return request


# The attempts ----------------------------------------------------------------------------


@dataclasses.dataclass
class Attempt:
    """One write: who may not (and how they are refused), who may (the control)."""

    door: str
    url: str
    data: Callable[[], dict] | dict = dataclasses.field(default_factory=dict)
    refused: dict = dataclasses.field(default_factory=lambda: dict.fromkeys(ATTACKERS, (403,)))
    control: str | None = "admin"  # who succeeds; None when nobody may (or can) do it
    control_status: int | None = None  # for a write that touches no table (an upload)

    def payload(self):
        return self.data() if callable(self.data) else dict(self.data)


def refused_by(*statuses, director=None, outsider=None):
    return {"director": director or statuses, "outsider": outsider or statuses}


# The database, table by table -----------------------------------------------------------

SNAPSHOT_APPS = {"akto_portal", "contracts", "conventions", "events", "auth", "admin"}
VOLATILE = {"akto_portal.user": {"last_login"}, "akto_portal.apitoken": {"last_used_at"}}


def snapshot():
    """Every row of every table of the portal (history and admin log included)."""
    state = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if model._meta.app_label not in SNAPSHOT_APPS:
            continue
        columns = [
            f.attname for f in model._meta.concrete_fields if f.name not in VOLATILE.get(label, ())
        ]
        state[label] = list(model._base_manager.order_by("pk").values_list(*columns))
    return state


class _RolledBack(Exception):
    pass


LOGIN_PATHS = ("/connexion/", "/admin/login/")


def reached_logged_in(client, user, response) -> bool:
    """Did this response come from a view reached by `user`, still logged in after it?
    (Not a login redirect, not an anonymous request, not a session that ended.)"""
    location = response.headers.get("Location", "")
    return (
        getattr(response.wsgi_request.user, "pk", None) == user.pk
        and str(client.session.get("_auth_user_id")) == str(user.pk)
        and not any(path in location for path in LOGIN_PATHS)
    )


def send(world, role, attempt):
    """Post the attempt as `role` in a transaction rolled back afterwards; return the
    response and the tables it changed."""
    before = snapshot()
    outcome = {}
    try:
        with transaction.atomic():
            client = world.clients[role]
            response = client.post(attempt.url, attempt.payload())
            # The control: the request was made by `role`, logged in, and its session
            # survived it (checked before the rollback, which would restore a session).
            assert reached_logged_in(client, world.users[role], response), (
                f"{attempt.door} as {role}: not reached logged in ({response.status_code} "
                f"{response.headers.get('Location', '')})"
            )
            outcome["response"] = response
            after = snapshot()
            outcome["changed"] = sorted(t for t in before if before[t] != after[t])
            raise _RolledBack
    except _RolledBack:
        pass
    cache.clear()
    return outcome["response"], outcome["changed"]


# The write doors -------------------------------------------------------------------------


def _event_attempts(w):
    event, version = w.event, w.event.version
    staff_only = {"control": "staff"}
    return {
        "event-create": [
            Attempt(
                "event-create",
                reverse("event-create"),
                {"title": "Intrus", "kind": "info_meeting", "date": "12/11/2026", "place": "Caen"},
                # Bretagne's staff may create events, of their own region (checked elsewhere).
                refused={"director": (403,)},
                **staff_only,
            )
        ],
        "event-update": [
            Attempt(
                "event-update",
                reverse("event-update", args=[event.pk]),
                {
                    "title": "Réunion de Caen (modifiée)",
                    "kind": event.kind,
                    "date": event.date.strftime("%d/%m/%Y"),
                    "place": "Caen",
                    "notes": "",
                    "version": version,
                },
                **staff_only,
            )
        ],
        "event-cancel": [
            Attempt(
                "event-cancel",
                reverse("event-cancel", args=[event.pk]),
                {"cancelled": "1", "version": version},
                **staff_only,
            )
        ],
        "event-delete": [
            Attempt(
                "event-delete",
                reverse("event-delete", args=[event.pk]),
                {"version": version},
                **staff_only,
            )
        ],
        "event-restore": [
            Attempt(
                "event-restore",
                reverse("event-restore", args=[Event.all_objects.deleted().get().pk]),
                {},
                **staff_only,
            )
        ],
        "event-attendance": [
            Attempt(
                "event-attendance",
                reverse("event-attendance", args=[event.pk]),
                {
                    "version": version,
                    "companies_planned": "109",
                    "companies_actual": "109",
                    "attendees": "",
                    "action": "save",
                },
                **staff_only,
            )
        ],
        "event-attendee-remove": [
            Attempt(
                "event-attendee-remove",
                reverse("event-attendee-remove", args=[event.pk, w.attendee.pk]),
                **staff_only,
            )
        ],
        "event-grid": [
            Attempt(
                "event-grid",
                reverse("event-grid") + "?region=28",
                {
                    "form-TOTAL_FORMS": "1",
                    "form-INITIAL_FORMS": "1",
                    "form-0-event": event.pk,
                    "form-0-version": version,
                    "form-0-companies": "3",
                },
                **staff_only,
            )
        ],
    }


def _personal_attempts(w):
    # Someone else's saved view or token: as if it did not exist.
    return {
        "saved-view-delete": [
            Attempt(
                "saved-view-delete",
                reverse("saved-view-delete", args=[w.saved_view.pk]),
                refused=refused_by(404),
                control="staff",
            )
        ],
        "api-token-revoke": [
            Attempt(
                "api-token-revoke",
                reverse("api-token-revoke", args=[w.token_id]),
                refused=refused_by(404),
                control="staff",
            )
        ],
    }


def _import_upload():
    content = (
        "region;branche;annee;mois;type_contrat;public;nombre\n"
        "28;1979;2024;3;apprentissage;all;12\n"
    )
    return {"kind": "contracts", "file": SimpleUploadedFile("contrats-mars.csv", content.encode())}


def _contract_import_attempts(w):
    # The administrator's upload, checked and staged: then the others try to confirm it.
    response = w.clients["admin"].post(reverse("contract-import-upload"), _import_upload())
    token = response["Location"].rstrip("/").split("/")[-2]
    return {
        "contract-import-upload": [
            Attempt(
                "contract-import-upload",
                reverse("contract-import-upload"),
                _import_upload,
                control_status=302,  # staged and previewed, nothing written yet
            )
        ],
        "contract-import-confirm": [
            Attempt(
                "contract-import-confirm",
                reverse("contract-import-confirm", args=[token]),
                # The write is queued only once the worker has checked the file
                # (tests/contracts/test_import_pages.py); here the uploader is sent back
                # to the preview, the others get 404.
                control_status=302,
            )
        ],
    }


# The admin: every registered model ---------------------------------------------------------

# The object each model's doors are tried on (default: the first one).
TARGETS = {
    "events.event": lambda w: w.event,
    "events.organisation": lambda w: w.attendee.organisation,
    "conventions.convention": lambda w: w.convention,
    "conventions.indicatorvalue": lambda w: w.figure,
    "conventions.indicator": lambda w: w.figure.indicator,
    "akto_portal.user": lambda w: w.users["staff"],
    "auth.group": lambda w: w.group,
    "contracts.importbatch": lambda w: w.batch,
}

# What an "add" changes in the target's values so that it may be created beside it.
ADD_CHANGES = {
    "auth.group": {"name": "Groupe ajouté"},
    "akto_portal.region": {"code": "99", "name": "Région ajoutée"},
    "akto_portal.branch": {"name": "Branche ajoutée", "idcc": "9999"},
    "akto_portal.source": {"title": "Source ajoutée"},
    "akto_portal.user": {
        "username": "intrus",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "usable_password": "true",
        "role": "admin",
    },
    "contracts.contractcount": {"year": "2030"},
    "contracts.contracttarget": {"year": "2030"},
    "contracts.marketstat": {"year": "2030"},
    "akto_portal.department": {"code": "99", "name": "Département ajouté"},
    "conventions.partner": {"name": "Partenaire ajouté"},
    "conventions.actionplan": {"title": "Plan ajouté"},
    "conventions.actionplanaxis": {"number": "99"},
    "conventions.convention": {"title": "Convention ajoutée"},
    "conventions.indicator": {"name": "Indicateur ajouté"},
    "conventions.indicatorvalue": {"as_of": "2030-01-01"},
    "events.event": {"title": "Événement ajouté"},
    "events.activitytotal": {"year": "2030"},
    "events.organisation": {"identifier": make_siret(2)},
    # The admin subscribes someone who has no subscription yet (one per user).
    "notifications.subscription": {
        "user": lambda w: w.users["director"].pk,
        "frequency": "monthly",
    },
}

# What a "change" (or a history revert) changes: the first of these fields in the form.
CHANGED_FIELDS = ("title", "name", "first_name", "value", "count")

# The data each admin action needs besides the selected object.
ACTION_DATA = {
    "delete_selected": {"post": "yes"},
    "renew": {
        "apply": "1",
        "title": "Convention renouvelée",
        "start_on": "2030-01-01",
        "end_on": "2032-12-31",
        "status": "negotiation",
    },
    "undo": {},
    "cleanup_expired_attempts": {},  # django-axes: administrators only (app not in the roles)
}
# Actions whose effect depends on the clock (what has expired), so no control: they are
# still tried, and refused, as the director and as staff.
ACTIONS_WITHOUT_CONTROL = {"cleanup_expired_attempts"}

# A value each import changes in the target's row (the import-export admins).
IMPORT_CHANGES = {
    "contracts.contracttarget": ("value", "4242"),
    "conventions.partner": ("kind", "other"),
    "conventions.convention": ("title", "Titre importé"),
    "conventions.indicator": ("name", "Nom importé"),
    "conventions.indicatorvalue": ("value", "999999"),
}


def _changed(data):
    for name in CHANGED_FIELDS:
        if name in data:
            value = data[name]
            data[name] = "999999" if value.replace(".", "").isdigit() else f"{value} (modifié)"
            return data
    return data


def target_of(w, model):
    if model._meta.label_lower in TARGETS:
        return TARGETS[model._meta.label_lower](w)
    return model._base_manager.order_by("pk").first()


def _admin_refusals(label, kind):
    """How each attacker is refused on a model's admin page (403 unless their role gives
    them the model: then the object's region decides, or the form refuses it)."""
    staff_may = label in STAFF_EDITABLE_MODELS
    if kind == "add" and staff_may:
        return refused_by(403, outsider=(200,))  # the form offers Bretagne only
    return refused_by(403)


def _deletable(model_admin, obj, request):
    return not model_admin.get_deleted_objects([obj], request)[3]  # nothing protects it


def _delete_target(model_admin, target, request):
    """An object the administrator can delete (nothing protects it), the target if none:
    the newest ones first (the world's spare region, source, plan and organisation)."""
    if _deletable(model_admin, target, request):
        return target
    for obj in model_admin.get_queryset(request).order_by("-pk")[:30]:
        if _deletable(model_admin, obj, request):
            return obj
    return target


def _admin_attempts(w, model, model_admin):
    label = model._meta.label_lower
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    target = target_of(w, model)
    admin_client, admin_request = w.clients["admin"], w.request("admin")
    attempts = []

    change_url = reverse(f"{info}_change", args=[target.pk])
    change_page = admin_client.get(change_url)
    may_change = model_admin.has_change_permission(admin_request, target)
    change_data = admin_page_data(change_page)
    attempts.append(
        Attempt(
            f"{info}_change",
            change_url,
            _changed(dict(change_data)),
            _admin_refusals(label, "change"),
            control="admin" if may_change else None,
        )
    )

    add_url = reverse(f"{info}_add")
    if model_admin.has_add_permission(admin_request):
        add_page = admin_page_data(admin_client.get(add_url))
        add_data = {
            key: value if "-" in key else change_data.get(key, value)
            for key, value in add_page.items()
        }
        add_data.update({k: v(w) if callable(v) else v for k, v in ADD_CHANGES[label].items()})
    else:
        add_data = {}
    attempts.append(
        Attempt(
            f"{info}_add",
            add_url,
            add_data,
            _admin_refusals(label, "add"),
            control="admin" if add_data else None,
        )
    )

    doomed = _delete_target(model_admin, target, admin_request)
    may_delete = model_admin.has_delete_permission(admin_request, doomed) and _deletable(
        model_admin, doomed, admin_request
    )
    attempts.append(
        Attempt(
            f"{info}_delete",
            reverse(f"{info}_delete", args=[doomed.pk]),
            {"post": "yes"},
            _admin_refusals(label, "delete"),
            control="admin" if may_delete else None,
        )
    )

    if isinstance(model_admin, SimpleHistoryAdmin):
        version = target.history.earliest("history_date").history_id
        revert_url = reverse(f"{info}_simple_history", args=[target.pk, version])
        attempts.append(
            Attempt(
                f"{info}_simple_history",
                revert_url,
                _changed(admin_page_data(admin_client.get(revert_url))),
                _admin_refusals(label, "change"),
                control="admin" if may_change else None,
            )
        )

    changelist = reverse(f"{info}_changelist")
    for _func, name, _description in model_admin._get_base_actions():
        may_run = name in model_admin.get_actions(admin_request)
        may_run = may_run and name not in ACTIONS_WITHOUT_CONTROL
        if name == "delete_selected":
            may_run = may_run and may_delete
        selected = doomed if name == "delete_selected" else target
        attempts.append(
            Attempt(
                f"{info}_changelist action {name}",
                changelist,
                {"action": name, ACTION_CHECKBOX_NAME: [selected.pk], **ACTION_DATA[name]},
                # Not offered: the list again (200), or back to it (302); or refused (403).
                refused_by(200, 302, 403),
                control="admin" if may_run else None,
            )
        )

    if isinstance(model_admin, ImportMixin):
        attempts += _import_attempts(w, label, info, model_admin, target)
    return attempts


def _import_attempts(w, label, info, model_admin, target):
    """The import file (the target's row with one value changed), sent by the others;
    then the administrator's checked import confirmed by the others."""
    request = w.request("admin")
    resource = model_admin.get_import_resource_classes(request)[0]()
    formats = [f().get_title() for f in model_admin.get_import_formats()]
    column, value = IMPORT_CHANGES[label]
    id_columns = list(resource._meta.import_id_fields or ["id"])
    row = resource.export(queryset=type(target).objects.filter(pk=target.pk)).dict[0]
    dataset = tablib.Dataset(headers=[*id_columns, column])
    dataset.append([*(row[c] for c in id_columns), value])

    def upload():
        return {
            "resource": "0",
            "format": str(formats.index("csv")),
            "import_file": SimpleUploadedFile("import.csv", dataset.csv.encode()),
        }

    checked = w.clients["admin"].post(reverse(f"{info}_import"), upload())
    confirm = checked.context["confirm_form"].initial
    return [
        # Checked and shown for confirmation (a dry run): nothing written yet.
        Attempt(f"{info}_import", reverse(f"{info}_import"), upload, control_status=200),
        Attempt(f"{info}_process_import", reverse(f"{info}_process_import"), confirm),
    ]


def write_attempts(w):
    attempts = {}
    for builder in (_event_attempts, _personal_attempts, _contract_import_attempts):
        attempts.update(builder(w))
    for model, model_admin in admin.site._registry.items():
        for attempt in _admin_attempts(w, model, model_admin):
            attempts.setdefault(attempt.door.split(" ")[0], []).append(attempt)
    user_password = reverse("admin:auth_user_password_change", args=[w.users["staff"].pk])
    new_password = "Un nouveau mot de passe 2026"
    attempts["admin:auth_user_password_change"] = [
        Attempt(
            "admin:auth_user_password_change",
            user_password,
            {"password1": new_password, "password2": new_password, "usable_password": "true"},
        )
    ]
    return attempts
