"""The access log: every read by an auditor or a regulator (who, what, when, with which filters)
recorded as an event of the ledger's own log, so that it is chained and exported like any other
event. One record per read, each its own aggregate: readers never contend."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actors import Actor, Role

WATCHED = frozenset({Role.AUDITOR, Role.REGULATOR})
"""The roles whose reads are recorded."""


class AccessRecord(Aggregate):
    """One read: who made it, the path and the query (its filters), and the answer's status."""

    class Read(Aggregate.Created):
        occurred_at: datetime
        actor: Actor
        method: str
        path: str
        query: str
        status: int

    @event(Read)
    def __init__(
        self, occurred_at: datetime, actor: Actor, method: str, path: str, query: str, status: int
    ) -> None:
        self.occurred_at = occurred_at
        self.actor = actor
        self.method = method
        self.path = path
        self.query = query
        self.status = status

    @classmethod
    def record(
        cls, record_id: UUID, actor: Actor, method: str, path: str, query: str, status: int, now: datetime
    ) -> AccessRecord:
        return cls._create(
            cls.Read,
            id=record_id,
            occurred_at=now,
            actor=actor,
            method=method,
            path=path,
            query=query,
            status=status,
        )
