"""Rows of the stock and asset views in SQL: how a row's fields are stored (instants, days, amounts
in whole hundredths, flags), and a table of current rows beside a table of their versions."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from domain.money import cents, from_cents
from projections.sql import Cursor, Dialect
from projections.versioned import Versioned

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T")
D = TypeVar("D", bound="DataclassInstance")
R = TypeVar("R", bound=Versioned)
CHUNK = 400
"""Keys looked up per statement: well under SQLite's limit on parameters."""


def clause(conditions: Sequence[str]) -> str:
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


def chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


@dataclass(frozen=True)
class Codec(Generic[D]):
    """How the fields of a row type are stored: the columns are the fields, in order."""

    kind: type[D]
    times: frozenset[str] = frozenset()
    days: frozenset[str] = frozenset()
    money: frozenset[str] = frozenset()
    flags: frozenset[str] = frozenset()
    columns: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(f.name for f in fields(self.kind)))

    @property
    def selected(self) -> str:
        return ", ".join(self.columns)

    def params(self, dialect: Dialect, row: D) -> tuple[Any, ...]:
        return tuple(self.stored(dialect, c, getattr(row, c)) for c in self.columns)

    def stored(self, dialect: Dialect, column: str, value: Any) -> Any:
        if value is None:
            return None
        if column in self.times:
            return dialect.time_in(value)
        if column in self.days:
            return day_in(dialect, value)
        return cents(value) if column in self.money else value

    def row(self, dialect: Dialect, record: Any) -> D:
        values = {c: None if record[c] is None else self.loaded(dialect, c, record[c]) for c in self.columns}
        return self.kind(**values)

    def loaded(self, dialect: Dialect, column: str, value: Any) -> Any:
        if column in self.times:
            return dialect.time_out(value)
        if column in self.days:
            return value if isinstance(value, date) else date.fromisoformat(value)
        if column in self.money:
            return from_cents(int(value))
        return bool(value) if column in self.flags else value


def day_in(dialect: Dialect, day: date) -> Any:
    """SQLite keeps days as ISO text, so text order is day order."""
    return day.isoformat() if dialect.name == "sqlite" else day


def upsert(codec: Codec[Any], table: str, keys: Sequence[str]) -> str:
    """A statement that writes a row over the one with the same key, or adds it."""
    updated = ", ".join(f"{c} = excluded.{c}" for c in codec.columns if c not in keys)
    marks = ", ".join(["%s"] * len(codec.columns))
    return (
        f"INSERT INTO {table} ({codec.selected}) VALUES ({marks}) "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updated}"
    )


def rows_for(
    dialect: Dialect,
    cursor: Cursor,
    codec: Codec[D],
    table: str,
    keys: Sequence[str],
    wanted: Collection[Any],
) -> dict[tuple[Any, ...], D]:
    """The rows of the table with the keys wanted (each a tuple of the `keys` columns' values)."""
    found: dict[tuple[Any, ...], D] = {}
    for chunk in chunks(list(wanted)):
        rows = ", ".join([f"({', '.join(['%s'] * len(keys))})"] * len(chunk))
        statement = f"SELECT {codec.selected} FROM {table} WHERE ({', '.join(keys)}) IN (VALUES {rows})"
        cursor.execute(dialect.sql(statement), tuple(v for key in chunk for v in key))
        for record in cursor.fetchall():
            row = codec.row(dialect, record)
            found[tuple(getattr(row, k) for k in keys)] = row
    return found


class VersionedTables(Generic[R]):
    """Each key's current row, and every row it has had, valid from its `recorded_at` until the
    next one's (`superseded_at`, empty while current)."""

    def __init__(
        self, dialect: Dialect, codec: Codec[R], current: str, versions: str, keys: Sequence[str]
    ) -> None:
        self.dialect, self.codec, self.current, self.versions = dialect, codec, current, versions
        self.keys = tuple(keys)
        self.upsert = upsert(codec, current, self.keys)
        marks = ", ".join(["%s"] * len(codec.columns))
        self.append = f"INSERT INTO {versions} ({codec.selected}, superseded_at) VALUES ({marks}, %s)"
        matches = " AND ".join(f"{k} = %s" for k in self.keys)
        self.supersede = f"UPDATE {versions} SET superseded_at = %s WHERE {matches} AND superseded_at IS NULL"

    def key_of(self, row: R) -> tuple[Any, ...]:
        return tuple(getattr(row, k) for k in self.keys)

    def rows_for(self, cursor: Cursor, keys: Collection[tuple[Any, ...]]) -> dict[tuple[Any, ...], R]:
        """The current rows of the keys that have one."""
        return rows_for(self.dialect, cursor, self.codec, self.current, self.keys, keys)

    def write(self, cursor: Cursor, changes: Sequence[R]) -> dict[tuple[Any, ...], R]:
        """Append the changes (in log order) to the versions and keep each key's last as its
        current row; the current rows they replace."""
        latest = {self.key_of(row): row for row in changes}
        before = self.rows_for(cursor, list(latest))
        first = {self.key_of(row): row for row in reversed(changes)}
        time_in = self.dialect.time_in
        sql = self.dialect.sql
        cursor.executemany(sql(self.supersede), [(time_in(first[k].recorded_at), *k) for k in before])
        cursor.executemany(sql(self.upsert), [self.codec.params(self.dialect, r) for r in latest.values()])
        following: dict[tuple[Any, ...], Any] = {}
        appended = []
        for row in reversed(changes):
            key = self.key_of(row)
            appended.append((*self.codec.params(self.dialect, row), following.get(key)))
            following[key] = time_in(row.recorded_at)
        cursor.executemany(sql(self.append), appended[::-1])
        return before

    def source(self, as_of: datetime | None) -> tuple[str, list[str], list[Any]]:
        """The table to read rows from, as of a time, with the conditions that pick its rows."""
        if as_of is None:
            return self.current, [], []
        valid = "recorded_at <= %s AND (superseded_at IS NULL OR superseded_at > %s)"
        return self.versions, [valid], [self.dialect.time_in(as_of)] * 2

    def in_flight(self, as_of: datetime) -> tuple[list[str], list[Any]]:
        """The conditions that pick the versions valid at a time that are no longer current (those
        of the keys changed since), and their parameters: superseded after it, recorded by it."""
        at = self.dialect.time_in(as_of)
        return ["superseded_at > %s", "recorded_at <= %s"], [at, at]

    def all_rows(self, cursor: Cursor) -> list[R]:
        order = ", ".join(self.keys)
        cursor.execute(f"SELECT {self.codec.selected} FROM {self.current} ORDER BY {order}")
        return [self.codec.row(self.dialect, r) for r in cursor.fetchall()]
