"""Admin views of curation records. The audit log and takedown outcomes are read-only here:
every change goes through the services (and the curator pages) so that it is logged."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from apps.curation.models import (
    BulkAction,
    ModerationDecision,
    PublicationRule,
    RuleApplication,
    TakedownRequest,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ModerationDecision)
class ModerationDecisionAdmin(ReadOnlyAdmin):
    list_display = (
        "decided_at",
        "entry_kind",
        "entry_id",
        "from_state",
        "to_state",
        "actor",
        "rule",
    )
    list_filter = ("entry_kind", "to_state")
    search_fields = ("=entry_id", "reason", "actor__username")
    list_select_related = ("actor", "rule")
    date_hierarchy = "decided_at"
    actions = None


@admin.register(RuleApplication)
class RuleApplicationAdmin(ReadOnlyAdmin):
    list_display = ("applied_at", "rule", "trigger", "actor", "published")
    list_select_related = ("rule", "actor")
    actions = None


@admin.register(BulkAction)
class BulkActionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "entry_kind", "actor", "state", "done", "total")
    list_filter = ("state", "action", "entry_kind")
    list_select_related = ("actor",)
    actions = None


@admin.register(TakedownRequest)
class TakedownRequestAdmin(ReadOnlyAdmin):
    list_display = ("reference", "entry_kind", "entry_id", "state", "received_at", "decided_at")
    list_filter = ("state", "entry_kind", "relation")
    search_fields = ("reference", "requester_name", "contact")
    actions = None


@admin.register(PublicationRule)
class PublicationRuleAdmin(admin.ModelAdmin):
    list_display = ("scope", "target_id", "description", "active", "created_by", "created_at")
    list_filter = ("scope", "active")
    readonly_fields = ("created_by", "created_at")
    # A rule with decisions is part of the audit trail (PROTECT); switch it off instead.
    actions = None


class SuperuserOnlyChanges:
    """Who may do what is the site owner's to say: only a superuser adds, changes or deletes
    users, groups and second-factor devices here, whatever permissions staff hold. A group
    allowed to change users could otherwise make its members superusers, and one allowed to
    change groups could give itself every permission. Staff with the view permission may look.
    """

    def has_add_permission(self, request, *args):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class CuratorUserAdmin(SuperuserOnlyChanges, UserAdmin):
    pass


class CuratorGroupAdmin(SuperuserOnlyChanges, GroupAdmin):
    pass


class CuratorTOTPDeviceAdmin(SuperuserOnlyChanges, TOTPDeviceAdmin):
    pass


for _model, _admin in (
    (get_user_model(), CuratorUserAdmin),
    (Group, CuratorGroupAdmin),
    (TOTPDevice, CuratorTOTPDeviceAdmin),
):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)
    admin.site.register(_model, _admin)
