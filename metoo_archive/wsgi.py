import os

from django.core.wsgi import get_wsgi_application

from metoo_archive import statement_timeout

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "metoo_archive.settings")

application = get_wsgi_application()

# Only the web server imports this module: its statements get the time limit, the workers' not.
statement_timeout.install()

# gunicorn.conf.py's post_worker_init keeps the start-up objects out of the collector's reach
# in each served worker (not here: importing this module changes nothing else).
