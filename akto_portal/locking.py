"""Optimistic locking: a write made from a stale form is refused, nothing is overwritten.

A versioned row has a `version` integer, moved on by every save. A form carries the
version it was displayed with (`expected_version`, a hidden field); its `clean()` compares
it with the row's version in the database (holding the row until the save when in a
transaction, as the admin's forms are) and refuses the form if anyone saved since, showing
the current values. Then `VersionedModel.save()` claims the next version by a
compare-and-set, so that a write that skipped the form check (a stale object kept in
memory) fails instead of overwriting.

Used by conventions, their axes, indicators and reported values, contract targets
(`VersionedModel`, `LockedModelForm`, `LockedAdminMixin`) and events (`claim_version`,
`LockedModelForm`). This module imports no app.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.admin.utils import display_for_field
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, router, transaction
from django.db.models import F
from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldGroups, _FieldsetSpec

VERSION_FIELD = "expected_version"


class StaleObjectError(ValidationError):
    """The row was saved by someone else since this copy of it was read."""


def current_version(model: type[models.Model], pk: Any, *, lock: bool = False) -> int | None:
    """The version of a row in the database (None if it is gone); with `lock`, hold the
    row until the end of the transaction (only inside one)."""
    rows = model._base_manager.filter(pk=pk).order_by("pk")  # no join for a Meta.ordering
    if lock and transaction.get_connection(router.db_for_write(model)).in_atomic_block:
        rows = rows.select_for_update()
    return rows.values_list("version", flat=True).first()


def claim_version(rows: models.Manager, pk: Any, expected: int, **updates: Any) -> bool:
    """Move the row `pk` of `rows` from version `expected` to the next one (with
    `updates`), atomically; false if its version is no longer `expected` (someone saved
    since) or it is not among `rows`."""
    return bool(rows.filter(pk=pk, version=expected).update(version=F("version") + 1, **updates))


class VersionedModel(models.Model):
    # Moved on by every save; a form posted with an older version is refused.
    version = models.PositiveIntegerField("version", default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding or self.pk is None:
            super().save(*args, **kwargs)
            return
        model = type(self)
        with transaction.atomic(using=router.db_for_write(model)):
            if not claim_version(model._base_manager, self.pk, self.version):
                if model._base_manager.filter(pk=self.pk).exists():
                    raise StaleObjectError(
                        f"« {self} » a été modifié entre-temps : rien n'a été enregistré.",
                        code="stale",
                    )
                super().save(*args, **kwargs)  # deleted meanwhile: saved again
                return
            self.version += 1
            try:
                super().save(*args, **kwargs)
            except BaseException:
                self.version -= 1
                raise


def _shown(value: Any, field: models.Field) -> str:
    if isinstance(field, models.ManyToManyField):
        return ", ".join(str(v) for v in value) or "—"
    return str(display_for_field(value, field, "—")) or "—"


def _same(current: Any, posted: Any, field: models.Field) -> bool:
    if isinstance(field, models.ManyToManyField):
        return {v.pk for v in current} == {v.pk for v in posted or []}
    if isinstance(field, models.ForeignKey):
        return getattr(current, "pk", None) == getattr(posted, "pk", posted)
    return current == posted or (current in (None, "") and posted in (None, ""))


def changed_values(form: forms.ModelForm, current: models.Model) -> list[tuple[str, str]]:
    """(label, current value) of the fields whose value in the database differs from the
    one the form posted: what the form would have overwritten."""
    opts = current._meta
    rows = []
    for name, form_field in form.fields.items():
        if name == VERSION_FIELD or name not in form.cleaned_data:
            continue
        try:
            field = opts.get_field(name)
        except FieldDoesNotExist:
            continue
        if not isinstance(field, models.Field) or field.auto_created:
            continue
        value = getattr(current, name)
        if isinstance(field, models.ManyToManyField):
            value = list(value.all())
        if not _same(value, form.cleaned_data[name], field):
            rows.append((str(form_field.label or field.verbose_name), _shown(value, field)))
    return rows


class LockedModelForm(forms.ModelForm):
    """A model form (admin, inline or portal) refused when its row was saved by someone
    else after it was displayed. Subclasses may change `stale_message`."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and not self.is_bound:
            # The version in the database — also when the form shows a past version of the
            # row (the history's "revert" form), whose own `version` is an old one.
            self.fields[VERSION_FIELD].initial = current_version(
                type(self.instance), self.instance.pk
            )

    def stale_message(self, current: models.Model) -> str:
        opts = current._meta
        message = (
            f"Une autre personne a modifié « {current} » ({opts.verbose_name}) depuis "
            "l'ouverture de ce formulaire : rien n'a été enregistré."
        )
        changed = changed_values(self, current)
        if changed:
            message += " Valeurs actuelles : " + " ; ".join(f"{k} : {v}" for k, v in changed) + "."
        return message + " Rechargez la page pour repartir des valeurs actuelles."

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is None or self.instance._state.adding:
            return data
        model = type(self.instance)
        # Holds the row until the save (the admin saves in one transaction): a write in
        # between waits, then finds the new version and is refused in its turn.
        current = current_version(model, self.instance.pk, lock=True)
        if current is None:
            return data
        if data.get(VERSION_FIELD) != current:
            raise ValidationError(
                self.stale_message(model._base_manager.get(pk=self.instance.pk)), code="stale"
            )
        if hasattr(self.instance, "version"):
            self.instance.version = current  # a history "revert" shows an old version
        return data


def _without(fields: Iterable[Any]) -> list[Any]:
    return [f for f in fields if f != VERSION_FIELD]


class LockedAdminMixin:
    """For a ModelAdmin or an inline of a `VersionedModel`: its forms carry the version
    they were displayed with and are refused when stale (read-only views carry none)."""

    form: type[forms.ModelForm] = LockedModelForm

    def _carries_version(self, request: HttpRequest, obj: models.Model | None) -> bool:
        return self.has_change_permission(request, obj)  # type: ignore[attr-defined]

    def get_fields(self, request: HttpRequest, obj: models.Model | None = None) -> "_FieldGroups":
        fields = _without(super().get_fields(request, obj))  # type: ignore[misc]
        return fields + [VERSION_FIELD] if self._carries_version(request, obj) else fields

    def get_fieldsets(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> "_FieldsetSpec":
        fieldsets = super().get_fieldsets(request, obj)  # type: ignore[misc]
        if not getattr(self, "fieldsets", None):
            return fieldsets  # built from get_fields
        fieldsets = [
            (name, {**opts, "fields": _without(opts["fields"])}) for name, opts in fieldsets
        ]
        if self._carries_version(request, obj):
            name, opts = fieldsets[0]
            fieldsets[0] = (name, {**opts, "fields": [*opts["fields"], VERSION_FIELD]})
        return fieldsets
