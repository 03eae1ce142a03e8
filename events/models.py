"""Promotion events, who attended them, and the yearly activity totals sources report."""

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from simple_history.models import HistoricalRecords

from akto_portal.models import DatePrecision, Department, Qualifier, Region, Source
from conventions.models import ActionPlanAxis, Convention


class EventKind(models.TextChoices):
    INFO_MEETING = "info_meeting", "Réunion d'information entreprises"
    CFA_MEETING = "cfa_meeting", "Rencontre CFA / organismes de formation"
    JOB_FAIR = "job_fair", "Salon"
    AKTIV_ALTERNANCE = "aktiv_alternance", "Atelier Aktiv'alternance"
    WEBINAR = "webinar", "Webinaire"
    SEMINAR = "seminar", "Séminaire"
    INSTITUTIONAL = "institutional", "Rencontre institutionnelle"
    OTHER = "other", "Autre"


class ParticipantCategory(models.TextChoices):
    COMPANIES = "companies", "Entreprises"
    TRAINING_BODIES = "training_bodies", "CFA / organismes de formation"
    YOUTH = "youth", "Jeunes et demandeurs d'emploi"
    FAMILIES = "families", "Familles"
    PARTNERS = "partners", "Partenaires"


class EventQuerySet(models.QuerySet):
    """Every bulk write of events keeps the rollup (`EventRollup`) right, in the same
    transaction: the (region, year, month) cells it touches are computed again."""

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list["Event"]:
        from events import rollup

        objs = list(objs)
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            rollup.rollup_refresh(keys={rollup.key_of(o) for o in objs}, using=self.db)
        return created

    def bulk_update(self, objs: Any, fields: Any, *args: Any, **kwargs: Any) -> int:
        from events import rollup

        objs = list(objs)
        if not rollup.touches(fields, rollup.EVENT_FIELDS):
            return super().bulk_update(objs, fields, *args, **kwargs)
        with transaction.atomic(using=self.db):
            before = rollup.keys_of_events(
                Event.all_objects.using(self.db).filter(pk__in=[o.pk for o in objs])
            )
            updated = super().bulk_update(objs, fields, *args, **kwargs)
            rollup.rollup_refresh(keys=before | {rollup.key_of(o) for o in objs}, using=self.db)
        return updated

    def update(self, **kwargs: Any) -> int:
        from events import rollup

        if not rollup.touches(kwargs, rollup.EVENT_FIELDS):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            pks = list(self.values_list("pk", flat=True))
            before = rollup.keys_of_events(self)
            updated = super().update(**kwargs)
            after = rollup.keys_of_events(Event.all_objects.using(self.db).filter(pk__in=pks))
            rollup.rollup_refresh(keys=before | after, using=self.db)
        return updated

    update.alters_data = True  # type: ignore[attr-defined]

    def delete(self) -> tuple[int, dict[str, int]]:
        from events import rollup

        with transaction.atomic(using=self.db):
            before = rollup.keys_of_events(self)
            deleted = super().delete()
            rollup.rollup_refresh(keys=before, using=self.db)
        return deleted

    delete.alters_data = True  # type: ignore[attr-defined]

    def for_region(self, region: Region | None) -> "EventQuerySet":
        return self.filter(region=region) if region is not None else self

    def held(self, *, until: datetime.date) -> "EventQuerySet":
        return self.filter(is_cancelled=False, date__lte=until)

    def deleted(self) -> "EventQuerySet":
        return self.filter(deleted_at__isnull=False)


class LiveEventManager(models.Manager.from_queryset(EventQuerySet)):  # type: ignore[misc]
    """Events not deleted: what every page, list, figure and export counts.

    A deleted event is kept, with its attendance and attendees, until someone restores
    it (`events.services.event_restore`); `Event.all_objects` sees it."""

    def get_queryset(self) -> "EventQuerySet":
        return super().get_queryset().filter(deleted_at__isnull=True)


class Event(models.Model):
    title = models.CharField("intitulé", max_length=250)
    kind = models.CharField("type", max_length=30, choices=EventKind.choices)
    date = models.DateField("date")
    date_precision = models.CharField(
        "précision de la date",
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    region = models.ForeignKey(
        Region,
        verbose_name="région",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        help_text="Vide : événement national.",
    )
    place = models.CharField("lieu", max_length=250, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name="département",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        help_text="Le département du lieu, dans la région de l'événement. "
        "Vide : non renseigné (l'événement compte pour la région seule).",
    )
    online = models.BooleanField("en ligne", default=False)
    axis = models.ForeignKey(
        ActionPlanAxis,
        verbose_name="axe du plan d'actions",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    convention = models.ForeignKey(
        Convention,
        verbose_name="convention",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    is_cancelled = models.BooleanField("annulé", default=False)
    notes = models.TextField("notes", blank=True)
    source = models.ForeignKey(
        Source, verbose_name="source", on_delete=models.PROTECT, related_name="events"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField("modifié le", auto_now=True)
    # Incremented on every save; a form posted with an older version is refused.
    version = models.PositiveIntegerField(default=1)
    # Deleted events leave every figure but are kept whole, to be restored.
    deleted_at = models.DateTimeField("supprimé le", null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="supprimé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = LiveEventManager()
    all_objects = EventQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "title"]
        verbose_name = "événement"
        indexes = [models.Index(fields=["region", "date"], name="event_region_date")]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d/%m/%Y})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        from events import rollup

        if not rollup.touches(kwargs.get("update_fields"), rollup.EVENT_FIELDS):
            super().save(*args, **kwargs)
            return
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            before = rollup.stored_keys(self, using=using)
            super().save(*args, **kwargs)
            if before is not None:
                rollup.rollup_refresh(keys=before | {rollup.key_of(self)}, using=using)

    def get_absolute_url(self) -> str:
        return reverse("event-detail", args=[self.pk])

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        from events import rollup

        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            before = rollup.keys_of_events(Event.all_objects.using(using).filter(pk=self.pk))
            deleted = super().delete(*args, **kwargs)
            rollup.rollup_refresh(keys=before, using=using)
        return deleted

    def clean(self) -> None:
        # Run by every ModelForm (staff pages, admin, history revert) and by the services'
        # full_clean: an event counts only towards a convention that covers its region,
        # and its department (where it took place) is one of that region's.
        super().clean()
        department = self.department if self.department_id else None
        if department is not None and department.region_id != self.region_id:
            if self.region_id:
                message = (
                    f"Le département {department} n'est pas dans la région {self.region} : "
                    "choisissez un département de la région, ou aucun."
                )
            else:
                message = "Un événement national n'a pas de département : laissez-le vide."
            raise ValidationError({"department": message})
        convention = self.convention if self.convention_id else None
        if convention is not None and not convention.covers(self.region_id):
            if self.region_id:
                message = (
                    f"La convention « {self.convention} » ne couvre pas la région "
                    f"{self.region} : choisissez une convention nationale ou de la région "
                    f"{self.region}."
                )
            else:
                message = (
                    f"La convention « {self.convention} » ne couvre pas un événement national : "
                    "choisissez une convention nationale."
                )
            raise ValidationError({"convention": message})


class AttendanceQuerySet(models.QuerySet):
    """Every bulk write of attendance keeps the rollup (`EventRollup`) right, in the same
    transaction: the cells of the events it touches are computed again."""

    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list["Attendance"]:
        from events import rollup

        objs = list(objs)
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            rollup.rollup_refresh(
                keys=rollup.keys_of_event_ids({o.event_id for o in objs}, using=self.db),
                using=self.db,
            )
        return created

    def bulk_update(self, objs: Any, fields: Any, *args: Any, **kwargs: Any) -> int:
        from events import rollup

        objs = list(objs)
        if not rollup.touches(fields, rollup.ATTENDANCE_FIELDS):
            return super().bulk_update(objs, fields, *args, **kwargs)
        with transaction.atomic(using=self.db):
            manager = Attendance.objects.using(self.db)
            before = manager.filter(pk__in=[o.pk for o in objs])._keys()
            updated = super().bulk_update(objs, fields, *args, **kwargs)
            after = rollup.keys_of_event_ids({o.event_id for o in objs}, using=self.db)
            rollup.rollup_refresh(keys=before | after, using=self.db)
        return updated

    def update(self, **kwargs: Any) -> int:
        from events import rollup

        if not rollup.touches(kwargs, rollup.ATTENDANCE_FIELDS):
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            pks = list(self.values_list("pk", flat=True))
            before = self._keys()
            updated = super().update(**kwargs)
            after = Attendance.objects.using(self.db).filter(pk__in=pks)._keys()
            rollup.rollup_refresh(keys=before | after, using=self.db)
        return updated

    update.alters_data = True  # type: ignore[attr-defined]

    def delete(self) -> tuple[int, dict[str, int]]:
        from events import rollup

        with transaction.atomic(using=self.db):
            before = self._keys()
            deleted = super().delete()
            rollup.rollup_refresh(keys=before, using=self.db)
        return deleted

    delete.alters_data = True  # type: ignore[attr-defined]

    def _keys(self) -> set[tuple[int | None, int, int]]:
        """The rollup cells of these rows' events."""
        from events import rollup

        return rollup.keys_of_events(
            Event.all_objects.using(self.db).filter(pk__in=self.values("event_id"))
        )


class Attendance(models.Model):
    """How many people of one category were expected and came to one event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendances")
    category = models.CharField("public", max_length=20, choices=ParticipantCategory.choices)
    planned = models.PositiveIntegerField("prévus", null=True, blank=True)
    actual = models.PositiveIntegerField("présents", null=True, blank=True)

    objects = AttendanceQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "category"]
        verbose_name = "participation"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "category"],
                name="attendance_unique",
                violation_error_message=(
                    "Cet événement a déjà une ligne de participation pour cette catégorie."
                ),
            ),
            models.CheckConstraint(
                condition=(Q(planned__isnull=True) | Q(planned__gte=0))
                & (Q(actual__isnull=True) | Q(actual__gte=0)),
                name="attendance_not_negative",
                violation_error_message=(
                    "Les nombres d'inscrits et de présents ne peuvent pas être négatifs."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} — {self.get_category_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        from events import rollup

        if not rollup.touches(kwargs.get("update_fields"), rollup.ATTENDANCE_FIELDS):
            super().save(*args, **kwargs)
            return
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            before = rollup.stored_keys(self, using=using)
            super().save(*args, **kwargs)
            if before is not None:
                after = rollup.keys_of_event_ids({self.event_id}, using=using)
                rollup.rollup_refresh(keys=before | after, using=using)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        from events import rollup

        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using):
            before = Attendance.objects.using(using).filter(pk=self.pk)._keys()
            deleted = super().delete(*args, **kwargs)
            rollup.rollup_refresh(keys=before, using=using)
        return deleted


class EventRollup(models.Model):
    """Events held and their attendance, added up by month (`events.rollup`): what the
    pages read instead of grouping the events and attendance rows again.

    One row per cell (year, month, region, department, kind, action-plan axis, source,
    measure): `measure` "events" counts the events held (not cancelled, not deleted), a
    participant category sums their attendance entered (`actual`). Kept exactly equal to
    a recomputation from the events and attendance in every write's transaction
    (`rollup_refresh`); `manage.py rollup_check` compares them."""

    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    region = models.ForeignKey(Region, on_delete=models.CASCADE, null=True, related_name="+")
    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, null=True, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    axis = models.ForeignKey(ActionPlanAxis, on_delete=models.CASCADE, null=True, related_name="+")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    measure = models.CharField(max_length=20)  # "events" or a ParticipantCategory
    n = models.PositiveIntegerField()

    class Meta:
        verbose_name = "cumul d'événements"
        indexes = [models.Index(fields=["year", "region"], name="event_rollup_year_region")]
        constraints = [
            models.UniqueConstraint(
                "year",
                "month",
                Coalesce("region", 0),
                Coalesce("department", 0),
                "kind",
                Coalesce("axis", 0),
                "source",
                "measure",
                name="event_rollup_unique_cell",
                violation_error_message=(
                    "Cette case du cumul des événements existe déjà (même année, mois, région, "
                    "département, type, axe, source et mesure)."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.month:02d}/{self.year} {self.measure} : {self.n}"


class ActivityTotal(models.Model):
    """A yearly activity total as a source reports it ("26 réunions, 493 entreprises").

    Such a total covers the recorded events of the same year, scope and kind: where
    one exists, it replaces their count instead of being added to it
    (see `events.selectors.activity_summary`).
    """

    class Measure(models.TextChoices):
        EVENTS = "events", "Événements"
        COMPANIES = "companies", "Entreprises participantes"
        TRAINING_BODIES = "training_bodies", "CFA / organismes de formation participants"
        YOUTH = "youth", "Jeunes et demandeurs d'emploi participants"
        FAMILIES = "families", "Familles participantes"
        PARTNERS = "partners", "Partenaires participants"

    year = models.PositiveSmallIntegerField("année")
    region = models.ForeignKey(
        Region,
        verbose_name="région",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activity_totals",
        help_text="Vide : total national.",
    )
    event_kind = models.CharField("type d'événement", max_length=30, choices=EventKind.choices)
    measure = models.CharField("mesure", max_length=20, choices=Measure.choices)
    value = models.PositiveIntegerField("valeur")
    qualifier = models.CharField(
        "précision", max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT, blank=True
    )
    source = models.ForeignKey(
        Source, verbose_name="source", on_delete=models.PROTECT, related_name="activity_totals"
    )

    class Meta:
        ordering = ["-year", "region", "event_kind", "measure"]
        verbose_name = "total d'activité déclaré"
        verbose_name_plural = "totaux d'activité déclarés"
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="activity_total_not_negative",
                violation_error_message="Un total d'activité ne peut pas être négatif.",
            ),
            models.UniqueConstraint(
                "year",
                Coalesce("region", 0),
                "event_kind",
                "measure",
                name="activity_total_unique",
                violation_error_message=(
                    "Ce total d'activité est déjà déclaré pour cette année, cette région, ce type"
                    " d'événement et cette mesure."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region or 'National'} {self.year} — {self.get_event_kind_display()}"


class OrganisationKind(models.TextChoices):
    COMPANY = "company", "Entreprise"
    TRAINING_BODY = "training_body", "CFA / organisme de formation"


# The attendance category each kind of organisation is counted in.
CATEGORY_OF_KIND = {
    OrganisationKind.COMPANY: ParticipantCategory.COMPANIES,
    OrganisationKind.TRAINING_BODY: ParticipantCategory.TRAINING_BODIES,
}


class Organisation(models.Model):
    """A company (by SIRET) or a training body (by UAI) that attended events.

    Keyed by its identifier, so an organisation seen at several events is one organisation.
    """

    kind = models.CharField("type", max_length=20, choices=OrganisationKind.choices)
    identifier = models.CharField("SIRET ou UAI", max_length=14, unique=True)
    name = models.CharField("nom", max_length=250, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "identifier"]
        verbose_name = "organisation"
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="company") & Q(identifier__regex=r"^[0-9]{14}$"))
                | (Q(kind="training_body") & Q(identifier__regex=r"^[0-9]{7}[A-Z]$")),
                name="organisation_identifier_format",
                violation_error_message=(
                    "Identifiant invalide : 14 chiffres (SIRET) pour une entreprise, 7 chiffres "
                    "et une lettre majuscule (UAI) pour un CFA ou organisme de formation."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.get_kind_display()} ({self.identifier})"

    @property
    def identifier_label(self) -> str:
        return "SIRET" if self.kind == OrganisationKind.COMPANY else "UAI"


class Attendee(models.Model):
    """An identified organisation that attended one event (once per event)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="attendees")
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="organisation",
        on_delete=models.PROTECT,
        related_name="attendances",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["event", "organisation"]
        verbose_name = "organisation présente"
        verbose_name_plural = "organisations présentes"
        constraints = [
            models.UniqueConstraint(
                fields=["event", "organisation"],
                name="attendee_unique",
                violation_error_message="Cette organisation est déjà inscrite à cet événement.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.event}"
