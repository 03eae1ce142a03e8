from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from akto_portal.models import Region
from events.models import ActivityTotal, Attendance, Event, Organisation
from events.services import manual_entry_source


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0

    def _may_edit(self, request, obj):
        return obj is None or request.user.has_perm("events.change_event", obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._may_edit(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)


@admin.register(Event)
class EventAdmin(SimpleHistoryAdmin):
    list_display = ["date", "title", "kind", "region", "axis", "is_cancelled"]
    list_filter = [
        "kind",
        ("region", admin.RelatedOnlyFieldListFilter),
        "axis",
        "is_cancelled",
        ("date", admin.DateFieldListFilter),
        "source__kind",
    ]
    search_fields = ["title", "place"]
    date_hierarchy = "date"
    autocomplete_fields = ["region", "convention", "axis", "source"]
    list_select_related = ["region", "axis"]
    inlines = [AttendanceInline]
    exclude = ["version", "created_by"]

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return request.user.has_perm("events.change_event", obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return super().has_delete_permission(request)
        return request.user.has_perm("events.delete_event", obj)

    def get_autocomplete_fields(self, request):
        # Autocomplete needs read access to the related admin, which staff do not have.
        return self.autocomplete_fields if request.user.is_superuser else []

    def get_exclude(self, request, obj=None):
        if request.user.is_superuser:
            return self.exclude
        return [*self.exclude, "source"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Regional staff record events for their own region only.
        if db_field.name == "region" and not request.user.is_superuser:
            kwargs["queryset"] = Region.objects.filter(pk=request.user.region_id)
            kwargs["required"] = True
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def delete_model(self, request, obj):
        # Soft delete, as on the portal: restorable whole from the events list.
        obj.deleted_at, obj.deleted_by, obj._history_user = (
            timezone.now(),
            request.user,
            request.user,
        )
        obj.version += 1
        obj.save(update_fields=["deleted_at", "deleted_by", "version", "updated_at"])

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_model(self, request, obj, form, change):
        if not request.user.has_perm("events.change_event", obj):
            # Defence in depth: the form already restricts the region.
            raise PermissionDenied("Événement hors de votre région.")
        if not change:
            obj.created_by = request.user
            if obj.source_id is None:
                obj.source = manual_entry_source()
        else:
            obj.version += 1
        super().save_model(request, obj, form, change)


@admin.register(ActivityTotal)
class ActivityTotalAdmin(admin.ModelAdmin):
    list_display = ["year", "region", "event_kind", "measure", "qualifier", "value", "source"]
    list_filter = ["year", "event_kind", "measure", ("region", admin.RelatedOnlyFieldListFilter)]
    autocomplete_fields = ["region", "source"]
    list_select_related = ["region", "source"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["identifier", "name", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["identifier", "name"]

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
