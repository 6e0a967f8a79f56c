"""``manage.py curation_groups``: create or update the Curator, Editor and Admin groups.

Idempotent, and also run after every ``migrate`` (see ``apps.curation.apps``). Each group gets
exactly the permissions listed in ``apps.curation.roles``, so a permission removed from the list
is removed from the group too. ``--member USERNAME GROUP`` also puts a user in a group.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from apps.curation.roles import GROUPS, groups_sync


class Command(BaseCommand):
    help = "Create or update the Curator, Editor and Admin groups and their permissions."

    def add_arguments(self, parser):
        parser.add_argument(
            "--member",
            nargs=2,
            action="append",
            metavar=("USERNAME", "GROUP"),
            default=[],
            help="Also put this user in this group (Curator, Editor or Admin); repeatable.",
        )

    def handle(self, *args, member, **options):
        for name, count in groups_sync().items():
            self.stdout.write(f"Group {name}: {count} permissions.")
        users = get_user_model().objects
        for username, group_name in member:
            if group_name not in GROUPS:
                raise CommandError(f"No group {group_name!r}: use one of {', '.join(GROUPS)}.")
            user = users.filter(**{users.model.USERNAME_FIELD: username}).first()
            if user is None:
                raise CommandError(f"No user {username!r}: create it first (createsuperuser).")
            user.groups.add(Group.objects.get(name=group_name))
            if group_name == "Admin" and not user.is_staff:
                user.is_staff = True  # the Admin group works in the Django admin
                user.save(update_fields=["is_staff"])
            self.stdout.write(f"{username} is in {group_name}.")
