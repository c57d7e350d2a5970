"""Verifying the hash chain: the log's stored events hashed again and compared with the links the
sealer kept, over the whole log or a range of positions, reporting the first problem found.

Each event's link is recomputed from the link sealed before it, so a page of the log and the
links sealed for it are all one step needs: memory stays flat however long the log. When every
link holds, the whole chain does. Positions are the ones the log holds, in order; a gap in them
(a rolled-back insert on PostgreSQL) is no problem.

What each problem means, and how it is told apart:

- **altered**: the event at a sealed position no longer hashes to its link, and no swap or shift
  explains it (a byte of its payload, topic, aggregate or version changed; or the link itself).
- **reordered**: the first mismatch at position p is explained by a swap: the event (or the topic
  and payload) at a later position q hashes to p's link, and what is at p hashes to q's.
- **missing**: a sealed position holds no event while the log goes on past it (a row deleted); or
  the event at p is the one sealed at the next sealed position (rows renumbered down over it).
- **truncated**: sealed positions past the log's last event (the tail deleted).
- **inserted**: an event at a position below the sealed head that the chain never sealed (a
  forged row in a gap); or the next event hashes to p's link (rows renumbered up to make room).

A swap or a shift is looked for within SWAP_WINDOW positions of the mismatch; further apart, it
shows as altered. Events after the sealed head are not yet sealed: counted, not verified.

Every link is checked from the link sealed before it, so parts of a range can be checked side by
side, with the same findings:

- **On PostgreSQL the database hashes.** Each statement checks a page of positions
  (PostgresLog.check: the canonical encoding spelled in SQL and its sha256, each event from the
  link sealed before its position) and returns only what disagrees: events that do not hash to a
  link sealed for them, or that it leaves to Python, and sealed positions that hold no event.
  `streams` statements run side by side, on connections of their own, and no payload leaves the
  database. Each position returned is looked at again here, in order, as hashing here would find
  it: an event left to Python may hash to its link after all, and the first that does not is told
  apart as above.
- **On SQLite, and in memory, it is hashed here.** Each page is read a page ahead, in a thread,
  while the one before is hashed; a long range can be verified in parts, side by side, in
  processes of their own (the hashing is CPU-bound Python).
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Generator, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import closing, suppress
from dataclasses import dataclass, replace
from enum import StrEnum
from itertools import pairwise, repeat
from multiprocessing import get_context
from queue import Full, Queue
from threading import Thread

from domain.audit_chain import link_fields
from domain.ledger import ServiceLedger
from projections.chain_log import Checked, Event, LogReader, PostgresLog, log_reader
from projections.chain_sealer import ChainStore, Sealed, chain_store
from projections.read_side import dialect_for

PAGE = 10_000
"""Events read per page; on PostgreSQL, positions checked per statement."""
PART = 250_000
"""The fewest positions worth a process of their own: fewer are verified in the calling process."""
SWAP_WINDOW = 1_000
"""How far past a mismatch a swapped or shifted event is looked for."""


class Kind(StrEnum):
    """What a verification found wrong (the module's docstring says how each is told apart)."""

    ALTERED = "altered"
    REORDERED = "reordered"
    MISSING = "missing"
    TRUNCATED = "truncated"
    INSERTED = "inserted"


@dataclass(frozen=True)
class Problem:
    """The first thing in the log that the chain does not vouch for."""

    kind: Kind
    position: int
    detail: str

    def __str__(self) -> str:
        return f"position {self.position}: {self.kind}: {self.detail}"


@dataclass(frozen=True)
class Verification:
    """How far the log verified, and the first problem if one was found."""

    verified: int
    """Events whose link matched."""
    last: Sealed
    """The last position verified and its link (where verifying began, when none was)."""
    unsealed: int
    """Events in the range after the sealed head: not yet sealed, so not verified."""
    problem: Problem | None


def verify_store(
    env: Mapping[str, str],
    start: int = 1,
    stop: int | None = None,
    processes: int | None = None,
    part: int = PART,
) -> Verification:
    """Verify the ledger's store that `env` names, from `start` to `stop`, up to `processes` at once.
    On PostgreSQL that many statements (default: one per CPU, the database doing the work) check
    pages side by side; elsewhere a long range is verified in parts of at least `part` positions,
    side by side in as many processes (default_processes()), each reading its own pages. The first
    problem is the first part's that has one."""
    ledger = ServiceLedger(env=dict(env))
    try:
        dialect, log = dialect_for(ledger), log_reader(ledger)
        if isinstance(log, PostgresLog):
            streams = processes or os.cpu_count() or 1
            return verify(log, chain_store(dialect), start, stop, streams=streams)
        end = log.end() if stop is None else stop
        parts = min(processes or default_processes(), (end - start + 1) // part)
        if parts <= 1 or dialect is None:
            return verify(log, chain_store(dialect), start, stop)
    finally:
        ledger.close()
    firsts = [start + i * (end - start + 1) // parts for i in range(parts)]
    lasts = [first - 1 for first in firsts[1:]] + [stop]
    with ProcessPoolExecutor(parts, mp_context=get_context("spawn")) as pool:
        return _joined(list(pool.map(_verify_part, repeat(dict(env)), firsts, lasts)))


def default_processes() -> int:
    """Half the CPUs: the database serving the pages needs the other half."""
    return max(1, (os.cpu_count() or 1) // 2)


def _verify_part(env: dict[str, str], start: int, stop: int | None) -> Verification:
    ledger = ServiceLedger(env=env)
    try:
        chain = chain_store(dialect_for(ledger))
        return verify(log_reader(ledger), chain, start, stop)
    finally:
        ledger.close()


def _joined(parts: list[Verification]) -> Verification:
    """Consecutive parts' verifications as one: up to the first part with a problem."""
    verified = unsealed = 0
    last = parts[0].last
    for part in parts:
        verified, unsealed = verified + part.verified, unsealed + part.unsealed
        last = part.last if part.verified else last
        if part.problem is not None:
            return Verification(verified, last, unsealed, part.problem)
    return Verification(verified, last, unsealed, None)


def verify(
    log: LogReader,
    chain: ChainStore,
    start: int = 1,
    stop: int | None = None,
    page: int = PAGE,
    streams: int = 1,
) -> Verification:
    """Verify positions `start` to `stop` (the log's end when None) against the sealed chain: on
    PostgreSQL by the database, `streams` statements at a time, elsewhere hashed here."""
    if isinstance(log, PostgresLog):
        return _verify_in_database(log, chain, start, stop, page, streams)
    head, log_end = chain.head(), log.end()
    previous = chain.link_before(start)
    verified = unsealed = 0
    mismatch: tuple[Event, bytes | None] | None = None
    with closing(_read_ahead(log, chain, start - 1, stop, page)) as pages:
        for events, sealed in pages:
            if unsealed:
                unsealed += len(events)
                continue
            intact = _intact(previous.link, events, sealed)
            if intact:
                verified += intact
                position = events[intact - 1][0]
                previous = Sealed(position, sealed[position])
            if intact == len(events):
                continue
            event = events[intact]
            if event[0] in sealed or event[0] <= head.position:
                mismatch = event, sealed.get(event[0])
                break
            unsealed = len(events) - intact  # from here on, events the sealer has yet to reach
    if mismatch is not None:
        found = _problem(log, chain, *mismatch, previous, head, log_end)
        return Verification(verified, previous, unsealed, found)
    return _finished(chain, verified, previous, unsealed, stop, head, log_end)


def _finished(
    chain: ChainStore,
    verified: int,
    previous: Sealed,
    unsealed: int,
    stop: int | None,
    head: Sealed,
    log_end: int,
) -> Verification:
    """The verification of a range whose events all hashed to their links, up to `previous` (and
    then any not sealed yet): a problem only if a later position up to `stop` was sealed."""
    upto = head.position if stop is None else min(stop, head.position)
    gone = chain.links(previous.position, upto, 1)
    return Verification(verified, previous, unsealed, _gone(gone[0][0], log_end, head) if gone else None)


def _verify_in_database(
    log: PostgresLog, chain: ChainStore, start: int, stop: int | None, page: int, streams: int
) -> Verification:
    """`verify`, each page of positions checked by the database, and what it returns looked at here."""
    head, log_end = chain.head(), log.end()
    end = log_end if stop is None else min(stop, log_end)
    verified, last = 0, start - 1
    with closing(_checked_ahead(log, start - 1, end, page, streams)) as pages:
        for after, checked in pages:
            for position in sorted([*checked.gone, *checked.suspects]):
                found = _looked_at(log, chain, position, position in checked.gone, stop, head, log_end)
                if found is not None:
                    return replace(found, verified=verified + log.count(after, position - 1))
            verified += checked.events
            last = last if checked.last is None else checked.last
    return _finished(chain, verified, chain.link_before(last + 1), 0, stop, head, log_end)


def _looked_at(
    log: PostgresLog,
    chain: ChainStore,
    position: int,
    gone: bool,
    stop: int | None,
    head: Sealed,
    log_end: int,
) -> Verification | None:
    """What hashing here, in order, finds at a position the database returned (counting no event
    verified before it): None if its event hashes to its link after all (one left to Python)."""
    previous = chain.link_before(position)
    if gone:  # found at the next event, unless that is not sealed yet: then at the end
        following = log.page(position, stop, 1)
        if following and _not_sealed_yet(chain, following[0][0], head):
            return _finished(chain, 0, previous, log.count(position, stop), stop, head, log_end)
        return Verification(0, previous, 0, _gone(position, log_end, head))
    if _not_sealed_yet(chain, position, head):  # from here on, events the sealer has yet to reach
        return _finished(chain, 0, previous, log.count(position - 1, stop), stop, head, log_end)
    (event,) = log.page(position - 1, position, 1)
    sealed = dict(chain.links(position - 1, position, 1)).get(position)
    if sealed is not None and _hash(previous.link, event) == sealed:
        return None  # an event the database left to Python
    return Verification(0, previous, 0, _problem(log, chain, event, sealed, previous, head, log_end))


def _not_sealed_yet(chain: ChainStore, position: int, head: Sealed) -> bool:
    """Past the sealed head and not sealed since: the sealer has yet to reach it."""
    return position > head.position and not chain.links(position - 1, position, 1)


def _checked_ahead(
    log: PostgresLog, after: int, end: int, page: int, streams: int
) -> Generator[tuple[int, Checked], None, None]:
    """The log after `after` up to `end` checked by the database, in order, a page of positions at a
    time from the next event on (a gap in the log costs no statement), `streams` statements side by
    side, each on a connection of its own: the next are checked while the caller looks at one. Each
    page comes with the position it follows."""
    with ThreadPoolExecutor(streams, thread_name_prefix="chain-verify") as pool:
        checking: deque[tuple[int, Future[Checked]]] = deque()
        try:
            while following := log.page(after, end, 1):
                upto = min(following[0][0] + page - 1, end)
                checking.append((after, pool.submit(log.check, after, upto)))
                after = upto
                if len(checking) > streams:
                    first, checked = checking.popleft()
                    yield first, checked.result()
            while checking:
                first, checked = checking.popleft()
                yield first, checked.result()
        finally:
            for _, checked in checking:
                checked.cancel()


def _read_ahead(
    log: LogReader, chain: ChainStore, after: int, stop: int | None, page: int
) -> Generator[tuple[list[Event], dict[int, bytes]], None, None]:
    """The log's pages after `after`, each with the links sealed for its positions, read a page
    ahead in a thread of their own: reading waits on the database while the caller hashes."""
    pages: Queue[tuple[list[Event], dict[int, bytes]] | BaseException | None] = Queue(maxsize=2)
    stopping = threading.Event()

    def offer(item: tuple[list[Event], dict[int, bytes]] | BaseException | None) -> None:
        while not stopping.is_set():
            with suppress(Full):
                pages.put(item, timeout=0.1)
                return

    def read(after: int) -> None:
        try:
            while not stopping.is_set() and (events := log.page(after, stop, page)):
                last, after = after, events[-1][0]
                offer((events, dict(chain.links(last, after, after - last))))
            offer(None)
        except Exception as error:  # raised again by the caller, who is waiting for the page
            offer(error)

    reader = Thread(target=read, args=(after,), name="chain-verify-reader", daemon=True)
    reader.start()
    try:
        while (item := pages.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stopping.set()
        reader.join()


def _intact(previous: bytes, events: list[Event], sealed: dict[int, bytes]) -> int:
    """How many events, from the first, hash to their sealed links in turn (each after the one before)."""
    index = 0
    try:
        for index, (position, aggregate, version, topic, payload) in enumerate(events):
            link = sealed.get(position)
            if link is None or link_fields(previous, position, aggregate, version, topic, payload) != link:
                return index
            previous = link
    except ValueError:  # a payload that cannot be encoded (not UTF-8 JSON) hashes to nothing
        return index
    return len(events)


def _problem(
    log: LogReader,
    chain: ChainStore,
    event: Event,
    sealed: bytes | None,
    previous: Sealed,
    head: Sealed,
    log_end: int,
) -> Problem:
    """What is wrong at `event`, the first after `previous` not to hash to a sealed link."""
    position = event[0]
    skipped = chain.links(previous.position, position - 1, 1)
    if skipped:
        return _gone(skipped[0][0], log_end, head)
    if sealed is None:
        detail = f"an event the chain never sealed, below the sealed head {head.position}"
        return Problem(Kind.INSERTED, position, detail)
    return _explain(log, chain, event, previous, Sealed(position, sealed))


def _explain(log: LogReader, chain: ChainStore, here: Event, previous: Sealed, sealed: Sealed) -> Problem:
    """Why the event at a sealed position does not hash to its link: a swap or a shift, else altered."""
    position = here[0]
    later = log.page(position, None, SWAP_WINDOW)
    links = chain.links(position, None, SWAP_WINDOW)
    before = {q[0]: p[1] for p, q in pairwise([sealed, *links])}
    sealed_at = dict(links)
    for there in later:
        q = there[0]
        if q in sealed_at and any(
            _hash(previous.link, mine) == sealed.link and _hash(before[q], theirs) == sealed_at[q]
            for mine, theirs in _swaps(here, there)
        ):
            detail = f"holds what was sealed at position {q}, and {q} holds what was sealed here"
            return Problem(Kind.REORDERED, position, detail)
    if later and _hash(previous.link, (position, *later[0][1:])) == sealed.link:
        detail = "an event the chain never sealed; the events sealed from here on moved up a position"
        return Problem(Kind.INSERTED, position, detail)
    if links and _hash(sealed.link, (links[0][0], *here[1:])) == links[0][1]:
        detail = f"the event sealed here is gone; the event sealed at {links[0][0]} moved down to it"
        return Problem(Kind.MISSING, position, detail)
    return Problem(Kind.ALTERED, position, "the stored event no longer hashes to the link sealed for it")


def _swaps(here: Event, there: Event) -> Iterator[tuple[Event, Event]]:
    """`here` and `there` put back as they were before a swap: of whole events, or of their topic
    and payload only (each keeping its aggregate and version)."""
    p, q = here[0], there[0]
    yield (p, *there[1:]), (q, *here[1:])
    yield (p, here[1], here[2], there[3], there[4]), (q, there[1], there[2], here[3], here[4])


def _gone(position: int, log_end: int, head: Sealed) -> Problem:
    """A sealed position that holds no event: the log's tail cut off, or one event deleted."""
    if position > log_end:
        detail = f"the log ends at position {log_end}, before the sealed head {head.position}"
        return Problem(Kind.TRUNCATED, position, detail)
    return Problem(Kind.MISSING, position, "the event sealed here is no longer in the log")


def _hash(previous: bytes, event: Event) -> bytes | None:
    """The event's link after `previous`, or None if its payload cannot be encoded (not UTF-8 JSON)."""
    try:
        return link_fields(previous, *event)
    except ValueError:
        return None
