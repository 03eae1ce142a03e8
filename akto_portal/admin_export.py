"""django-import-export's import and export, with the changelist's filters checked.

The export applies the changelist's filters from the URL (`?page=0`, `?foo__bar=1`…)
without the changelist's own guard: an unknown filter was a 500 (FieldError). Here it
is a 400, as a value no query can take is elsewhere (akto_portal.hostile_input).
"""

from typing import Any

from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest, FieldError
from django.db.models import QuerySet
from django.http import HttpRequest
from import_export.admin import ImportExportMixin as Base


class ImportExportMixin(Base):
    def get_export_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        try:
            return super().get_export_queryset(request)
        except (IncorrectLookupParameters, FieldError) as exc:
            raise BadRequest("Filtre d'export inconnu") from exc

    def get_valid_export_item_pks(self, request: HttpRequest) -> QuerySet[Any, Any]:
        """The objects a selection may export: those this admin shows the user (the
        library's default, all rows, also warns that it is deprecated — a 500 under
        `-W error`, when a selection is posted)."""
        return self.get_queryset(request).values_list("pk", flat=True)
