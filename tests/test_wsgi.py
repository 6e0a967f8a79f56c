import gc
import importlib
import sys

import pytest
from django.test import RequestFactory


@pytest.fixture
def wsgi_module():
    gc.unfreeze()
    sys.modules.pop("metoo_archive.wsgi", None)
    yield importlib.import_module("metoo_archive.wsgi")
    gc.unfreeze()


def test_the_wsgi_application_answers_and_keeps_start_up_objects_out_of_collections(wsgi_module):
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
