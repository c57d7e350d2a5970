"""`ledger verify` on PostgreSQL, where the database hashes: its links agree with domain/audit_chain.py
byte for byte, the events it leaves to Python are the ones it should, and what it finds agrees
with verifying in Python (the reference) on the same log, however the pages fall."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.conninfo import make_conninfo
from psycopg.rows import tuple_row

from domain.audit_chain import GENESIS, link_fields
from domain.ledger import ServiceLedger
from projections.chain_log import STATED_TIME, STATED_WITHIN, PostgresLog, SqlLog, log_reader
from projections.chain_sealer import LAST_POSITION
from projections.chain_verify import Kind, Verification, verify
from projections.read_side import ReadSide, dialect_for
from tests.integration.test_chain_tamper import TICKETS, Store, record
from tests.support import ADMIN_CONNINFO

pytestmark = pytest.mark.postgres

TOPIC = "domain.tickets:Ticket.Opened"
REST = b'"},"originator_topic":"domain.tickets:Ticket","description":"Core switch down \\u4e2d"}'


def payload(stated: bytes, rest: bytes = REST) -> bytes:
    """A payload stating its recorded time first, as every stored payload does."""
    return STATED_TIME + stated + rest


# (topic, version, payload), each an event the database hashes itself
HASHED_IN_SQL: list[tuple[str, int, bytes]] = [
    (TOPIC, 1, payload(b"2026-11-23T10:37:09.160467+00:00")),
    (TOPIC, 2, payload(b"2026-11-23T10:37:09+00:00")),  # no microseconds
    (TOPIC, 3, payload(b"2026-11-23T10:37:09.100000+05:30")),
    (TOPIC, 4, payload(b"2026-11-23T10:37:09Z")),
    (TOPIC, 5, payload(b"")),  # an empty recorded time
    (TOPIC, 6, payload(b"x" * (STATED_WITHIN - 1))),  # its closing quote the last byte looked at
    (TOPIC, 7, payload(b"2026-11-23\t10:37\x01\x1f\x7f")),  # control characters: escaped
    (TOPIC, 8, payload(b"2026-11-23T10:37:09+00:00", b'"}}')),
    (TOPIC, 9, payload(b"2026-11-23T10:37:09+00:00", b'"}\xff\xfe\x00 not UTF-8, hashed as stored')),
    (TOPIC, 10, STATED_TIME + b'"'),
    ('domain.tickets:Ticket."Quoted"', 11, payload(b"2026-11-23T10:37:09+00:00")),
    ("domain\\tickets:Ticket\\u0041", 12, payload(b"2026-11-23T10:37:09+00:00")),
    ("line\nfeed\rreturn\ttab\bback\fform", 13, payload(b"2026-11-23T10:37:09+00:00")),
    ("\x01\x02\x1e\x1f\x7f controls", 14, payload(b"2026-11-23T10:37:09+00:00")),
    ("domain.tickets:Ticket.Öffnet 工单 🙂 \u2028\u2029\ufeff", 15, payload(b"2026-11-23T10:37:09+00:00")),
    ("</script> & 'single' , : [ ] { }", 16, payload(b"2026-11-23T10:37:09+00:00")),
    ("", 17, payload(b"2026-11-23T10:37:09+00:00")),
    ("t" * 1000, 18, payload(b"2026-11-23T10:37:09+00:00")),
    (TOPIC, 0, payload(b"2026-11-23T10:37:09+00:00")),
    (TOPIC, -7, payload(b"2026-11-23T10:37:09+00:00")),
    (TOPIC, 2**62, payload(b"2026-11-23T10:37:09+00:00")),
]
# ... and events it leaves to Python, which hashes each of them
LEFT_TO_PYTHON: list[tuple[str, int, bytes]] = [
    (TOPIC, 21, b'{"originator_topic":"x","timestamp":{"_type_":"datetime_iso","_data_":"2026-11-23"}}'),
    (TOPIC, 22, b'{"timestamp": {"_type_": "datetime_iso", "_data_": "2026-11-23"}}'),  # spaced
    (TOPIC, 23, b"[1, 2, 3]"),  # states no time: an empty one
    (TOPIC, 24, payload(b"x" * STATED_WITHIN)),  # its closing quote past what the database looks at
    (TOPIC, 25, payload(b"2026-11-23T10:37:09\\u002b00:00")),  # a backslash
    (TOPIC, 26, payload(b"2026-11-23T10:37:09\x00+00:00")),  # a NUL
]
# ... and events nobody can hash: the recorded time is not ASCII, or never ends
UNHASHABLE: list[tuple[str, int, bytes]] = [
    (TOPIC, 31, payload("2026-11-23T10:37:09+00:00 ü".encode())),
    (TOPIC, 32, STATED_TIME + b"2026-11-23T10:37:09+00:00 and no closing quote"),
    (TOPIC, 33, b"not JSON"),
]
BIG_POSITION = 2**53 + 1
SEALED = 2 * TICKETS
"""The events recorded and sealed before each tampering."""


class Database:
    """The ledger's database, written directly: events inserted and sealed behind the ledger's back."""

    def __init__(self, env: dict[str, str]) -> None:
        self.conninfo = make_conninfo(ADMIN_CONNINFO, dbname=env["POSTGRES_DBNAME"])

    def run(self, statement: str, params: Any = ()) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.conninfo) as connection:
            cursor = connection.cursor(row_factory=tuple_row).execute(statement, params, binary=True)
            return cursor.fetchall() if cursor.description else []

    def insert(self, events: list[tuple[str, int, bytes]], position: int | None = None) -> list[int]:
        """The events appended to the log (at `position` on, when given); their positions."""
        statement = (
            "INSERT INTO serviceledger_events (originator_id, originator_version, topic, state, "
            "notification_id) VALUES (%s, %s, %s, %s, coalesce(%s, "
            "nextval(pg_get_serial_sequence('serviceledger_events', 'notification_id')))) "
            "RETURNING notification_id"
        )
        return [
            self.run(
                statement, (uuid.uuid4(), version, topic, state, None if position is None else position + i)
            )[0][0]
            for i, (topic, version, state) in enumerate(events)
        ]

    def seal(self) -> None:
        """A link for every event not sealed yet, chained as domain/audit_chain.py chains them; an
        event it cannot hash gets a link of its own (so that the events after it have one to follow)."""
        (head,) = self.run("SELECT coalesce(max(position), 0) FROM event_chain")[0]
        previous = self.run("SELECT link FROM event_chain WHERE position = %s", (head,))
        link = previous[0][0] if previous else GENESIS
        for event in self.events(head):
            try:
                link = link_fields(link, *event)
            except ValueError:
                link = hashlib.sha256(b"unhashable %d" % event[0]).digest()
            self.run("INSERT INTO event_chain (position, link) VALUES (%s, %s)", (event[0], link))

    def events(self, after: int = 0) -> list[tuple[int, str, int, str, bytes]]:
        return [
            (p, i, v, t, bytes(s))
            for p, i, v, t, s in self.run(
                "SELECT notification_id, originator_id::text, originator_version, topic, state "
                "FROM serviceledger_events WHERE notification_id > %s ORDER BY notification_id",
                (after,),
            )
        ]


@pytest.fixture
def database(postgres_env: dict[str, str]) -> Database:
    return Database(postgres_env)


@pytest.fixture
def ledger(postgres_env: dict[str, str]) -> Iterator[ServiceLedger]:
    app = ServiceLedger(env=postgres_env)
    yield app
    app.close()


def in_database(ledger: ServiceLedger) -> PostgresLog:
    log = log_reader(ledger)
    assert isinstance(log, PostgresLog)
    return log


def in_python(ledger: ServiceLedger) -> SqlLog:
    """The same events table, read and hashed here: the reference."""
    dialect, recorder = dialect_for(ledger), ledger.recorder
    assert dialect is not None
    assert isinstance(recorder, PostgresApplicationRecorder)
    return SqlLog(dialect, recorder)


def relinked(ledger: ServiceLedger) -> dict[int, tuple[bytes, bytes | None]]:
    """Each event's position: the link sealed before it, and the link the database computes for it."""
    params = {"after": 0, "upto": LAST_POSITION, "stated_time": STATED_TIME, "genesis": GENESIS}
    statement = f"SELECT position, previous, relinked FROM ({in_database(ledger).relinked}) r"
    with psycopg.connect(Database(ledger.env).conninfo) as connection:
        rows = connection.cursor(row_factory=tuple_row).execute(statement, params, binary=True).fetchall()
    return {p: (previous, link) for p, previous, link in rows if p is not None}


def python_link(previous: bytes, event: tuple[int, str, int, str, bytes]) -> bytes | None:
    try:
        return link_fields(previous, *event)
    except ValueError:
        return None


def test_the_database_links_events_byte_for_byte_as_the_audit_chain_does(
    ledger: ServiceLedger, database: Database
) -> None:
    in_sql = database.insert(HASHED_IN_SQL)
    left = database.insert(LEFT_TO_PYTHON)
    unhashable = database.insert(UNHASHABLE)
    big = database.insert(HASHED_IN_SQL[:2], position=BIG_POSITION)
    database.seal()

    computed = relinked(ledger)
    events = {event[0]: event for event in database.events()}
    assert sorted(computed) == sorted(events) == [*in_sql, *left, *unhashable, *big]
    for position, (previous, link) in computed.items():
        expected = python_link(previous, events[position])
        if position in left:
            assert (link, expected is not None) == (None, True), position
        elif position in unhashable:
            assert (link, expected) == (None, None), position
        else:
            assert link is not None, f"{position}: left to Python"
            assert link.hex() == link_fields(previous, *events[position]).hex(), position


def test_a_log_of_odd_events_verifies_in_the_database_as_in_python(
    ledger: ServiceLedger, database: Database
) -> None:
    database.insert(HASHED_IN_SQL)
    database.insert(LEFT_TO_PYTHON)
    database.seal()
    chain = ReadSide(ledger).chain
    count = len(HASHED_IN_SQL) + len(LEFT_TO_PYTHON)

    result = verify(in_database(ledger), chain, page=4, streams=3)

    assert result == verify(in_python(ledger), chain)
    assert (result.problem, result.verified, result.last) == (None, count, chain.head())

    database.insert(UNHASHABLE)
    database.seal()
    unhashable = verify(in_database(ledger), chain, page=4, streams=3)
    assert unhashable == verify(in_python(ledger), chain)
    assert unhashable.problem is not None
    assert (unhashable.problem.kind, unhashable.problem.position) == (Kind.ALTERED, count + 1)


def swap(store: Store, a: int, b: int) -> None:
    store.renumber(a, -1)
    store.renumber(b, a)
    store.renumber(-1, b)


def swap_bodies(store: Store, a: int, b: int) -> None:
    first, second = store.row(a), store.row(b)
    change = f"UPDATE {store.table} SET topic = %s, state = %s WHERE {store.position} = %s"
    store.run((change, (second[2], second[3], a)), (change, (first[2], first[3], b)))


def add_a_space(store: Store, position: int) -> None:
    store.set_payload(position, store.row(position)[3] + b" ")


def close_up(store: Store) -> None:
    store.delete(7, 7)
    store.shift(8, by=-1)


def forge_into_room(store: Store) -> None:
    store.shift(6, by=1)
    store.forge(6, like=5)


TAMPERING: dict[str, Callable[[Store], None]] = {
    "none": lambda store: None,
    "altered at a page's first": lambda store: add_a_space(store, 9),
    "altered at a page's last": lambda store: add_a_space(store, 8),
    "altered, the last sealed": lambda store: add_a_space(store, SEALED),
    "an event left to Python, altered": lambda store: store.set_payload(10, b"[]"),
    "deleted": lambda store: store.delete(7, 7),
    "deleted at a page's first": lambda store: store.delete(9, 9),
    "a page deleted": lambda store: store.delete(5, 12),
    "deleted, closed up": close_up,
    "truncated": lambda store: store.delete(SEALED - 2, SEALED + 2),
    "the last sealed deleted": lambda store: store.delete(SEALED, SEALED),
    "swapped": lambda store: swap(store, 5, 11),
    "swapped across pages": lambda store: swap(store, 8, 9),
    "bodies swapped": lambda store: swap_bodies(store, 3, 4),
    "forged into room": forge_into_room,
    "forged past the head, far off": lambda store: store.forge(10**12, like=2),
}
RANGES = [(1, None), (5, None), (9, 16), (1, 8), (SEALED, None), (20, 10**9)]


@pytest.mark.parametrize("tampering", TAMPERING)
def test_the_database_finds_what_python_finds(
    ledger: ServiceLedger, postgres_env: dict[str, str], tampering: str
) -> None:
    store = Store(postgres_env)
    assert record(ledger) == SEALED
    assert ReadSide(ledger).sealer.catch_up() == SEALED
    record(ledger, tickets=1)  # two events not sealed yet
    store.allow_changes()
    TAMPERING[tampering](store)
    chain = ReadSide(ledger).chain

    for start, stop in RANGES:
        found = verify(in_database(ledger), chain, start, stop, page=4, streams=3)
        assert found == verify(in_python(ledger), chain, start, stop), (start, stop)
    whole = verify(in_database(ledger), chain, page=4, streams=3)
    clean = {"none": 2, "forged past the head, far off": 3}  # events counted, not sealed: no problem
    assert (whole.problem is None) == (tampering in clean), whole
    assert whole.problem is not None or whole.unsealed == clean[tampering]


def test_a_page_of_one_position_at_a_time_agrees(ledger: ServiceLedger, postgres_env: dict[str, str]) -> None:
    store = Store(postgres_env)
    last = record(ledger, tickets=4)
    assert ReadSide(ledger).sealer.catch_up() == last
    store.allow_changes()
    chain = ReadSide(ledger).chain
    clean = verify(in_database(ledger), chain, page=1, streams=2)
    assert clean == verify(in_python(ledger), chain)
    assert (clean.problem, clean.verified) == (None, last)

    store.set_payload(5, store.row(5)[3].replace(b"Core", b"core"))

    found = verify(in_database(ledger), chain, page=1, streams=2)
    assert found == verify(in_python(ledger), chain)
    assert found.problem is not None
    assert (found.problem.kind, found.problem.position, found.verified) == (Kind.ALTERED, 5, 4)


def test_an_empty_log_verifies_nothing(ledger: ServiceLedger) -> None:
    chain = ReadSide(ledger).chain
    result = verify(in_database(ledger), chain, streams=2)
    assert result == verify(in_python(ledger), chain)
    assert result == Verification(0, chain.head(), 0, None)
