import gc
import importlib
import importlib.util
import logging
import re
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def wsgi_module():
    gc.unfreeze()
    sys.modules.pop("metoo_archive.wsgi", None)
    yield importlib.import_module("metoo_archive.wsgi")
    gc.unfreeze()


@pytest.fixture
def gunicorn_conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Worker:
    """What gunicorn hands its hooks: here only its log is used."""

    log = logging.getLogger("gunicorn.error")


def test_the_wsgi_application_answers_and_keeps_start_up_objects_out_of_collections(
    wsgi_module, gunicorn_conf
):
    gunicorn_conf.post_worker_init(Worker())  # as gunicorn does in each worker it starts
    assert gc.get_freeze_count() > 10_000  # Django, the apps, their models and views
    statuses = []
    # A page that needs no database: the WSGI handler closes connections between requests,
    # which a test's transaction would not survive.
    environ = RequestFactory()._base_environ(PATH_INFO="/no-such-page/", REQUEST_METHOD="GET")
    body = b"".join(
        wsgi_module.application(environ, lambda status, headers: statuses.append(status))
    )
    assert statuses == ["404 Not Found"]
    assert b"<html" in body


def test_importing_the_wsgi_application_leaves_the_collector_as_it_was(wsgi_module):
    assert gc.get_freeze_count() == 0


def test_the_image_runs_gunicorn_with_the_hook():
    # (`manage.py serve` too: tests/test_serve.py reads the hook's line in its output.)
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^COPY .*\bgunicorn\.conf\.py\b", dockerfile, re.M)
    assert "gunicorn --config gunicorn.conf.py metoo_archive.wsgi" in dockerfile
