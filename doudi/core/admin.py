"""Admin screens for county administrators: users and the region tree."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from doudi.core.models import AuditEntry, Region, UnmaskLog, User

admin.site.site_header = admin.site.site_title = "兜底 · 系统管理"


@admin.register(User)
class DoudiUserAdmin(UserAdmin):
    list_display = ("username", "full_name", "role", "region", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "full_name")
    fieldsets = UserAdmin.fieldsets + (("兜底", {"fields": ("role", "region", "full_name")}),)
    autocomplete_fields = ("region",)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent")
    list_filter = ("level",)
    search_fields = ("code", "name")


@admin.register(AuditEntry, UnmaskLog)
class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
