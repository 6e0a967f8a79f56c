"""The search form: the query and the filters, parsed and validated, applied to the index."""

from __future__ import annotations

import datetime
import functools

import django_filters
from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from psycopg import sql

from apps.archive.models import Outlet, Platform
from apps.core import identifiers
from apps.core.moderation import EntryKind
from apps.search import query as search_query
from apps.search.models import INDEXED_KINDS, SearchEntry

MAX_ID = 2**63 - 1  # bigint


# The kind filter's options, named as a reader looks for them.
KIND_LABELS = {
    EntryKind.POST: "Posts",
    EntryKind.ARTICLE: "Articles",
    EntryKind.EVENT: "Timeline events",
    EntryKind.ACCOUNT: "Accounts",
}
KIND_CHOICES = [(kind.value, KIND_LABELS[kind]) for kind in INDEXED_KINDS]


class Order:
    RELEVANCE = "relevance"
    NEWEST = "newest"
    OLDEST = "oldest"
    CHOICES = [(RELEVANCE, "Relevance"), (NEWEST, "Newest first"), (OLDEST, "Oldest first")]


@functools.lru_cache(maxsize=2048)
def _compiled(statement: str, params: tuple[str, ...]) -> tuple[str, str]:
    """The query's tsqueries as text. They depend only on the query and the text search
    configurations (fixed by migrations), so a process remembers its recent ones: compiling
    them costs a round trip and a plan on every search otherwise."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return tuple(cursor.fetchone())


# The search index's table, and its columns by field name, for statements composed with
# psycopg.sql (here and in apps.search.searching and apps.search.volume).
INDEX_TABLE = identifiers.table(SearchEntry)


def column(name: str) -> sql.Identifier:
    """The search index's column for the field (or attribute) ``name``."""
    return identifiers.column(SearchEntry, name)


def as_text(statement: sql.Composable) -> str:
    """A composed statement as the text Django's cursor takes: identifiers quoted by psycopg,
    each parameter a ``%s``."""
    connection.ensure_connection()
    return statement.as_string(connection.connection)


MATCH_ALL, MATCH_NONE = sql.SQL("TRUE"), sql.SQL("FALSE")


class SearchFilterSet(django_filters.FilterSet):
    """The search form: each filter declared, labelled and validated by django-filter.

    Always bound (an empty query string is a valid search of everything), so that the default
    order applies and invalid values are reported rather than raising. The filters are applied
    as one SQL condition on the index's own columns (:meth:`where`), composed with psycopg.sql:
    the search runner puts it into statements of its own; ``qs`` applies that same condition,
    for the exports and the timeline."""

    q = django_filters.CharFilter(label="Search", max_length=1000)
    kind = django_filters.ChoiceFilter(choices=KIND_CHOICES, label="Kind", empty_label="Any")
    platform = django_filters.ChoiceFilter(
        choices=Platform.choices, label="Platform", empty_label="Any"
    )
    account = django_filters.NumberFilter(
        field_name="account_id", label="Account", min_value=1, max_value=MAX_ID, decimal_places=0
    )
    outlet = django_filters.NumberFilter(
        field_name="outlet_id", label="Outlet", min_value=1, max_value=MAX_ID, decimal_places=0
    )
    hashtag = django_filters.CharFilter(label="Hashtag", max_length=140)
    language = django_filters.CharFilter(field_name="language", label="Language", max_length=16)
    date_from = django_filters.DateFilter(field_name="date", label="From (on or after)")
    date_to = django_filters.DateFilter(field_name="date", label="To (up to and including)")
    # Ordering is the search runner's job (it chooses the plan); declared for the form.
    order = django_filters.ChoiceFilter(
        choices=Order.CHOICES, label="Order", empty_label="Best first"
    )

    class Meta:
        model = SearchEntry
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data if data is not None else {}, *args, **kwargs)
        self.parsed = search_query.parse("")
        self.tsquery = ""
        self.highlight_tsquery = ""
        self._where: tuple[sql.Composable, list] | None = None

    def filter_queryset(self, queryset):
        condition, params = self.where()
        if condition == MATCH_ALL:
            return queryset
        # Composed from our own fragments and the index's column names; values are parameters.
        return queryset.filter(
            RawSQL(as_text(condition), params, output_field=BooleanField())  # noqa: S611
        )

    def where(self) -> tuple[sql.Composable, list]:
        """Every valid filter and the query, as one condition on the search index's columns
        (unqualified) with its parameters: ``MATCH_ALL`` for a search of everything,
        ``MATCH_NONE`` when nothing can match (``outlet:`` naming no outlet). Also sets
        ``parsed``, ``tsquery`` and ``highlight_tsquery``."""
        if self._where is None:
            self._where = self._conditions(self.cleaned)
        return self._where

    def _conditions(self, cleaned: dict) -> tuple[sql.Composable, list]:
        conditions: list[sql.Composable] = []
        params: list = []

        def add(template: str, name: str, value) -> None:
            """``template`` with the column of field ``name`` and a parameter for ``value``."""
            conditions.append(sql.SQL(template).format(column(name), sql.Placeholder()))
            params.append(value)

        if cleaned.get("q"):
            self.parsed = parsed = search_query.parse(cleaned["q"])
            compiled = search_query.compile_sql(parsed)
            if compiled is not None:
                self.tsquery, self.highlight_tsquery = _compiled(compiled[0], tuple(compiled[1]))
                if not self.tsquery:
                    parsed.notes.append("Nothing in the query could be searched for.")
            if self.tsquery:
                add("{} @@ {}::tsquery", "document", self.tsquery)
            if parsed.after:
                add("{} >= {}", "date", _start_of(parsed.after))
            if parsed.before:
                add("{} < {}", "date", _start_of(parsed.before))
            if parsed.outlets:
                outlet_ids = []
                for outlet_name in parsed.outlets:
                    found = self.outlets_named(outlet_name)
                    if not found:
                        parsed.notes.append(f"No outlet in the archive is called “{outlet_name}”.")
                    outlet_ids += found
                if not outlet_ids:
                    return MATCH_NONE, []
                add("{} = ANY({})", "outlet_id", outlet_ids)
        for name in ("kind", "platform", "language"):
            if cleaned.get(name):
                add("{} = {}", name, cleaned[name])
        for name in ("account", "outlet"):
            if cleaned.get(name) is not None:
                add("{} = {}", f"{name}_id", int(cleaned[name]))
        tag = (cleaned.get("hashtag") or "").strip().lstrip("#").lower()
        if tag:
            # Through the same lexeme recipe as "#tag" in the query: case and accents folded.
            parsed_tag = search_query.ParsedQuery(
                raw="", groups=[[search_query.Term("hashtag", tag)]]
            )
            statement, tag_params = search_query.compile_sql(parsed_tag)
            add("{} @@ {}::tsquery", "document", _compiled(statement, tuple(tag_params))[0])
        if cleaned.get("date_from"):
            add("{} >= {}", "date", _start_of(cleaned["date_from"]))
        if cleaned.get("date_to"):
            add("{} < {}", "date", _start_of(cleaned["date_to"] + datetime.timedelta(days=1)))
        if not conditions:
            return MATCH_ALL, []
        return sql.SQL(" AND ").join(sql.SQL("({})").format(c) for c in conditions), params

    @staticmethod
    def outlets_named(name: str) -> list[int]:
        """Outlets whose name, slug or domain is ``name`` (or, failing that, whose name
        contains it)."""
        name = name.strip()
        outlets = Outlet.objects.published()
        domain = name.lower().removeprefix("www.")
        exact = list(
            outlets.filter(
                Q(name__iexact=name)
                | Q(slug__iexact=name)
                | Q(domain__iexact=domain)
                | Q(domain__iexact=f"www.{domain}")
            ).values_list("pk", flat=True)
        )
        if exact:
            return exact
        return list(outlets.filter(name__icontains=name).values_list("pk", flat=True)[:20])

    # --- what the page needs to know --------------------------------------------------------

    @property
    def has_date_range(self) -> bool:
        cleaned = self.cleaned
        self.where()  # parses the query
        return bool(
            cleaned.get("date_from")
            or cleaned.get("date_to")
            or self.parsed.after
            or self.parsed.before
        )

    @property
    def cleaned(self) -> dict:
        self.is_valid()
        return getattr(self.form, "cleaned_data", {})

    @property
    def effective_order(self) -> str:
        chosen = self.cleaned.get("order")
        if chosen:
            return chosen
        self.where()
        return Order.RELEVANCE if self.tsquery else Order.NEWEST

    def problems(self) -> list[str]:
        """Invalid filter values, in words; the search runs without them."""
        return [
            f"{self.form.fields[field].label}: {' '.join(errors)} (ignored)"
            for field, errors in self.form.errors.items()
        ]


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
