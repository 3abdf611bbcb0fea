"""Time and the campaign calendar: everything is relative to the as-of day D."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from followup.generate.schema import TEXT, make_id

# --------------------------------------------------------------------------------------
# Time: everything is relative to the as-of day D.
# --------------------------------------------------------------------------------------

DAY = 86_400
EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class Clock:
    """The as-of day D and helpers to express times relative to it (UTC wall time)."""

    as_of: dt.date

    @property
    def day_start(self) -> int:
        """D 00:00:00 in seconds since the epoch."""
        return (self.as_of - EPOCH).days * DAY

    @property
    def day_end(self) -> int:
        """D 23:59:59 in seconds since the epoch: the latest allowed timestamp."""
        return self.day_start + DAY - 1

    @property
    def day_number(self) -> int:
        """D in days since the epoch."""
        return (self.as_of - EPOCH).days

    def at(self, days_ago: int, hhmm: str = "12:00") -> dt.datetime:
        """The time ``hhmm`` (``HH:MM`` or ``HH:MM:SS``) on the day D - days_ago."""
        parts = [int(part) for part in hhmm.split(":")]
        clock_time = dt.time(*parts)
        return dt.datetime.combine(self.as_of - dt.timedelta(days=days_ago), clock_time)

    def birthday_today(self, age: int) -> dt.date:
        """A birth date whose birthday is D, for someone turning ``age`` (leap-day safe)."""
        year = self.as_of.year - age
        while True:
            try:
                return self.as_of.replace(year=year)
            except ValueError:  # D is 29 February: born in the nearest earlier leap year
                year -= 1

    def birthday_elsewhere(self, age: int) -> dt.date:
        """A birth date whose birthday is far from D (about five months away)."""
        other = self.as_of + dt.timedelta(days=150)
        if (other.month, other.day) == (2, 29):
            other -= dt.timedelta(days=1)
        return other.replace(year=self.as_of.year - age)


# --------------------------------------------------------------------------------------
# Campaign calendar: regular newsletters twice a week at 07:00, days_ago = 0, 3, 7, 10, ...
# --------------------------------------------------------------------------------------

CAMPAIGN_HISTORY_DAYS = 3 * 365
CAMPAIGN_HOUR = 7


@dataclass(frozen=True)
class Campaigns:
    """The regular campaigns (flow_id null), oldest first; ids CMP00001, CMP00002, ..."""

    ids: pa.Array
    sent_at: np.ndarray  # seconds since the epoch, ascending
    by_days_ago: dict[int, str]

    @classmethod
    def for_clock(cls, clock: Clock) -> Campaigns:
        """Build the calendar: one campaign each day with days_ago % 7 in (0, 3)."""
        days_ago = [d for d in range(CAMPAIGN_HISTORY_DAYS, -1, -1) if d % 7 in (0, 3)]
        ids = [make_id("CMP", k + 1) for k in range(len(days_ago))]
        sent = np.array(
            [clock.day_start - d * DAY + CAMPAIGN_HOUR * 3600 for d in days_ago], dtype=np.int64
        )
        return cls(pa.array(ids, TEXT), sent, dict(zip(days_ago, ids, strict=True)))
