"""When a post was made, shown as precisely as it is known and in the zone it was given in.

A moment is stored as an aware ``posted_at`` (UTC in the database) with the zone its source
gave it in and how precisely it is known. Every page, export and citation shows it through
:class:`Moment`, so a post written at 22:30 in California on 15 October reads "15 October 2017,
22:30 PDT" everywhere, and a post known only to the day never shows a clock time.
"""

from __future__ import annotations

import datetime
import functools
import zoneinfo
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.dates import MONTHS

# A moment known only to the day is stored at noon UTC: the same calendar day in every zone
# from UTC-11 to UTC+11, so converting it never moves it to the day before or after.
DAY_ONLY_HOUR = 12


class TimePrecision(models.TextChoices):
    MINUTE = "minute", "To the minute"
    DAY = "day", "To the day"


@functools.lru_cache(maxsize=64)
def time_zone(name: str) -> datetime.tzinfo:
    """The zone named ``name`` ("" is UTC); zoneinfo raises on a name it does not know."""
    return zoneinfo.ZoneInfo(name) if name else datetime.UTC


def validate_zone_name(name: str) -> None:
    try:
        time_zone(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(f"{name!r} is not a time zone name.") from error


@dataclass(frozen=True)
class Moment:
    at: datetime.datetime  # aware, in the zone it is shown in
    precision: str

    @classmethod
    def of(cls, value: datetime.datetime | None, *, zone: str, precision: str) -> Moment | None:
        if value is None:
            return None
        return cls(value.astimezone(time_zone(zone)), precision)

    @property
    def is_day_only(self) -> bool:
        return self.precision == TimePrecision.DAY

    @property
    def date(self) -> datetime.date:
        """The calendar day in the moment's own zone."""
        return self.at.date()

    @property
    def machine(self) -> str:
        """For ``<time datetime>`` and exports: "2017-10-15T22:30:00-07:00" or "2017-10-15"."""
        return self.date.isoformat() if self.is_day_only else self.at.isoformat()

    @property
    def day_label(self) -> str:
        return f"{self.at.day} {MONTHS[self.at.month]} {self.at.year}"

    def __str__(self) -> str:
        if self.is_day_only:
            return self.day_label
        return f"{self.day_label}, {self.at:%H:%M} {self.at.tzname()}"
