from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from akto_portal.models import Branch, Department, Region, Source, User


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "overseas"]
    list_filter = ["overseas"]
    search_fields = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]
    list_select_related = ["region"]


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["name", "idcc"]
    search_fields = ["name", "idcc"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "published_on", "reference"]
    list_filter = ["kind"]
    search_fields = ["title", "reference"]


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "region", "is_active"]
    list_filter = ["role", "region", "is_active"]
    autocomplete_fields = ["region"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name", "email"]}),
        ("Rôle", {"fields": ["role", "region", "is_active"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "password1", "password2", "role", "region"]}),
    ]


class LoginAttemptAdmin(AccessAttemptAdmin):
    """django-axes' failed logins (an administrator unlocks a user by deleting the row);
    its clean-up action deletes, so it takes the delete permission like any other."""

    @admin.action(description="Supprimer les tentatives expirées", permissions=["delete"])
    def cleanup_expired_attempts(
        self, request: HttpRequest, queryset: QuerySet[AccessAttempt]
    ) -> None:
        # axes' own action reads the attempt time its login handler sets on the request.
        request.axes_attempt_time = timezone.now()  # type: ignore[attr-defined]  # axes' attribute
        count = self.handler.clean_expired_user_attempts(request=request)
        self.message_user(request, f"{count} tentative(s) expirée(s) supprimée(s).")


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, LoginAttemptAdmin)
