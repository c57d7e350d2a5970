"""Business calendars and business-time arithmetic, checked on the scenarios of the contracts
and against a brute-force minute counter."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendars import (
    BusinessCalendar,
    Window,
    add_business_time,
    business_time_between,
    close_of_working_days,
)
from domain.errors import InvalidValue

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE = (Window.parse("08:30-17:30"),)
LUNCH_BREAK = (Window.parse("08:30-12:00"), Window.parse("13:30-17:30"))
ALL_DAY = (Window.parse("00:00-24:00"),)


def weekdays(windows: tuple[Window, ...], **data: frozenset[date]) -> BusinessCalendar:
    return BusinessCalendar("Asia/Shanghai", (windows,) * 5 + ((), ()), **data)


def at(day: date, clock: str, zone: ZoneInfo = SHANGHAI) -> datetime:
    hours, minutes = (int(p) for p in clock.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=zone)


FRIDAY, SATURDAY, MONDAY, TUESDAY = (
    date(2026, 11, 20),
    date(2026, 11, 21),
    date(2026, 11, 23),
    date(2026, 11, 24),
)


def test_friday_evening_fault_is_due_monday_noon() -> None:
    due = add_business_time(weekdays(OFFICE), at(FRIDAY, "17:00"), timedelta(hours=4))
    assert due == at(MONDAY, "12:00")


def test_a_public_holiday_on_monday_moves_it_to_tuesday() -> None:
    calendar = weekdays(OFFICE, holidays=frozenset({MONDAY}))
    assert add_business_time(calendar, at(FRIDAY, "17:00"), timedelta(hours=4)) == at(TUESDAY, "12:00")


def test_a_makeup_working_saturday_counts_like_a_weekday() -> None:
    calendar = weekdays(OFFICE, holidays=frozenset({MONDAY}), makeup_days=frozenset({SATURDAY}))
    assert add_business_time(calendar, at(FRIDAY, "17:00"), timedelta(hours=4)) == at(SATURDAY, "12:00")


def test_round_the_clock_coverage_counts_every_minute() -> None:
    calendar = BusinessCalendar("Asia/Shanghai", (ALL_DAY,) * 7)
    start = at(FRIDAY, "22:15")
    assert add_business_time(calendar, start, timedelta(hours=4)) == start + timedelta(hours=4)


def test_the_lunch_break_does_not_count() -> None:
    due = add_business_time(weekdays(LUNCH_BREAK), at(MONDAY, "09:00"), timedelta(hours=4))
    assert due == at(MONDAY, "14:30")


def test_business_time_between_counts_only_open_hours() -> None:
    calendar = weekdays(OFFICE)
    assert business_time_between(calendar, at(FRIDAY, "17:00"), at(MONDAY, "12:00")) == timedelta(hours=4)
    assert business_time_between(calendar, at(MONDAY, "12:00"), at(FRIDAY, "17:00")) == timedelta(0)


def test_working_days_fall_due_at_close_of_business_after_a_holiday() -> None:
    dragon_boat = frozenset({date(2025, 5, 31), date(2025, 6, 1), date(2025, 6, 2)})
    calendar = weekdays(OFFICE, holidays=dragon_boat)
    received = at(date(2025, 5, 30), "10:00")
    assert close_of_working_days(calendar, received, 1) == at(date(2025, 6, 3), "17:30")
    assert close_of_working_days(calendar, received, 3) == at(date(2025, 6, 5), "17:30")


def test_working_days_count_from_the_day_after_receipt_even_on_a_day_off() -> None:
    received = at(SATURDAY, "11:00")
    assert close_of_working_days(weekdays(OFFICE), received, 1) == at(MONDAY, "17:30")


def test_a_day_in_a_zone_with_summer_time_can_be_23_hours_long() -> None:
    berlin = BusinessCalendar("Europe/Berlin", (ALL_DAY,) * 7)
    start = datetime(2026, 3, 29, 0, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    end = datetime(2026, 3, 30, 0, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert business_time_between(berlin, start, end) == timedelta(hours=23)


@pytest.mark.parametrize("text", ["8:30", "08:30-08:30", "17:30-08:30", "08:61-09:00", "00:00-24:01", "a-b"])
def test_malformed_windows_are_refused(text: str) -> None:
    with pytest.raises(InvalidValue):
        Window.parse(text)


def test_overlapping_windows_unknown_zones_and_short_weeks_are_refused() -> None:
    with pytest.raises(InvalidValue, match="overlap"):
        weekdays((Window.parse("08:00-12:00"), Window.parse("11:00-13:00")))
    with pytest.raises(InvalidValue, match="time zone"):
        BusinessCalendar("Mars/Olympus_Mons", (OFFICE,) * 7)
    with pytest.raises(InvalidValue, match="7 weekdays"):
        BusinessCalendar("Asia/Shanghai", (OFFICE,) * 5)


def test_a_calendar_without_working_time_is_refused_rather_than_searched_forever() -> None:
    closed = BusinessCalendar("Asia/Shanghai", ((),) * 7)
    with pytest.raises(InvalidValue, match="no working"):
        add_business_time(closed, at(MONDAY, "09:00"), timedelta(minutes=1))


# Against a brute-force minute counter --------------------------------------------------------

START = date(2026, 9, 28)


def counted(calendar: BusinessCalendar, minute: datetime) -> bool:
    """Whether the minute starting at `minute` lies inside one of its local day's windows."""
    local = minute.astimezone(calendar.tz)
    of_day = local.hour * 60 + local.minute
    return any(w.start <= of_day < w.end for w in calendar.windows_on(local.date()))


def brute_due(calendar: BusinessCalendar, start: datetime, minutes: int) -> datetime:
    cursor = start
    while True:
        if counted(calendar, cursor):
            minutes -= 1
            if minutes == 0:
                return cursor + timedelta(minutes=1)
        cursor += timedelta(minutes=1)


windows = st.lists(st.integers(0, 24 * 4), min_size=0, max_size=4, unique=True).map(
    lambda marks: tuple(
        Window(a * 15, b * 15) for a, b in zip(sorted(marks)[::2], sorted(marks)[1::2], strict=False) if a < b
    )
)
days_in_range = st.frozensets(st.dates(START, START + timedelta(days=20)), max_size=6)


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    weekly = tuple(draw(windows) for _ in range(7))
    if not any(weekly):
        weekly = (OFFICE, *weekly[1:])
    return BusinessCalendar("Asia/Shanghai", weekly, draw(days_in_range), draw(days_in_range))


starts = st.integers(0, 10 * 24 * 60).map(lambda m: datetime(2026, 9, 28, tzinfo=UTC) + timedelta(minutes=m))


@settings(max_examples=60, deadline=None)
@given(calendar=calendars(), start=starts, minutes=st.integers(1, 600))
def test_due_times_agree_with_a_minute_counter(
    calendar: BusinessCalendar, start: datetime, minutes: int
) -> None:
    due = add_business_time(calendar, start, timedelta(minutes=minutes))
    assert due == brute_due(calendar, start, minutes)
    assert business_time_between(calendar, start, due) == timedelta(minutes=minutes)


@settings(max_examples=60, deadline=None)
@given(calendar=calendars(), start=starts, span=st.integers(0, 3 * 24 * 60))
def test_business_time_between_agrees_with_a_minute_counter(
    calendar: BusinessCalendar, start: datetime, span: int
) -> None:
    expected = sum(counted(calendar, start + timedelta(minutes=m)) for m in range(span))
    assert business_time_between(calendar, start, start + timedelta(minutes=span)) == timedelta(
        minutes=expected
    )


@settings(max_examples=60, deadline=None)
@given(calendar=calendars(), start=starts, later_by=st.integers(0, 3000), minutes=st.integers(1, 600))
def test_a_later_start_never_gives_an_earlier_due_time(
    calendar: BusinessCalendar, start: datetime, later_by: int, minutes: int
) -> None:
    duration = timedelta(minutes=minutes)
    later = start + timedelta(minutes=later_by)
    assert add_business_time(calendar, later, duration) >= add_business_time(calendar, start, duration)


def test_a_deadline_that_ends_at_close_of_business_is_due_at_the_close() -> None:
    due = add_business_time(weekdays(OFFICE), at(MONDAY, "08:30"), timedelta(hours=9))
    assert due == at(MONDAY, "17:30")
