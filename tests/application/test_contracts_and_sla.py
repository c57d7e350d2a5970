"""Contracts through ServiceLedger: the version in force is recorded on each ticket, and the
ticket's clocks are read under it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from api.holiday_source import library_holidays
from domain.actors import Actor, Role
from domain.clocks import ClockStatus
from domain.contract_commands import contract_id_for
from domain.contract_documents import contract_document, terms_of
from domain.contracts import ContractRuleViolation
from domain.ledger import ServiceLedger, TicketDraft
from domain.policy_packs import PackInvalid
from domain.ticket_terms import Channel

AUTHOR = Actor("mgr-chen", Role.MANAGER)
REVIEWER = Actor("eng-li", Role.ENGINEER)
APPROVER = Actor("mgr-zhao", Role.MANAGER)
AGENT = Actor("agent-zhou", Role.HOTLINE_AGENT)
ENGINEER = Actor("eng-wang", Role.ENGINEER)
T10 = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
"""10:00 in Shanghai."""


class Clock:
    """The ledger's clock, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def ledger_at(now: datetime) -> tuple[ServiceLedger, Clock]:
    clock = Clock(now)
    return ServiceLedger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock), clock


def contracted(ledger: ServiceLedger, clock: Clock, effective_from: datetime) -> None:
    document = contract_document("fault-4-class", holiday_source=library_holidays)
    contract = ledger.draft_contract("huaxin-bank", "Huaxin 7x24 maintenance", document, AUTHOR).id
    ledger.review_contract(contract, 1, "Matches the signed annex", REVIEWER)
    ledger.approve_contract(contract, 1, effective_from, APPROVER)


def report(ledger: ServiceLedger, reported_at: datetime, severity: str = "severe") -> Any:
    draft = TicketDraft(
        Channel.HOTLINE, "huaxin-bank", "hx-head-office", "city", severity, "hardware", "Down", reported_at
    )
    return ledger.open_ticket(draft, AGENT).id


def test_a_ticket_records_the_contract_version_in_force_when_it_was_reported() -> None:
    ledger, clock = ledger_at(T10 - timedelta(hours=3))
    contracted(ledger, clock, effective_from=T10)
    clock.now = T10 + timedelta(hours=2)
    before, after = report(ledger, T10 - timedelta(minutes=1)), report(ledger, T10 + timedelta(minutes=1))
    assert ledger.get_ticket(before).contract_id is None
    ticket = ledger.get_ticket(after)
    assert (ticket.contract_id, ticket.contract_version) == (contract_id_for("huaxin-bank"), 1)


def test_the_sla_status_reads_the_clocks_under_the_recorded_version() -> None:
    ledger, clock = ledger_at(T10 - timedelta(hours=3))
    contracted(ledger, clock, effective_from=T10 - timedelta(hours=1))
    clock.now = T10 + timedelta(minutes=2)
    ticket_id = report(ledger, T10)
    status = ledger.sla_status(ledger.get_ticket(ticket_id))
    clocks = {c.target: c for c in status.clocks}
    assert status.contract_version == 1
    assert {name: c.due_at for name, c in clocks.items()} == {
        "response": T10 + timedelta(minutes=5),
        "escalate_after": T10,
        "arrival": T10 + timedelta(minutes=40),
        "restore": T10 + timedelta(hours=4),
    }
    assert clocks["response"].status is ClockStatus.RUNNING
    assert clocks["escalate_after"].status is ClockStatus.BREACHED


def test_a_revision_changes_the_terms_only_of_tickets_reported_after_it_takes_effect() -> None:
    ledger, clock = ledger_at(T10 - timedelta(days=1))
    contracted(ledger, clock, effective_from=T10 - timedelta(hours=20))
    clock.now = T10
    contract = contract_id_for("huaxin-bank")
    faster = contract_document(
        "fault-4-class", {"targets": {"response": {"durations": {"general": "5m"}}}}, library_holidays
    )
    ledger.revise_contract(contract, faster, "General faults answered in 5 minutes", False, AUTHOR)
    ledger.review_contract(contract, 2, "Checked against the amendment", REVIEWER)
    ledger.approve_contract(contract, 2, T10 + timedelta(hours=2), APPROVER)
    clock.now = T10 + timedelta(hours=3)
    at_eleven = report(ledger, T10 + timedelta(hours=1), "general")
    at_twelve_oh_one = report(ledger, T10 + timedelta(hours=2, minutes=1), "general")

    def response_minutes(ticket_id: Any) -> float:
        ticket = ledger.get_ticket(ticket_id)
        (response,) = [c for c in ledger.sla_status(ticket).clocks if c.target == "response"]
        assert response.due_at is not None
        return (response.due_at - ticket.reported_at) / timedelta(minutes=1)

    assert (response_minutes(at_eleven), response_minutes(at_twelve_oh_one)) == (10, 5)


def test_an_arrival_corrected_before_its_due_time_turns_the_verdict_to_met() -> None:
    ledger, clock = ledger_at(T10 - timedelta(hours=3))
    contracted(ledger, clock, effective_from=T10 - timedelta(hours=2))
    clock.now = T10 + timedelta(hours=1)
    ticket_id = report(ledger, T10)
    ledger.dispatch(ticket_id, "eng-wang", T10 + timedelta(minutes=30), T10 + timedelta(minutes=5), AGENT)
    arrived = ledger.record_arrival(ticket_id, T10 + timedelta(minutes=45), ENGINEER)

    def arrival() -> tuple[ClockStatus, int]:
        (clock_reading,) = [
            c for c in ledger.sla_status(ledger.get_ticket(ticket_id)).clocks if c.target == "arrival"
        ]
        return clock_reading.status, clock_reading.minutes_late

    assert arrival() == (ClockStatus.BREACHED, 5)
    ledger.correct_milestone(
        ticket_id, arrived.version, T10 + timedelta(minutes=38), "Site log", APPROVER, APPROVER
    )
    assert arrival() == (ClockStatus.MET, 0)


def test_a_customer_has_one_contract_and_an_invalid_document_records_nothing() -> None:
    ledger, clock = ledger_at(T10)
    contracted(ledger, clock, effective_from=T10 + timedelta(hours=1))
    with pytest.raises(ContractRuleViolation, match="already has a contract"):
        ledger.draft_contract(
            "huaxin-bank",
            "Another",
            contract_document("fault-4-class", holiday_source=library_holidays),
            AUTHOR,
        )
    position = ledger.recorder.max_notification_id()
    broken = {
        **contract_document("fault-4-class", holiday_source=library_holidays),
        "targets": {"response": {"start": "teleported"}},
    }
    with pytest.raises(PackInvalid, match=r"targets\.response"):
        ledger.draft_contract("globex", "Globex", broken, AUTHOR)
    assert ledger.recorder.max_notification_id() == position


def cn_holidays(country: str, years: Sequence[int]) -> tuple[frozenset[date], frozenset[date]]:
    assert country == "CN"
    return frozenset({date(2026, 10, 1), date(2026, 10, 2)}), frozenset({date(2026, 9, 27)})


def test_a_stored_document_carries_its_holidays_as_dates_and_needs_no_source() -> None:
    document = contract_document("complaints", holiday_source=cn_holidays)
    office = document["calendars"]["office"]
    assert "holidays" not in office
    assert office["holiday_dates"] == ["2026-10-01", "2026-10-02"]
    assert office["makeup_dates"] == ["2026-09-27"]
    assert date(2026, 10, 1) in terms_of(document).calendars["office"].holidays
