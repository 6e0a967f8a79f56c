from django.apps import AppConfig


class CapturesConfig(AppConfig):
    name = "apps.captures"
    verbose_name = "Web captures"
