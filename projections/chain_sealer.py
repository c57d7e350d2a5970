"""The chain sealer: follows the ledger's log and seals each event into the hash chain
(domain/audit_chain.py), writing its link to `event_chain` in the transaction that tracks it.

It hashes the events as the log stores them (the notifications' stored topic and payload bytes),
never events decoded and encoded again, so the chain vouches for what the store holds. It is no
view: nothing rebuilds it, since sealing a changed log again would vouch for the change.

Why a sealer that follows the log, and not a link written in the transaction that records each
event: events are written by the library's recorders, and by our group commit, which puts many
callers' saves in one transaction. A link written there needs the link before it, so every
writing transaction would read the chain's head, hash its events and write their links while
holding it: every writer would be serialised on the head, for longer than the log's own lock
holds them now, and the chain would be woven into the library's insert on each store. The sealer
reads behind the writers, in log order, a batch per transaction: the write path is untouched,
and the chain trails the log by the sealer's lag, well under a second (it follows the log's
subscription as the views do: bench/verify.py measures it). An event recorded but not yet sealed
is shown as such (GET /audit/chain's sealed lag; `ledger verify` counts it), never as verified.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Any, NamedTuple

from eventsourcing.persistence import Notification, Tracking, TrackingRecorder
from eventsourcing.postgres import PostgresDatastore
from psycopg.rows import tuple_row

from domain.audit_chain import GENESIS, link_fields
from projections.batching import BatchProjection, Positioned
from projections.memory import MemoryView
from projections.runner import ViewRunner
from projections.sql import Cursor, Dialect, SqlView

CHAIN = "event_chain"
"""The sealer's name (as the views have theirs), and the table of its links."""
LAST_POSITION = 2**63 - 1
"""Above every log position: the bound of a read to the end of the log."""


class Sealed(NamedTuple):
    """A sealed position and its link."""

    position: int
    link: bytes


UNSEALED = Sealed(0, GENESIS)
"""The chain's head before any event is sealed."""


def links_after(head: Sealed, notifications: Sequence[Notification]) -> list[tuple[int, bytes]]:
    """The (position, link) of each notification after the head, in log order, each link chained
    to the one before."""
    previous, sealed = head.link, []
    for n in notifications:
        if n.id > head.position:
            fields = (str(n.originator_id), n.originator_version, n.topic, n.state)
            previous = link_fields(previous, n.id, *fields)
            sealed.append((n.id, previous))
    return sealed


class ChainStore(TrackingRecorder, ABC):
    """The chain's links by log position, and how far the sealer has read."""

    @abstractmethod
    def seal(self, notifications: Sequence[Notification], tracking: Tracking) -> None:
        """Link the notifications after the head and keep the links with `tracking`, atomically."""

    @abstractmethod
    def head(self) -> Sealed:
        """The last sealed position and its link (UNSEALED when none is)."""

    @abstractmethod
    def links(self, after: int, upto: int | None, limit: int) -> Sequence[tuple[int, bytes]]:
        """Up to `limit` (position, link) pairs after `after` (and up to `upto`), in order."""

    @abstractmethod
    def link_before(self, position: int) -> Sealed:
        """The last sealed position before `position` (UNSEALED when none is)."""


class SqlChainStore(SqlView, ChainStore):
    """Links in `event_chain`, tracked in `event_chain_tracking`; the key refuses a position twice."""

    tables = (CHAIN,)

    def __init__(self, dialect: Dialect) -> None:
        super().__init__(dialect, CHAIN)

    def seal(self, notifications: Sequence[Notification], tracking: Tracking) -> None:
        # Links are written durably: unlike a view, a lost link would be sealed again from a log
        # that may have changed in between.
        with self.dialect.transaction(commit=True) as cursor:
            sealed = links_after(self._head(cursor), notifications)
            if sealed and self.dialect.name == "postgres":  # one statement, not one per link
                cursor.execute(
                    f"INSERT INTO {CHAIN} (position, link) SELECT * FROM unnest(%b::bigint[], %b::bytea[])",
                    ([position for position, _ in sealed], [link for _, link in sealed]),
                )
            elif sealed:
                cursor.executemany(f"INSERT INTO {CHAIN} (position, link) VALUES (?, ?)", sealed)
            self.track(cursor, tracking)

    def head(self) -> Sealed:
        with self.dialect.transaction(commit=False) as cursor:
            return self._head(cursor)

    def links(self, after: int, upto: int | None, limit: int) -> Sequence[tuple[int, bytes]]:
        return fetch_rows(
            self.dialect,
            f"SELECT position, link FROM {CHAIN} WHERE position > %s AND position <= %s "
            "ORDER BY position LIMIT %s",
            (after, LAST_POSITION if upto is None else upto, limit),
        )

    def link_before(self, position: int) -> Sealed:
        rows = fetch_rows(
            self.dialect,
            f"SELECT position, link FROM {CHAIN} WHERE position < %s ORDER BY position DESC LIMIT 1",
            (position,),
        )
        return Sealed(rows[0][0], bytes(rows[0][1])) if rows else UNSEALED

    @staticmethod
    def _head(cursor: Cursor) -> Sealed:
        cursor.execute(f"SELECT position, link FROM {CHAIN} ORDER BY position DESC LIMIT 1")
        row = cursor.fetchone()
        return UNSEALED if row is None else Sealed(int(row["position"]), bytes(row["link"]))


class MemoryChainStore(MemoryView, ChainStore):
    """Links kept in a list in log order (the in-memory store keeps its log no longer either)."""

    def __init__(self) -> None:
        super().__init__()
        self.sealed: list[tuple[int, bytes]] = []

    def seal(self, notifications: Sequence[Notification], tracking: Tracking) -> None:
        with self.writing(tracking):
            sealed = links_after(self.head(), notifications)
            self.sealed.extend(sealed)

    def head(self) -> Sealed:
        with self.lock:
            return Sealed(*self.sealed[-1]) if self.sealed else UNSEALED

    def links(self, after: int, upto: int | None, limit: int) -> Sequence[tuple[int, bytes]]:
        with self.lock:
            start = bisect_right(self.sealed, after, key=_position)
            stop = len(self.sealed) if upto is None else bisect_right(self.sealed, upto, key=_position)
            return self.sealed[start : min(stop, start + limit)]

    def link_before(self, position: int) -> Sealed:
        with self.lock:
            index = bisect_left(self.sealed, position, key=_position)
            return Sealed(*self.sealed[index - 1]) if index else UNSEALED

    def clear_rows(self) -> None:
        self.sealed.clear()


def _position(sealed: tuple[int, bytes]) -> int:
    return sealed[0]


class ChainSealer(BatchProjection[ChainStore]):
    """Seals a batch of the log: each Positioned holds the stored notification, undecoded."""

    name = CHAIN
    topics = ()

    def process_batch(self, events: Sequence[Positioned], tracking: Tracking) -> None:
        self.view.seal([p.event for p in events], tracking)


class SealerRunner(ViewRunner):
    """Follows the log like a view's runner, handing the sealer notifications as they are stored."""

    def _process(self, notifications: Sequence[Notification]) -> None:
        self.projection.process_batch(
            [Positioned(n, n.id) for n in notifications], Tracking(self.ledger.name, notifications[-1].id)
        )


def fetch_rows(dialect: Dialect, statement: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    """A read's rows as plain tuples; on PostgreSQL fetched in binary (bytes come as they are)."""
    if isinstance(dialect.datastore, PostgresDatastore):
        with dialect.datastore.get_connection() as connection:
            rows = connection.cursor(row_factory=tuple_row).execute(
                statement, params, prepare=True, binary=True
            )
            return rows.fetchall()
    with dialect.transaction(commit=False) as cursor:
        cursor.execute(dialect.sql(statement), params)
        return [tuple(row) for row in cursor.fetchall()]


def chain_store(dialect: Dialect | None) -> ChainStore:
    """The chain in the ledger's own database, or in memory for the in-memory store."""
    return SqlChainStore(dialect) if dialect else MemoryChainStore()
