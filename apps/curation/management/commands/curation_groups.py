"""``manage.py curation_groups``: create or update the Curator, Editor and Admin groups.

Idempotent: run it after every deploy. Each group gets exactly the permissions listed here, so
a permission removed from the list is removed from the group too.
"""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

CURATOR = [
    "curation.moderate_entries",
    "curation.edit_entries",
    "curation.link_evidence",
    "curation.handle_takedowns",
    "curation.view_moderationdecision",
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
    "auth.add_user",
    "auth.change_user",
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


def permissions(names: list[str]) -> list[Permission]:
    found = []
    for name in names:
        app_label, codename = name.split(".")
        found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return found


class Command(BaseCommand):
    help = "Create or update the Curator, Editor and Admin groups and their permissions."

    def handle(self, *args, **options):
        with transaction.atomic():
            for name, perms in GROUPS.items():
                group, created = Group.objects.get_or_create(name=name)
                group.permissions.set(permissions(perms))
                verb = "Created" if created else "Updated"
                self.stdout.write(f"{verb} group {name} ({len(perms)} permissions).")
