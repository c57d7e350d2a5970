"""Shared test vocabulary: actors, a ticket draft, stores and a PostgreSQL database per test."""

from __future__ import annotations

import atexit
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime, timedelta
from functools import cache
from uuid import UUID, uuid4

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from domain.actors import Actor, Role
from domain.ledger import ServiceLedger, TicketDraft
from domain.ticket_terms import Channel
from migrations.runner import migrate
from projections.recorders import ledger_env, sqlite_env

AGENT = Actor("agent-zhou", Role.HOTLINE_AGENT)
ENGINEER = Actor("eng-li", Role.ENGINEER)
MANAGER = Actor("mgr-chen", Role.MANAGER)
AUDITOR = Actor("aud-wu", Role.AUDITOR)

POSTGRES = {
    "host": os.environ.get("POSTGRES_HOST", "127.0.0.1"),
    "port": os.environ.get("POSTGRES_PORT", "5432"),
    "user": os.environ.get("POSTGRES_USER", "postgres"),
    "password": os.environ.get("POSTGRES_PASSWORD", ""),
    "dbname": os.environ.get("LEDGER_TEST_ADMIN_DB", "test"),
}
ADMIN_CONNINFO = make_conninfo(**POSTGRES)
REQUIRE_POSTGRES = os.environ.get("LEDGER_REQUIRE_POSTGRES", "") == "1"


class SetClock:
    """The ledger's clock, set by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def evict(ledger: ServiceLedger, aggregate_id: UUID) -> None:
    """Drop an aggregate from the ledger's cache, so that the next load replays it from the store."""
    if ledger.repository.cache is not None:
        with suppress(KeyError):
            ledger.repository.cache.get(aggregate_id, evict=True)


def mark() -> datetime:
    """The time now, between the events recorded before and after (recorded times are the
    library's own clock, so a test that answers "as of" a phase marks the time between phases)."""
    time.sleep(0.01)
    now = datetime.now(UTC)
    time.sleep(0.01)
    return now


@contextmanager
def store(request: pytest.FixtureRequest, tmp: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A migrated store of the kind a module-scoped fixture is parametrised with: `memory`,
    `sqlite` or `postgres`."""
    if request.param == "memory":
        yield {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    elif request.param == "sqlite":
        env = sqlite_env(str(tmp.mktemp("store") / "ledger.db"))
        migrate(env)
        yield env
    else:
        request.getfixturevalue("postgres_server")
        with migrated_postgres_database() as env:
            yield env


def ago(**delta: float) -> datetime:
    return datetime.now(UTC) - timedelta(**delta)


def draft(**overrides: object) -> TicketDraft:
    values: dict[str, object] = {
        "channel": Channel.HOTLINE,
        "customer_id": "huaxin-bank",
        "site_id": "huaxin-pudong",
        "region_tier": "city",
        "severity": "severe",
        "category": "hardware",
        "description": "Core switch down",
        "reported_at": ago(hours=3),
    }
    values.update(overrides)
    return TicketDraft(**values)  # type: ignore[arg-type]


def postgres_answers() -> str | None:
    """None when the server answers, else why not."""
    try:
        with psycopg.connect(ADMIN_CONNINFO, connect_timeout=3):
            return None
    except psycopg.Error as error:
        return f"PostgreSQL at {POSTGRES['host']}:{POSTGRES['port']} does not answer: {error}"


@contextmanager
def fresh_postgres_database(template: str = "template1") -> Iterator[dict[str, str]]:
    """A new database for one test, a copy of `template` (empty by default), dropped afterwards;
    yields the library's variables."""
    name = f"ledger_test_{uuid4().hex[:12]}"
    with psycopg.connect(ADMIN_CONNINFO, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield postgres_env_for(name)
    finally:
        drop_database(name)


@contextmanager
def migrated_postgres_database() -> Iterator[dict[str, str]]:
    """A new database with every migration applied: a copy of one migrated once per process (a
    copy takes a fraction of the time the migrations take)."""
    with fresh_postgres_database(_migrated_template()) as env:
        yield env


def postgres_env_for(name: str) -> dict[str, str]:
    return ledger_env(
        {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": name,
            "POSTGRES_HOST": POSTGRES["host"],
            "POSTGRES_PORT": POSTGRES["port"],
            "POSTGRES_USER": POSTGRES["user"],
            "POSTGRES_PASSWORD": POSTGRES["password"],
        }
    )


def drop_database(name: str) -> None:
    with psycopg.connect(ADMIN_CONNINFO, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@cache
def _migrated_template() -> str:
    name = f"ledger_template_{uuid4().hex[:12]}"
    with psycopg.connect(ADMIN_CONNINFO, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    atexit.register(drop_database, name)
    migrate(postgres_env_for(name))
    return name
