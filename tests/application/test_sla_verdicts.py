"""SLA verdicts recorded as events: breaches at the stop or at the due time, escalations falling
due, and corrections that change a verdict, each recorded once however often the ledger settles."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from domain.clocks import ClockStatus
from domain.sla_verdicts import SlaVerdicts
from domain.verdict_commands import SLA_MONITOR, VerdictsNotFound
from tests.application.test_contracts_and_sla import (
    AGENT,
    APPROVER,
    ENGINEER,
    T10,
    contracted,
    ledger_at,
    report,
)


def verdicts_of(ledger: Any, ticket_id: Any) -> list[tuple[str, str, Any, int]]:
    """(target, outcome, occurred at, minutes late) of every verdict event, in order."""
    verdicts = ledger.get_sla_verdicts(ticket_id)
    events = ledger.repository.event_store.get(verdicts.id)
    return [
        (e.target, e.outcome.value, e.occurred_at, e.minutes_late)
        for e in events
        if isinstance(e, SlaVerdicts.VerdictRecorded)
    ]


def test_a_late_arrival_is_a_breach_and_its_correction_a_new_verdict_of_met() -> None:
    ledger, clock = ledger_at(T10 - timedelta(hours=3))
    contracted(ledger, clock, effective_from=T10 - timedelta(hours=2))
    clock.now = T10 + timedelta(minutes=70)
    ticket_id = report(ledger, T10, "general")
    ledger.record_response(ticket_id, T10 + timedelta(minutes=3), AGENT)
    ledger.escalate(ticket_id, 2, "Needs the vendor", T10 + timedelta(minutes=4), AGENT)
    ledger.dispatch(ticket_id, "eng-wang", T10 + timedelta(minutes=30), T10 + timedelta(minutes=5), AGENT)
    arrived = ledger.record_arrival(ticket_id, T10 + timedelta(minutes=65), ENGINEER)

    recorded = ledger.settle_sla(ticket_id)

    assert recorded is not None
    late = [v for v in verdicts_of(ledger, ticket_id) if v[0] == "arrival"]
    assert late == [("arrival", "breached", T10 + timedelta(minutes=65), 5)]
    assert ledger.settle_sla(ticket_id) is None
    ledger.correct_milestone(
        ticket_id, arrived.version, T10 + timedelta(minutes=58), "Site log", APPROVER, APPROVER
    )
    ledger.settle_sla(ticket_id)
    arrival = [v for v in verdicts_of(ledger, ticket_id) if v[0] == "arrival"]
    assert arrival == [
        ("arrival", "breached", T10 + timedelta(minutes=65), 5),
        ("arrival", "met", T10 + timedelta(minutes=58), 0),
    ]
    assert ledger.settle_sla(ticket_id) is None


def test_a_due_time_passing_unanswered_is_a_breach_recorded_at_the_due_time() -> None:
    ledger, clock = ledger_at(T10 - timedelta(hours=3))
    contracted(ledger, clock, effective_from=T10 - timedelta(hours=2))
    clock.now = T10 + timedelta(minutes=1)
    ticket_id = report(ledger, T10, "general")
    assert ledger.settle_sla(ticket_id) is None
    with pytest.raises(VerdictsNotFound):
        ledger.get_sla_verdicts(ticket_id)

    clock.now = T10 + timedelta(minutes=11)
    ledger.settle_sla(ticket_id)
    assert verdicts_of(ledger, ticket_id) == [("response", "breached", T10 + timedelta(minutes=10), 0)]
    ledger.record_response(ticket_id, T10 + timedelta(minutes=12), AGENT)
    ledger.settle_sla(ticket_id)
    assert verdicts_of(ledger, ticket_id)[-1] == ("response", "breached", T10 + timedelta(minutes=12), 2)
    (last,) = ledger.repository.event_store.get(ledger.get_sla_verdicts(ticket_id).id, desc=True, limit=1)
    assert isinstance(last, SlaVerdicts.VerdictRecorded)
    assert (last.actor, last.ticket_version, last.contract_version) == (SLA_MONITOR, 3, 1)


def test_escalation_falls_due_when_escalate_after_passes_unsolved() -> None:
    ledger, clock = ledger_at(T10 - timedelta(hours=3))
    contracted(ledger, clock, effective_from=T10 - timedelta(hours=2))
    clock.now = T10 + timedelta(minutes=30)
    ticket_id = report(ledger, T10, "general")
    ledger.record_response(ticket_id, T10 + timedelta(minutes=3), AGENT)
    assert ledger.settle_sla(ticket_id) is not None
    assert ledger.get_sla_verdicts(ticket_id).escalations_due == {}

    clock.now = T10 + timedelta(minutes=61)
    ledger.settle_sla(ticket_id)
    verdicts = ledger.get_sla_verdicts(ticket_id)
    assert verdicts.escalations_due == {"escalate_after": T10 + timedelta(hours=1)}
    assert "escalate_after" not in verdicts.findings
    assert ledger.settle_sla(ticket_id) is None
    ledger.escalate(ticket_id, 2, "Unsolved after an hour", T10 + timedelta(minutes=62), AGENT)
    ledger.settle_sla(ticket_id)
    assert verdicts_of(ledger, ticket_id)[-1] == (
        "escalate_after",
        "breached",
        T10 + timedelta(minutes=62),
        2,
    )


def test_a_ticket_cancelled_before_anything_fell_due_has_no_verdicts() -> None:
    ledger, clock = ledger_at(T10 - timedelta(hours=3))
    contracted(ledger, clock, effective_from=T10 - timedelta(hours=2))
    clock.now = T10 + timedelta(minutes=4)
    ticket_id = report(ledger, T10, "general")
    ledger.cancel(ticket_id, "Duplicate of another report", T10 + timedelta(minutes=3), AGENT)
    clock.now = T10 + timedelta(days=3)
    assert ledger.settle_sla(ticket_id) is None
    status = ledger.sla_status(ledger.get_ticket(ticket_id))
    assert {c.status for c in status.clocks} == {ClockStatus.ENDED}


def test_a_ticket_without_a_contract_is_never_judged() -> None:
    ledger, _ = ledger_at(T10)
    ticket_id = report(ledger, T10 - timedelta(hours=5))
    assert ledger.settle_sla(ticket_id) is None
