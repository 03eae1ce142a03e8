"""Partnership conventions, their axes and indicators, and the OPCO's action plans."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from akto_portal.locking import VersionedModel
from akto_portal.models import DatePrecision, Qualifier, Region, Source


class Partner(models.Model):
    class Kind(models.TextChoices):
        REGIONAL_COUNCIL = "regional_council", "Conseil régional"
        AGEFIPH = "agefiph", "Agefiph"
        STATE = "state", "État et services publics"
        BRANCH = "branch", "Branche professionnelle"
        OTHER = "other", "Autre"

    name = models.CharField("nom", max_length=200, unique=True)
    kind = models.CharField("type", max_length=30, choices=Kind.choices)
    regions = models.ManyToManyField(
        Region,
        verbose_name="régions couvertes",
        blank=True,
        related_name="partners",
        help_text="Vide : partenaire national.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = "partenaire"

    def __str__(self) -> str:
        return self.name


class ActionPlan(models.Model):
    """The OPCO's own plan, declined in every region (the "Alternance 2022" plan)."""

    title = models.CharField("titre", max_length=200, unique=True)
    year = models.PositiveSmallIntegerField("année")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="action_plans")

    class Meta:
        ordering = ["-year"]
        verbose_name = "plan d'actions"
        verbose_name_plural = "plans d'actions"

    def __str__(self) -> str:
        return self.title


class ActionPlanAxis(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="axes")
    number = models.PositiveSmallIntegerField("numéro")
    title = models.CharField("intitulé", max_length=200)

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = "axe du plan d'actions"
        verbose_name_plural = "axes du plan d'actions"
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="action_plan_axis_unique",
                violation_error_message="Ce plan d'actions a déjà un axe de ce numéro.",
            ),
        ]

    def __str__(self) -> str:
        return f"Axe {self.number} : {self.title}"


class ConventionQuerySet(models.QuerySet["Convention"]):
    def national(self) -> "ConventionQuerySet":
        return self.filter(region__isnull=True)

    def for_region(self, region: Region) -> "ConventionQuerySet":
        return self.filter(region=region)


class Convention(VersionedModel):
    class Kind(models.TextChoices):
        COM = "com", "Convention d'objectifs et de moyens"
        PARTNERSHIP = "partnership", "Convention de partenariat"

    class Status(models.TextChoices):
        NEGOTIATION = "negotiation", "En négociation"
        SIGNED = "signed", "Signée"
        ACTIVE = "active", "En cours"
        ENDED = "ended", "Terminée"

    title = models.CharField("intitulé", max_length=250)
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    status = models.CharField("statut", max_length=20, choices=Status.choices)
    partners = models.ManyToManyField(
        Partner, verbose_name="partenaires", related_name="conventions"
    )
    region = models.ForeignKey(
        Region,
        verbose_name="région",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conventions",
        help_text="Vide : convention nationale.",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="convention nationale déclinée",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="declinations",
    )
    renews = models.OneToOneField(
        "self",
        verbose_name="renouvelle",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="renewed_by",
    )
    start_on = models.DateField("début", null=True, blank=True)
    end_on = models.DateField("fin", null=True, blank=True)
    signed_on = models.DateField("date de signature", null=True, blank=True)
    signed_on_precision = models.CharField(
        "précision de la date de signature",
        max_length=10,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
    )
    summary = models.TextField("objet", blank=True)
    source = models.ForeignKey(
        Source, verbose_name="source", on_delete=models.PROTECT, related_name="conventions"
    )

    objects = ConventionQuerySet.as_manager()
    # The version moves on with every save: not a change of its own in the history.
    history = HistoricalRecords(excluded_fields=["summary", "version"])

    class Meta:
        ordering = ["-start_on", "title"]
        verbose_name = "convention"
        constraints = [
            models.CheckConstraint(
                condition=Q(start_on__isnull=True)
                | Q(end_on__isnull=True)
                | Q(end_on__gt=models.F("start_on")),
                name="convention_end_after_start",
                violation_error_message="La fin de la convention doit suivre son début.",
            ),
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | Q(region__isnull=False),
                name="convention_declination_has_region",
                violation_error_message=(
                    "Une déclinaison régionale doit avoir une région : choisissez sa région, ou "
                    "videz « convention nationale déclinée »."
                ),
            ),
            models.UniqueConstraint(
                fields=["parent", "region"],
                condition=Q(parent__isnull=False),
                name="convention_one_declination_per_region",
                violation_error_message=(
                    "Cette convention nationale a déjà une déclinaison dans cette région."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("convention-detail", args=[self.pk])

    @property
    def is_national(self) -> bool:
        return self.region_id is None

    def covers(self, region: Region | int | None) -> bool:
        """May an event of `region` (a Region, its id, or None for a national event) count
        towards this convention? A national convention covers every region and national
        events; a regional one — a regional declination included — its own region only."""
        region_id = getattr(region, "pk", region)
        return self.region_id is None or self.region_id == region_id

    def renewal_chain(self) -> list["Convention"]:
        """Every convention of this lineage, oldest first (this one included)."""
        first: Convention = self
        while first.renews is not None:
            first = first.renews
        chain = [first]
        while True:
            try:
                chain.append(chain[-1].renewed_by)
            except Convention.renewed_by.RelatedObjectDoesNotExist:
                return chain


class ConventionAxis(VersionedModel):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="axes")
    number = models.PositiveSmallIntegerField("numéro")
    title = models.CharField("intitulé", max_length=300)

    class Meta:
        ordering = ["convention", "number"]
        verbose_name = "axe"
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "number"],
                name="convention_axis_unique",
                violation_error_message="Cette convention a déjà un axe de ce numéro.",
            ),
        ]

    def __str__(self) -> str:
        return f"Axe {self.number} : {self.title}"


class Signatory(models.Model):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="signatories")
    name = models.CharField("nom", max_length=150)
    title = models.CharField("qualité", max_length=200)
    organisation = models.CharField("organisme", max_length=200)

    class Meta:
        ordering = ["convention", "organisation", "name"]
        verbose_name = "signataire"

    def __str__(self) -> str:
        return f"{self.name}, {self.title}"


class Indicator(VersionedModel):
    class Unit(models.TextChoices):
        PEOPLE = "people", "personnes"
        COMPANIES = "companies", "entreprises"
        TRAINING_BODIES = "training_bodies", "CFA / organismes de formation"
        CONTRACTS = "contracts", "contrats"
        ACTIONS = "actions", "actions"
        EVENTS = "events", "événements"
        REGIONS = "regions", "régions"
        PERCENT = "percent", "%"

    class Computation(models.TextChoices):
        REPORTED = "reported", "Saisi (valeur déclarée)"
        CONTRACTS = "contracts", "Calculé : contrats financés"
        CONTRACTS_RQTH = "contracts_rqth", "Calculé : contrats de personnes handicapées"
        EVENTS_HELD = "events_held", "Calculé : événements tenus"
        COMPANIES_REACHED = "companies_reached", "Calculé : entreprises présentes aux événements"
        TRAINING_BODIES_REACHED = (
            "training_bodies_reached",
            "Calculé : CFA / organismes de formation présents",
        )

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="indicators")
    axis = models.ForeignKey(
        ConventionAxis,
        verbose_name="axe",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
    )
    name = models.CharField("indicateur", max_length=300)
    unit = models.CharField("unité", max_length=20, choices=Unit.choices)
    computation = models.CharField(
        "mode de calcul", max_length=30, choices=Computation.choices, default=Computation.REPORTED
    )
    target = models.DecimalField("objectif", max_digits=12, decimal_places=1, null=True, blank=True)
    target_source = models.ForeignKey(
        Source,
        verbose_name="source de l'objectif",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="indicator_targets",
    )
    baseline = models.DecimalField(
        "valeur de départ", max_digits=12, decimal_places=1, null=True, blank=True
    )
    baseline_qualifier = models.CharField(
        "précision de la valeur de départ",
        max_length=10,
        choices=Qualifier.choices,
        default=Qualifier.EXACT,
        blank=True,
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["convention", "position", "pk"]
        verbose_name = "indicateur"
        constraints = [
            models.CheckConstraint(
                condition=Q(target__isnull=True) | Q(target__gte=0),
                name="indicator_target_not_negative",
                violation_error_message="L'objectif ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(target__isnull=True) | Q(target_source__isnull=False),
                name="indicator_target_has_source",
                violation_error_message=(
                    "Un objectif doit avoir sa source : indiquez la source de l'objectif."
                ),
            ),
            models.UniqueConstraint(
                fields=["convention", "name"],
                name="indicator_unique_name",
                violation_error_message="Cette convention a déjà un indicateur de ce nom.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_computed(self) -> bool:
        return self.computation != self.Computation.REPORTED


class IndicatorValue(VersionedModel):
    """A value of an indicator reported by hand, with its date and source."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    value = models.DecimalField("valeur", max_digits=12, decimal_places=1)
    qualifier = models.CharField(
        "précision", max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT, blank=True
    )
    as_of = models.DateField("à la date du")
    source = models.ForeignKey(
        Source, verbose_name="source", on_delete=models.PROTECT, related_name="indicator_values"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="saisi par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    entered_at = models.DateTimeField("saisi le", auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["version"])

    class Meta:
        ordering = ["indicator", "-as_of"]
        verbose_name = "valeur déclarée"
        verbose_name_plural = "valeurs déclarées"
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="indicator_value_not_negative",
                violation_error_message="Une valeur déclarée ne peut pas être négative.",
            ),
            models.UniqueConstraint(
                fields=["indicator", "as_of", "source"],
                name="indicator_value_unique",
                violation_error_message=(
                    "Cet indicateur a déjà une valeur à cette date selon cette source."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} : {self.value} ({self.as_of})"
