"""SLA clocks on the contract scenarios: due times, pauses, business hours, working days, verdicts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.calendars import BusinessCalendar, Window
from domain.clocks import ClockReading, ClockStatus, PauseSpan, evaluate, pause_spans, read_clock
from domain.policy_packs import load_pack, shipped_packs
from domain.sla_terms import ANY_TIER, Duration, SeverityClass, SlaTerms, Target, Unit
from domain.ticket_terms import Milestone, MilestoneRecord, PauseReason

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALWAYS = BusinessCalendar("Asia/Shanghai", ((Window(0, 1440),),) * 7)
OFFICE_DAY = (Window.parse("08:30-17:30"),)
DRAGON_BOAT = frozenset({date(2025, 5, 31), date(2025, 6, 1), date(2025, 6, 2)})
OFFICE = BusinessCalendar("Asia/Shanghai", (OFFICE_DAY,) * 5 + ((), ()), holidays=DRAGON_BOAT)
WAITING = frozenset({PauseReason.WAITING_FOR_CUSTOMER})


def minutes(**tiers: int) -> dict[str, Duration]:
    return {tier.replace("any", ANY_TIER): Duration(m) for tier, m in tiers.items()}


FAULTS = SlaTerms(
    calendars={"always": ALWAYS, "office": OFFICE},
    severities=(SeverityClass("severe", "System down"), SeverityClass("general", "Degraded")),
    targets=(
        Target("response", Milestone.REPORTED, (Milestone.RESPONDED,), "always", {"severe": minutes(any=5)}),
        Target(
            "escalate_after", Milestone.REPORTED, (Milestone.ESCALATED,), "always", {"severe": minutes(any=0)}
        ),
        Target(
            "arrival",
            Milestone.REPORTED,
            (Milestone.ARRIVED,),
            "always",
            {"severe": minutes(city=40, province=300)},
            WAITING,
        ),
        Target(
            "restore",
            Milestone.REPORTED,
            (Milestone.RESTORED,),
            "always",
            {"severe": minutes(any=240), "general": minutes(any=240)},
            WAITING,
        ),
        Target(
            "office_restore",
            Milestone.REPORTED,
            (Milestone.RESTORED,),
            "office",
            {"general": minutes(any=240)},
        ),
    ),
)
COMPLAINT_FIX = Target(
    "complaint_fix",
    Milestone.REPORTED,
    (Milestone.RESOLVED,),
    "office",
    {"major": {"*": Duration(1, Unit.WORKING_DAYS)}},
)
REVISIT = Target(
    "complaint_revisit", Milestone.RESOLVED, (Milestone.CALLBACK,), "always", {"major": minutes(any=7 * 1440)}
)
TUESDAY_9 = datetime(2026, 11, 17, 9, 0, tzinfo=SHANGHAI)


def timeline(*steps: tuple[Milestone, datetime]) -> list[MilestoneRecord]:
    return [MilestoneRecord(v, m, at, "someone") for v, (m, at) in enumerate(steps, start=1)]


def readings(
    records: list[MilestoneRecord], now: datetime, pauses: list[PauseSpan] | None = None, **ticket: str
) -> dict[str, ClockReading]:
    severity, tier = ticket.get("severity", "severe"), ticket.get("tier", "city")
    return {r.target: r for r in evaluate(FAULTS, severity, tier, records, pauses or [], now)}


def local(reading: ClockReading) -> str:
    assert reading.due_at is not None
    return reading.due_at.astimezone(SHANGHAI).strftime("%a %H:%M")


def test_severe_fault_at_a_city_site_under_round_the_clock_cover() -> None:
    clocks = readings(timeline((Milestone.REPORTED, TUESDAY_9)), now=TUESDAY_9)
    assert {name: local(r) for name, r in clocks.items() if name != "office_restore"} == {
        "response": "Tue 09:05",
        "escalate_after": "Tue 09:00",
        "arrival": "Tue 09:40",
        "restore": "Tue 13:00",
    }
    assert clocks["escalate_after"].status is ClockStatus.RUNNING


def test_the_same_fault_at_a_province_site_is_due_on_site_by_14_00() -> None:
    clocks = readings(timeline((Milestone.REPORTED, TUESDAY_9)), now=TUESDAY_9, tier="province")
    assert local(clocks["arrival"]) == "Tue 14:00"


def test_a_pause_for_a_listed_reason_moves_the_due_time() -> None:
    records = timeline((Milestone.REPORTED, TUESDAY_9))
    wait = PauseSpan(
        PauseReason.WAITING_FOR_CUSTOMER, TUESDAY_9 + timedelta(hours=1), TUESDAY_9 + timedelta(hours=1.5)
    )
    clocks = readings(records, now=TUESDAY_9 + timedelta(hours=2), pauses=[wait])
    assert local(clocks["restore"]) == "Tue 13:30"
    assert clocks["restore"].paused_minutes == 30
    assert clocks["restore"].business_minutes == 90


def test_a_pause_for_a_reason_the_target_does_not_list_moves_nothing() -> None:
    records = timeline((Milestone.REPORTED, TUESDAY_9))
    parts = PauseSpan(
        PauseReason.WAITING_FOR_PARTS, TUESDAY_9 + timedelta(hours=1), TUESDAY_9 + timedelta(hours=1.5)
    )
    clocks = readings(records, now=TUESDAY_9 + timedelta(hours=2), pauses=[parts])
    assert local(clocks["restore"]) == "Tue 13:00"


def test_a_clock_paused_now_has_no_due_time_yet() -> None:
    records = timeline((Milestone.REPORTED, TUESDAY_9))
    open_wait = PauseSpan(PauseReason.WAITING_FOR_CUSTOMER, TUESDAY_9 + timedelta(hours=1), None)
    restore = readings(records, now=TUESDAY_9 + timedelta(hours=9), pauses=[open_wait])["restore"]
    assert (restore.status, restore.due_at, restore.business_minutes) == (ClockStatus.PAUSED, None, 60)


def test_friday_evening_general_fault_under_office_hours_is_due_monday_noon() -> None:
    friday_17 = datetime(2026, 11, 20, 17, 0, tzinfo=SHANGHAI)
    clocks = readings(timeline((Milestone.REPORTED, friday_17)), now=friday_17, severity="general")
    assert local(clocks["office_restore"]) == "Mon 12:00"


def test_arrival_after_its_due_time_is_a_breach_by_the_minutes_late() -> None:
    reported = datetime(2026, 11, 17, 9, 20, tzinfo=SHANGHAI)
    late = timeline((Milestone.REPORTED, reported), (Milestone.ARRIVED, reported + timedelta(minutes=45)))
    arrival = readings(late, now=reported + timedelta(hours=1))["arrival"]
    assert (arrival.status, arrival.minutes_late) == (ClockStatus.BREACHED, 5)


def test_arrival_corrected_to_before_its_due_time_is_met() -> None:
    reported = datetime(2026, 11, 17, 9, 20, tzinfo=SHANGHAI)
    corrected = timeline(
        (Milestone.REPORTED, reported), (Milestone.ARRIVED, reported + timedelta(minutes=38))
    )
    arrival = readings(corrected, now=reported + timedelta(hours=1))["arrival"]
    assert (arrival.status, arrival.minutes_late) == (ClockStatus.MET, 0)


def test_an_unstopped_clock_past_its_due_time_is_breached_and_counts_on() -> None:
    clocks = readings(timeline((Milestone.REPORTED, TUESDAY_9)), now=TUESDAY_9 + timedelta(minutes=12))
    assert (clocks["response"].status, clocks["response"].minutes_late) == (ClockStatus.BREACHED, 7)
    assert clocks["arrival"].status is ClockStatus.RUNNING


def test_a_target_without_duration_for_the_severity_is_not_evaluated() -> None:
    clocks = readings(timeline((Milestone.REPORTED, TUESDAY_9)), now=TUESDAY_9, severity="general")
    assert set(clocks) == {"restore", "office_restore"}


def test_a_clock_whose_start_has_not_happened_has_not_started() -> None:
    revisit = read_clock(
        REVISIT, ALWAYS, Duration(7 * 1440), timeline((Milestone.REPORTED, TUESDAY_9)), [], TUESDAY_9
    )
    assert revisit.status is ClockStatus.NOT_STARTED


def test_complaint_fixed_in_one_working_day_across_a_three_day_holiday() -> None:
    received = datetime(2025, 5, 30, 10, 0, tzinfo=SHANGHAI)
    records = timeline((Milestone.REPORTED, received))
    fix = read_clock(COMPLAINT_FIX, OFFICE, Duration(1, Unit.WORKING_DAYS), records, [], received)
    assert fix.due_at == datetime(2025, 6, 3, 17, 30, tzinfo=SHANGHAI)


def test_complaint_revisit_is_due_a_calendar_week_after_the_fix() -> None:
    fixed = datetime(2025, 6, 3, 16, 0, tzinfo=SHANGHAI)
    records = timeline((Milestone.REPORTED, fixed - timedelta(days=4)), (Milestone.RESOLVED, fixed))
    revisit = read_clock(REVISIT, ALWAYS, Duration(7 * 1440), records, [], fixed)
    assert revisit.due_at == fixed + timedelta(days=7)


def test_pause_spans_pair_each_pause_with_its_resume() -> None:
    records = timeline(
        (Milestone.REPORTED, TUESDAY_9),
        (Milestone.PAUSED, TUESDAY_9 + timedelta(hours=1)),
        (Milestone.RESUMED, TUESDAY_9 + timedelta(hours=2)),
        (Milestone.PAUSED, TUESDAY_9 + timedelta(hours=3)),
    )
    reasons = {2: PauseReason.WAITING_FOR_PARTS, 4: PauseReason.WAITING_FOR_CUSTOMER}
    assert pause_spans(records, reasons) == [
        PauseSpan(
            PauseReason.WAITING_FOR_PARTS, TUESDAY_9 + timedelta(hours=1), TUESDAY_9 + timedelta(hours=2)
        ),
        PauseSpan(PauseReason.WAITING_FOR_CUSTOMER, TUESDAY_9 + timedelta(hours=3), None),
    ]


offsets = st.integers(0, 20 * 60).map(lambda m: timedelta(minutes=m))


@settings(max_examples=80, deadline=None)
@given(start=offsets, pause_at=offsets, pause_for=offsets, later_by=offsets)
def test_pauses_never_shorten_a_clock_and_later_starts_never_make_it_due_earlier(
    start: timedelta, pause_at: timedelta, pause_for: timedelta, later_by: timedelta
) -> None:
    base = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    target = FAULTS.targets[-1]
    duration = Duration(240)

    def due(reported: datetime, pauses: list[PauseSpan]) -> datetime:
        reading = read_clock(
            target, OFFICE, duration, timeline((Milestone.REPORTED, reported)), pauses, reported
        )
        assert reading.due_at is not None
        return reading.due_at

    reported = base + start
    wait = PauseSpan(PauseReason.WAITING_FOR_CUSTOMER, reported + pause_at, reported + pause_at + pause_for)
    paused_target = Target(target.name, target.start, target.stops, "office", target.durations, WAITING)
    with_pause = read_clock(
        paused_target, OFFICE, duration, timeline((Milestone.REPORTED, reported)), [wait], reported
    )
    assert with_pause.due_at is not None
    assert with_pause.due_at >= due(reported, [])
    assert due(reported + later_by, []) >= due(reported, [])


def test_arrival_exactly_at_its_due_time_is_met() -> None:
    records = timeline(
        (Milestone.REPORTED, TUESDAY_9), (Milestone.ARRIVED, TUESDAY_9 + timedelta(minutes=40))
    )
    assert readings(records, now=TUESDAY_9 + timedelta(hours=1))["arrival"].status is ClockStatus.MET


def test_a_pause_that_starts_when_the_clock_falls_due_does_not_move_it() -> None:
    records = timeline((Milestone.REPORTED, TUESDAY_9))
    wait = PauseSpan(
        PauseReason.WAITING_FOR_CUSTOMER, TUESDAY_9 + timedelta(hours=4), TUESDAY_9 + timedelta(hours=5)
    )
    restore = readings(records, now=TUESDAY_9 + timedelta(hours=6), pauses=[wait])["restore"]
    assert local(restore) == "Tue 13:00"


def test_the_shipped_fault_pack_gives_the_default_targets() -> None:
    terms = load_pack(shipped_packs()["fault-4-class"]).terms
    reported = timeline((Milestone.REPORTED, TUESDAY_9))
    city = {r.target: r for r in evaluate(terms, "severe", "city", reported, [], TUESDAY_9)}
    province = {r.target: r for r in evaluate(terms, "severe", "province", reported, [], TUESDAY_9)}
    assert {name: local(r) for name, r in city.items()} == {
        "response": "Tue 09:05",
        "escalate_after": "Tue 09:00",
        "arrival": "Tue 09:40",
        "restore": "Tue 13:00",
    }
    assert local(province["arrival"]) == "Tue 14:00"


def test_escalate_after_stops_at_a_restore_that_makes_escalation_needless() -> None:
    terms = load_pack(shipped_packs()["fault-4-class"]).terms
    records = timeline(
        (Milestone.REPORTED, TUESDAY_9), (Milestone.RESTORED, TUESDAY_9 + timedelta(minutes=20))
    )
    clocks = {
        r.target: r for r in evaluate(terms, "general", "city", records, [], TUESDAY_9 + timedelta(hours=2))
    }
    assert clocks["escalate_after"].status is ClockStatus.MET
    assert clocks["restore"].status is ClockStatus.MET


def test_a_ticket_cancelled_before_a_clock_falls_due_ends_it_without_a_verdict() -> None:
    cancelled = TUESDAY_9 + timedelta(minutes=20)
    records = timeline((Milestone.REPORTED, TUESDAY_9), (Milestone.CANCELLED, cancelled))
    clocks = readings(records, now=TUESDAY_9 + timedelta(days=2))
    assert clocks["arrival"].status is ClockStatus.ENDED
    assert (clocks["arrival"].stopped_at, clocks["arrival"].minutes_late) == (cancelled, 0)
    assert clocks["response"].status is ClockStatus.BREACHED
    assert clocks["response"].minutes_late == 15


def test_a_fault_resolved_remotely_ends_the_arrival_clock_and_meets_the_restore_clock() -> None:
    resolved = TUESDAY_9 + timedelta(minutes=30)
    records = timeline(
        (Milestone.REPORTED, TUESDAY_9),
        (Milestone.RESPONDED, TUESDAY_9 + timedelta(minutes=2)),
        (Milestone.ESCALATED, TUESDAY_9),
        (Milestone.RESTORED, resolved),
        (Milestone.RESOLVED, resolved),
    )
    clocks = readings(records, now=TUESDAY_9 + timedelta(days=1))
    assert {name: r.status for name, r in clocks.items() if name != "office_restore"} == {
        "response": ClockStatus.MET,
        "escalate_after": ClockStatus.MET,
        "arrival": ClockStatus.ENDED,
        "restore": ClockStatus.MET,
    }
    assert clocks["escalate_after"].escalates
    assert not clocks["arrival"].escalates
