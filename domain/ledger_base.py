"""What every part of the ledger application shares: the clock, the stored value types, and
loading and saving aggregates with the library's errors turned into the ledger's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate, DomainEvent
from eventsourcing.persistence import JSONTranscoder, PersistenceError, RecordConflictError

from domain.errors import ConcurrentUpdate, NotFound, StorageUnavailable, TicketNotFound
from domain.personal_data import require_sealed
from domain.tickets import Ticket
from domain.transcodings import register_ledger_transcodings

Clock = Callable[[], datetime]
A = TypeVar("A", bound=Aggregate)


def utc_now() -> datetime:
    """The ledger's clock: the current instant in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Recorded:
    """What a command returns: the entity, its new version and the log position."""

    id: UUID
    version: int
    position: int


class LedgerBase(Application[UUID]):
    """The application's plumbing: one log, the clock, and the ledger's errors."""

    def __init__(self, env: dict[str, str] | None = None, clock: Clock = utc_now) -> None:
        super().__init__(env)
        self.clock = clock

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_ledger_transcodings(transcoder)

    def get_ticket(self, ticket_id: UUID, version: int | None = None) -> Ticket:
        """The ticket as its events make it, optionally at an earlier version."""
        return self._load(ticket_id, Ticket, TicketNotFound, version)

    def version_at(self, aggregate_id: UUID, as_of: datetime) -> int:
        """The aggregate's version as the ledger knew it at the recorded time `as_of`: that of its
        last event recorded by then, or 0 if none was (loading version 0 finds nothing)."""
        version = 0
        try:
            for recorded in self.repository.event_store.get(aggregate_id):
                assert isinstance(recorded, DomainEvent)
                if recorded.timestamp > as_of:
                    break
                version = recorded.originator_version
        except PersistenceError as error:
            raise StorageUnavailable(str(error)) from error
        return version

    def _load(
        self, aggregate_id: UUID, kind: type[A], missing: type[NotFound], version: int | None = None
    ) -> A:
        aggregate: Aggregate | None
        try:
            aggregate = self.repository.get(aggregate_id, version=version)
        except AggregateNotFoundError:
            aggregate = None
        except PersistenceError as error:
            raise StorageUnavailable(str(error)) from error
        if not isinstance(aggregate, kind):
            raise missing(
                f"no {kind.__name__.lower()} {aggregate_id}", **{missing.id_field: str(aggregate_id)}
            )
        return aggregate

    def _find(self, aggregate_id: UUID, kind: type[A]) -> A | None:
        """The aggregate if it has been recorded, else None (for aggregates a first command creates)."""
        try:
            found: Aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        except PersistenceError as error:
            raise StorageUnavailable(str(error)) from error
        assert isinstance(found, kind)
        return found

    def _save(self, aggregate: Aggregate, *others: Aggregate) -> Recorded:
        """Record the new events of `aggregate` (and of `others`, in the same transaction); none
        may carry a declared personal field unsealed (domain/personal_data.py)."""
        for pending in (aggregate, *others):
            for new in pending.pending_events:
                require_sealed(new)
        try:
            recordings = self.save(aggregate, *others)
        except RecordConflictError:
            # The cache is untouched: it hands out copies, and fast-forwards them on the next load.
            msg = f"{aggregate.id} was changed by another writer; reload it and try again"
            raise ConcurrentUpdate(msg, id=str(aggregate.id)) from None
        except PersistenceError as error:
            raise StorageUnavailable(str(error)) from error
        position = recordings[-1].notification.id
        return Recorded(id=aggregate.id, version=aggregate.version, position=position)
