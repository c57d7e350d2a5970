"""Business calendars: coverage windows, public holidays and make-up working days, and the
arithmetic of business time over them (pure functions of the calendar's data)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.errors import InvalidValue

MINUTES_PER_DAY = 24 * 60
SEARCH_DAYS = 3 * 366
"""How far ahead a deadline is searched before the calendar is judged to have no working time."""


@dataclass(frozen=True, order=True)
class Window:
    """Part of a day that counts, from `start` to `end` minutes after local midnight."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= MINUTES_PER_DAY:
            msg = f"a window runs from a minute to a later one within the day, not {self.start}-{self.end}"
            raise InvalidValue(msg, field="windows", start=self.start, end=self.end)

    def __str__(self) -> str:
        return f"{_clock(self.start)}-{_clock(self.end)}"

    @classmethod
    def parse(cls, text: str) -> Window:
        """A window written as `08:30-17:30` (`24:00` ends at midnight)."""
        try:
            start, end = (_minutes(part) for part in text.split("-"))
        except ValueError:
            raise InvalidValue(f"window {text!r} is not HH:MM-HH:MM", field="windows", value=text) from None
        return cls(start, end)


@dataclass(frozen=True)
class BusinessCalendar:
    """When the clock runs: a window pattern per weekday, holidays off, make-up days on."""

    zone: str
    weekly: tuple[tuple[Window, ...], ...]
    """Seven entries, Monday first; an empty entry is a day off."""
    holidays: frozenset[date] = frozenset()
    makeup_days: frozenset[date] = frozenset()
    """Weekend days worked in exchange for a holiday (调休), with the working-day windows."""
    tz: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:  # noqa: PLR2004 - one pattern per weekday
            raise InvalidValue("a calendar gives windows for each of the 7 weekdays", field="weekly")
        for windows in self.weekly:
            for earlier, later in pairwise(windows):
                if later.start < earlier.end:
                    raise InvalidValue(
                        "the windows of a day must be in order and not overlap", field="weekly"
                    )
        try:
            object.__setattr__(self, "tz", ZoneInfo(self.zone))
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidValue(f"unknown time zone {self.zone!r}", field="zone", zone=self.zone) from None

    @property
    def working_day(self) -> tuple[Window, ...]:
        """The windows of a make-up day: those of the first weekday that has any."""
        return next((w for w in self.weekly if w), ())

    def windows_on(self, day: date) -> tuple[Window, ...]:
        if day in self.holidays:
            return ()
        if day in self.makeup_days:
            return self.working_day
        return self.weekly[day.weekday()]

    def is_working_day(self, day: date) -> bool:
        return bool(self.windows_on(day))

    def spans(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """The day's windows as instants (UTC), in order."""
        for window in self.windows_on(day):
            yield self._instant(day, window.start), self._instant(day, window.end)

    def local_day(self, instant: datetime) -> date:
        return instant.astimezone(self.tz).date()

    def _instant(self, day: date, minute: int) -> datetime:
        """Local wall time on `day`, `minute` minutes after midnight, as an instant."""
        return (datetime.combine(day, time(0), tzinfo=self.tz) + timedelta(minutes=minute)).astimezone(UTC)


def add_business_time(calendar: BusinessCalendar, start: datetime, duration: timedelta) -> datetime:
    """The instant at which `duration` of the calendar's working time has passed since `start`."""
    remaining = duration
    day = calendar.local_day(start)
    for _ in range(SEARCH_DAYS):
        for opens, closes in calendar.spans(day):
            begin = max(opens, start)
            if begin >= closes:
                continue
            if begin + remaining <= closes:
                return begin + remaining
            remaining -= closes - begin
        day += timedelta(days=1)
    raise InvalidValue("the calendar has no working time within three years", field="calendar")


def business_time_between(calendar: BusinessCalendar, start: datetime, end: datetime) -> timedelta:
    """How much of the calendar's working time lies between two instants (zero if end ≤ start)."""
    total = timedelta(0)
    day = calendar.local_day(start)
    last = calendar.local_day(end)
    while day <= last:
        for opens, closes in calendar.spans(day):
            overlap = min(closes, end) - max(opens, start)
            if overlap > timedelta(0):
                total += overlap
        day += timedelta(days=1)
    return total


def close_of_working_days(calendar: BusinessCalendar, received: datetime, days: int) -> datetime:
    """Due at the close of business on the `days`-th working day after the day of receipt."""
    if days < 1:
        raise InvalidValue("a deadline in working days counts at least one day", field="days", days=days)
    day = calendar.local_day(received)
    counted = 0
    for _ in range(SEARCH_DAYS):
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
            if counted == days:
                *_, (_, closes) = calendar.spans(day)
                return closes
    raise InvalidValue("the calendar has no working days within three years", field="calendar")


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(text: str) -> int:
    hours, _, minutes = text.strip().partition(":")
    value = int(hours) * 60 + int(minutes)
    if not 0 <= int(minutes) < 60 or not 0 <= value <= MINUTES_PER_DAY:  # noqa: PLR2004 - minutes of an hour
        raise ValueError(text)
    return value
