from collections.abc import Iterable
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from akto_portal.admin_export import ImportExportMixin
from akto_portal.http import signed_in_user
from akto_portal.locking import LockedAdminMixin
from contracts.models import ContractCount, ContractTarget, ImportBatch, MarketStat
from contracts.resources import ContractTargetResource
from contracts.services import ImportRefused, import_batch_undo, import_batch_undo_note


@admin.register(ContractCount)
class ContractCountAdmin(admin.ModelAdmin):
    list_display = [
        "region",
        "year",
        "month",
        "branch",
        "contract_type",
        "public",
        "count",
        "source",
    ]
    list_filter = ["year", "contract_type", "public", "source__kind", "region"]
    search_fields = ["region__name", "branch__name", "branch__idcc"]
    autocomplete_fields = ["region", "branch", "source"]
    list_select_related = ["region", "branch", "source"]
    show_full_result_count = False


@admin.register(ContractTarget)
class ContractTargetAdmin(LockedAdminMixin, ImportExportMixin, admin.ModelAdmin):
    resource_classes = [ContractTargetResource]
    list_display = ["year", "region", "department", "contract_type", "public", "value", "source"]
    list_filter = ["year", "region", "source__kind"]
    autocomplete_fields = ["region", "department", "source"]
    list_select_related = ["region", "department", "source"]


@admin.register(MarketStat)
class MarketStatAdmin(admin.ModelAdmin):
    list_display = ["year", "month", "region", "measure", "value", "source"]
    list_filter = ["year", "measure", "region"]
    autocomplete_fields = ["region", "source"]
    list_select_related = ["region", "source"]


class ImportStateFilter(admin.SimpleListFilter):
    title = "état"
    parameter_name = "etat"

    def lookups(
        self, request: HttpRequest, model_admin: admin.ModelAdmin[Any]
    ) -> Iterable[tuple[str, str]]:
        return [("en-vigueur", "En vigueur"), ("annule", "Annulé"), ("remplace", "Remplacé")]

    def queryset(
        self, request: HttpRequest, queryset: QuerySet[ImportBatch]
    ) -> QuerySet[ImportBatch]:
        if self.value() == "en-vigueur":
            return queryset.filter(undone_at__isnull=True, replaced_at__isnull=True)
        if self.value() == "annule":
            return queryset.filter(undone_at__isnull=False)
        if self.value() == "remplace":
            return queryset.filter(replaced_at__isnull=False)
        return queryset


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Imports are made on the import page or by command; here they are read and undone."""

    list_display = [
        "number",
        "file_name",
        "layout",
        "created_by",
        "created_at",
        "rows_read",
        "rows_written",
        "rows_replaced",
        "undone_at",
        "replaced_by",
    ]
    list_filter = ["layout", ImportStateFilter]
    search_fields = ["file_name", "checksum"]
    list_select_related = ["created_by", "undone_by", "replaced_by"]
    actions = ["undo"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]

    @admin.display(description="n°", ordering="pk")
    def number(self, obj: ImportBatch) -> int:
        return obj.pk

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ImportBatch | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: ImportBatch | None = None) -> bool:
        return False

    def has_undo_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    @admin.action(
        description="Annuler les imports sélectionnés (retirer leurs chiffres)",
        permissions=["undo"],
    )
    def undo(self, request: HttpRequest, queryset: QuerySet[ImportBatch]) -> None:
        for batch in queryset.order_by("-created_at"):
            note = import_batch_undo_note(batch)  # before: undo puts the replaced back
            try:
                removed = import_batch_undo(batch=batch, user=signed_in_user(request))
            except ImportRefused as exc:
                self.message_user(request, str(exc), messages.WARNING)
            else:
                self.message_user(
                    request,
                    f"Import n° {batch.pk} annulé : {removed} chiffre(s) retiré(s) ; son "
                    f"fichier peut de nouveau être importé. {note}",
                )
