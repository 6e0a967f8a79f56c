"""Path converters shared by the apps' URLconfs."""


class DatabaseIdConverter:
    """A positive id that fits PostgreSQL's bigint: a longer number is a 404, not a 500 from
    the database refusing an out-of-range value."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
