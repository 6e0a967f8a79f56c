import re

import pytest
from django.core.management import call_command
from django.urls import reverse

MANIFEST_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.mark.django_db
def test_static_files_are_hashed_and_compressed_and_pages_link_the_hashed_names(
    client, settings, tmp_path
):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = MANIFEST_STORAGES
    call_command("collectstatic", interactive=False, verbosity=0)

    html = client.get(reverse("timeline:home")).content.decode()
    match = re.search(r'href="/static/css/(site\.[0-9a-f]{12}\.css)"', html)
    assert match, "the page must link the hashed stylesheet"
    hashed = tmp_path / "css" / match.group(1)
    assert hashed.exists()
    assert hashed.with_name(hashed.name + ".gz").exists()
    assert hashed.with_name(hashed.name + ".br").exists()
