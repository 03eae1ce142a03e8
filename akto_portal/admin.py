from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from akto_portal.models import Branch, Region, Source, User


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "overseas"]
    list_filter = ["overseas"]
    search_fields = ["code", "name"]


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
