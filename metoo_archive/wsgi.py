import gc
import os

from django.core.wsgi import get_wsgi_application

from metoo_archive import statement_timeout

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metoo_archive.settings")

application = get_wsgi_application()

# Only the web server imports this module: its statements get the time limit, the workers' not.
statement_timeout.install()


def _freeze_what_lives_forever() -> None:
    """Load the URL configuration (and with it every view module), then move everything loaded
    so far out of the garbage collector's reach: it lives as long as the process, and a full
    collection would otherwise scan all of it, pausing whichever request is running for tens of
    milliseconds."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 -- imports the views
    gc.freeze()


_freeze_what_lives_forever()
