"""SLA queries: a ticket's clocks under its contract, and the clocks about to fall due."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Annotated
from uuid import UUID

from litestar import get
from litestar.params import FromPath, Parameter

from api.auth import READERS, allow
from api.services import Injected
from api.sla_schemas import ClockAtRisk, ClocksAtRisk, ClockView, SlaView, VerdictView
from api.ticket_queries import After
from domain.sla_verdicts import SlaVerdicts

Within = Annotated[int, Parameter(ge=0, le=7 * 24 * 60, description="Minutes ahead of now to look.")]
Limit = Annotated[int, Parameter(ge=1, le=500)]


@get(
    "/tickets/{ticket_id:uuid}/sla",
    operation_id="getTicketSla",
    summary="A ticket's SLA clocks under its contract",
    guards=[allow(READERS)],
    sync_to_thread=True,
)
def ticket_sla(ticket_id: FromPath[UUID], services: Injected) -> SlaView:
    ledger = services.ledger
    now = ledger.clock()
    status = ledger.sla_status(ledger.get_ticket(ticket_id), now)
    clocks = [
        ClockView(
            target=c.target,
            status=c.status.value,
            started_at=c.started_at,
            due_at=c.due_at,
            stopped_at=c.stopped_at,
            minutes_late=c.minutes_late,
            business_minutes=c.business_minutes,
            paused_minutes=c.paused_minutes,
            escalation_due=c.escalation_due,
        )
        for c in status.clocks
    ]
    return SlaView(
        ticket_id=ticket_id,
        contract_id=status.contract_id,
        contract_version=status.contract_version,
        as_of=now,
        clocks=clocks,
        verdicts=[verdict_view(e) for e in ledger.sla_verdict_history(ticket_id)],
    )


def verdict_view(event: SlaVerdicts.VerdictRecorded | SlaVerdicts.EscalationBecameDue) -> VerdictView:
    if isinstance(event, SlaVerdicts.EscalationBecameDue):
        kind, outcome, stopped_at, minutes_late = "escalation_due", None, None, 0
    else:
        kind, outcome, stopped_at, minutes_late = (
            "verdict",
            event.outcome.value,
            event.stopped_at,
            event.minutes_late,
        )
    return VerdictView(
        kind=kind,
        target=event.target,
        outcome=outcome,
        occurred_at=event.occurred_at,
        recorded_at=event.timestamp,
        due_at=event.due_at,
        stopped_at=stopped_at,
        minutes_late=minutes_late,
        contract_version=event.contract_version,
        ticket_version=event.ticket_version,
    )


@get(
    "/sla/at-risk",
    operation_id="listClocksAtRisk",
    summary="Running clocks due within the next minutes, and those past due, soonest first",
    guards=[allow(READERS)],
    sync_to_thread=True,
)
def clocks_at_risk(
    services: Injected, within: Within = 60, limit: Limit = 100, after: After = None
) -> ClocksAtRisk:
    services.caught_up(after)
    now = services.ledger.clock()
    rows = services.read_side.clocks.due_before(now + timedelta(minutes=within), limit)
    items = [
        ClockAtRisk(
            ticket_id=UUID(row.ticket_id),
            target=row.target,
            customer_id=row.customer_id,
            severity=row.severity,
            contract_version=row.contract_version,
            due_at=row.due_at,
            status=row.status(now),
            minutes_to_due=math.floor((row.due_at - now) / timedelta(minutes=1)),
            escalation_due=row.escalation_due(now),
        )
        for row in rows
        if row.due_at is not None
    ]
    return ClocksAtRisk(as_of=now, within_minutes=within, items=items)
