"""The hash chain catches tampering: a log recorded through the ledger and sealed, then changed with
SQL behind the application's back, is verified and the first problem named with its position."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner
from psycopg.conninfo import make_conninfo

from api.cli import main
from domain.actors import Role
from domain.ledger import ServiceLedger
from projections.chain_log import log_reader
from projections.chain_verify import Kind, Verification, verify, verify_store
from projections.read_side import ReadSide
from projections.runner import wait_for
from tests.api.harness import bearer, serve
from tests.support import ADMIN_CONNINFO, AGENT, ago, draft

TICKETS = 12
"""Each opened and answered: 24 events."""


class Store:
    """The ledger's database reached directly, as someone with the owner's rights would."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.postgres = env["PERSISTENCE_MODULE"] == "eventsourcing.postgres"
        self.table = "serviceledger_events" if self.postgres else "stored_events"
        self.position = "notification_id" if self.postgres else "rowid"

    def run(self, *statements: tuple[str, tuple[Any, ...]]) -> list[Any]:
        """The statements in one transaction; the last one's rows."""
        rows: list[Any] = []
        if self.postgres:
            conninfo = make_conninfo(ADMIN_CONNINFO, dbname=self.env["POSTGRES_DBNAME"])
            with psycopg.connect(conninfo) as connection:
                for statement, params in statements:
                    cursor = connection.execute(statement, params)
                    rows = cursor.fetchall() if cursor.description else []
            return rows
        with closing(sqlite3.connect(self.env["SQLITE_DBNAME"])) as database, database:
            for statement, params in statements:
                rows = database.execute(statement.replace("%s", "?"), params).fetchall()
        return rows

    def allow_changes(self) -> None:
        """Take the append-only triggers off the log, as its owner may."""
        if self.postgres:
            self.run((f"ALTER TABLE {self.table} DISABLE TRIGGER USER", ()))
            return
        triggers = self.run(
            ("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", (self.table,))
        )
        self.run(*((f'DROP TRIGGER "{name}"', ()) for (name,) in triggers))

    def row(self, position: int) -> tuple[str, int, str, bytes]:
        """The stored aggregate id, version, topic and payload at a position."""
        found = self.run(
            (
                f"SELECT originator_id, originator_version, topic, state FROM {self.table} "
                f"WHERE {self.position} = %s",
                (position,),
            )
        )
        stored_id, version, topic, state = found[0]
        return stored_id, version, topic, bytes(state)

    def set_payload(self, position: int, payload: bytes) -> None:
        self.run((f"UPDATE {self.table} SET state = %s WHERE {self.position} = %s", (payload, position)))

    def delete(self, first: int, last: int) -> None:
        where = f"{self.position} >= %s AND {self.position} <= %s"
        self.run((f"DELETE FROM {self.table} WHERE {where}", (first, last)))

    def renumber(self, position: int, to: int) -> None:
        self.run((f"UPDATE {self.table} SET {self.position} = %s WHERE {self.position} = %s", (to, position)))

    def shift(self, position: int, by: int) -> None:
        """Move every event from `position` on `by` positions (through negatives: no clashes)."""
        column = self.position
        self.run(
            (f"UPDATE {self.table} SET {column} = -{column} WHERE {column} >= %s", (position,)),
            (f"UPDATE {self.table} SET {column} = %s - {column} WHERE {column} < 0", (by,)),
        )

    def forge(self, position: int, like: int) -> None:
        """Insert an event of a new aggregate at `position`, its topic and payload copied from `like`."""
        _, _, topic, state = self.row(like)
        new_id = uuid.uuid4()
        self.run(
            (
                f"INSERT INTO {self.table} ({self.position}, originator_id, originator_version, topic, "
                "state) VALUES (%s, %s, 1, %s, %s)",
                (position, new_id if self.postgres else new_id.hex, topic, state),
            )
        )

    def sealed_positions(self) -> list[int]:
        return [p for (p,) in self.run(("SELECT position FROM event_chain ORDER BY position", ()))]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def env(request: pytest.FixtureRequest) -> dict[str, str]:
    fixture = "postgres_env" if request.param == "postgres" else "sqlite_store_env"
    found: dict[str, str] = request.getfixturevalue(fixture)
    return found


@pytest.fixture
def ledger(env: dict[str, str]) -> Iterator[ServiceLedger]:
    app = ServiceLedger(env=env)
    yield app
    app.close()


@pytest.fixture
def store(env: dict[str, str]) -> Store:
    return Store(env)


def record(ledger: ServiceLedger, tickets: int = TICKETS) -> int:
    """Open and answer tickets through the ledger; the last log position."""
    for _ in range(tickets):
        opened = ledger.open_ticket(draft(), AGENT)
        ledger.record_response(opened.id, ago(hours=1), AGENT)
    return ledger.recorder.max_notification_id() or 0


@pytest.fixture
def sealed(ledger: ServiceLedger, store: Store) -> int:
    """A recorded log, sealed, with the log's triggers off; its last position."""
    last = record(ledger)
    assert ReadSide(ledger).sealer.catch_up() == last
    store.allow_changes()
    return last


def check(ledger: ServiceLedger, start: int = 1, stop: int | None = None) -> Verification:
    chain = ReadSide(ledger).chain
    return verify(log_reader(ledger), chain, start, stop)


def found(ledger: ServiceLedger) -> tuple[Kind, int]:
    problem = check(ledger).problem
    assert problem is not None, "the tampering went unnoticed"
    return problem.kind, problem.position


def test_a_clean_log_verifies_to_its_sealed_head(ledger: ServiceLedger, sealed: int) -> None:
    result = check(ledger)

    assert result.problem is None
    assert (result.verified, result.last.position, result.unsealed) == (sealed, sealed, 0)
    assert result.last == ReadSide(ledger).chain.head()


def test_events_after_the_sealed_head_are_counted_not_verified(ledger: ServiceLedger, sealed: int) -> None:
    last = record(ledger, tickets=2)

    result = check(ledger)

    assert result.problem is None
    assert (result.verified, result.last.position, result.unsealed) == (sealed, sealed, last - sealed)


def test_one_changed_byte_of_a_payload_is_altered_at_its_position(
    ledger: ServiceLedger, store: Store, sealed: int
) -> None:
    payload = store.row(9)[3]
    store.set_payload(9, payload.replace(b"Core switch", b"Core swatch"))

    assert found(ledger) == (Kind.ALTERED, 9)


def test_a_deleted_event_is_missing_at_its_position(ledger: ServiceLedger, store: Store, sealed: int) -> None:
    store.delete(7, 7)

    assert found(ledger) == (Kind.MISSING, 7)


def test_a_deleted_event_whose_place_was_closed_up_is_missing(
    ledger: ServiceLedger, store: Store, sealed: int
) -> None:
    store.delete(7, 7)
    store.shift(8, by=-1)

    assert found(ledger) == (Kind.MISSING, 7)


def test_a_cut_off_tail_is_truncated_where_the_log_now_ends(
    ledger: ServiceLedger, store: Store, sealed: int
) -> None:
    store.delete(sealed - 2, sealed)

    assert found(ledger) == (Kind.TRUNCATED, sealed - 2)


def test_two_events_swapped_by_position_are_reordered(
    ledger: ServiceLedger, store: Store, sealed: int
) -> None:
    store.renumber(5, -1)
    store.renumber(11, 5)
    store.renumber(-1, 11)

    assert found(ledger) == (Kind.REORDERED, 5)


def test_two_events_swapping_topic_and_payload_are_reordered(
    ledger: ServiceLedger, store: Store, sealed: int
) -> None:
    """A ticket's opening and answer exchanged: each row keeps its aggregate and version."""
    first, second = store.row(3), store.row(4)
    assert first[0] == second[0]
    swap = f"UPDATE {store.table} SET topic = %s, state = %s WHERE {store.position} = %s"
    store.run((swap, (second[2], second[3], 3)), (swap, (first[2], first[3], 4)))

    assert found(ledger) == (Kind.REORDERED, 3)


def test_an_event_forged_into_room_made_for_it_is_inserted(
    ledger: ServiceLedger, store: Store, sealed: int
) -> None:
    store.shift(6, by=1)
    store.forge(6, like=5)

    assert found(ledger) == (Kind.INSERTED, 6)


@pytest.mark.postgres
def test_an_event_forged_into_a_gap_is_inserted_and_the_gap_alone_is_no_problem(
    postgres_env: dict[str, str],
) -> None:
    store = Store(postgres_env)
    ledger = ServiceLedger(env=postgres_env)
    try:
        before = record(ledger, tickets=3)
        rolled_back = before + 1  # a position taken and never used, as by an insert that rolled back
        store.run(("SELECT nextval(pg_get_serial_sequence(%s, 'notification_id'))", (store.table,)))
        last = record(ledger, tickets=3)
        assert ReadSide(ledger).sealer.catch_up() == last
        assert store.sealed_positions() == [p for p in range(1, last + 1) if p != rolled_back]
        assert check(ledger).problem is None
        store.allow_changes()

        store.forge(rolled_back, like=2)

        assert found(ledger) == (Kind.INSERTED, rolled_back)
    finally:
        ledger.close()


def test_a_range_verifies_only_its_positions(ledger: ServiceLedger, store: Store, sealed: int) -> None:
    store.set_payload(20, store.row(20)[3] + b" ")

    inside = check(ledger, 5, 12)
    assert inside.problem is None
    assert (inside.verified, inside.last.position) == (8, 12)
    reaching = check(ledger, 13, 22).problem
    assert reaching is not None
    assert (reaching.kind, reaching.position) == (Kind.ALTERED, 20)


def test_parts_verified_side_by_side_agree_with_one_pass(
    env: dict[str, str], ledger: ServiceLedger, store: Store, sealed: int
) -> None:
    assert verify_store(env, processes=3, part=5) == check(ledger)
    store.set_payload(17, store.row(17)[3].replace(b"Core", b"core"))

    parallel = verify_store(env, processes=3, part=5)

    assert parallel == check(ledger)
    assert parallel.problem is not None
    assert (parallel.problem.kind, parallel.problem.position, parallel.verified) == (Kind.ALTERED, 17, 16)


def test_a_restarted_sealer_resumes_without_gaps_or_duplicates(ledger: ServiceLedger, store: Store) -> None:
    first = ReadSide(ledger, batch_size=5)
    first.sealer.start()
    try:
        midway = record(ledger, tickets=6)
        assert wait_for([first.sealer], midway, timeout=10)
    finally:
        first.sealer.stop()
    last = record(ledger, tickets=6)
    restarted = ReadSide(ledger, batch_size=5)
    restarted.sealer.start()
    try:
        assert wait_for([restarted.sealer], last, timeout=10)
    finally:
        restarted.sealer.stop()

    assert store.sealed_positions() == list(range(1, last + 1))
    result = check(ledger)
    assert (result.problem, result.verified) == (None, last)


def test_ledger_verify_prints_the_head_or_the_first_problem(
    env: dict[str, str], store: Store, sealed: int
) -> None:
    head = store.run(("SELECT link FROM event_chain WHERE position = %s", (sealed,)))[0][0]
    runner = CliRunner()

    clean = runner.invoke(main, ["verify"], env=env)
    assert (clean.exit_code, clean.output) == (
        0,
        f"verified {sealed} events up to position {sealed}, head {bytes(head).hex()}\n",
    )
    ranged = runner.invoke(main, ["verify", "--from", "3", "--to", "6"], env=env)
    assert (ranged.exit_code, ranged.output.split(",")[0]) == (0, "verified 4 events up to position 6")

    store.set_payload(4, store.row(4)[3].replace(b'"timestamp"', b'"timestamq"'))
    tampered = runner.invoke(main, ["verify"], env=env)
    assert tampered.exit_code == 1
    assert tampered.output.startswith("position 4: altered: ")


def test_the_chain_head_over_http_is_the_sealed_link_and_the_lag_behind_the_log(
    env: dict[str, str], store: Store
) -> None:
    with serve(env) as api:
        last = record(api.ledger, tickets=3)
        deadline = time.monotonic() + 10
        head = api.client.get("/audit/chain", headers=bearer(Role.AUDITOR)).json()
        while head["position"] < last and time.monotonic() < deadline:
            head = api.client.get("/audit/chain", headers=bearer(Role.REGULATOR)).json()

        assert head["position"] >= last
        assert head["sealed_lag"] == head["log_position"] - head["position"] >= 0
        sealed = store.run(("SELECT link FROM event_chain WHERE position = %s", (head["position"],)))
        assert head["link"] == bytes(sealed[0][0]).hex()
        assert api.client.get("/audit/chain", headers=bearer(Role.MANAGER)).status_code == 200
        assert api.client.get("/audit/chain", headers=bearer(Role.HOTLINE_AGENT)).status_code == 403
