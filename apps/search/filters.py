"""The search form: the query and the filters, parsed and validated, applied to the index."""

from __future__ import annotations

import copy
import datetime
import functools

import django_filters
from django.db import connection
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from apps.archive.models import Outlet, Platform
from apps.search import query as search_query
from apps.search.models import EntryKind, SearchEntry

MAX_ID = 2**63 - 1  # bigint


class Order:
    RELEVANCE = "relevance"
    NEWEST = "newest"
    OLDEST = "oldest"
    CHOICES = [(RELEVANCE, "Relevance"), (NEWEST, "Newest first"), (OLDEST, "Oldest first")]


@functools.lru_cache(maxsize=2048)
def _compiled(sql: str, params: tuple[str, ...]) -> tuple[str, str]:
    """The query's tsqueries as text. They depend only on the query and the text search
    configurations (fixed by migrations), so a process remembers its recent ones."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return tuple(cursor.fetchone())


class _DeclaredOnce:
    """A filter whose state is all set where it is declared: each FilterSet gets a shallow
    copy instead of django-filter's deep copy, which cost more than validating the form
    (the filters only lend their fields to the form class, built once, and their labels)."""

    def __deepcopy__(self, memo):
        return copy.copy(self)


class CharFilter(_DeclaredOnce, django_filters.CharFilter):
    pass


class ChoiceFilter(_DeclaredOnce, django_filters.ChoiceFilter):
    pass


class NumberFilter(_DeclaredOnce, django_filters.NumberFilter):
    pass


class DateFilter(_DeclaredOnce, django_filters.DateFilter):
    pass


class _FieldsSharedAcrossForms(dict):
    """A form class's fields, which every form of it may share: Django deep-copies them into
    each form so that a form can change its own (a widget's attributes, say), and this form
    never does. The copy cost a search more than validating the form."""

    def __deepcopy__(self, memo):
        return dict(self)


class SearchFilterSet(django_filters.FilterSet):
    """The search form: each filter declared, labelled and validated by django-filter.

    Always bound (an empty query string is a valid search of everything), so that the default
    order applies and invalid values are reported rather than raising. The filters are applied
    as one SQL condition on the index's own columns (:meth:`where`): the search runner puts it
    into statements of its own, and building it directly costs a fraction of compiling the
    same conditions through the ORM on every search. ``qs`` applies that same condition, for
    the exports and the timeline."""

    q = CharFilter(label="Search", max_length=1000)
    kind = ChoiceFilter(choices=EntryKind.choices, label="Kind", empty_label="Any")
    platform = ChoiceFilter(choices=Platform.choices, label="Platform", empty_label="Any")
    account = NumberFilter(
        field_name="account_id", label="Account", min_value=1, max_value=MAX_ID, decimal_places=0
    )
    outlet = NumberFilter(
        field_name="outlet_id", label="Outlet", min_value=1, max_value=MAX_ID, decimal_places=0
    )
    hashtag = CharFilter(label="Hashtag", max_length=140)
    language = CharFilter(field_name="language", label="Language", max_length=16)
    date_from = DateFilter(field_name="date", label="From (on or after)")
    date_to = DateFilter(field_name="date", label="To (up to and including)")
    # Ordering is the search runner's job (it chooses the plan); declared for the form.
    order = ChoiceFilter(choices=Order.CHOICES, label="Order", empty_label="Best first")

    class Meta:
        model = SearchEntry
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data if data is not None else {}, *args, **kwargs)
        self.parsed = search_query.parse("")
        self.tsquery = ""
        self.highlight_tsquery = ""
        self._where: tuple[str, list] | None = None
        self.matches_text = False  # whether where() holds a text condition (query or hashtag)

    def get_form_class(self):
        """Built once a process: every search's form has the same fields (each form still
        gets its own copies of them)."""
        cls = type(self)
        if "_form_class" not in cls.__dict__:
            form_class = super().get_form_class()
            form_class.base_fields = _FieldsSharedAcrossForms(form_class.base_fields)
            cls._form_class = form_class
        return cls._form_class

    def filter_queryset(self, queryset):
        sql, params = self.where()
        if sql == "TRUE":
            return queryset
        # Parameters are passed apart; the SQL is made of our own fixed fragments.
        return queryset.filter(RawSQL(sql, params, output_field=BooleanField()))  # noqa: S611

    def where(self) -> tuple[str, list]:
        """Every valid filter and the query, as one condition on ``search_searchentry``'s
        columns (unqualified) with its parameters: ``"TRUE"`` for a search of everything,
        ``"FALSE"`` when nothing can match (``outlet:`` naming no outlet). Also sets
        ``parsed``, ``tsquery`` and ``highlight_tsquery``."""
        if self._where is None:
            self._where = self._conditions(self.cleaned)
        return self._where

    def _conditions(self, cleaned: dict) -> tuple[str, list]:
        conditions: list[str] = []
        params: list = []

        def add(sql: str, *values, text: bool = False) -> None:
            conditions.append(sql)
            params.extend(values)
            self.matches_text |= text

        if cleaned.get("q"):
            self.parsed = parsed = search_query.parse(cleaned["q"])
            compiled = search_query.compile_sql(parsed)
            if compiled is not None:
                self.tsquery, self.highlight_tsquery = _compiled(compiled[0], tuple(compiled[1]))
                if not self.tsquery:
                    parsed.notes.append("Nothing in the query could be searched for.")
            if self.tsquery:
                add("document @@ %s::tsquery", self.tsquery, text=True)
            if parsed.after:
                add("date >= %s", _start_of(parsed.after))
            if parsed.before:
                add("date < %s", _start_of(parsed.before))
            if parsed.outlets:
                outlet_ids = []
                for outlet_name in parsed.outlets:
                    found = self.outlets_named(outlet_name)
                    if not found:
                        parsed.notes.append(f"No outlet in the archive is called “{outlet_name}”.")
                    outlet_ids += found
                if not outlet_ids:
                    return "FALSE", []
                add("outlet_id = ANY(%s)", outlet_ids)
        for name in ("kind", "platform", "language"):
            if cleaned.get(name):
                add(f"{name} = %s", cleaned[name])
        for name in ("account", "outlet"):
            if cleaned.get(name) is not None:
                add(f"{name}_id = %s", int(cleaned[name]))
        tag = (cleaned.get("hashtag") or "").strip().lstrip("#").lower()
        if tag:
            # Through the same lexeme recipe as "#tag" in the query: case and accents folded.
            parsed_tag = search_query.ParsedQuery(
                raw="", groups=[[search_query.Term("hashtag", tag)]]
            )
            sql, tag_params = search_query.compile_sql(parsed_tag)
            add("document @@ %s::tsquery", _compiled(sql, tuple(tag_params))[0], text=True)
        if cleaned.get("date_from"):
            add("date >= %s", _start_of(cleaned["date_from"]))
        if cleaned.get("date_to"):
            add("date < %s", _start_of(cleaned["date_to"] + datetime.timedelta(days=1)))
        if not conditions:
            return "TRUE", []
        return " AND ".join(f"({condition})" for condition in conditions), params

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
