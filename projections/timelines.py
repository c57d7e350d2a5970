"""Dispute timelines: everything the ledger recorded about one ticket or one claim, in the order it
was recorded, read from the log itself rather than from the views.

A ticket's timeline holds its own events, each milestone beside the corrections of its time (who
made each, who approved it and why); its SLA verdicts, each with the contract version its due time
came from; the penalties assessed from it, each with its schedule version and all that became of
it; the claims filed against it; and the parts reserved, issued, released and taken back for it. A
claim's timeline holds its own events, its old parts' events and the penalties assessed from it.

No view is keyed by the ticket or claim that a penalty, a claim or a part movement names, so those
are found by reading the log's events of those kinds alone (the recorder filters by topic): for a
ticket from its first log position on, where that is known, since whatever names a ticket is
recorded after it; for a claim, every penalty's assessment.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Literal, get_args
from uuid import UUID

from eventsourcing.persistence import PersistenceError
from eventsourcing.utils import get_topic

from domain.actors import Actor
from domain.claim_commands import ClaimNotFound
from domain.claims import Claim
from domain.errors import NotFound, StorageUnavailable, TicketNotFound
from domain.ledger import ServiceLedger
from domain.old_parts import old_parts_id
from domain.penalties import Penalty, ScheduleRef
from domain.stock import StockItem
from domain.tickets import Ticket
from projections.stock_movements import MOVES

PAGE = 500
"""Notifications read from the log at a time."""
TICKET_MOVES = ("Reserved", "ReservationReleased", "Issued", "Returned")
"""The stock item's movements that name the ticket they are for."""
Source = Literal["ticket", "claim", "old_parts", "sla_verdict", "penalty", "part_movement"]
"""Where a moment comes from."""
SOURCES: tuple[Source, ...] = get_args(Source)
"""Also the order of moments recorded at the same instant."""
ENVELOPE = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic", "occurred_at", "actor", "reason"}
)
"""Event fields every moment shows in its own right, not among its details."""


@dataclass(frozen=True)
class Correction:
    """A correction of a milestone's time, shown beside the milestone it corrects."""

    version: int
    """The ticket version the correction was recorded as."""
    recorded_at: datetime
    original_occurred_at: datetime
    new_occurred_at: datetime
    reason: str
    actor: Actor
    approver: Actor


@dataclass(frozen=True)
class Moment:
    """One recorded event on a timeline: what, by whom, when it happened and when it was recorded."""

    source: Source
    subject_id: str
    """The id of the entity whose event it is (a ticket, its verdicts, a penalty, a stock item...)."""
    version: int
    event: str
    occurred_at: datetime
    recorded_at: datetime
    actor: Actor
    reason: str | None
    details: dict[str, Any]
    contract: tuple[UUID, int] | None = None
    """For an SLA verdict (or a contract's assignment): the contract id and version behind it."""
    schedule: ScheduleRef | None = None
    """For a penalty's event: the schedule version it was assessed under."""
    corrections: tuple[Correction, ...] = ()


@dataclass(frozen=True)
class Audience:
    """Who reads a timeline: whether they see every linked penalty (else only the penalties they
    are a party to), and whether they see part movements."""

    actor_id: str
    every_penalty: bool
    part_movements: bool


def staff_of(events: Sequence[Any]) -> frozenset[str]:
    """Who worked on an entity: every actor on its events, and every engineer dispatched to it."""
    ids = {event.actor.id for event in events}
    ids.update(event.engineer_id for event in events if isinstance(event, Ticket.Dispatched))
    return frozenset(ids)


class Timelines:
    """Assembles timelines from the ledger's log."""

    def __init__(self, ledger: ServiceLedger) -> None:
        self.ledger = ledger

    def ticket_events(self, ticket_id: UUID) -> list[Any]:
        """The ticket's own events, oldest first."""
        return self._own(ticket_id, TicketNotFound(f"no ticket {ticket_id}", ticket_id=str(ticket_id)))

    def claim_events(self, claim_id: UUID) -> list[Any]:
        """The claim's own events, oldest first."""
        return self._own(claim_id, ClaimNotFound(f"no claim {claim_id}", claim_id=str(claim_id)))

    def of_ticket(
        self, ticket_id: UUID, events: Sequence[Any], audience: Audience, after: int = 0
    ) -> list[Moment]:
        """The ticket's timeline; what names it is looked for in the log after position `after`."""
        moments = ticket_moments(events)
        verdicts = self.ledger.sla_verdict_history(ticket_id)
        moments += [moment("sla_verdict", v, contract=(v.contract_id, v.contract_version)) for v in verdicts]
        moves = [getattr(StockItem, name) for name in TICKET_MOVES] if audience.part_movements else []
        claims: list[UUID] = []
        penalties: list[UUID] = []
        items: dict[UUID, StockItem.Opened] = {}
        for event in self._named((Claim.Drafted, Penalty.Assessed, *moves), after):
            if isinstance(event, Claim.Drafted) and event.ticket_id == ticket_id:
                claims.append(event.originator_id)
            elif isinstance(event, Penalty.Assessed) and event.facts.get("ticket_id") == str(ticket_id):
                penalties.append(event.originator_id)
            elif isinstance(event, StockItem.Event) and getattr(event, "ticket_id", None) == str(ticket_id):
                items[event.originator_id] = items.get(event.originator_id) or self._opened(event)
                moments.append(movement(event, items[event.originator_id]))
        for claim_id in claims:
            moments += [moment("claim", e) for e in self._events(claim_id)]
        return ordered(moments + self._penalties(penalties, audience))

    def of_claim(self, claim_id: UUID, events: Sequence[Any], audience: Audience) -> list[Moment]:
        """The claim's timeline: its events, its old parts' and the penalties assessed from it."""
        moments = [moment("claim", e) for e in events]
        moments += [moment("old_parts", e) for e in self._events(old_parts_id(claim_id))]
        penalties = [
            event.originator_id
            for event in self._named((Penalty.Assessed,), 0)
            if isinstance(event, Penalty.Assessed) and event.facts.get("claim_id") == str(claim_id)
        ]
        return ordered(moments + self._penalties(penalties, audience))

    def _penalties(self, penalty_ids: Sequence[UUID], audience: Audience) -> list[Moment]:
        """Every event of each penalty the audience may read, with its schedule version."""
        found = []
        for penalty_id in penalty_ids:
            penalty = self.ledger.get_penalty(penalty_id)
            if audience.every_penalty or audience.actor_id in penalty.parties:
                found += [moment("penalty", e, schedule=penalty.schedule) for e in self._events(penalty_id)]
        return found

    def _own(self, entity_id: UUID, missing: NotFound) -> list[Any]:
        events = self._events(entity_id)
        if not events:
            raise missing
        return events

    def _events(self, entity_id: UUID) -> list[Any]:
        try:
            return list(self.ledger.repository.event_store.get(entity_id))
        except PersistenceError as error:
            raise StorageUnavailable(str(error)) from error

    def _opened(self, event: Any) -> StockItem.Opened:
        """The stock item's first event: the part and location it is."""
        try:
            (opened,) = self.ledger.repository.event_store.get(event.originator_id, lte=1)
        except PersistenceError as error:
            raise StorageUnavailable(str(error)) from error
        assert isinstance(opened, StockItem.Opened)
        return opened

    def _named(self, kinds: Sequence[type[Any]], after: int) -> Iterator[Any]:
        """Every event of these kinds recorded after log position `after`, in log order."""
        topics = [get_topic(kind) for kind in kinds]
        recorder, mapper = self.ledger.recorder, self.ledger.mapper
        try:
            while page := recorder.select_notifications(after, PAGE, topics=topics, inclusive_of_start=False):
                yield from (mapper.to_domain_event(notification) for notification in page)
                after = page[-1].id
        except PersistenceError as error:
            raise StorageUnavailable(str(error)) from error


def ticket_moments(events: Sequence[Any]) -> list[Moment]:
    """The ticket's events, each milestone with the corrections of its time."""
    corrections: dict[int, list[Correction]] = {}
    for event in events:
        if isinstance(event, Ticket.MilestoneCorrected):
            corrections.setdefault(event.corrects_version, []).append(
                Correction(
                    version=event.originator_version,
                    recorded_at=event.timestamp,
                    original_occurred_at=event.original_occurred_at,
                    new_occurred_at=event.new_occurred_at,
                    reason=event.reason,
                    actor=event.actor,
                    approver=event.approver,
                )
            )
    return [
        moment(
            "ticket",
            event,
            contract=(event.contract_id, event.contract_version)
            if isinstance(event, Ticket.ContractAssigned)
            else None,
            corrections=tuple(corrections.get(event.originator_version, ())),
        )
        for event in events
    ]


def moment(source: Source, event: Any, **shown: Any) -> Moment:
    """An event as a moment of the timeline."""
    reason = getattr(event, "reason", None)
    return Moment(
        source=source,
        subject_id=str(event.originator_id),
        version=event.originator_version,
        event=type(event).__qualname__,
        occurred_at=event.occurred_at,
        recorded_at=event.timestamp,
        actor=event.actor,
        reason=None if reason is None else str(plain(reason)),
        details=details(event),
        **shown,
    )


def movement(event: Any, item: StockItem.Opened) -> Moment:
    """A stock item's movement for the ticket, naming the part and the location."""
    shown = moment("part_movement", event)
    kind, _ = MOVES[type(event).__name__]
    where = {"kind": kind, "part_number": item.part_number, "location_id": item.location_id}
    return dataclasses.replace(shown, details={**where, **shown.details})


def details(event: Any) -> dict[str, Any]:
    """The event's own fields, in plain JSON terms."""
    fields = (f.name for f in dataclasses.fields(event) if f.name not in ENVELOPE)
    return {name: plain(getattr(event, name)) for name in fields}


def plain(value: Any) -> Any:
    """A value in plain JSON terms: instants and days in ISO 8601, amounts and ids as text, enums
    as their values, records as objects."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return str(value) if isinstance(value, Decimal | UUID) else value


def ordered(moments: list[Moment]) -> list[Moment]:
    """In the order the ledger recorded them."""
    return sorted(moments, key=lambda m: (m.recorded_at, SOURCES.index(m.source), m.subject_id, m.version))
