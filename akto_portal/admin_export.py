"""django-import-export's import and export, with the changelist's filters checked.

The export applies the changelist's filters from the URL (`?page=0`, `?foo__bar=1`…)
without the changelist's own guard: an unknown filter was a 500 (FieldError). Here it
is a 400, as a value no query can take is elsewhere (akto_portal.hostile_input).
"""

from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import BadRequest, FieldError
from import_export.admin import ImportExportMixin as Base


class ImportExportMixin(Base):
    def get_export_queryset(self, request):
        try:
            return super().get_export_queryset(request)
        except (IncorrectLookupParameters, FieldError) as exc:
            raise BadRequest("Filtre d'export inconnu") from exc
