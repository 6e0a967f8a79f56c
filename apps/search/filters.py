"""The search form: the query and the filters, parsed and validated, applied to the index."""

from __future__ import annotations

import datetime
import functools

import django_filters
from django.db import connection
from django.db.models import Q

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


class SearchFilterSet(django_filters.FilterSet):
    """Always bound (an empty query string is a valid search of everything), so that the default
    order applies and invalid values are reported rather than raising."""

    q = django_filters.CharFilter(method="filter_q", label="Search", max_length=1000)
    kind = django_filters.ChoiceFilter(choices=EntryKind.choices, label="Kind", empty_label="Any")
    platform = django_filters.ChoiceFilter(
        choices=Platform.choices, label="Platform", empty_label="Any"
    )
    account = django_filters.NumberFilter(
        field_name="account_id", label="Account", min_value=1, max_value=MAX_ID, decimal_places=0
    )
    outlet = django_filters.NumberFilter(
        field_name="outlet_id", label="Outlet", min_value=1, max_value=MAX_ID, decimal_places=0
    )
    hashtag = django_filters.CharFilter(method="filter_hashtag", label="Hashtag", max_length=140)
    language = django_filters.CharFilter(field_name="language", label="Language", max_length=16)
    date_from = django_filters.DateFilter(
        field_name="date", method="filter_date_from", label="From (on or after)"
    )
    date_to = django_filters.DateFilter(
        field_name="date", method="filter_date_to", label="To (up to and including)"
    )
    order = django_filters.ChoiceFilter(
        choices=Order.CHOICES, method="filter_order", label="Order", empty_label="Best first"
    )

    class Meta:
        model = SearchEntry
        fields: list[str] = []

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data if data is not None else {}, *args, **kwargs)
        self.parsed = search_query.parse("")
        self.tsquery = ""
        self.highlight_tsquery = ""

    # --- the query language -----------------------------------------------------------------

    def filter_q(self, queryset, name, value):
        self.parsed = parsed = search_query.parse(value)
        compiled = search_query.compile_sql(parsed)
        if compiled is not None:
            self.tsquery, self.highlight_tsquery = _compiled(compiled[0], tuple(compiled[1]))
            if not self.tsquery:
                parsed.notes.append("Nothing in the query could be searched for.")
        queryset = queryset.matching(self.tsquery)
        if parsed.after:
            queryset = queryset.filter(date__gte=_start_of(parsed.after))
        if parsed.before:
            queryset = queryset.filter(date__lt=_start_of(parsed.before))
        if parsed.outlets:
            outlet_ids = []
            for outlet_name in parsed.outlets:
                found = self.outlets_named(outlet_name)
                if not found:
                    parsed.notes.append(f"No outlet in the archive is called “{outlet_name}”.")
                outlet_ids += found
            queryset = queryset.filter(outlet_id__in=outlet_ids)
        return queryset

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

    # --- filters ----------------------------------------------------------------------------

    def filter_hashtag(self, queryset, name, value):
        tag = value.strip().lstrip("#").lower()
        if not tag:
            return queryset
        # Through the same lexeme recipe as "#tag" in the query: case and accents folded.
        parsed = search_query.ParsedQuery(raw="", groups=[[search_query.Term("hashtag", tag)]])
        sql, params = search_query.compile_sql(parsed)
        return queryset.matching(_compiled(sql, tuple(params))[0])

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(date__gte=_start_of(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(date__lt=_start_of(value + datetime.timedelta(days=1)))

    def filter_order(self, queryset, name, value):
        return queryset  # ordering is the search runner's job (it chooses the plan)

    # --- what the page needs to know --------------------------------------------------------

    @property
    def has_date_range(self) -> bool:
        cleaned = self.cleaned
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
        return Order.RELEVANCE if self.tsquery else Order.NEWEST

    def problems(self) -> list[str]:
        """Invalid filter values, in words; the search runs without them."""
        return [
            f"{self.form.fields[field].label}: {' '.join(errors)} (ignored)"
            for field, errors in self.form.errors.items()
        ]


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.UTC)
