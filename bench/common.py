"""What the benchmarks share: machine facts, throwaway stores, one ticket's lifecycle, tables."""

from __future__ import annotations

import os
import platform
import sqlite3
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from importlib.metadata import version
from pathlib import Path
from uuid import UUID, uuid4

import psycopg
from psycopg.conninfo import make_conninfo

from api.settings import store_env
from domain.actors import Actor, Role
from domain.ledger import ServiceLedger, TicketDraft
from domain.ticket_terms import Channel

ROOT = Path(__file__).resolve().parents[1]
AGENT = Actor("bench-agent", Role.HOTLINE_AGENT)
ENGINEER = Actor("bench-eng", Role.ENGINEER)
ADMIN = {
    "host": os.environ.get("POSTGRES_HOST", "127.0.0.1"),
    "port": os.environ.get("POSTGRES_PORT", "5432"),
    "user": os.environ.get("POSTGRES_USER", "postgres"),
    "password": os.environ.get("POSTGRES_PASSWORD", ""),
    "dbname": os.environ.get("LEDGER_TEST_ADMIN_DB", "test"),
}
"""Where throwaway PostgreSQL databases are created and dropped from."""
ADMIN_CONNINFO = make_conninfo(**ADMIN)

EVENTS_PER_TICKET = 9
TICK = timedelta(seconds=1)
"""The gap between two milestones of the benchmark's history, so occurred times strictly increase."""
PLAN, TRAVEL = timedelta(minutes=30), timedelta(minutes=40)
CUSTOMERS = ("huaxin-bank", "zhongshan-power", "donghu-hospital", "jinhai-logistics", "tianfu-water")
SEVERITIES = ("severe", "major", "general")

Step = Callable[[ServiceLedger, UUID, datetime], object]


def draft(index: int, reported_at: datetime) -> TicketDraft:
    """A report like the demo's, varied a little by the ticket's index."""
    customer = CUSTOMERS[index % len(CUSTOMERS)]
    return TicketDraft(
        channel=Channel.HOTLINE,
        customer_id=customer,
        site_id=f"{customer}-site-{index % 7}",
        region_tier="city",
        severity=SEVERITIES[index % len(SEVERITIES)],
        category="network",
        description="Core switch in server room 2 down, branch offline",
        reported_at=reported_at,
        asset_id=f"sw-{index % 1000:04d}",
    )


def lifecycle(index: int) -> tuple[Step, ...]:
    """The nine commands of a ticket from report to close, each its own save."""
    return (
        lambda ledger, tid, at: ledger.open_ticket(draft(index, at), AGENT, tid),
        lambda ledger, tid, at: ledger.record_response(tid, at, AGENT),
        lambda ledger, tid, at: ledger.dispatch(tid, ENGINEER.id, at + PLAN, at, AGENT),
        lambda ledger, tid, at: ledger.record_departure(tid, at + TRAVEL, at, ENGINEER),
        lambda ledger, tid, at: ledger.record_arrival(tid, at, ENGINEER),
        lambda ledger, tid, at: ledger.record_restoration(tid, at, ENGINEER),
        lambda ledger, tid, at: ledger.resolve(tid, True, "Replaced the failed line card", at, ENGINEER),
        lambda ledger, tid, at: ledger.record_sign_off(tid, 5, "Zhang Wei, IT lead", at, ENGINEER),
        lambda ledger, tid, at: ledger.close_ticket(tid, at, AGENT),
    )


def history_start(tickets: int) -> datetime:
    """Early enough that every occurred time of `tickets` tickets lies in the past."""
    return datetime.now(UTC) - (tickets * EVENTS_PER_TICKET + 600) * TICK


def ticket_times(start: datetime, index: int) -> list[datetime]:
    """The occurred times of ticket `index`: after every earlier ticket's, one tick apart."""
    first = start + index * EVENTS_PER_TICKET * TICK
    return [first + step * TICK for step in range(EVENTS_PER_TICKET)]


def record_lifecycle(ledger: ServiceLedger, index: int, start: datetime) -> UUID:
    """Record ticket `index` from report to close through the ledger's commands."""
    ticket_id = uuid4()
    for step, at in zip(lifecycle(index), ticket_times(start, index), strict=True):
        step(ledger, ticket_id, at)
    return ticket_id


def postgres_problem() -> str | None:
    """None when the PostgreSQL server answers, else why not."""
    try:
        with psycopg.connect(ADMIN_CONNINFO, connect_timeout=3):
            return None
    except psycopg.Error as error:
        return f"PostgreSQL at {ADMIN['host']}:{ADMIN['port']} does not answer: {error}"


def postgres_env(dbname: str) -> dict[str, str]:
    """The library's variables for a ledger in the database `dbname`."""
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": ADMIN["host"],
        "POSTGRES_PORT": ADMIN["port"],
        "POSTGRES_USER": ADMIN["user"],
        "POSTGRES_PASSWORD": ADMIN["password"],
    }


def ledger_env(variables: dict[str, str]) -> dict[str, str]:
    """The store's variables completed as the service completes them (its recorders, for one)."""
    return store_env(variables)


def conninfo(env: dict[str, str]) -> str:
    """A psycopg connection string for the database the library's variables name."""
    return make_conninfo(ADMIN_CONNINFO, dbname=env["POSTGRES_DBNAME"])


@contextmanager
def fresh_postgres() -> Iterator[dict[str, str]]:
    """A new, empty database `bench_<random>`, dropped afterwards; yields the library's variables."""
    name = f"bench_{uuid4().hex[:12]}"
    with psycopg.connect(ADMIN_CONNINFO, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield postgres_env(name)
    finally:
        with psycopg.connect(ADMIN_CONNINFO, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def temp_sqlite() -> Iterator[dict[str, str]]:
    """A ledger file in a temporary folder, removed afterwards; yields the service's variables."""
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        yield store_env(
            {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": f"{folder}/ledger.db"}
        )


@contextmanager
def throwaway_store(store: str) -> Iterator[dict[str, str]]:
    """A fresh store of the kind named ("sqlite" or "postgres"); yields the library's variables."""
    with fresh_postgres() if store == "postgres" else temp_sqlite() as env:
        yield env


def postgres_facts(env: dict[str, str]) -> list[tuple[str, str]]:
    """The server's version and the settings that decide what a commit costs."""
    facts: list[tuple[str, str]] = []
    with psycopg.connect(conninfo(env)) as conn:
        for name in ("server_version", "synchronous_commit", "fsync", "shared_buffers"):
            row = conn.execute(f"SHOW {name}").fetchone()
            facts.append((f"postgres {name}", "?" if row is None else str(row[0])))
    return facts


def machine_facts(extra: Sequence[tuple[str, str]] = ()) -> list[tuple[str, str]]:
    """Cores, processor, Python and library versions: what the figures depend on."""
    return [
        ("cores", f"{os.cpu_count()} ({len(os.sched_getaffinity(0))} usable by this process)"),
        ("cpu", cpu_model()),
        ("python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("eventsourcing", version("eventsourcing")),
        ("psycopg", f"{version('psycopg')} ({psycopg.pq.__impl__} libpq wrapper)"),
        ("sqlite", sqlite3.sqlite_version),
        ("platform", platform.platform()),
        *extra,
    ]


def cpu_model() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor() or "unknown"
    names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    return names[0] if names else platform.processor() or "unknown"


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A plain-text table: text left-aligned, numbers right-aligned."""
    texts = [[fmt(cell) for cell in row] for row in rows]
    widths = [max(len(name), *(len(row[i]) for row in texts)) for i, name in enumerate(header)]
    print(f"\n{title}")
    print(("  " + "  ".join(name.ljust(w) for name, w in zip(header, widths, strict=True))).rstrip())
    print("  " + "  ".join("-" * w for w in widths))
    for row, text in zip(rows, texts, strict=True):
        print(("  " + "  ".join(align(c, t, w) for c, t, w in zip(row, text, widths, strict=True))).rstrip())


def align(value: object, text: str, width: int) -> str:
    return text.rjust(width) if is_number(value) else text.ljust(width)


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def fmt(value: object) -> str:
    """Counts with thousands separators; rates whole above 100, two decimals below."""
    if not is_number(value):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    assert isinstance(value, float)
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def print_facts(facts: Sequence[tuple[str, str]]) -> None:
    print_table("Machine", ("fact", "value"), facts)
