"""Signed checkpoints of the hash chain, kept in `chain_checkpoints`, and the chain's links where
the store knows them.

A link is read from the chain sealer's `event_chain` (projections/chain_sealer.py) when it is
there, and otherwise folded (domain/audit_chain.py) from the nearest link the store already knows:
a sealed link or a checkpoint at or before it, else the genesis link before the first event. A
checkpoint is the log head's link, signed.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from threading import Lock
from typing import Any

from eventsourcing.application import Application

from domain.audit_chain import GENESIS, StoredEvent, link
from domain.checkpoints import Checkpoint, SigningKey
from domain.errors import RuleViolation
from projections.chain_sealer import ChainStore, chain_store
from projections.read_side import dialect_for
from projections.sql import Dialect

PAGE = 5_000
"""Events read from the log at a time."""
CLOCK_MARGIN = timedelta(minutes=1)
"""How far apart two hosts' clocks may be: an export starts from a checkpoint signed at least this
long before its period, so that no event of the period lies before the checkpoint."""


class CheckpointStore(ABC):
    """Signed checkpoints by log position."""

    @abstractmethod
    def save(self, checkpoint: Checkpoint) -> bool:
        """Store a checkpoint; False when one at its position is already stored."""

    @abstractmethod
    def checkpoints(self, before: int | None, limit: int) -> list[Checkpoint]:
        """Checkpoints newest first, those below position `before` when it is given."""

    @abstractmethod
    def checkpoint_at(self, position: int) -> Checkpoint | None: ...

    @abstractmethod
    def signed_before(self, instant: datetime) -> Checkpoint | None:
        """The checkpoint signed last before `instant`."""


class MemoryCheckpointStore(CheckpointStore):
    def __init__(self) -> None:
        self.lock = Lock()
        self.by_position: dict[int, Checkpoint] = {}

    def save(self, checkpoint: Checkpoint) -> bool:
        with self.lock:
            return self.by_position.setdefault(checkpoint.position, checkpoint) is checkpoint

    def checkpoints(self, before: int | None, limit: int) -> list[Checkpoint]:
        with self.lock:
            found = sorted(self.by_position.values(), key=lambda c: -c.position)
        return [c for c in found if before is None or c.position < before][:limit]

    def checkpoint_at(self, position: int) -> Checkpoint | None:
        with self.lock:
            return self.by_position.get(position)

    def signed_before(self, instant: datetime) -> Checkpoint | None:
        with self.lock:
            earlier = [c for c in self.by_position.values() if c.signed_at < instant]
        return max(earlier, key=lambda c: c.signed_at, default=None)


class SqlCheckpointStore(CheckpointStore):
    """`chain_checkpoints` (migration 0012) on SQLite or PostgreSQL."""

    COLUMNS = "position, link, signed_at, public_key, signature"

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect

    def save(self, checkpoint: Checkpoint) -> bool:
        with self.dialect.transaction(commit=True) as cursor:
            cursor.execute(
                self.dialect.sql(
                    f"INSERT INTO chain_checkpoints ({self.COLUMNS}) VALUES (%s, %s, %s, %s, %s) "
                    "ON CONFLICT (position) DO NOTHING RETURNING position"
                ),
                (
                    checkpoint.position,
                    checkpoint.link,
                    self.dialect.time_in(checkpoint.signed_at),
                    checkpoint.public_key,
                    checkpoint.signature,
                ),
            )
            return cursor.fetchone() is not None

    def checkpoints(self, before: int | None, limit: int) -> list[Checkpoint]:
        where = "" if before is None else " WHERE position < %s"
        params = (limit,) if before is None else (before, limit)
        return self._select(f"{where} ORDER BY position DESC LIMIT %s", params)

    def checkpoint_at(self, position: int) -> Checkpoint | None:
        return next(iter(self._select(" WHERE position = %s", (position,))), None)

    def signed_before(self, instant: datetime) -> Checkpoint | None:
        found = self._select(
            " WHERE signed_at < %s ORDER BY signed_at DESC LIMIT 1", (self.dialect.time_in(instant),)
        )
        return next(iter(found), None)

    def _select(self, clauses: str, params: tuple[Any, ...]) -> list[Checkpoint]:
        with self.dialect.transaction(commit=False) as cursor:
            cursor.execute(self.dialect.sql(f"SELECT {self.COLUMNS} FROM chain_checkpoints{clauses}"), params)
            rows = list(cursor.fetchall())
        return [
            Checkpoint(
                position=int(row["position"]),
                link=bytes(row["link"]),
                signed_at=self.dialect.time_out(row["signed_at"]),  # type: ignore[arg-type]  # NOT NULL
                public_key=str(row["public_key"]),
                signature=bytes(row["signature"]),
            )
            for row in rows
        ]


@dataclass(frozen=True)
class Chain:
    """The chain as the store knows it: the sealer's links, and the signed checkpoints."""

    sealed: ChainStore
    checkpoints: CheckpointStore

    @classmethod
    def of(cls, ledger: Application[Any], sealed: ChainStore | None = None) -> Chain:
        """On the ledger's own database, or in memory for the in-memory store; with the sealer's
        store when given (in memory, only the running sealer's own store holds links)."""
        dialect = dialect_for(ledger)
        checkpoints = SqlCheckpointStore(dialect) if dialect else MemoryCheckpointStore()
        return cls(sealed or chain_store(dialect), checkpoints)

    def sealed_links(self, after: int, upto: int) -> dict[int, bytes]:
        """The sealed links of the positions after `after` up to `upto`."""
        return dict(self.sealed.links(after, upto, upto - after))

    def nearest_known(self, position: int) -> tuple[int, bytes]:
        """The nearest link at or before `position`, sealed or checkpointed; the genesis link (at
        position 0) when the store knows none."""
        sealed = self.sealed.link_before(position + 1)
        latest = self.checkpoints.checkpoints(position + 1, 1)
        signed = (latest[0].position, latest[0].link) if latest else (0, GENESIS)
        return max((sealed.position, sealed.link), signed, key=lambda known: known[0])

    def link_at(self, ledger: Application[Any], position: int) -> bytes:
        """The link at `position`: sealed, or folded from the nearest link known before it."""
        known, value = self.nearest_known(position)
        for page in event_pages(ledger, known, position):
            for event in page:
                value = link(value, event)
        return value

    def checkpoint(self, ledger: Application[Any], key: SigningKey, now: datetime) -> tuple[Checkpoint, bool]:
        """Sign the link at the log head; the checkpoint, and whether it is new (the head may
        already have one, made by an earlier request or by another instance of the service)."""
        head = ledger.recorder.max_notification_id() or 0
        if head == 0:
            raise RuleViolation("the log is empty: there is no chain head to sign yet")
        existing = self.checkpoints.checkpoint_at(head)
        if existing is not None:
            return existing, False
        made = key.checkpoint(head, self.link_at(ledger, head), now)
        if self.checkpoints.save(made):
            return made, True
        stored = self.checkpoints.checkpoint_at(head)
        assert stored is not None
        return stored, False


def event_pages(ledger: Application[Any], after: int, upto: int) -> Iterator[list[StoredEvent]]:
    """The log's events after position `after` up to `upto`, a page at a time."""
    while after < upto:
        notifications = ledger.recorder.select_notifications(
            start=after, limit=PAGE, stop=upto, inclusive_of_start=False
        )
        if not notifications:
            return
        yield [
            StoredEvent(n.id, str(n.originator_id), n.originator_version, n.topic, n.state)
            for n in notifications
        ]
        after = notifications[-1].id
