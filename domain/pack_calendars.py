"""The `[calendars.<name>]` tables of a policy pack, read into business calendars.

A calendar gives each weekday its windows, once: by day (`mon` ... `sun`) or by group (`weekdays`
for Monday to Friday, `weekend` for Saturday and Sunday, `every_day`); an empty list is a day off.
Public holidays and make-up working days come from a holiday source the caller injects
(`holidays = "CN"` with `years = [2025, 2026]`) and/or are listed (`holiday_dates`,
`makeup_dates`); listed dates are merged with the source's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.calendars import BusinessCalendar, Window
from domain.pack_reading import (
    array_at,
    at,
    check_keys,
    date_at,
    integer_at,
    join,
    refuse,
    table_at,
    text_at,
    texts_at,
)

HolidaySource = Callable[[str, Sequence[int]], tuple[frozenset[date], frozenset[date]]]
"""(country code, years) -> (public holidays, make-up working days). It raises `LookupError`,
`ValueError` or `NotImplementedError` for a country or year it does not know."""

DEFAULT_ZONE = "Asia/Shanghai"
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_GROUPS: dict[str, tuple[int, ...]] = {
    **{name: (index,) for index, name in enumerate(DAY_NAMES)},
    "weekdays": (0, 1, 2, 3, 4),
    "weekend": (5, 6),
    "every_day": (0, 1, 2, 3, 4, 5, 6),
}
HOLIDAY_KEYS = ("holidays", "years", "holiday_dates", "makeup_dates")
CALENDAR_KEYS = ("zone", *DAY_GROUPS, *HOLIDAY_KEYS)


def read_calendars(value: Any, path: str, source: HolidaySource | None) -> dict[str, BusinessCalendar]:
    """Every calendar of the `calendars` table, by name."""
    calendars = table_at(value, path)
    if not calendars:
        raise refuse(path, "a pack defines at least one calendar")
    return {name: read_calendar(entry, join(path, name), source) for name, entry in calendars.items()}


def read_calendar(value: Any, path: str, source: HolidaySource | None) -> BusinessCalendar:
    table = table_at(value, path)
    check_keys(table, path, (), CALENDAR_KEYS)
    zone = _zone(table.get("zone", DEFAULT_ZONE), join(path, "zone"))
    weekly = _weekly(table, path)
    holidays, makeup_days = holiday_sets(table, path, source)
    with at(path):
        return BusinessCalendar(zone, weekly, holidays, makeup_days)


def _zone(value: Any, path: str) -> str:
    zone = text_at(value, path)
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise refuse(path, f"unknown time zone {zone!r} (write an IANA name like 'Asia/Shanghai')") from None
    return zone


def _weekly(table: Mapping[str, Any], path: str) -> tuple[tuple[Window, ...], ...]:
    """Seven window patterns, Monday first, each given by exactly one key of the table."""
    days: dict[int, tuple[Window, ...]] = {}
    given_by: dict[int, str] = {}
    for key in (key for key in table if key in DAY_GROUPS):
        windows = _windows(table[key], join(path, key))
        for day in DAY_GROUPS[key]:
            if day in given_by:
                msg = f"{DAY_NAMES[day]} is given twice, by {given_by[day]!r} and {key!r}"
                raise refuse(join(path, key), msg)
            days[day], given_by[day] = windows, key
    missing = [DAY_NAMES[day] for day in range(7) if day not in days]
    if missing:
        msg = "every day needs windows (an empty list for a day off), by day (mon ... sun) or by group"
        raise refuse(join(path, missing[0]), f"missing: {msg} (weekdays, weekend, every_day)", days=missing)
    return tuple(days[day] for day in range(7))


def _windows(value: Any, path: str) -> tuple[Window, ...]:
    """A day's windows written `HH:MM-HH:MM`, in order and not overlapping."""
    texts = texts_at(value, path)
    windows = []
    for index, text in enumerate(texts):
        with at(join(path, index)):
            windows.append(Window.parse(text))
    for earlier, later in pairwise(windows):
        if later.start < earlier.end:
            raise refuse(path, f"windows must be in order and not overlap: {texts}")
    return tuple(windows)


def holiday_sets(
    table: Mapping[str, Any], path: str, source: HolidaySource | None
) -> tuple[frozenset[date], frozenset[date]]:
    """The source's holidays and make-up days for the named country, with the listed ones merged in."""
    holidays, makeup_days = _from_source(table, path, source)
    holidays |= _dates(table.get("holiday_dates", []), join(path, "holiday_dates"))
    makeup_days |= _dates(table.get("makeup_dates", []), join(path, "makeup_dates"))
    both = sorted(holidays & makeup_days)
    if both:
        msg = f"a day cannot be both a holiday and a make-up working day: {[d.isoformat() for d in both]}"
        raise refuse(join(path, "makeup_dates"), msg)
    return holidays, makeup_days


def _from_source(
    table: Mapping[str, Any], path: str, source: HolidaySource | None
) -> tuple[frozenset[date], frozenset[date]]:
    if "holidays" not in table:
        if "years" in table:
            raise refuse(join(path, "years"), "years are for a country's holidays; name it: holidays = 'CN'")
        return frozenset(), frozenset()
    country = text_at(table["holidays"], join(path, "holidays"))
    if "years" not in table:
        raise refuse(join(path, "years"), f"missing; say which years of {country} holidays to use")
    years = _years(table["years"], join(path, "years"))
    if source is None:
        msg = f"names the holidays of {country!r}, but the loader was given no holiday source"
        raise refuse(join(path, "holidays"), msg)
    try:
        return source(country, years)
    except (LookupError, ValueError, NotImplementedError) as error:
        raise refuse(join(path, "holidays"), f"no holidays for {country!r} {years}: {error}") from None


def _years(value: Any, path: str) -> list[int]:
    years = [integer_at(item, join(path, i)) for i, item in enumerate(array_at(value, path))]
    if not years:
        raise refuse(path, "name at least one year")
    return years


def _dates(value: Any, path: str) -> frozenset[date]:
    return frozenset(date_at(item, join(path, i)) for i, item in enumerate(array_at(value, path)))
