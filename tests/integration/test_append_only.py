"""The log is append-only: its events and snapshots are inserted, never updated, deleted or
truncated. Triggers refuse those statements whoever runs them; on PostgreSQL the role the service
runs as, `ledger_runtime`, may not run them at all, yet records events and keeps every view."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from decimal import Decimal
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from domain.actors import Actor, Role
from domain.ledger import ServiceLedger
from migrations.runner import migrate
from projections.read_side import ReadSide
from projections.recorders import ledger_env
from tests.support import ADMIN_CONNINFO, AGENT, ago, draft

KEEPER = Actor("wh-wang", Role.WAREHOUSE)
PART, MAIN = "VOE-11110668", "wh-main"
SQLITE_LOG = ["stored_events", "stored_snapshots"]
POSTGRES_LOG = ["serviceledger_events", "serviceledger_snapshots"]
CHANGES = {
    "UPDATE": "UPDATE {table} SET topic = 'forged'",
    "DELETE": "DELETE FROM {table} WHERE originator_version > 1",
}
POSTGRES_CHANGES = {**CHANGES, "TRUNCATE": "TRUNCATE {table}"}
Row = tuple[Any, ...]


def record(env: dict[str, str]) -> None:
    """Two tickets, one of them answered, and two receipts of a part, snapshotted, recorded
    through the ledger."""
    ledger = ServiceLedger(env=env)
    try:
        answered = ledger.open_ticket(draft(), AGENT).id
        ledger.open_ticket(draft(site_id="huaxin-xuhui"), AGENT)
        ledger.record_response(answered, ago(hours=2), AGENT)
        for receipt in ["GRN-1", "GRN-2"]:
            ledger.receive_stock(PART, MAIN, "volvo-parts", receipt, 3, Decimal("100"), KEEPER)
        ledger.take_snapshot(ledger.get_stock_item(PART, MAIN).id)
    finally:
        ledger.close()


def runtime_env(owner: dict[str, str]) -> dict[str, str]:
    """The same store, as the service connects to it as `ledger_runtime`."""
    return ledger_env(
        {
            **owner,
            "POSTGRES_USER": "ledger_runtime",
            "POSTGRES_PASSWORD": "",
            "LEDGER_POSTGRES_OWNER": owner["POSTGRES_USER"],
            "LEDGER_POSTGRES_OWNER_PASSWORD": owner["POSTGRES_PASSWORD"],
        }
    )


def connect(env: dict[str, str]) -> psycopg.Connection[Row]:
    """A connection to the store, as the role the library's variables name."""
    return psycopg.connect(
        make_conninfo(
            ADMIN_CONNINFO,
            dbname=env["POSTGRES_DBNAME"],
            user=env["POSTGRES_USER"],
            password=env["POSTGRES_PASSWORD"],
        )
    )


def sqlite_rows(connection: sqlite3.Connection, table: str) -> list[Row]:
    return connection.execute(f"SELECT * FROM {table} ORDER BY originator_id, originator_version").fetchall()


def postgres_rows(connection: psycopg.Connection[Row], table: str) -> list[Row]:
    return connection.execute(f"SELECT * FROM {table} ORDER BY originator_id, originator_version").fetchall()


def test_sqlite_triggers_refuse_to_update_or_delete_the_log(sqlite_store_env: dict[str, str]) -> None:
    record(sqlite_store_env)
    with closing(sqlite3.connect(sqlite_store_env["SQLITE_DBNAME"])) as connection:
        for table in SQLITE_LOG:
            before = sqlite_rows(connection, table)
            assert before
            for verb, change in CHANGES.items():
                refusal = f"{verb} on {table} refused: the ledger is append-only"
                with pytest.raises(sqlite3.IntegrityError, match=refusal):
                    connection.execute(change.format(table=table))
                assert sqlite_rows(connection, table) == before


def test_sqlite_owner_who_drops_the_triggers_may_repair_the_log(sqlite_store_env: dict[str, str]) -> None:
    record(sqlite_store_env)
    with closing(sqlite3.connect(sqlite_store_env["SQLITE_DBNAME"])) as connection:
        triggers = connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'stored_events'"
        ).fetchall()
        assert sorted(name for (name,) in triggers) == ["stored_events_no_delete", "stored_events_no_update"]
        for (name,) in triggers:
            connection.execute(f"DROP TRIGGER {name}")
        assert connection.execute("DELETE FROM stored_events WHERE originator_version = 3").rowcount == 1


def test_postgres_triggers_refuse_even_the_owner(postgres_env: dict[str, str]) -> None:
    record(postgres_env)
    with connect(postgres_env) as connection:
        for table in POSTGRES_LOG:
            before = postgres_rows(connection, table)
            assert before
            for verb, change in POSTGRES_CHANGES.items():
                refusal = f"{verb} on {table} refused: the ledger is append-only"
                with pytest.raises(psycopg.errors.RaiseException, match=refusal):
                    connection.execute(change.format(table=table))
                connection.rollback()
                assert postgres_rows(connection, table) == before


def test_postgres_owner_who_disables_the_triggers_may_repair_the_log(postgres_env: dict[str, str]) -> None:
    record(postgres_env)
    with connect(postgres_env) as connection:
        connection.execute("ALTER TABLE serviceledger_events DISABLE TRIGGER USER")
        deleted = connection.execute("DELETE FROM serviceledger_events WHERE originator_version = 3")
        assert deleted.rowcount == 1


def test_the_runtime_role_may_not_change_the_log(postgres_env: dict[str, str]) -> None:
    record(postgres_env)
    runtime = runtime_env(postgres_env)
    with connect(runtime) as connection:
        for table in POSTGRES_LOG:
            before = postgres_rows(connection, table)
            assert before
            for change in [*POSTGRES_CHANGES.values(), "ALTER TABLE {table} DISABLE TRIGGER USER"]:
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    connection.execute(change.format(table=table))
                connection.rollback()
                assert postgres_rows(connection, table) == before


def test_the_service_as_the_runtime_role_records_events_and_keeps_every_view(
    postgres_env: dict[str, str],
) -> None:
    runtime = runtime_env(postgres_env)
    assert migrate(runtime) == []  # `ledger migrate` connects as the owner
    record(runtime)
    ledger = ServiceLedger(env=runtime)
    try:
        last = ledger.recorder.max_notification_id()
        assert last == len(ledger.recorder.select_notifications(start=None, limit=100))
        read_side = ReadSide(ledger)
        positions = read_side.catch_up()
        assert set(positions.values()) == {last}
        assert [read_side.rebuild(view) for view in positions] == [last] * len(positions)
        assert len(read_side.board.all_rows()) == 2
    finally:
        ledger.close()


def test_the_runtime_role_writes_every_derived_table_even_one_created_later_but_never_rewrites_the_chain(
    postgres_env: dict[str, str],
) -> None:
    with connect(postgres_env) as connection:
        connection.execute("CREATE TABLE later_view (key text PRIMARY KEY)")
        connection.commit()
        tables = [
            name
            for (name,) in connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ]
        denied = {
            (table, privilege)
            for table in tables
            for privilege in ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"]
            if connection.execute(
                "SELECT has_table_privilege('ledger_runtime', %s, %s)", (table, privilege)
            ).fetchone()
            != (True,)
        }
    assert "later_view" in tables
    assert denied == {
        *(
            (table, privilege)
            for table in (*POSTGRES_LOG, "event_chain", "chain_checkpoints")
            for privilege in ["UPDATE", "DELETE", "TRUNCATE"]
        ),
        *(("schema_migrations", privilege) for privilege in ["INSERT", "UPDATE", "DELETE", "TRUNCATE"]),
    }
