"""The SLA monitor and sweeper on memory, SQLite and PostgreSQL: verdicts recorded once each,
after a ticket's events and as due times pass, however often they run or restart."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from api.holiday_source import library_holidays
from domain.actors import Actor, Role
from domain.contract_documents import contract_document
from domain.ledger import ServiceLedger
from domain.sla_verdicts import SlaVerdicts, verdicts_id_for
from domain.ticket_terms import PauseReason
from projections.read_side import ReadSide
from tests.support import AGENT, ENGINEER, MANAGER, ago, draft

REVIEWER = Actor("eng-zhao", Role.ENGINEER)
APPROVER = Actor("mgr-sun", Role.MANAGER)


@pytest.fixture
def contracted(ledger: ServiceLedger) -> ServiceLedger:
    contract = ledger.draft_contract(
        "huaxin-bank", "7x24", contract_document("fault-4-class", holiday_source=library_holidays), MANAGER
    ).id
    ledger.review_contract(contract, 1, "Checked", REVIEWER)
    ledger.approve_contract(contract, 1, ago(days=30), APPROVER)
    return ledger


@pytest.fixture
def read_side(contracted: ServiceLedger) -> Iterator[ReadSide]:
    side = ReadSide(contracted, sweep_seconds=0.1)
    yield side
    side.stop()


def verdict_events(ledger: ServiceLedger, ticket_id: UUID) -> list[Any]:
    return list(ledger.repository.event_store.get(verdicts_id_for(ticket_id)))[1:]


def verdicts(ledger: ServiceLedger, ticket_id: UUID) -> list[tuple[str, str, Any, int]]:
    return [
        (e.target, e.outcome.value, e.occurred_at, e.minutes_late)
        for e in verdict_events(ledger, ticket_id)
        if isinstance(e, SlaVerdicts.VerdictRecorded)
    ]


def log_end(ledger: ServiceLedger) -> int:
    return ledger.recorder.max_notification_id() or 0


def test_the_monitor_records_each_verdict_once_and_a_correction_as_a_new_one(
    contracted: ServiceLedger, read_side: ReadSide
) -> None:
    ledger, monitor = contracted, read_side.monitor
    assert monitor is not None
    reported = ago(hours=2).replace(microsecond=0)
    ticket = ledger.open_ticket(draft(reported_at=reported), AGENT).id
    ledger.record_response(ticket, reported + timedelta(minutes=3), AGENT)
    planned, dispatched = reported + timedelta(minutes=30), reported + timedelta(minutes=5)
    ledger.dispatch(ticket, "eng-li", planned, dispatched, AGENT)
    arrived = ledger.record_arrival(ticket, reported + timedelta(minutes=45), ENGINEER)

    monitor.catch_up()
    end = log_end(ledger)
    monitor.catch_up()

    assert log_end(ledger) == end
    assert ("arrival", "breached", reported + timedelta(minutes=45), 5) in verdicts(ledger, ticket)
    assert ("response", "met", reported + timedelta(minutes=3), 0) in verdicts(ledger, ticket)
    escalation = [e for e in verdict_events(ledger, ticket) if isinstance(e, SlaVerdicts.EscalationBecameDue)]
    assert [(e.target, e.occurred_at) for e in escalation] == [("escalate_after", reported)]

    ledger.correct_milestone(
        ticket, arrived.version, reported + timedelta(minutes=38), "Site log", APPROVER, MANAGER
    )
    monitor.catch_up()
    arrival = [v for v in verdicts(ledger, ticket) if v[0] == "arrival"]
    assert arrival == [
        ("arrival", "breached", reported + timedelta(minutes=45), 5),
        ("arrival", "met", reported + timedelta(minutes=38), 0),
    ]
    read_side.catch_up()
    history = read_side.history.history(str(ticket), 100, 0).rows
    assert [(r.data["outcome"], r.actor_role) for r in history if r.data.get("target") == "arrival"] == [
        ("breached", "system"),
        ("met", "system"),
    ]
    assert [r.position for r in history] == sorted(r.position for r in history)


def test_the_sweeper_records_a_lapse_at_its_due_time_once_even_after_a_restart(
    contracted: ServiceLedger, read_side: ReadSide
) -> None:
    ledger, sweeper = contracted, read_side.sweeper
    assert sweeper is not None
    late = ago(hours=3).replace(microsecond=0)
    lapsed = ledger.open_ticket(draft(reported_at=late, severity="general"), AGENT).id
    read_side.catch_up()

    assert sweeper.sweep() == 1
    end = log_end(ledger)
    assert sweeper.sweep() == 0
    assert log_end(ledger) == end
    assert ("response", "breached", late + timedelta(minutes=10), 0) in verdicts(ledger, lapsed)
    assert ("arrival", "breached", late + timedelta(hours=1), 0) in verdicts(ledger, lapsed)

    restarted = ReadSide(ledger, sweep_seconds=0.1)
    assert restarted.sweeper is not None
    restarted.catch_up()
    assert restarted.sweeper.sweep() == 1
    assert log_end(ledger) == end


def test_a_clock_falling_due_after_a_sweep_is_settled_by_the_next(
    contracted: ServiceLedger, read_side: ReadSide
) -> None:
    ledger, sweeper = contracted, read_side.sweeper
    assert sweeper is not None
    assert sweeper.sweep() == 0
    reported = ago(minutes=10) + timedelta(seconds=1)
    ticket = ledger.open_ticket(draft(reported_at=reported, severity="general"), AGENT).id
    # The response clock does not stop for the customer: a paused ticket lapses all the same.
    paused = ledger.open_ticket(draft(reported_at=reported, severity="general"), AGENT).id
    ledger.pause(paused, PauseReason.WAITING_FOR_CUSTOMER, reported, ENGINEER)
    read_side.catch_up()
    assert sweeper.sweep() == 0
    time.sleep(1.2)

    assert sweeper.sweep() == 2
    assert verdicts(ledger, ticket) == [("response", "breached", reported + timedelta(minutes=10), 0)]
    assert verdicts(ledger, paused) == [("response", "breached", reported + timedelta(minutes=10), 0)]


def test_started_with_the_read_side_the_monitor_settles_a_new_ticket_on_its_own(
    contracted: ServiceLedger, read_side: ReadSide
) -> None:
    reported = ago(minutes=20).replace(microsecond=0)
    ticket = contracted.open_ticket(draft(reported_at=reported, severity="general"), AGENT).id
    read_side.start()
    deadline = time.monotonic() + 10
    while not verdicts(contracted, ticket) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert verdicts(contracted, ticket) == [("response", "breached", reported + timedelta(minutes=10), 0)]
    monitor = read_side.monitor
    assert monitor is not None
    # The monitor records its position after the verdict it saved, so the position can trail it.
    while monitor.position() < log_end(contracted) - 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert monitor.position() >= log_end(contracted) - 1
