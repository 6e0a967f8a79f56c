from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def _groups_after_migrate(sender, using="default", **kwargs):
    # The roles name permissions of apps installed after this one (the API's keys): sync them
    # once every app's permissions exist, after the last app that post_migrate is sent for.
    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if using == "default" and sender is last:
        from apps.curation.roles import groups_sync

        groups_sync(strict=False)


class CurationConfig(AppConfig):
    name = "apps.curation"
    verbose_name = "Curation"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from apps.curation.auth import on_password_sign_in

        post_migrate.connect(_groups_after_migrate, dispatch_uid="curation-groups")
        user_logged_in.connect(on_password_sign_in, dispatch_uid="curation-sign-in-address")
