"""Reference data and people shared by every app: regions, departments, branches,
sources, users."""

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models, router, transaction
from django.db.models import Q
from django.dispatch import Signal

# Sent after sources' kinds change (`Source.save`, `SourceQuerySet.update`), with `pks`
# and `using`: figures stored with "synthetic or not" (the contract rollup) refresh.
source_kinds_changed = Signal()

# Standard abbreviations of the regions (ISO 3166-2:FR), by INSEE code: the map's tiles.
REGION_ABBREVIATIONS = {
    "01": "GP",
    "02": "MQ",
    "03": "GF",
    "04": "RE",
    "06": "YT",
    "11": "IDF",
    "24": "CVL",
    "27": "BFC",
    "28": "NOR",
    "32": "HDF",
    "44": "GES",
    "52": "PDL",
    "53": "BRE",
    "75": "NAQ",
    "76": "OCC",
    "84": "ARA",
    "93": "PAC",
    "94": "COR",
}


class Region(models.Model):
    """One of France's 18 regions, identified by its INSEE code ("28" is Normandie)."""

    code = models.CharField("code INSEE", max_length=2, unique=True)
    name = models.CharField("nom", max_length=100, unique=True)
    overseas = models.BooleanField("outre-mer", default=False)
    # Position on the tile-grid map of the dashboards (column, row).
    map_col = models.PositiveSmallIntegerField(default=0)
    map_row = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["code"]
        verbose_name = "région"

    def __str__(self) -> str:
        return self.name

    @property
    def abbreviation(self) -> str:
        """ "NOR", "IDF", "GP": the standard abbreviation, or the code if none."""
        return REGION_ABBREVIATIONS.get(self.code, self.code)


class Branch(models.Model):
    """A professional branch (collective agreement) covered by the OPCO."""

    name = models.CharField("nom", max_length=150, unique=True)
    idcc = models.CharField("IDCC", max_length=4, blank=True, default="")

    class Meta:
        ordering = ["name"]
        verbose_name = "branche professionnelle"
        verbose_name_plural = "branches professionnelles"
        constraints = [
            models.UniqueConstraint(
                fields=["idcc"],
                condition=~Q(idcc=""),
                name="branch_idcc_unique",
                violation_error_message="Une autre branche a déjà cet IDCC.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} (IDCC {self.idcc})" if self.idcc else self.name


class SourceQuerySet(models.QuerySet["Source"]):
    def synthetic(self) -> "SourceQuerySet":
        """The sources of synthetic demo data: the one way to tell a synthetic figure
        (`Source.is_synthetic` for one source, `synthetic_q` in a filter)."""
        return self.filter(kind=Source.Kind.SYNTHETIC)

    def update(self, **kwargs: Any) -> int:
        if "kind" not in kwargs:
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            pks = list(self.values_list("pk", flat=True))
            updated = super().update(**kwargs)
            source_kinds_changed.send(sender=Source, pks=pks, using=self.db)
        return updated

    update.alters_data = True  # type: ignore[attr-defined]


class Source(models.Model):
    """Where a figure comes from: a published document, an import, a manual entry, or
    the synthetic demo generator. Every fact in the portal points to one."""

    class Kind(models.TextChoices):
        DOCUMENT = "document", "Document publié"
        IMPORT = "import", "Import de fichier"
        MANUAL = "manual", "Saisie manuelle"
        SYNTHETIC = "synthetic", "Données synthétiques (démo)"

    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    title = models.CharField("titre", max_length=300)
    reference = models.CharField(
        "référence", max_length=300, blank=True, help_text="Fichier, adresse ou cote du document."
    )
    published_on = models.DateField("date de publication", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SourceQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "title"]
        verbose_name = "source"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "title"],
                name="source_kind_title_unique",
                violation_error_message="Une source de ce type porte déjà ce titre.",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saved; when the change makes the source synthetic or no longer synthetic, the
        figures stored with that flag follow (`source_kinds_changed`)."""
        using = kwargs.get("using") or router.db_for_write(Source, instance=self)
        with transaction.atomic(using=using):
            stored = None
            if self.pk is not None:
                kinds = Source.objects.using(using).filter(pk=self.pk).values_list("kind")
                stored = kinds.first()
            super().save(*args, **kwargs)
            if stored is not None and self.kind_is_synthetic(stored[0]) != self.is_synthetic:
                source_kinds_changed.send(sender=Source, pks=[self.pk], using=using)

    @property
    def is_synthetic(self) -> bool:
        return self.kind_is_synthetic(self.kind)

    @staticmethod
    def kind_is_synthetic(kind: str) -> bool:
        """Whether a source of this kind holds synthetic demo data (for rows read with
        `values()`; `is_synthetic` on an instance, `synthetic_q` in a filter)."""
        return kind == Source.Kind.SYNTHETIC


def synthetic_q(source: str = "source") -> Q:
    """Rows whose source (reached by the lookup path `source`, e.g. "event__source") is
    synthetic demo data: `Count("pk", filter=synthetic_q())`."""
    return Q(**{f"{source}__in": Source.objects.synthetic()})


class Department(models.Model):
    """One of France's 101 departments and its region ("14" Calvados, "2A", "971"):
    reference data for placing a workplace or an event given by department."""

    code = models.CharField("code", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(
        Region, verbose_name="région", on_delete=models.PROTECT, related_name="departments"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = "département"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Qualifier(models.TextChoices):
    """How exact a reported figure is, as the source states it."""

    EXACT = "exact", ""
    AT_LEAST = "at_least", "plus de"
    ABOUT = "about", "près de"


class DatePrecision(models.TextChoices):
    """How much of a date the source gives: "lundi 9 mai" is a day, "en 2021" a year."""

    DAY = "day", "jour"
    MONTH = "month", "mois"
    YEAR = "year", "année"


class PortalUserManager(UserManager["User"]):
    def create_superuser(
        self,
        username: str,
        email: str | None = None,
        password: str | None = None,
        **extra_fields: Any,
    ) -> "User":
        extra_fields.setdefault("role", User.Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A portal user: an admin, a regional director or a member of a regional staff."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Administrateur"
        DIRECTOR = "director", "Directeur régional"
        STAFF = "staff", "Équipe régionale"

    role = models.CharField("rôle", max_length=20, choices=Role.choices, default=Role.STAFF)
    region = models.ForeignKey(
        Region,
        verbose_name="région",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )

    objects: ClassVar[PortalUserManager] = PortalUserManager()

    class Meta:
        verbose_name = "utilisateur"
        constraints = [
            models.CheckConstraint(
                condition=Q(role="admin") | Q(region__isnull=False),
                name="user_region_required_unless_admin",
                violation_error_message=(
                    "Choisissez la région de cet utilisateur : seuls les administrateurs n'en ont"
                    " pas."
                ),
            ),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Every role uses the admin site (staff for their events, directors read-only);
        # what each may do there is decided by the role, see permissions.RoleBackend.
        self.is_staff = self.is_active
        self.is_superuser = self.role == self.Role.ADMIN
        super().save(*args, **kwargs)

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    @property
    def is_director(self) -> bool:
        return self.role == self.Role.DIRECTOR

    @property
    def is_regional_staff(self) -> bool:
        return self.role == self.Role.STAFF


class ApiToken(models.Model):
    """A personal key to read the JSON API from a tool (Excel, Power BI). Only a hash of
    the key is stored; the key itself is shown once, when the token is created."""

    user = models.ForeignKey(
        User, verbose_name="utilisateur", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("nom", max_length=100)
    prefix = models.CharField("début de la clé", max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    last_used_at = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoked_at = models.DateTimeField("révoqué le", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class SavedView(models.Model):
    """A dashboard view (its filters) a user named to come back to it."""

    user = models.ForeignKey(
        User, verbose_name="utilisateur", on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField("nom", max_length=100)
    query = models.CharField("filtres", max_length=500, blank=True)
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "vue enregistrée"
        verbose_name_plural = "vues enregistrées"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                name="saved_view_unique_name",
                violation_error_message="Vous avez déjà une vue enregistrée de ce nom.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return f"{reverse('overview')}?{self.query}"


class DataVersion(models.Model):
    """One row whose `version` goes up with every write to the tables the figures are
    read from. Database triggers bump it (migration 0004), so every write path counts —
    services, imports and their undoing, the admin, bulk writes, seeds, raw SQL — and
    every process sees the same version. Cached figures are keyed by it
    (`akto_portal.cache`)."""

    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "version des données"

    def __str__(self) -> str:
        return str(self.version)
