"""The demo's people, and its parts history told in time: each step recorded at the instant it
happened, on the ledger's clock set back to that instant."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time
from typing import TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from api.settings import DEMO_TOKENS
from domain.actors import Actor, Role
from domain.ledger import ServiceLedger
from domain.ticket_terms import Status
from domain.tickets import Ticket

A = TypeVar("A", bound=Aggregate)
Step = tuple[datetime, Callable[[], object]]
"""A command of the parts history, and the instant it happened at."""

DEMO_ACTORS = {actor.role: actor for actor in DEMO_TOKENS.values()}
"""Whom the demo's bearer tokens log in as: the parts history is their work."""
KEEPER = DEMO_ACTORS[Role.WAREHOUSE]
COUNTERSIGNER = Actor("wh-ma", Role.WAREHOUSE)
"""A second person in the warehouse: countersigns the keeper's issues and witnesses destructions."""
MANAGER = DEMO_ACTORS[Role.MANAGER]
CLERK = DEMO_ACTORS[Role.CLAIMS]
ENGINEER = DEMO_ACTORS[Role.ENGINEER]
MORNING = time(2, 0, tzinfo=UTC)
"""10:00 in Shanghai: when the demo's dated paperwork is done."""


def tell(ledger: ServiceLedger, steps: Iterable[Step]) -> None:
    """Record the steps in the order they happened, each with the ledger's clock at its instant."""
    clock = ledger.clock
    try:
        for at, step in sorted(steps, key=lambda entry: entry[0]):
            ledger.clock = _stopped(at)
            step()
    finally:
        ledger.clock = clock


def morning(day: date) -> datetime:
    return datetime.combine(day, MORNING)


def worked(tickets: Iterable[Ticket]) -> list[Ticket]:
    """The tickets still being worked: parts and backup units go only to them."""
    return [t for t in tickets if t.status not in {Status.CLOSED, Status.CANCELLED}]


def between(start: datetime, end: datetime, share: float) -> datetime:
    """The instant `share` of the way from `start` to `end`, to the second."""
    return (start + (end - start) * share).replace(microsecond=0)


def engineer_of(ticket: Ticket) -> Actor:
    """The engineer the ticket is dispatched to."""
    assert ticket.engineer_id is not None
    return Actor(ticket.engineer_id, Role.ENGINEER)


def demo_tickets(ledger: ServiceLedger) -> list[Ticket]:
    """Every ticket of the demo, in the order they were reported."""
    tickets = [ledger.get_ticket(ticket_id) for ticket_id in created(ledger, Ticket.Opened)]
    return sorted(tickets, key=lambda ticket: ticket.reported_at)


def created(ledger: ServiceLedger, kind: type[Aggregate.Created]) -> list[UUID]:
    """The ids of the aggregates whose creation is an event of `kind`, in log order."""
    notifications = ledger.recorder.select_notifications(start=1, limit=10_000_000, topics=[get_topic(kind)])
    return [notification.originator_id for notification in notifications]  # type: ignore[misc]


def _stopped(at: datetime) -> Callable[[], datetime]:
    return lambda: at
