"""Counting the statements that wrote search index rows, for tests of the write paths."""

import re
from collections import Counter

_INDEX_WRITE = re.compile(r'INSERT INTO "search_searchentry".*?SELECT \'(\w+)\'', re.S)


def index_writes(queries) -> Counter:
    """How many statements (re)indexed entries, per kind, among queries captured by
    ``CaptureQueriesContext``: each such statement indexes a whole set of entries at once."""
    return Counter(
        match.group(1) for query in queries if (match := _INDEX_WRITE.search(query["sql"]))
    )
