from django.contrib import admin, messages
from django.utils import timezone

from apps.api.models import ApiKey


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Curators make keys here; the key is shown once, in the message after saving."""

    list_display = ("name", "prefix", "owner", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "owner__username")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    fields = ("name", "owner", "prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke_keys"]

    def get_queryset(self, request):
        keys = super().get_queryset(request).select_related("owner")
        return keys if request.user.is_superuser else keys.filter(owner=request.user)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if request.user.is_superuser:
            return fields
        return [name for name in fields if name != "owner"]  # a curator's keys are their own

    def get_changeform_initial_data(self, request):
        return {"owner": request.user.pk}

    def save_model(self, request, obj, form, change):
        if not change and not request.user.is_superuser:
            obj.owner = request.user
        raw = None if change else obj.assign_new_key()
        super().save_model(request, obj, form, change)
        if raw:
            messages.warning(
                request,
                f"The new key is {raw} — copy it now: it is not stored and will not be shown "
                "again. Send it as the X-API-Key header.",
            )

    def has_delete_permission(self, request, obj=None):
        return False  # revoked, not deleted: what a key did stays attributable

    @admin.action(description="Revoke the selected keys")
    def revoke_keys(self, request, queryset):
        revoked = queryset.active().update(revoked_at=timezone.now())
        self.message_user(request, f"{revoked} key(s) revoked.")
