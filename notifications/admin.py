"""Who receives what: subscriptions, alert states and every mail sent or tried. Admins
change subscriptions; directors read (akto_portal.permissions); the mails and alert
states are records, changed by send_digests only."""

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from notifications.models import AlertState, Delivery, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "frequency", "france", "followed_regions", "updated_at"]
    list_filter = ["frequency", "france"]
    search_fields = ["user__username", "user__email", "user__last_name"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["regions", "indicators"]
    readonly_fields = ["updated_at", "unsubscribed_at"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Subscription]:
        return super().get_queryset(request).select_related("user").prefetch_related("regions")

    @admin.display(description="mail", ordering="user__email")
    def email(self, obj: Subscription) -> str:
        return obj.user.email

    @admin.display(description="régions suivies")
    def followed_regions(self, obj: Subscription) -> str:
        return ", ".join(r.name for r in obj.regions.all())


class RecordAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(RecordAdmin):
    list_display = ["created_at", "user", "kind", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["user__username", "user__email", "subject", "key"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]

    def get_exclude(
        self, request: HttpRequest, obj: Delivery | None = None
    ) -> list[str] | tuple[str, ...] | None:
        # A password-reset mail carries a one-time link to the account: never shown.
        if obj is not None and obj.kind == Delivery.Kind.PASSWORD_RESET:
            return ["body"]
        return super().get_exclude(request, obj)


@admin.register(AlertState)
class AlertStateAdmin(RecordAdmin):
    list_display = ["label", "subject", "behind", "changes", "changed_on", "checked_on"]
    list_filter = ["behind"]
    search_fields = ["label", "subject"]
