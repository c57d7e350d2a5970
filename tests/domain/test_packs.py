"""Policy packs: the shipped packs carry the sources' numbers, overrides change what they name, and
every kind of broken pack is refused with one error that names the file, the field and the reason."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from domain.calendars import Window
from domain.errors import InvalidValue
from domain.policy_packs import Pack, PackInvalid, load_pack, parse_pack, shipped_packs
from domain.sla_terms import Duration, Target, Unit
from domain.ticket_terms import Milestone, PauseReason

NATIONAL_DAY = frozenset({date(2025, 10, 1), date(2025, 10, 2), date(2025, 10, 3)})
MAKEUP_SATURDAY = frozenset({date(2025, 10, 11)})
WAITING = frozenset({PauseReason.WAITING_FOR_CUSTOMER})
ALL_DAY = (Window.parse("00:00-24:00"),)
OFFICE = (Window.parse("08:30-17:30"),)


class FakeHolidays:
    """Stands in for the edge's `holidays`-backed source: knows only CN, records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, tuple[int, ...]]] = []

    def __call__(self, country: str, years: Sequence[int]) -> tuple[frozenset[date], frozenset[date]]:
        self.asked.append((country, tuple(years)))
        if country != "CN":
            raise LookupError(f"no such country {country}")
        return NATIONAL_DAY, MAKEUP_SATURDAY


def shipped(name: str, **overrides: Any) -> Pack:
    return load_pack(shipped_packs()[name], FakeHolidays(), overrides or None)


def target(pack: Pack, name: str) -> Target:
    return next(t for t in pack.terms.targets if t.name == name)


def minutes(amount: int | None) -> Duration | None:
    return None if amount is None else Duration(amount)


# --- the shipped packs -------------------------------------------------------------------------


def test_the_ledger_ships_three_packs() -> None:
    assert set(shipped_packs()) == {"fault-4-class", "city-county-emergency", "complaints"}


@pytest.mark.parametrize("name", sorted(shipped_packs()))
def test_each_shipped_pack_loads_with_its_description_and_sources(name: str) -> None:
    pack = shipped(name)
    assert pack.name == name
    assert pack.description
    assert "[0" in pack.source


DOMAIN_TABLE = {
    # class: response, escalate after, restore, on site city, on site province (minutes) [004:L975-1045]
    "severe": (5, 0, 240, 40, 300),
    "major": (10, 30, 240, 60, 360),
    "general": (10, 60, 240, 60, 480),
    "non_fault": (10, 60, None, 120, 600),
}
FAULT_CASES = [
    pytest.param(target_name, severity, tier, row[column], id=f"{target_name}-{severity}-{tier}")
    for severity, row in DOMAIN_TABLE.items()
    for target_name, column, tiers in (
        ("response", 0, ("city", "county", "province")),
        ("escalate_after", 1, ("city", "county", "province")),
        ("restore", 2, ("city", "county", "province")),
        ("arrival", 3, ("city",)),
        ("arrival", 4, ("county", "province")),
    )
    for tier in tiers
]


@pytest.mark.parametrize(("target_name", "severity", "tier", "expected"), FAULT_CASES)
def test_the_fault_pack_has_the_numbers_of_the_domain_table(
    target_name: str, severity: str, tier: str, expected: int | None
) -> None:
    pack = shipped("fault-4-class")
    assert target(pack, target_name).duration_for(severity, tier) == minutes(expected)


@pytest.mark.parametrize(
    ("target_name", "start", "stops", "pauses"),
    [
        ("response", Milestone.REPORTED, (Milestone.RESPONDED,), frozenset()),
        (
            "escalate_after",
            Milestone.REPORTED,
            (Milestone.ESCALATED, Milestone.RESTORED, Milestone.RESOLVED),
            frozenset(),
        ),
        ("restore", Milestone.REPORTED, (Milestone.RESTORED, Milestone.RESOLVED), WAITING),
        ("arrival", Milestone.REPORTED, (Milestone.ARRIVED,), WAITING),
    ],
)
def test_the_fault_clocks_run_from_the_report_on_a_round_the_clock_calendar(
    target_name: str, start: Milestone, stops: tuple[Milestone, ...], pauses: frozenset[PauseReason]
) -> None:
    pack = shipped("fault-4-class")
    clock = target(pack, target_name)
    assert (clock.start, clock.stops, clock.pauses) == (start, stops, pauses)
    assert pack.terms.calendars[clock.calendar].weekly == (ALL_DAY,) * 7


def test_the_fault_pack_has_the_four_classes_and_no_resolve_target() -> None:
    pack = shipped("fault-4-class")
    assert [s.code for s in pack.terms.severities] == ["severe", "major", "general", "non_fault"]
    assert [t.name for t in pack.terms.targets] == ["response", "escalate_after", "restore", "arrival"]


@pytest.mark.parametrize(
    ("target_name", "severity", "tier", "expected"),
    [
        ("response", "urgent", "city", 0),
        ("response", "serious", "county", 0),
        ("response", "general", "city", 30),
        ("arrival", "urgent", "city", 30),
        ("arrival", "serious", "city", 30),
        ("arrival", "general", "city", 30),
        ("arrival", "urgent", "county", 60),
        ("arrival", "serious", "county", 60),
        ("arrival", "general", "county", 60),
        ("arrival", "general", "province", None),
    ],
)
def test_the_city_county_emergency_pack_has_the_numbers_of_its_source(
    target_name: str, severity: str, tier: str, expected: int | None
) -> None:
    pack = shipped("city-county-emergency")
    assert target(pack, target_name).duration_for(severity, tier) == minutes(expected)


@pytest.mark.parametrize(
    ("target_name", "severity", "expected"),
    [
        ("complaint_fix", "major", Duration(1, Unit.WORKING_DAYS)),
        ("complaint_fix", "general", Duration(3, Unit.WORKING_DAYS)),
        ("complaint_revisit", "major", Duration(7 * 24 * 60)),
        ("complaint_revisit", "general", Duration(14 * 24 * 60)),
    ],
)
def test_the_complaints_pack_has_the_numbers_of_its_source(
    target_name: str, severity: str, expected: Duration
) -> None:
    assert target(shipped("complaints"), target_name).duration_for(severity, "city") == expected


def test_complaints_are_fixed_in_office_working_days_and_revisited_in_calendar_time() -> None:
    source = FakeHolidays()
    pack = load_pack(shipped_packs()["complaints"], source)
    fix, revisit = target(pack, "complaint_fix"), target(pack, "complaint_revisit")
    office = pack.terms.calendars[fix.calendar]
    assert (fix.start, fix.stops, revisit.start, revisit.stops) == (
        Milestone.REPORTED,
        (Milestone.RESOLVED,),
        Milestone.RESOLVED,
        (Milestone.CALLBACK,),
    )
    assert office.weekly == (OFFICE,) * 5 + ((), ())
    assert (office.holidays, office.makeup_days) == (NATIONAL_DAY, MAKEUP_SATURDAY)
    assert source.asked == [("CN", (2025, 2026))]
    assert pack.terms.calendars[revisit.calendar].weekly == (ALL_DAY,) * 7


# --- overrides ---------------------------------------------------------------------------------

FASTER_GENERAL = {"targets": {"response": {"durations": {"general": {"*": "5m"}}}}}


def test_an_override_changes_the_duration_it_names() -> None:
    pack = shipped("fault-4-class", **FASTER_GENERAL)
    assert target(pack, "response").duration_for("general", "city") == Duration(5)


def test_an_override_changes_nothing_else() -> None:
    base, changed = shipped("fault-4-class"), shipped("fault-4-class", **FASTER_GENERAL)
    assert [t for t in changed.terms.targets if t.name != "response"] == [
        t for t in base.terms.targets if t.name != "response"
    ]
    response = target(changed, "response").durations
    assert {k: v for k, v in response.items() if k != "general"} == {
        k: v for k, v in target(base, "response").durations.items() if k != "general"
    }
    assert (changed.terms.calendars, changed.terms.severities) == (
        base.terms.calendars,
        base.terms.severities,
    )


def test_an_override_can_add_a_calendar_and_move_a_target_onto_it() -> None:
    overrides = {
        "calendars": {"office": {"weekdays": ["09:00-18:00"], "weekend": []}},
        "targets": {"response": {"calendar": "office", "pauses": ["waiting_for_parts"]}},
    }
    pack = shipped("fault-4-class", **overrides)
    assert pack.terms.calendars["office"].weekly == ((Window(540, 1080),),) * 5 + ((), ())
    response = target(pack, "response")
    assert (response.calendar, response.pauses) == ("office", frozenset({PauseReason.WAITING_FOR_PARTS}))
    assert response.durations == target(shipped("fault-4-class"), "response").durations


def test_an_override_of_none_removes_what_it_names() -> None:
    pack = shipped(
        "fault-4-class", targets={"escalate_after": None, "arrival": {"durations": {"non_fault": None}}}
    )
    assert [t.name for t in pack.terms.targets] == ["response", "restore", "arrival"]
    assert target(pack, "arrival").duration_for("non_fault", "city") is None
    assert target(pack, "arrival").duration_for("general", "city") == Duration(60)


def test_overrides_leave_the_mapping_given_unchanged() -> None:
    overrides = {"targets": {"response": {"durations": {"general": {"*": "5m"}}}}}
    shipped("fault-4-class", **overrides)
    assert overrides == {"targets": {"response": {"durations": {"general": {"*": "5m"}}}}}


def test_an_invalid_override_is_refused_like_an_invalid_pack() -> None:
    with pytest.raises(PackInvalid) as refused:
        shipped("fault-4-class", targets={"arrival": {"durations": {"severe": {"city": "forty"}}}})
    assert refused.value.field == "targets.arrival.durations.severe.city"
    assert "malformed duration 'forty'" in refused.value.reason


# --- duration strings --------------------------------------------------------------------------

MINIMAL = """\
description = "A small pack"
source = "[test]"

[[severities]]
code = "severe"
definition = "System down"

[calendars.always]
every_day = ["00:00-24:00"]

[targets.response]
start = "reported"
stop = "responded"
calendar = "always"
pauses = ["waiting_for_customer"]

[targets.response.durations]
severe = { city = "40m", "*" = "1h" }
"""


def test_a_minimal_pack_loads() -> None:
    pack = parse_pack(MINIMAL, "minimal")
    response = target(pack, "response")
    assert (response.duration_for("severe", "city"), response.duration_for("severe", "county")) == (
        Duration(40),
        Duration(60),
    )
    assert pack.terms.calendars["always"].zone == "Asia/Shanghai"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5m", Duration(5)),
        ("30m", Duration(30)),
        ("4h", Duration(240)),
        ("1h30m", Duration(90)),
        ("0m", Duration(0)),
        ("7d", Duration(7 * 24 * 60)),
        ("1d2h", Duration(26 * 60)),
        ("1wd", Duration(1, Unit.WORKING_DAYS)),
        ("3wd", Duration(3, Unit.WORKING_DAYS)),
    ],
)
def test_duration_strings(text: str, expected: Duration) -> None:
    pack = parse_pack(
        MINIMAL, "minimal", overrides={"targets": {"response": {"durations": {"severe": text}}}}
    )
    assert target(pack, "response").duration_for("severe", "anywhere") == expected


# --- refusals ----------------------------------------------------------------------------------


def broken(case: str, old: str, new: str, field: str, reason: str) -> Any:
    """A pack broken by replacing `old` in MINIMAL by `new`: refused at `field` for `reason`."""
    return pytest.param(old, new, field, reason, id=case)


CITY = "targets.response.durations.severe.city"
CAL = "calendars.always"
DAY = 'every_day = ["00:00-24:00"]'
BROKEN = [
    # id, text replaced in MINIMAL, its replacement, field, a fragment of the reason
    broken(
        "unknown-top-key", 'source = "[test]"', 'source = "[test]"\ncolour = "red"', "colour", "unknown key"
    ),
    broken("missing-top-key", 'description = "A small pack"', "", "description", "missing"),
    broken(
        "unknown-target-key",
        'stop = "responded"',
        'stop = "responded"\nstopp = "x"',
        "targets.response.stopp",
        "unknown key",
    ),
    broken("missing-target-key", 'stop = "responded"', "", "targets.response.stop", "missing"),
    broken("missing-severity-key", 'definition = "System down"', "", "severities[0].definition", "missing"),
    broken(
        "wrong-type-start",
        'start = "reported"',
        "start = 5",
        "targets.response.start",
        "expected a string, got integer 5",
    ),
    broken(
        "wrong-type-severities",
        "[[severities]]",
        "[severities]",
        "severities",
        "expected an array, got table",
    ),
    broken(
        "wrong-type-pauses",
        'pauses = ["waiting_for_customer"]',
        'pauses = "waiting_for_customer"',
        "targets.response.pauses",
        "expected an array",
    ),
    broken("wrong-type-windows", DAY, 'every_day = "00:00-24:00"', f"{CAL}.every_day", "expected an array"),
    broken(
        "empty-description",
        'description = "A small pack"',
        'description = " "',
        "description",
        "must not be empty",
    ),
    broken(
        "unknown-milestone",
        'stop = "responded"',
        'stop = "arived"',
        "targets.response.stop",
        "unknown milestone 'arived'",
    ),
    broken(
        "same-start-and-stop",
        'stop = "responded"',
        'stop = "reported"',
        "targets.response.stop",
        "cannot start and stop",
    ),
    broken(
        "unknown-pause-reason",
        '"waiting_for_customer"]',
        '"lunch"]',
        "targets.response.pauses[0]",
        "unknown pause reason 'lunch'",
    ),
    broken("unknown-unit", '"40m"', '"40s"', CITY, "malformed duration '40s'"),
    broken("malformed-duration", '"40m"', '"40 min"', CITY, "malformed duration"),
    broken("duration-without-unit", '"40m"', '"40"', CITY, "malformed duration"),
    broken("duration-out-of-order", '"40m"', '"30m1h"', CITY, "malformed duration"),
    broken("empty-duration", '"40m"', '""', CITY, "must not be empty"),
    broken("zero-working-days", '"40m"', '"0wd"', CITY, "positive number of working_days"),
    broken("duration-as-number", '"40m"', "40", CITY, "expected a duration string"),
    broken(
        "durations-as-array",
        'severe = { city = "40m", "*" = "1h" }',
        'severe = ["40m"]',
        "targets.response.durations.severe",
        "expected a duration string, or a table",
    ),
    broken(
        "empty-tier-table",
        'severe = { city = "40m", "*" = "1h" }',
        "severe = {}",
        "targets.response.durations.severe",
        "no durations",
    ),
    broken(
        "bad-tier",
        '"*" = "1h"',
        '"City Centre" = "1h"',
        "targets.response.durations.severe.City Centre",
        "region tier",
    ),
    broken(
        "unknown-severity",
        "severe = { city",
        "critical = { city",
        "targets.response.durations.critical",
        "no severity 'critical'",
    ),
    broken(
        "no-durations",
        'severe = { city = "40m", "*" = "1h" }',
        "",
        "targets.response.durations",
        "at least one severity",
    ),
    broken(
        "unknown-calendar",
        'calendar = "always"',
        'calendar = "office"',
        "targets.response.calendar",
        "unknown calendar 'office'",
    ),
    broken(
        "bad-target-name", "[targets.response]", "[targets.Response]", "targets.Response", "lowercase code"
    ),
    broken("bad-severity-code", 'code = "severe"', 'code = "Severe"', "severities[0].code", "lowercase code"),
    broken(
        "duplicate-severity",
        "[[severities]]",
        '[[severities]]\ncode = "severe"\ndefinition = "again"\n[[severities]]',
        "severities[1].code",
        "defined twice",
    ),
    broken("bad-window", '"00:00-24:00"', '"8:30-17:70"', f"{CAL}.every_day[0]", "not HH:MM-HH:MM"),
    broken("backwards-window", '"00:00-24:00"', '"17:30-08:30"', f"{CAL}.every_day[0]", "later one"),
    broken(
        "overlapping-windows",
        '"00:00-24:00"',
        '"08:00-12:00", "11:00-13:00"',
        f"{CAL}.every_day",
        "not overlap",
    ),
    broken(
        "unknown-time-zone",
        "[calendars.always]",
        '[calendars.always]\nzone = "Mars/Olympus"',
        f"{CAL}.zone",
        "unknown time zone 'Mars/Olympus'",
    ),
    broken("missing-days", DAY, 'weekdays = ["00:00-24:00"]', f"{CAL}.sat", "missing"),
    broken("day-given-twice", DAY, DAY + "\nsun = []", f"{CAL}.sun", "given twice"),
    broken("unknown-calendar-key", DAY, DAY + "\nmonday = []", f"{CAL}.monday", "unknown key"),
    broken("years-without-country", DAY, DAY + "\nyears = [2025]", f"{CAL}.years", "name it"),
    broken("country-without-years", DAY, DAY + '\nholidays = "CN"', f"{CAL}.years", "missing"),
    broken(
        "year-not-a-number",
        DAY,
        DAY + '\nholidays = "CN"\nyears = ["2025"]',
        f"{CAL}.years[0]",
        "expected an integer",
    ),
    broken(
        "bad-date", DAY, DAY + '\nholiday_dates = ["2025-13-01"]', f"{CAL}.holiday_dates[0]", "not a date"
    ),
    broken(
        "date-time-for-date",
        DAY,
        DAY + "\nmakeup_dates = [2025-10-11T09:00:00]",
        f"{CAL}.makeup_dates[0]",
        "expected a date",
    ),
    broken(
        "holiday-and-makeup",
        DAY,
        DAY + "\nholiday_dates = [2025-10-01]\nmakeup_dates = [2025-10-01]",
        f"{CAL}.makeup_dates",
        "both a holiday and a make-up",
    ),
]


@pytest.mark.parametrize(("old", "new", "field", "reason"), BROKEN)
def test_a_broken_pack_is_refused_naming_file_field_and_reason(
    tmp_path: Path, old: str, new: str, field: str, reason: str
) -> None:
    assert old in MINIMAL
    path = tmp_path / "broken.toml"
    path.write_text(MINIMAL.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PackInvalid) as refused:
        load_pack(path, FakeHolidays())
    error = refused.value
    assert (error.file, error.field) == (str(path), field)
    assert reason in error.reason
    assert str(path) in str(error)
    assert field in str(error)
    assert error.reason in str(error)


def test_a_pack_without_calendars_is_refused() -> None:
    text = "calendars = {}\n" + MINIMAL.replace('[calendars.always]\nevery_day = ["00:00-24:00"]', "")
    with pytest.raises(PackInvalid) as refused:
        parse_pack(text, "empty")
    assert (refused.value.field, refused.value.reason) == (
        "calendars",
        "a pack defines at least one calendar",
    )


def test_a_toml_syntax_error_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "syntax.toml"
    path.write_text(MINIMAL.replace('stop = "responded"', "stop = responded"), encoding="utf-8")
    with pytest.raises(PackInvalid) as refused:
        load_pack(path)
    assert (refused.value.file, refused.value.field, refused.value.line) == (str(path), None, 13)
    assert "TOML syntax error" in refused.value.reason
    assert f"{path}, line 13" in str(refused.value)


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(MINIMAL.replace("A small pack", "Café").encode("latin-1"))
    with pytest.raises(PackInvalid, match="not UTF-8"):
        load_pack(path)


def test_pack_invalid_is_an_invalid_value_with_its_own_code() -> None:
    with pytest.raises(InvalidValue) as refused:
        parse_pack(MINIMAL.replace('"40m"', '"40x"'), "minimal")
    assert isinstance(refused.value, PackInvalid)
    assert refused.value.code == "pack-invalid"
    assert refused.value.file == "minimal"
    assert refused.value.values["file"] == "minimal"


# --- holidays ----------------------------------------------------------------------------------

CN_CALENDAR = """\
weekdays = ["08:30-17:30"]
weekend = []
holidays = "CN"
years = [2025]"""


def with_calendar(calendar: str) -> str:
    return MINIMAL.replace('every_day = ["00:00-24:00"]', calendar)


def test_a_calendar_that_names_a_country_needs_a_holiday_source() -> None:
    with pytest.raises(PackInvalid) as refused:
        parse_pack(with_calendar(CN_CALENDAR), "office")
    assert refused.value.field == "calendars.always.holidays"
    assert "no holiday source" in refused.value.reason


def test_a_country_the_source_does_not_know_is_refused() -> None:
    with pytest.raises(PackInvalid) as refused:
        parse_pack(with_calendar(CN_CALENDAR.replace('"CN"', '"XX"')), "office", FakeHolidays())
    assert refused.value.field == "calendars.always.holidays"
    assert "no such country XX" in refused.value.reason


def test_listed_dates_merge_with_the_sources() -> None:
    listed = '\nholiday_dates = [2025-12-31, "2026-01-02"]\nmakeup_dates = [2026-01-04]'
    pack = parse_pack(with_calendar(CN_CALENDAR + listed), "office", FakeHolidays())
    calendar = pack.terms.calendars["always"]
    assert calendar.holidays == NATIONAL_DAY | {date(2025, 12, 31), date(2026, 1, 2)}
    assert calendar.makeup_days == MAKEUP_SATURDAY | {date(2026, 1, 4)}


def test_listed_dates_need_no_source() -> None:
    pack = parse_pack(with_calendar('every_day = ["09:00-17:00"]\nholiday_dates = [2025-10-01]'), "x")
    assert pack.terms.calendars["always"].holidays == {date(2025, 10, 1)}


def test_a_pack_may_name_its_parties() -> None:
    assert parse_pack(MINIMAL, "x", overrides={"parties": ["acme", "hotline"]}).terms.parties == (
        "acme",
        "hotline",
    )
