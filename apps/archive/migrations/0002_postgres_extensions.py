from django.contrib.postgres.operations import (
    BtreeGinExtension,
    TrigramExtension,
    UnaccentExtension,
)
from django.db import migrations


class Migration(migrations.Migration):
    """The extensions search relies on; in production the server must ship them (postgres:18 does)."""

    dependencies = [("archive", "0001_initial")]

    operations = [TrigramExtension(), UnaccentExtension(), BtreeGinExtension()]
