from django.contrib import admin

from apps.datasets.models import DataPackage


@admin.register(DataPackage)
class DataPackageAdmin(admin.ModelAdmin):
    """Read-only: packages are made by their service and retired by the daily task."""

    list_display = ("id", "state", "variant", "row_count", "created_at", "expires_at", "size")
    list_filter = ("state", "variant")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    readonly_fields = [field.name for field in DataPackage._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
