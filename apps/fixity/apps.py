from django.apps import AppConfig


class FixityConfig(AppConfig):
    name = "apps.fixity"
    verbose_name = "Fixity audits"
