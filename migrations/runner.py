"""Let the library create its own tables, then apply the project's SQL migrations once each (a
migration may refer to the library's tables: 0013 makes the log append-only)."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from eventsourcing.postgres import PostgresDatastore

from domain.ledger import ServiceLedger
from projections.read_side import dialect_for
from projections.recorders import owner_env
from projections.sql import Cursor, Dialect

HERE = Path(__file__).parent
LOCK_KEY = 7_205_318_841
"""PostgreSQL advisory lock that serialises concurrent migrators."""
DOLLAR_QUOTE = re.compile(r"\$\w*\$")
"""Opens or closes a PostgreSQL dollar-quoted body, such as a function's."""


@dataclass(frozen=True)
class Migration:
    version: str
    path: Path

    def statements(self) -> list[str]:
        """The file's statements in order. A `;` inside a dollar-quoted body (PostgreSQL) or a
        trigger's BEGIN ... END (SQLite) does not end a statement."""
        lines = [line for line in self.path.read_text().splitlines() if not line.lstrip().startswith("--")]
        statements: list[str] = []
        pending: list[str] = []
        for piece in "\n".join(lines).split(";"):
            pending.append(piece)
            if self._is_complete(";".join(pending)):
                statements.append(";".join(pending).strip())
                pending = []
        statements.append(";".join(pending).strip())
        return [s for s in statements if s]

    def _is_complete(self, text: str) -> bool:
        if self.path.parent.name == "sqlite":
            return sqlite3.complete_statement(text + ";")
        return len(DOLLAR_QUOTE.findall(text)) % 2 == 0


def migrations_for(dialect: str) -> list[Migration]:
    return [Migration(p.stem, p) for p in sorted((HERE / dialect).glob("*.sql"))]


def migrate(env: Mapping[str, str] | None = None) -> list[str]:
    """Bring the store named by the environment up to date, connected as the owner of its tables;
    the versions applied now."""
    env = owner_env(env or {})
    probe = ServiceLedger(env={**env, "CREATE_TABLE": "n"})
    try:
        dialect = dialect_for(probe)
        if dialect is None:
            return []
        with migration_lock(dialect):
            ServiceLedger(env={**env, "CREATE_TABLE": "y"}).close()
            return apply_migrations(dialect)
    finally:
        probe.close()


@contextmanager
def migration_lock(dialect: Dialect) -> Iterator[None]:
    """One migrator at a time on PostgreSQL (SQLite serialises writers by itself)."""
    if not isinstance(dialect.datastore, PostgresDatastore):
        yield
        return
    with dialect.datastore.get_connection() as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        try:
            yield
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (LOCK_KEY,))


def apply_migrations(dialect: Dialect) -> list[str]:
    applied_now: list[str] = []
    with dialect.transaction(commit=True) as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(version TEXT NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        for migration in migrations_for(dialect.name):
            if not _is_applied(dialect, cursor, migration.version):
                for statement in migration.statements():
                    cursor.execute(statement)
                cursor.execute(
                    dialect.sql(
                        "INSERT INTO schema_migrations (version, applied_at) VALUES (%s, CURRENT_TIMESTAMP)"
                    ),
                    (migration.version,),
                )
                applied_now.append(migration.version)
    return applied_now


def _is_applied(dialect: Dialect, cursor: Cursor, version: str) -> bool:
    cursor.execute(dialect.sql("SELECT 1 FROM schema_migrations WHERE version = %s"), (version,))
    return cursor.fetchone() is not None
