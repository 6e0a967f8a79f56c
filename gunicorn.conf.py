"""gunicorn's settings for the archive's web server: the Dockerfile's command and
``manage.py serve`` run ``gunicorn --config gunicorn.conf.py metoo_archive.wsgi``. The
address, workers and threads are given on their command lines; this file holds the hook."""

import gc


def post_worker_init(worker):
    """Once a worker has loaded the application: load the URL configuration (and with it
    every view module), then move everything loaded so far out of the cycle collector's
    reach. It lives as long as the process, and a full collection would otherwise scan all of
    it, pausing whichever request is running for tens of milliseconds.

    Done here, in the served process, rather than when ``metoo_archive.wsgi`` is imported:
    whatever else imports it (a test, a script) keeps the collector as it was."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 -- imports the views
    gc.freeze()
    worker.log.info("froze %d start-up objects out of the collector's reach", gc.get_freeze_count())
