"""Rows kept with every earlier version by recorded time: what a view needs to answer as the ledger
knew it at a past time T. Shared by the stock and asset views (memory and SQL alike)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, ClassVar, Generic, Protocol, TypeVar
from uuid import UUID

from eventsourcing.application import Repository
from eventsourcing.domain import Aggregate

A = TypeVar("A", bound=Aggregate)
K = TypeVar("K", str, tuple[str, str])
"""A row's key: a serial, or a part number and a location."""


class Versioned(Protocol):
    """A row computed after the event at `position`, valid from `recorded_at`."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def version(self) -> int: ...

    @property
    def position(self) -> int: ...

    @property
    def recorded_at(self) -> datetime: ...


R = TypeVar("R", bound=Versioned)


class AggregateSource(Protocol):
    """What a projection asks of the ledger: its repository, to load an aggregate at a version."""

    @property
    def repository(self) -> Repository[UUID]: ...


def replayed(source: AggregateSource, event: Any, aggregate: A | None, kind: type[A]) -> A:
    """The aggregate as the event leaves it: loaded once per batch (at the version before the
    event), then moved on event by event."""
    if aggregate is None and event.originator_version > 1:
        loaded: object = source.repository.get(event.originator_id, version=event.originator_version - 1)
        assert isinstance(loaded, kind)
        aggregate = loaded
    moved = event.mutate(aggregate)
    assert isinstance(moved, kind)
    return moved


def same_figures(row: Any, other: Any) -> bool:
    """Whether two rows differ only in which event they were last computed after."""
    return bool(
        replace(row, version=0, position=0, recorded_at=other.recorded_at) == replace(other, version=0)
    )


def changes(fresh: Iterable[tuple[K, R]], last: Mapping[K, R]) -> list[R]:
    """The rows that say something new, in log order. A change is never recorded earlier than the
    key's previous one, so that each key's versions follow one another in time."""
    known = dict(last)
    changed: list[R] = []
    for key, computed in fresh:
        row, before = computed, known.get(key)
        if before is not None:
            row = replace(computed, recorded_at=max(computed.recorded_at, before.recorded_at))
            if same_figures(row, before):
                continue
        known[key] = row
        changed.append(row)
    return changed


class MemoryVersions(Generic[K, R]):
    """Current rows by key, and each key's versions in log order (callers hold the view's lock)."""

    def __init__(self) -> None:
        self.current: dict[K, R] = {}
        self.history: dict[K, list[R]] = {}

    def put(self, key: K, row: R) -> None:
        self.current[key] = row
        self.history.setdefault(key, []).append(row)

    def known(self, as_of: datetime | None) -> list[R]:
        """Each key's row as of the time (its latest version recorded by then), by key."""
        if as_of is None:
            return [self.current[k] for k in sorted(self.current)]
        rows = {
            key: found
            for key, versions in self.history.items()
            if (found := next((v for v in reversed(versions) if v.recorded_at <= as_of), None))
        }
        return [rows[k] for k in sorted(rows)]

    def clear(self) -> None:
        self.current.clear()
        self.history.clear()
