"""A penalty story shared by the application, API and benchmark tests: the sources' rule book in
force, a contract whose own schedule fines late arrivals and a missing sign-off, and the
assessor run over the log."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.popo import POPOTrackingRecorder
from eventsourcing.utils import get_topic

from api.holiday_source import library_holidays
from domain.actors import Actor, Role
from domain.contract_documents import contract_document
from domain.ledger import ServiceLedger, TicketDraft
from domain.penalties import Penalty
from domain.penalty_schedules import SCHEDULE_DIRECTORY
from domain.ticket_terms import Channel
from projections.penalty_assessor import PenaltyAssessor
from projections.runner import ViewRunner

AUTHOR = Actor("mgr-chen", Role.MANAGER)
REVIEWER = Actor("svc-dir-sun", Role.SERVICE_DIRECTOR)
APPROVER = Actor("mgr-zhao", Role.MANAGER)
AGENT = Actor("agent-zhou", Role.HOTLINE_AGENT)
ENGINEER = Actor("eng-wang", Role.ENGINEER)
FINANCE = Actor("fin-qian", Role.FINANCE)
BOOK = "warehouse-and-service"
CUSTOMER = "huaxin-bank"
T0 = datetime(2026, 10, 1, tzinfo=UTC)
"""When the book and the contract take effect."""
T10 = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)
"""10:00 in Shanghai on 3 November 2026."""

CONTRACT_PENALTIES: dict[str, Any] = {
    "description": "Service credits of the Huaxin contract",
    "source": "Annex 3",
    "rules": [
        {
            "code": "late-arrival",
            "description": "Engineer on site after the arrival target",
            "shape": "fixed",
            "amount": "100",
            "on": "sla_breach",
            "targets": ["arrival"],
        },
        {
            "code": "unsigned-service-record",
            "description": "Closed without the customer's signature or a callback",
            "shape": "fixed",
            "amount": "100",
            "on": "sign_off_missing",
        },
    ],
}
SIGN_OFF_TARGET = {
    "start": "resolved",
    "stop": ["signed_off", "callback"],
    "calendar": "round_the_clock",
    "durations": dict.fromkeys(("severe", "major", "general", "non_fault"), "48h"),
}


def rule_book() -> dict[str, Any]:
    return tomllib.loads((SCHEDULE_DIRECTORY / "rule-book.toml").read_text("utf-8"))


def book_in_force(ledger: ServiceLedger, document: dict[str, Any] | None = None, code: str = BOOK) -> None:
    ledger.draft_penalty_book(code, "After-sales and warehouse rule book", document or rule_book(), AUTHOR)
    ledger.review_penalty_book(code, 1, "Matches the signed rules", REVIEWER)
    ledger.approve_penalty_book(code, 1, T0, APPROVER)


def contract_in_force(ledger: ServiceLedger) -> None:
    overrides = {"penalties": CONTRACT_PENALTIES, "targets": {"sign_off": SIGN_OFF_TARGET}}
    document = contract_document("fault-4-class", overrides, library_holidays)
    contract = ledger.draft_contract(CUSTOMER, "Huaxin 7x24 maintenance", document, AUTHOR).id
    ledger.review_contract(contract, 1, "Matches the signed annex", REVIEWER)
    ledger.approve_contract(contract, 1, T0, APPROVER)


def report(ledger: ServiceLedger, reported_at: datetime, severity: str = "general") -> Any:
    draft = TicketDraft(
        Channel.HOTLINE, CUSTOMER, "hx-head-office", "city", severity, "hardware", "Down", reported_at
    )
    return ledger.open_ticket(draft, AGENT).id


def late_arrival(ledger: ServiceLedger, minutes: int = 65) -> tuple[Any, Any]:
    """A general fault reported at 10:00, answered and dispatched in time, on site `minutes` later
    (the arrival target is 1 h); the ticket and the arrival's record."""
    ticket_id = report(ledger, T10)
    ledger.record_response(ticket_id, T10 + timedelta(minutes=3), AGENT)
    ledger.escalate(ticket_id, 2, "Needs the vendor", T10 + timedelta(minutes=4), AGENT)
    ledger.dispatch(ticket_id, "eng-wang", T10 + timedelta(minutes=30), T10 + timedelta(minutes=5), AGENT)
    arrived = ledger.record_arrival(ticket_id, T10 + timedelta(minutes=minutes), ENGINEER)
    ledger.settle_sla(ticket_id)
    return ticket_id, arrived


def assessor(ledger: ServiceLedger) -> ViewRunner:
    """The penalty assessor over the ledger's log, tracking in memory."""
    return ViewRunner(ledger, PenaltyAssessor(POPOTrackingRecorder(), ledger))


def recorded_penalties(ledger: ServiceLedger) -> list[Penalty]:
    """Every penalty in the log, in the order they were assessed."""
    notifications = ledger.recorder.select_notifications(0, 100_000, topics=[get_topic(Penalty.Assessed)])
    return [ledger.get_penalty(UUID(str(n.originator_id))) for n in notifications]
