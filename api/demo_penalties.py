"""The demo's penalties: the sources' rule book and each contract's service credits in force, the
history's own breaches assessed from the log, fines recorded by hand, a month closed on a stated
KPI, and penalties taken through every state: disputed, upheld, waived, settled and reversed (by
hand, and by a correction that turned a late arrival into an on-time one)."""

from __future__ import annotations

import tomllib
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from eventsourcing.popo import POPOTrackingRecorder

from api.demo_cast import DEMO_ACTORS, created, demo_tickets
from domain.actors import Actor, Role
from domain.ledger import ServiceLedger, TicketDraft
from domain.penalties import Penalty, PenaltyStatus, Settlement, period_of
from domain.penalty_rules import Cause, Measure
from domain.penalty_schedules import SCHEDULE_DIRECTORY
from domain.ticket_terms import Channel
from projections.penalty_assessor import PenaltyAssessor
from projections.penalty_periods import month_span
from projections.runner import ViewRunner

BOOK = "after-sales-rule-book"
MANAGER = DEMO_ACTORS[Role.MANAGER]
DIRECTOR = DEMO_ACTORS[Role.SERVICE_DIRECTOR]
AUTHOR = Actor("mgr-he", Role.MANAGER)
FINANCE = DEMO_ACTORS[Role.FINANCE]
AGENT = Actor("agent-zhao", Role.HOTLINE_AGENT)
CONTRACT_CREDITS: dict[str, Any] = {
    "description": "Service credits owed for missed targets",
    "source": "The maintenance contract's service-level annex",
    "rules": [
        {
            "code": "late-response",
            "description": "First response after the response target",
            "shape": "fixed",
            "amount": "20",
            "on": "sla_breach",
            "targets": ["response"],
        },
        {
            "code": "late-arrival",
            "description": "Engineer on site after the arrival target",
            "shape": "fixed",
            "amount": "100",
            "on": "sla_breach",
            "targets": ["arrival"],
        },
        {
            "code": "late-restore",
            "description": "Service restored late, per started hour",
            "shape": "per_unit",
            "unit": "hour",
            "amount": "50",
            "cap": "400",
            "on": "sla_breach",
            "targets": ["restore"],
        },
    ],
}
"""The `[penalties]` table of every demo contract."""
DISPUTED, SETTLED = 5, 6
"""How many fines engineers dispute, and how many undisputed ones finance settles against payroll."""


def load_demo_penalties(ledger: ServiceLedger, since: datetime, end: datetime) -> int:
    """Record the demo's penalties; the number assessed."""
    rule_book = tomllib.loads((SCHEDULE_DIRECTORY / "rule-book.toml").read_text("utf-8"))
    ledger.draft_penalty_book(BOOK, "After-sales and warehouse rule book", rule_book, AUTHOR)
    ledger.review_penalty_book(BOOK, 1, "Checked against the signed department rules", DIRECTOR)
    ledger.approve_penalty_book(BOOK, 1, since, MANAGER)
    for ticket in demo_tickets(ledger):
        ledger.settle_sla(ticket.id)
    assessor = ViewRunner(ledger, PenaltyAssessor(POPOTrackingRecorder(), ledger))
    assessor.catch_up()
    _fines_by_hand(ledger, end)
    _corrected_breach(ledger, end, assessor)
    penalties = _penalties(ledger)
    _lifecycle(
        ledger, [p for p in penalties if p.measure is Measure.MONEY and p.status is PenaltyStatus.ALLOCATED]
    )
    return len(penalties)


def _fines_by_hand(ledger: ServiceLedger, end: datetime) -> None:
    """Complaints against a supervisor, a liability accident, late hotline replies, a fine the
    demo engineer can dispute, and last month closed on a stated outbound success rate."""
    for day in (3, 9, 20):
        facts = Cause(holders={"party": ("log-sup-he",)})
        ledger.assess_manually(
            BOOK, "supervisor-complaints", facts, end - timedelta(days=day), "Customer complaint", MANAGER
        )
    loss = Cause(loss=Decimal(5000), cooperation="cooperative", holders={"staff": ("eng-liu",)})
    ledger.assess_manually(
        BOOK, "liability-accident", loss, end - timedelta(days=12), "Dropped a disk array", MANAGER
    )
    replies = Cause(units=Decimal(3), holders={"party": (AGENT.id,)})
    ledger.assess_manually(
        BOOK, "late-hotline-reply", replies, end - timedelta(days=5), "Three late replies", MANAGER
    )
    mine = Cause(holders={"party": (DEMO_ACTORS[Role.ENGINEER].id,)})
    ledger.assess_manually(
        BOOK, "unsigned-service-record", mine, end - timedelta(days=2), "No signature", MANAGER
    )
    last_month = period_of(end.replace(day=1) - timedelta(days=1))
    ledger.assess_kpi(
        BOOK,
        "outbound-success-rate",
        month_span(last_month)[2],
        None,
        Decimal(97),
        f"stated at the close by {MANAGER.id}",
    )


def _corrected_breach(ledger: ServiceLedger, end: datetime, assessor: ViewRunner) -> None:
    """A late arrival assessed, then corrected with approval to on time: reversed by the assessor."""
    reported = (end - timedelta(days=1)).replace(microsecond=0)
    draft = TicketDraft(
        Channel.HOTLINE,
        "huaxin-bank",
        "hx-head-office",
        "city",
        "general",
        "hardware",
        "Printer server down",
        reported,
    )
    ticket_id = ledger.open_ticket(draft, AGENT).id
    ledger.record_response(ticket_id, reported + timedelta(minutes=4), AGENT)
    engineer = DEMO_ACTORS[Role.ENGINEER]
    ledger.dispatch(
        ticket_id, engineer.id, reported + timedelta(minutes=40), reported + timedelta(minutes=6), AGENT
    )
    arrived = ledger.record_arrival(ticket_id, reported + timedelta(minutes=65), engineer)
    ledger.settle_sla(ticket_id)
    assessor.catch_up()
    ledger.correct_milestone(
        ticket_id,
        arrived.version,
        reported + timedelta(minutes=58),
        "Site access log shows 09:58",
        engineer,
        MANAGER,
    )
    ledger.settle_sla(ticket_id)
    assessor.catch_up()


def _lifecycle(ledger: ServiceLedger, allocated: list[Penalty]) -> None:
    """Engineers dispute five fines: two upheld (one then settled), one waived, two still open;
    finance settles six more against payroll; a manager reverses one."""
    engineers = [
        p for p in allocated if len(p.parties) == 1 and p.parties[0].startswith(("eng-", "demo-eng"))
    ]
    disputed, rest = engineers[:DISPUTED], [p for p in allocated if p not in engineers[:DISPUTED]]
    for penalty in disputed:
        party = Actor(penalty.parties[0], Role.ENGINEER)
        ledger.dispute_penalty(penalty.id, "The customer kept us waiting at the gate", party)
    for penalty in disputed[:2]:
        ledger.decide_penalty(penalty.id, False, "The site log shows no wait at the gate", MANAGER)
    ledger.decide_penalty(disputed[2].id, True, "The gate log confirms a 20-minute wait", MANAGER)
    settled, reversed_ = rest[:SETTLED], rest[SETTLED : SETTLED + 1]
    for penalty in [disputed[0], *settled]:
        ledger.settle_penalty(penalty.id, Settlement.PAYROLL, f"payroll {penalty.period}", FINANCE)
    for penalty in reversed_:
        ledger.reverse_penalty(penalty.id, "Assessed on a ticket the customer withdrew", MANAGER)


def _penalties(ledger: ServiceLedger) -> list[Penalty]:
    """Every penalty, in the order its cause occurred."""
    penalties = [ledger.get_penalty(penalty_id) for penalty_id in created(ledger, Penalty.Assessed)]
    return sorted(penalties, key=lambda p: (p.occurred_at, str(p.id)))
