"""Customers' data keys in the ledger's own database (`customer_keys`, migration 0014), and the
personal-data service of a ledger on whichever store it uses."""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import Application

from domain.personal_data import CustomerKey, KeyStore, MemoryKeyStore, PersonalData
from projections.read_side import dialect_for
from projections.sql import IN_CHUNK, Dialect


class SqlKeyStore(KeyStore):
    """`customer_keys` on SQLite or PostgreSQL. A partial unique index keeps one live key per
    customer, so two writers sealing for a new customer at once agree on its key."""

    COLUMNS = "key_id, customer_id, material, created_at, forgotten_at"

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect

    def live_key(self, customer_id: str) -> CustomerKey | None:
        return self._one(" WHERE customer_id = %s AND material IS NOT NULL", (customer_id,))

    def add(self, key: CustomerKey) -> CustomerKey:
        with self.dialect.transaction(commit=True) as cursor:
            cursor.execute(
                self.dialect.sql(
                    f"INSERT INTO customer_keys ({self.COLUMNS}) VALUES (%s, %s, %s, %s, NULL) "
                    "ON CONFLICT DO NOTHING"
                ),
                (key.key_id.hex, key.customer_id, key.material, self.dialect.time_in(key.created_at)),
            )
        live = self.live_key(key.customer_id)
        assert live is not None
        return live

    def keys(self, key_ids: Collection[UUID]) -> dict[UUID, CustomerKey]:
        wanted = [k.hex for k in key_ids]
        found: dict[UUID, CustomerKey] = {}
        for start in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[start : start + IN_CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            found.update((k.key_id, k) for k in self._all(f" WHERE key_id IN ({marks})", tuple(chunk)))
        return found

    def shred(self, customer_id: str, at: datetime) -> int:
        with self.dialect.transaction(commit=True) as cursor:
            if self.dialect.name == "sqlite":
                # Overwrite the old row's bytes in the database file rather than only unlinking them.
                cursor.execute("PRAGMA secure_delete = ON")
            cursor.execute(
                self.dialect.sql(
                    "UPDATE customer_keys SET material = NULL, forgotten_at = %s "
                    "WHERE customer_id = %s AND material IS NOT NULL RETURNING key_id"
                ),
                (self.dialect.time_in(at), customer_id),
            )
            return len(cursor.fetchall())

    def rewrap(self, change: Callable[[CustomerKey], bytes]) -> int:
        with self.dialect.transaction(commit=True) as cursor:
            if self.dialect.name == "postgres":
                # No key is added or shredded while the keys are wrapped anew.
                cursor.execute("LOCK TABLE customer_keys IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute(f"SELECT {self.COLUMNS} FROM customer_keys WHERE material IS NOT NULL")
            keys = [self._key(row) for row in cursor.fetchall()]
            cursor.executemany(
                self.dialect.sql("UPDATE customer_keys SET material = %s WHERE key_id = %s"),
                [(change(key), key.key_id.hex) for key in keys],
            )
        return len(keys)

    def _one(self, where: str, params: tuple[Any, ...]) -> CustomerKey | None:
        return next(iter(self._all(where, params)), None)

    def _all(self, where: str, params: tuple[Any, ...]) -> list[CustomerKey]:
        with self.dialect.transaction(commit=False) as cursor:
            cursor.execute(self.dialect.sql(f"SELECT {self.COLUMNS} FROM customer_keys{where}"), params)
            return [self._key(row) for row in cursor.fetchall()]

    def _key(self, row: Any) -> CustomerKey:
        created_at = self.dialect.time_out(row["created_at"])
        assert created_at is not None
        return CustomerKey(
            key_id=UUID(hex=row["key_id"]),
            customer_id=str(row["customer_id"]),
            material=None if row["material"] is None else bytes(row["material"]),
            created_at=created_at,
            forgotten_at=self.dialect.time_out(row["forgotten_at"]),
        )


def personal_data_for(ledger: Application[Any], wrapping: bytes | None) -> PersonalData:
    """The personal-data service on the ledger's own database (in memory for the in-memory store)."""
    dialect = dialect_for(ledger)
    return PersonalData(SqlKeyStore(dialect) if dialect else MemoryKeyStore(), wrapping)
