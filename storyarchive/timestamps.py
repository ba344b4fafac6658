"""Publication timestamps as documents store them: UTC ISO 8601, plus the offset the source
wrote, so "who ran it first" compares instants and the publisher's local time stays known.

    "2025-12-31T09:15:00-05:00"      -> Timestamp("2025-12-31T14:15:00Z", "-05:00")
    "Wed, 31 Dec 2025 09:15:00 GMT"  -> Timestamp("2025-12-31T09:15:00Z", "+00:00")
    "2025-12-31T09:15:00"            -> Timestamp("2025-12-31T09:15:00", None)  (zone unknown)
    "2025-12-31", "2025-12-31T00:00:00" -> Timestamp("2025-12-31", None)         (a date only)

A time of exactly midnight with no zone is taken as a date only: that is how date-only
values come out of htmldate and most CMSes, and inventing a midnight would be wrong more
often than dropping a real one. Fractions of a second are dropped.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from dataclasses import dataclass

_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})\s*$")


@dataclass(frozen=True)
class Timestamp:
    """`value`: "YYYY-MM-DDTHH:MM:SSZ" (UTC), "YYYY-MM-DDTHH:MM:SS" (local, zone unknown) or
    "YYYY-MM-DD" (date only); `offset`: the source's UTC offset ("-05:00"), None if it gave
    none."""

    value: str
    offset: str | None = None

    @property
    def date(self) -> dt.date:
        """The calendar date: in UTC when the zone is known, else as written."""
        return dt.date.fromisoformat(self.value[:10])

    @property
    def has_time(self) -> bool:
        return len(self.value) > 10


def _offset(delta: dt.timedelta | None) -> str:
    minutes = int((delta or dt.timedelta()).total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def from_datetime(value: dt.datetime) -> Timestamp:
    """A Timestamp of a datetime (aware: UTC plus its offset; naive: as written)."""
    if value.tzinfo is None or value.utcoffset() is None:
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return Timestamp(value.date().isoformat())
        return Timestamp(value.strftime("%Y-%m-%dT%H:%M:%S"))
    utc = value.astimezone(dt.UTC)
    return Timestamp(utc.strftime("%Y-%m-%dT%H:%M:%SZ"), _offset(value.utcoffset()))


def parse_timestamp(text: str | None) -> Timestamp | None:
    """A Timestamp from ISO 8601 / W3C datetime (JSON-LD, meta tags, Atom, sitemaps, htmldate's
    "2025-12-31T09:15:00-0500") or RFC 822 (RSS pubDate); None if unreadable."""
    if not text or not text.strip():
        return None
    value = text.strip()
    m = _ISO_DATE.match(value)
    if m:
        try:
            return Timestamp(dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat())
        except ValueError:
            return None
    try:
        return from_datetime(dt.datetime.fromisoformat(value.replace("z", "Z")))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return from_datetime(parsed)


def timestamp_date(text: str | None) -> dt.date | None:
    """The calendar date of a timestamp string (UTC when it has a zone); None if unreadable.
    A string that only starts with a date ("2025-12-31 at noon") gives that date."""
    stamp = parse_timestamp(text)
    if stamp is not None:
        return stamp.date
    m = re.match(r"^\s*(\d{4})-(\d{2})-(\d{2})", text or "")
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    return None


def as_timestamp(value: object) -> Timestamp | None:
    """A Timestamp from what a request's meta may carry: a Timestamp, a date or datetime
    (requests queued by an older version), or a string; None for anything else."""
    if isinstance(value, Timestamp):
        return value
    if isinstance(value, dt.datetime):
        return from_datetime(value)
    if isinstance(value, dt.date):
        return Timestamp(value.isoformat())
    if isinstance(value, str):
        return parse_timestamp(value)
    return None
