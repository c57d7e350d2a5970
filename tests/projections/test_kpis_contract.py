"""KPI tables on memory, SQLite and PostgreSQL: sums per report day and dimension, as of a past
recorded time, after a correction, and identical after a rebuild."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from api.holiday_source import library_holidays
from domain.actors import Actor, Role
from domain.contract_commands import contract_id_for
from domain.contract_documents import contract_document
from domain.ledger import ServiceLedger
from projections.kpis import REPORTING_ZONE, KpiQuery
from projections.read_side import ReadSide
from tests.support import AGENT, ENGINEER, MANAGER, draft

REVIEWER = Actor("eng-zhao", Role.ENGINEER)
APPROVER = Actor("mgr-sun", Role.MANAGER)


@pytest.fixture
def read_side(ledger: ServiceLedger) -> Iterator[ReadSide]:
    contract = ledger.draft_contract(
        "huaxin-bank", "7x24", contract_document("fault-4-class", holiday_source=library_holidays), MANAGER
    ).id
    ledger.review_contract(contract, 1, "Checked", REVIEWER)
    ledger.approve_contract(contract, 1, datetime.now(UTC) - timedelta(days=30), APPROVER)
    side = ReadSide(ledger, sweep_seconds=60)
    yield side
    side.stop()


def settle(read_side: ReadSide) -> None:
    """Record the verdicts, then bring every view up to the end of the log."""
    assert read_side.monitor is not None
    read_side.monitor.catch_up()
    read_side.catch_up()


def report_day() -> Any:
    return REPORTED.astimezone(REPORTING_ZONE).date()


REPORTED = (datetime.now(UTC) - timedelta(hours=5)).replace(microsecond=0)


def at(minutes: int) -> datetime:
    return REPORTED + timedelta(minutes=minutes)


def a_day(read_side: ReadSide, *group_by: str, as_of: datetime | None = None) -> dict[str, dict[str, int]]:
    rows = read_side.kpis.query(KpiQuery("day", report_day(), report_day(), tuple(group_by), None, as_of))
    return {"/".join(r.dimensions.values()) or r.period: r.sums for r in rows}


def serve_severe_fault(ledger: ServiceLedger, arrive_after: int) -> tuple[Any, int]:
    ticket = ledger.open_ticket(draft(reported_at=REPORTED), AGENT).id
    ledger.record_response(ticket, at(3), AGENT)
    ledger.escalate(ticket, 2, "System down", at(4), AGENT)
    ledger.dispatch(ticket, "eng-li", at(30), at(5), AGENT)
    arrived = ledger.record_arrival(ticket, at(arrive_after), ENGINEER)
    ledger.record_restoration(ticket, at(100), ENGINEER)
    ledger.resolve(ticket, True, "Replaced the line card", at(120), ENGINEER)
    ledger.record_sign_off(ticket, 5, "Mr Lin", at(125), ENGINEER)
    return ticket, arrived.version


def test_sums_per_dimension_count_each_ticket_once_and_cancelled_tickets_not_at_all(
    ledger: ServiceLedger, read_side: ReadSide
) -> None:
    serve_severe_fault(ledger, arrive_after=45)
    general = ledger.open_ticket(
        draft(reported_at=REPORTED, severity="general", category="complaint"), AGENT
    ).id
    ledger.record_response(general, at(20), AGENT)
    cancelled = ledger.open_ticket(draft(reported_at=REPORTED, severity="major"), AGENT).id
    ledger.cancel(cancelled, "Duplicate", at(2), AGENT)
    settle(read_side)

    by_severity = a_day(read_side, "severity")

    severe, general_sums = by_severity["severe"], by_severity["general"]
    assert "major" not in by_severity
    assert (severe["tickets"], severe["response_due"], severe["response_met"]) == (1, 1, 1)
    assert (severe["arrival_due"], severe["arrival_met"]) == (1, 0)
    assert (severe["restore_due"], severe["restore_met"]) == (1, 1)
    assert (severe["escalation_due"], severe["escalation_met"]) == (1, 0)
    assert (severe["resolved"], severe["fixed_first_time"], severe["satisfaction_sum"]) == (1, 1, 5)
    assert (severe["repair_count"], severe["repair_minutes"]) == (1, 100)
    assert (severe["repair_business_count"], severe["repair_business_minutes"]) == (1, 100)
    assert (general_sums["tickets"], general_sums["complaints"]) == (1, 1)
    assert (general_sums["response_due"], general_sums["response_met"]) == (1, 0)
    everything = a_day(read_side)[report_day().isoformat()]
    assert everything["tickets"] == 2
    contract = str(contract_id_for("huaxin-bank"))
    assert set(a_day(read_side, "contract_id", "engineer_id")) == {f"{contract}/eng-li", f"{contract}/"}


def test_a_kpi_as_of_a_past_time_is_what_the_ledger_knew_then(
    ledger: ServiceLedger, read_side: ReadSide
) -> None:
    ticket, _ = serve_severe_fault(ledger, arrive_after=30)
    settle(read_side)
    before_callback = datetime.now(UTC)
    time.sleep(0.01)
    ledger.record_callback(ticket, 4, "Mr Lin", at(200), AGENT)
    ledger.reopen(ticket, "Fault came back", at(210), AGENT)
    settle(read_side)

    now = a_day(read_side)[report_day().isoformat()]
    then = a_day(read_side, as_of=before_callback)[report_day().isoformat()]

    assert (now["callbacks"], now["reopened"], now["fixed_first_time"]) == (1, 1, 0)
    assert (then["callbacks"], then["reopened"], then["fixed_first_time"]) == (0, 0, 1)
    assert a_day(read_side, as_of=datetime.now(UTC))[report_day().isoformat()] == now
    assert a_day(read_side, as_of=REPORTED) == {}


def test_a_corrected_arrival_moves_the_ticket_from_late_to_on_time_and_a_rebuild_agrees(
    ledger: ServiceLedger, read_side: ReadSide
) -> None:
    ticket, arrival_version = serve_severe_fault(ledger, arrive_after=45)
    settle(read_side)
    assert a_day(read_side, "region_tier")["city"]["arrival_met"] == 0
    corrected_at = datetime.now(UTC)
    time.sleep(0.01)
    ledger.correct_milestone(ticket, arrival_version, at(38), "Site log", APPROVER, MANAGER)
    settle(read_side)

    assert a_day(read_side, "region_tier")["city"]["arrival_met"] == 1
    assert a_day(read_side, "region_tier", as_of=corrected_at)["city"]["arrival_met"] == 0
    monthly = read_side.kpis.query(KpiQuery("month", report_day(), report_day(), ("severity",)))
    assert [(r.period, r.dimensions, r.sums["arrival_met"]) for r in monthly] == [
        (report_day().strftime("%Y-%m"), {"severity": "severe"}, 1)
    ]
    live = {name: a_day(read_side, name) for name in ("severity", "engineer_id")}
    live_then = a_day(read_side, "region_tier", as_of=corrected_at)
    read_side.rebuild("kpis")
    assert {name: a_day(read_side, name) for name in ("severity", "engineer_id")} == live
    assert a_day(read_side, "region_tier", as_of=corrected_at) == live_then


@pytest.mark.parametrize(
    ("period", "group_by", "filters"),
    [("week", (), {}), ("day", ("colour",), {}), ("day", (), {"severity; DROP TABLE kpi_daily": "x"})],
)
def test_a_query_by_an_unknown_period_or_dimension_is_refused_before_any_sql(
    period: str, group_by: tuple[str, ...], filters: dict[str, str]
) -> None:
    with pytest.raises(ValueError, match="no KPI"):
        KpiQuery(period, report_day(), report_day(), group_by, filters)
