"""Inline formsets that name a duplicate the way the model's constraint does.

Two rows of one inline that break a unique constraint are caught by the formset itself,
whose message names the raw field ("Corrigez les données en double dans number."). Ours
gives the constraint's French `violation_error_message` instead, or the fields' verbose
names when no constraint matches.
"""

from collections.abc import Collection

from django.db import models
from django.forms.models import BaseInlineFormSet


class ConstraintMessageInlineFormSet(BaseInlineFormSet):
    def get_unique_error_message(self, unique_check: Collection[str]) -> str:
        opts = self.model._meta
        for constraint in opts.constraints:
            if isinstance(constraint, models.UniqueConstraint) and set(constraint.fields) == set(
                unique_check
            ):
                return constraint.get_violation_error_message()
        names = [
            str(opts.get_field(name).verbose_name) for name in unique_check if name != self.fk.name
        ]
        return "Deux lignes ont les mêmes valeurs pour : " + ", ".join(names) + "."
