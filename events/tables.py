import datetime
from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from akto_portal.formats import number
from akto_portal.permissions import AnyUser, can_edit_region
from events.models import Event


class EventTable(tables.Table):
    """The events list; rows come from selectors.events_for_list (annotated)."""

    date = tables.DateColumn(verbose_name="Date", format="d/m/Y")
    title = tables.Column(verbose_name="Intitulé", linkify=True)
    kind = tables.Column(verbose_name="Type")
    region = tables.Column(verbose_name="Région", default="National", order_by="region__name")
    department = tables.Column(
        verbose_name="Département", default="—", order_by=("department__code",)
    )
    axis = tables.Column(verbose_name="Axe", default="—", order_by=("axis__number",))
    present = tables.Column(
        verbose_name="Présents", attrs={"td": {"class": "num"}, "th": {"class": "num"}}
    )
    identified = tables.Column(
        verbose_name="Organisations identifiées",
        attrs={"td": {"class": "num"}, "th": {"class": "num"}},
    )
    actions = tables.Column(
        verbose_name="Action", empty_values=(), orderable=False, exclude_from_export=True
    )

    def __init__(
        self, *args: Any, user: AnyUser | None = None, today: datetime.date, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.today = today
        # Each cell names its column: on a phone the rows stack (table.stack in
        # portal.css) and the "Modifier la participation" link stays on screen.
        for bound in self.columns:
            td = dict(bound.column.attrs.get("td", {}))
            td["data-label"] = str(bound.header)
            bound.column.attrs = {**bound.column.attrs, "td": td}

    class Meta:
        model = Event
        fields = [
            "date",
            "title",
            "kind",
            "region",
            "department",
            "axis",
            "present",
            "identified",
            "actions",
        ]
        template_name = "django_tables2/table.html"
        attrs = {"class": "data stack", "id": "table-events"}
        order_by = ("-date",)
        empty_text = "Aucun événement ne correspond à ces critères."

    # `record`: an Event annotated by events.selectors.events_for_list (`missing`, …).
    def render_title(self, record: Any, value: str) -> SafeString:
        badges = ""
        if record.is_cancelled:
            badges = mark_safe(' <span class="badge">annulé</span>')
        elif record.missing:
            badges = mark_safe(' <span class="badge missing">participation non saisie</span>')
        if record.source.is_synthetic:
            badges = format_html('{} <span class="badge synthetic">synthétique</span>', badges)
        return format_html("{}{}", value, badges)

    def render_present(self, value: int | None) -> str:
        return number(value)

    def render_identified(self, value: int | None) -> str:
        return number(value) if value else "—"

    def render_actions(self, record: Any) -> str:
        """Enter the attendance of a held event, for those who may change it."""
        if record.is_cancelled or self.user is None:
            return ""
        if not can_edit_region(self.user, record.region_id):  # no query per row
            return ""
        if record.date > self.today:
            return ""
        label = "Saisir la participation" if record.missing else "Modifier la participation"
        return format_html(
            '<a class="row-action" href="{}" aria-label="{} : {}">{}</a>',
            reverse("event-attendance", args=[record.pk]),
            label,
            record.title,
            label,
        )
