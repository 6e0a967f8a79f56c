"""The curation roles, as Django groups with permissions."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

CURATOR = [
    "curation.moderate_entries",
    "curation.edit_entries",
    "curation.link_evidence",
    "curation.handle_takedowns",
    "curation.view_moderationdecision",
    # Their own read API keys, made and revoked in the admin (apps.api.admin).
    "api.add_apikey",
    "api.change_apikey",
    "api.view_apikey",
]
EDITOR = [
    *CURATOR,
    "curation.edit_timeline",
    "curation.manage_rules",
    "timeline.add_timelineevent",
    "timeline.change_timelineevent",
    "timeline.view_timelineevent",
    "timeline.add_eventsource",
    "timeline.change_eventsource",
    "timeline.delete_eventsource",
    "timeline.add_datedclaim",
    "timeline.change_datedclaim",
    "timeline.delete_datedclaim",
    "curation.add_publicationrule",
    "curation.change_publicationrule",
    "curation.view_publicationrule",
]
ADMIN = [
    *EDITOR,
    # Users and groups are only seen here: only superusers change them (curation.admin).
    "auth.view_user",
    "auth.view_group",
    "archive.change_account",
    "archive.change_post",
    "archive.change_outlet",
    "archive.change_sourcearticle",
    "curation.view_takedownrequest",
    "curation.view_bulkaction",
    "curation.view_ruleapplication",
]

GROUPS = {"Curator": CURATOR, "Editor": EDITOR, "Admin": ADMIN}


def groups_sync(*, strict: bool = True) -> dict[str, int]:
    """Create or update the groups with exactly their permissions; returns the counts.

    With ``strict=False`` (after a partial ``migrate``) a permission not yet created is skipped
    rather than raising; the next full ``migrate`` or the command completes the groups.
    """
    wanted = {tuple(name.split(".")) for names in GROUPS.values() for name in names}
    found = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.select_related("content_type").filter(
            codename__in=[codename for _, codename in wanted]
        )
        if (p.content_type.app_label, p.codename) in wanted
    }
    missing = wanted - set(found)
    if missing and strict:
        raise LookupError(f"Permissions not found (run migrate): {sorted(missing)}")
    counts = {}
    with transaction.atomic():
        for name, names in GROUPS.items():
            group, _ = Group.objects.get_or_create(name=name)
            perms = [found[key] for key in (tuple(n.split(".")) for n in names) if key in found]
            group.permissions.set(perms)
            counts[name] = len(perms)
    return counts
