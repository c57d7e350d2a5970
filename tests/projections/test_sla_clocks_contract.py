"""The SLA clock view on memory, SQLite and PostgreSQL: rows per target, verdicts, the at-risk list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from api.holiday_source import library_holidays
from domain.actors import Actor, Role
from domain.contract_documents import contract_document
from domain.ledger import ServiceLedger
from projections.read_side import ReadSide
from projections.sla_clocks import ClockRow
from tests.support import AGENT, ENGINEER, MANAGER, ago, draft

REVIEWER = Actor("eng-zhao", Role.ENGINEER)
APPROVER = Actor("mgr-sun", Role.MANAGER)


@pytest.fixture
def read_side(ledger: ServiceLedger) -> Iterator[ReadSide]:
    contract = ledger.draft_contract(
        "huaxin-bank", "7x24", contract_document("fault-4-class", holiday_source=library_holidays), MANAGER
    ).id
    ledger.review_contract(contract, 1, "Checked", REVIEWER)
    ledger.approve_contract(contract, 1, ago(days=30), APPROVER)
    side = ReadSide(ledger)
    yield side
    side.stop()


def clocks(read_side: ReadSide, ticket: object) -> dict[str, ClockRow]:
    read_side.catch_up()
    return {row.target: row for row in read_side.clocks.clocks_of(str(ticket))}


def test_a_contracted_ticket_has_a_row_per_target_with_its_due_time(
    ledger: ServiceLedger, read_side: ReadSide
) -> None:
    reported = ago(minutes=20)
    ticket = ledger.open_ticket(draft(reported_at=reported), AGENT).id
    rows = clocks(read_side, ticket)
    assert set(rows) == {"response", "escalate_after", "restore", "arrival"}
    arrival = read_side.clocks.clocks_of(str(ticket))[0]
    assert arrival.target == "arrival"
    assert arrival.due_at == reported + timedelta(minutes=40)
    assert (arrival.contract_version, arrival.verdict, arrival.status(datetime.now(UTC))) == (
        1,
        None,
        "running",
    )


def test_a_late_arrival_is_breached_and_its_correction_turns_it_to_met(
    ledger: ServiceLedger, read_side: ReadSide
) -> None:
    reported = ago(hours=2)
    ticket = ledger.open_ticket(draft(reported_at=reported), AGENT).id
    ledger.dispatch(
        ticket, "eng-li", reported + timedelta(minutes=30), reported + timedelta(minutes=5), AGENT
    )
    arrived = ledger.record_arrival(ticket, reported + timedelta(minutes=45), ENGINEER)
    read_side.catch_up()
    arrival = next(r for r in read_side.clocks.clocks_of(str(ticket)) if r.target == "arrival")
    assert (arrival.verdict, arrival.minutes_late) == ("breached", 5)
    ledger.correct_milestone(
        ticket, arrived.version, reported + timedelta(minutes=38), "Site log", APPROVER, APPROVER
    )
    read_side.catch_up()
    corrected = next(r for r in read_side.clocks.clocks_of(str(ticket)) if r.target == "arrival")
    assert (corrected.verdict, corrected.minutes_late) == ("met", 0)


def test_the_at_risk_list_holds_running_clocks_due_soon_soonest_first(
    ledger: ServiceLedger, read_side: ReadSide
) -> None:
    soon = ledger.open_ticket(draft(reported_at=ago(minutes=35)), AGENT).id
    later = ledger.open_ticket(draft(reported_at=ago(minutes=10)), AGENT).id
    ledger.record_response(soon, ago(minutes=34), AGENT)
    read_side.catch_up()
    due = read_side.clocks.due_before(datetime.now(UTC) + timedelta(minutes=10), limit=50)
    listed = [(r.ticket_id, r.target) for r in due]
    assert (str(soon), "arrival") in listed
    assert (str(later), "arrival") not in listed
    assert (str(soon), "response") not in listed
    due_times = [r.due_at for r in due if r.due_at is not None]
    assert len(due_times) == len(due)
    assert due_times == sorted(due_times)


def test_a_ticket_without_a_contract_has_no_clock_rows(ledger: ServiceLedger, read_side: ReadSide) -> None:
    ticket = ledger.open_ticket(draft(customer_id="globex"), AGENT).id
    assert clocks(read_side, ticket) == {}


def test_rebuilt_clocks_equal_the_live_ones(ledger: ServiceLedger, read_side: ReadSide) -> None:
    for minutes in (90, 50, 5):
        ticket = ledger.open_ticket(draft(reported_at=ago(minutes=minutes)), AGENT).id
        ledger.record_response(ticket, ago(minutes=minutes - 2), AGENT)
    read_side.catch_up()
    live = read_side.clocks.all_rows()
    assert len(live) == 12
    read_side.rebuild("sla_clocks")
    assert read_side.clocks.all_rows() == live
