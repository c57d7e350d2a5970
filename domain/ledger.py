"""ServiceLedger: the one application whose log orders everything that happened."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import JSONTranscoder, PersistenceError, RecordConflictError

from domain.actors import Actor
from domain.errors import ConcurrentUpdate, StorageUnavailable, TicketNotFound
from domain.ticket_terms import Channel, PauseReason
from domain.tickets import Ticket
from domain.transcodings import register_ledger_transcodings

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The ledger's clock: the current instant in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Recorded:
    """What a command returns: the entity, its new version and the log position."""

    id: UUID
    version: int
    position: int


@dataclass(frozen=True)
class TicketDraft:
    """The facts of a report, as given to open a ticket."""

    channel: Channel
    customer_id: str
    site_id: str
    region_tier: str
    severity: str
    category: str
    description: str
    reported_at: datetime
    asset_id: str | None = None


class ServiceLedger(Application[UUID]):
    """Records tickets as immutable events and answers what the log says of them."""

    name = "ServiceLedger"
    env: ClassVar[dict[str, str]] = {"AGGREGATE_CACHE_MAXSIZE": "10000"}
    """Keep recent tickets in memory; the library fast-forwards each from the store before use."""

    def __init__(self, env: dict[str, str] | None = None, clock: Clock = utc_now) -> None:
        super().__init__(env)
        self.clock = clock

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_ledger_transcodings(transcoder)

    def open_ticket(self, draft: TicketDraft, actor: Actor, ticket_id: UUID | None = None) -> Recorded:
        """Open a ticket for a report; the id is made here unless the caller brings one."""
        ticket = Ticket.open(
            ticket_id or uuid4(),
            reported_at=draft.reported_at,
            actor=actor,
            channel=draft.channel,
            customer_id=draft.customer_id,
            site_id=draft.site_id,
            region_tier=draft.region_tier,
            asset_id=draft.asset_id,
            severity=draft.severity,
            category=draft.category,
            description=draft.description,
            now=self.clock(),
        )
        return self._save(ticket)

    def get_ticket(self, ticket_id: UUID, version: int | None = None) -> Ticket:
        """The ticket as its events make it, optionally at an earlier version."""
        try:
            ticket: Ticket = self.repository.get(ticket_id, version=version)
        except AggregateNotFoundError:
            raise TicketNotFound(f"no ticket {ticket_id}", ticket_id=str(ticket_id)) from None
        except PersistenceError as error:
            raise StorageUnavailable(str(error)) from error
        if not isinstance(ticket, Ticket):
            raise TicketNotFound(f"no ticket {ticket_id}", ticket_id=str(ticket_id))
        return ticket

    def record_response(self, ticket_id: UUID, occurred_at: datetime, actor: Actor) -> Recorded:
        return self._update(ticket_id, lambda t, now: t.respond(occurred_at, actor, now))

    def escalate(
        self, ticket_id: UUID, level: int, reason: str, occurred_at: datetime, actor: Actor
    ) -> Recorded:
        return self._update(ticket_id, lambda t, now: t.escalate(level, reason, occurred_at, actor, now))

    def dispatch(
        self, ticket_id: UUID, engineer_id: str, planned_at: datetime, occurred_at: datetime, actor: Actor
    ) -> Recorded:
        return self._update(
            ticket_id, lambda t, now: t.dispatch(engineer_id, planned_at, occurred_at, actor, now)
        )

    def record_departure(
        self, ticket_id: UUID, eta: datetime, occurred_at: datetime, actor: Actor
    ) -> Recorded:
        return self._update(ticket_id, lambda t, now: t.depart(eta, occurred_at, actor, now))

    def record_arrival(self, ticket_id: UUID, occurred_at: datetime, actor: Actor) -> Recorded:
        return self._update(ticket_id, lambda t, now: t.arrive(occurred_at, actor, now))

    def record_restoration(self, ticket_id: UUID, occurred_at: datetime, actor: Actor) -> Recorded:
        return self._update(ticket_id, lambda t, now: t.restore(occurred_at, actor, now))

    def resolve(
        self, ticket_id: UUID, fixed_first_time: bool, resolution: str, occurred_at: datetime, actor: Actor
    ) -> Recorded:
        return self._update(
            ticket_id, lambda t, now: t.resolve(fixed_first_time, resolution, occurred_at, actor, now)
        )

    def record_sign_off(
        self, ticket_id: UUID, satisfaction: int, signed_by: str, occurred_at: datetime, actor: Actor
    ) -> Recorded:
        return self._update(
            ticket_id, lambda t, now: t.sign_off(satisfaction, signed_by, occurred_at, actor, now)
        )

    def record_callback(
        self, ticket_id: UUID, satisfaction: int, answered_by: str, occurred_at: datetime, actor: Actor
    ) -> Recorded:
        return self._update(
            ticket_id, lambda t, now: t.record_callback(satisfaction, answered_by, occurred_at, actor, now)
        )

    def close_ticket(self, ticket_id: UUID, occurred_at: datetime, actor: Actor) -> Recorded:
        return self._update(ticket_id, lambda t, now: t.close(occurred_at, actor, now))

    def reopen(self, ticket_id: UUID, reason: str, occurred_at: datetime, actor: Actor) -> Recorded:
        return self._update(ticket_id, lambda t, now: t.reopen(reason, occurred_at, actor, now))

    def pause(self, ticket_id: UUID, reason: PauseReason, occurred_at: datetime, actor: Actor) -> Recorded:
        return self._update(ticket_id, lambda t, now: t.pause(reason, occurred_at, actor, now))

    def resume(self, ticket_id: UUID, occurred_at: datetime, actor: Actor) -> Recorded:
        return self._update(ticket_id, lambda t, now: t.resume(occurred_at, actor, now))

    def cancel(self, ticket_id: UUID, reason: str, occurred_at: datetime, actor: Actor) -> Recorded:
        return self._update(ticket_id, lambda t, now: t.cancel(reason, occurred_at, actor, now))

    def correct_milestone(
        self,
        ticket_id: UUID,
        corrects_version: int,
        new_occurred_at: datetime,
        reason: str,
        actor: Actor,
        approver: Actor,
    ) -> Recorded:
        return self._update(
            ticket_id,
            lambda t, now: t.correct_milestone(
                corrects_version, new_occurred_at, reason, actor, approver, now
            ),
        )

    def _update(self, ticket_id: UUID, command: Callable[[Ticket, datetime], Any]) -> Recorded:
        ticket = self.get_ticket(ticket_id)
        command(ticket, self.clock())
        return self._save(ticket)

    def _save(self, ticket: Ticket) -> Recorded:
        try:
            recordings = self.save(ticket)
        except RecordConflictError:
            self._forget(ticket.id)
            msg = f"ticket {ticket.id} was changed by another writer; reload it and try again"
            raise ConcurrentUpdate(msg, ticket_id=str(ticket.id)) from None
        except PersistenceError as error:
            raise StorageUnavailable(str(error)) from error
        position = recordings[-1].notification.id
        return Recorded(id=ticket.id, version=ticket.version, position=position)

    def _forget(self, ticket_id: UUID) -> None:
        """Drop a cached ticket that lost a race, so the next command loads it afresh."""
        if self.repository.cache is not None:
            with suppress(KeyError):
                self.repository.cache.get(ticket_id, evict=True)
