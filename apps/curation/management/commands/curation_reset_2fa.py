"""``manage.py curation_reset_2fa USERNAME``: remove a curator's authenticator device (a lost
phone); they set up a new one at their next sign-in. Until they do, whoever signs in with their
password enrols the device: reset only on a request you have checked out of band."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apps.curation.two_factor import totp_devices_reset


class Command(BaseCommand):
    help = "Remove a user's TOTP devices, so that they set up a new one at their next sign-in."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        users = get_user_model().objects
        user = users.filter(**{users.model.USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        count = totp_devices_reset(user=user)
        self.stdout.write(f"Removed {count} device(s) of {username}; they set up a new one next.")
