"""Table and column names for statements composed with ``psycopg.sql``, taken from the models
(never typed out), so a renamed field or table cannot leave a hand-written statement behind."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from psycopg import sql


def table(model: type[models.Model]) -> sql.Identifier:
    return sql.Identifier(model._meta.db_table)


def column(model: type[models.Model], field: str, alias: str | None = None) -> sql.Identifier:
    """The column of the model's field (by name or attname), qualified by ``alias`` if given."""
    name = model._meta.get_field(field).column
    return sql.Identifier(alias, name) if alias else sql.Identifier(name)


def columns(model: type[models.Model], fields: str | Iterable[str]) -> sql.Composed:
    """Unqualified columns of the model's ``fields`` (a space-separated string or names), as
    the list of an INSERT, a COPY or an ON CONFLICT."""
    names = fields.split() if isinstance(fields, str) else fields
    return sql.SQL(", ").join(column(model, name) for name in names)
