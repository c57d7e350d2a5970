"""Stock movements through the API: movements/s and latency on PostgreSQL at 10 concurrent clients,
beside GET /health and the ticket milestone POSTs of bench/http.py, measured in the same run.

Runs bench/http.py's own server (`ledger migrate`, `ledger serve` on a fresh database and a free
port; its tokens plus two warehouse keepers, one to issue and one to countersign) and its phases
(warm-up, GET /health, ticket commands), opens a few tickets, then one phase of each kind, S s each:

- first receipts: each opens a new item (a part at one of 20 locations) with 1,000 units;
- receipts, issues (countersigned, to an open ticket), transfers (request, dispatch, arrival):
  on items drawn at random from those opened, so that clients rarely collide (409s are counted);
- contended: every client alternates a receipt and an issue of one unit on one item;
- contended, long history: the same on an item given `--history` receipts first.

The contended items' stock is checked against the movements answered 2xx. From the project root:

    .venv/bin/python bench/parts.py [--quick] [--clients N] [--seconds S] [--history N]
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run as a file: import from the project root, not from bench/ (http is stdlib)
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import itertools
import os
import random
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

import httpx

from bench import http
from bench.common import (
    history_start,
    machine_facts,
    postgres_facts,
    postgres_problem,
    print_facts,
    print_table,
    throwaway_store,
    ticket_times,
)
from bench.http import DESK, TIMEOUT, Limits, Phase, Tally, drive, percentiles

KEEPER = {"Authorization": "Bearer wh"}
COUNTERSIGNED = {**KEEPER, "X-Countersigner-Token": "wh2"}
TOKENS = f"{http.TOKENS},wh=bench-wh:warehouse,wh2=bench-wh2:warehouse"
LOCATIONS = tuple(f"loc-{n:02d}" for n in range(20))
HOT, OLD = ("P-HOT", "central"), ("P-OLD", "central")
"""The items every client hits in the contended phases: a new one, one with a long history."""
HOT_STOCK = 1_000_000
OPEN_TICKETS = 10
Item = tuple[str, str]
Request = tuple[str, dict[str, object] | None]
"""A path and its JSON body."""


@dataclass
class Kinds(Tally):
    """A client's requests, and the same again by kind of request."""

    by_kind: dict[str, Tally] = field(default_factory=dict)

    def post(self, client: httpx.Client, kind: str, request: Request, headers: dict[str, str]) -> str | None:
        """POST and time it: the id answered if 2xx, else None."""
        path, body = request
        answer = self.time(lambda: client.post(path, json=body, headers=headers))
        mine = self.by_kind.setdefault(kind, Tally())
        mine.latencies.append(self.latencies[-1])
        mine.statuses["error" if answer is None else str(answer.status_code)] += 1
        return str(answer.json()["id"]) if answer is not None and answer.is_success else None


@dataclass
class Shared:
    """What the clients share: the items opened, the open tickets, the tallies of each phase."""

    tickets: list[str] = field(default_factory=list)
    opened: list[Item] = field(default_factory=list)
    fresh: Iterator[Item] = field(
        default_factory=lambda: itertools.product([f"P-{p:05d}" for p in range(50_000)], LOCATIONS)
    )
    """Items not opened yet, part by part; next() on it is atomic under the GIL."""
    numbers: Iterator[int] = field(default_factory=itertools.count)
    tallies: dict[str, list[Kinds]] = field(default_factory=dict)

    def receipt(self, item: Item, quantity: int) -> Request:
        body: dict[str, object] = {"supplier": "bench-supplier", "document": f"GRN-{next(self.numbers)}"}
        return f"/stock/{item[0]}/{item[1]}/receipts", body | {"quantity": quantity, "unit_cost": "12.50"}

    def issue(self, item: Item, rng: random.Random) -> Request:
        body: dict[str, object] = {"ticket_id": rng.choice(self.tickets), "quantity": 1, "chargeable": True}
        return f"/stock/{item[0]}/{item[1]}/issues", body


def first_receipts(shared: Shared, client: httpx.Client, tally: Kinds, _: random.Random) -> None:
    item = next(shared.fresh)
    if tally.post(client, "receipt, new item", shared.receipt(item, 1_000), KEEPER):
        shared.opened.append(item)


def receipts(shared: Shared, client: httpx.Client, tally: Kinds, rng: random.Random) -> None:
    tally.post(client, "receipt", shared.receipt(rng.choice(shared.opened), 10), KEEPER)


def issues(shared: Shared, client: httpx.Client, tally: Kinds, rng: random.Random) -> None:
    tally.post(client, "issue", shared.issue(rng.choice(shared.opened), rng), COUNTERSIGNED)


def transfers(shared: Shared, client: httpx.Client, tally: Kinds, rng: random.Random) -> None:
    part, source = rng.choice(shared.opened)
    destination = rng.choice([loc for loc in LOCATIONS if loc != source])
    body: dict[str, object] = {"part_number": part, "from_location": source, "to_location": destination}
    body |= {"quantity": 1, "reason": "Below safety stock"}
    if (transfer := tally.post(client, "transfer: request", ("/transfers", body), KEEPER)) is None:
        return
    dispatch: Request = (f"/transfers/{transfer}/dispatch", {"document": f"DN-{next(shared.numbers)}"})
    if tally.post(client, "transfer: dispatch", dispatch, KEEPER):
        tally.post(client, "transfer: arrival", (f"/transfers/{transfer}/arrival", None), KEEPER)


Work = Callable[[Shared, httpx.Client, Kinds, random.Random], None]
"""One round of a client's work: a request, or a few that depend on each other."""


def contended(item: Item) -> Work:
    def work(shared: Shared, client: httpx.Client, tally: Kinds, rng: random.Random) -> None:
        tally.post(client, "receipt, one item", shared.receipt(item, 1), KEEPER)
        tally.post(client, "issue, one item", shared.issue(item, rng), COUNTERSIGNED)

    return work


PHASES: dict[str, Work] = {
    "first receipts": first_receipts,
    "receipts": receipts,
    "issues": issues,
    "transfers": transfers,
    "contended": contended(HOT),
    "contended, long history": contended(OLD),
}


def movement_phase(base: str, pid: int, args: argparse.Namespace, shared: Shared, name: str) -> Phase:
    """The phase's work in `args.clients` clients at once for `args.seconds` (or their request budget)."""
    share, seeds = max(1, args.max_requests // args.clients), itertools.count()
    tallies: list[Kinds] = []
    shared.tallies[name] = tallies

    def client() -> Tally:
        tally, limits = Kinds(), Limits(time.monotonic() + args.seconds, share)
        tallies.append(tally)
        rng = random.Random(f"{args.seed}-{name}-{next(seeds)}")
        with httpx.Client(base_url=base, timeout=TIMEOUT) as connection:
            while not limits.reached(tally):
                PHASES[name](shared, connection, tally, rng)
        return tally

    return drive(name, pid, args.clients, client)


def set_up(base: str, shared: Shared, history: int) -> float:
    """Open the tickets parts are issued to, and stock the contended items, the second with
    `history` receipts of one unit, one after another; the seconds that took."""
    start = history_start(OPEN_TICKETS)
    with httpx.Client(base_url=base, timeout=TIMEOUT) as client:
        for index in range(OPEN_TICKETS):
            body = http.open_body(index, ticket_times(start, index)[0])
            answer = client.post("/tickets", json=body, headers=DESK)
            shared.tickets.append(str(answer.raise_for_status().json()["id"]))
        started = time.perf_counter()
        for item, quantity in [(HOT, HOT_STOCK), (OLD, HOT_STOCK), *[(OLD, 1)] * history]:
            path, stock = shared.receipt(item, quantity)
            client.post(path, json=stock, headers=KEEPER).raise_for_status()
        return time.perf_counter() - started


def stock_check(base: str, shared: Shared, phase: str, item: Item, before: int) -> str:
    """A contended item's stock, against what the movements answered 2xx should have left."""
    kinds = merged(shared.tallies[phase])
    received, issued = (kinds[k].statuses["200"] for k in ("receipt, one item", "issue, one item"))
    expected = before + received - issued
    on_hand = httpx.get(f"{base}/stock/{item[0]}/{item[1]}", headers=KEEPER, timeout=10).json()["on_hand"]
    verdict = "as expected" if on_hand == expected else "MISMATCH"
    moved = f"+{received:,} -{issued:,}"
    return f"{item[0]}@{item[1]}: {on_hand:,} on hand, {expected:,} expected ({moved}): {verdict}"


def merged(tallies: list[Kinds]) -> dict[str, Tally]:
    """The clients' tallies by kind of request, put together."""
    kinds: dict[str, Tally] = defaultdict(Tally)
    for tally in tallies:
        for kind, mine in tally.by_kind.items():
            kinds[kind].latencies.extend(mine.latencies)
            kinds[kind].statuses.update(mine.statuses)
    return kinds


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--clients", type=int, default=10, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--max-requests", type=int, default=50_000, help="request budget of each phase")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--history", type=int, default=1_000, help="receipts of the old item")
    parser.add_argument("--quick", action="store_true", help="3 s phases, a history of 100 receipts")
    args = parser.parse_args(argv)
    args.store = "postgres"  # what bench/http.py's functions ask of the arguments
    if args.quick:
        args.seconds, args.history = 3.0, 100
    return args


@dataclass
class Run:
    phases: list[Phase]
    shared: Shared
    notes: list[str]
    facts: list[tuple[str, str]]


def measure(args: argparse.Namespace) -> Run:
    shared, before = Shared(), load_average()
    with (
        throwaway_store("postgres") as variables,
        tempfile.TemporaryDirectory(prefix="bench-parts-") as logs,
    ):
        log_path = Path(logs) / "server.log"
        with http.running_service(variables, log_path, TOKENS) as (base, pid):
            health, tickets = http.run_phases(base, pid, args)
            phases = [health, replace(tickets, name="ticket commands")]
            seeded = set_up(base, shared, args.history)
            phases += [movement_phase(base, pid, args, shared, name) for name in PHASES]
            notes = [f"{OLD[0]}@{OLD[1]} got {args.history:,} receipts first, one by one, in {seeded:.1f} s"]
            notes += [stock_check(base, shared, "contended", HOT, HOT_STOCK)]
            notes += [stock_check(base, shared, "contended, long history", OLD, HOT_STOCK + args.history)]
            notes += [f"after the run: {http.final_health(base)}"]
        facts = [*postgres_facts(variables), ("load average before / after", f"{before} / {load_average()}")]
        notes.append(f"server log lines by level: {http.log_levels(log_path)}")
    return Run(phases, shared, notes, facts)


def load_average() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def statuses(tally: Tally | Phase) -> tuple[int, str]:
    """The 409s, and every other answer that is not 2xx."""
    others = ", ".join(f"{s}: {n}" for s, n in sorted(tally.statuses.items()) if s[0] != "2" and s != "409")
    return tally.statuses["409"], others or "none"


def phase_row(phase: Phase, health: Phase, tickets: Phase) -> tuple[object, ...]:
    conflicts, others = statuses(phase)
    ok = sum(n for s, n in phase.statuses.items() if s.startswith("2")) / phase.seconds
    share = 100 * conflicts / max(len(phase.latencies), 1)
    ratios = (phase.rate / health.rate, phase.rate / tickets.rate)
    server = "-" if phase.server_cpu is None else phase.server_cpu
    figures = (len(phase.latencies), phase.rate, ok, *percentiles(phase.latencies), *ratios)
    return (phase.name, *figures, conflicts, share, server, others)


PHASE_HEADER = "phase|requests|req/s|2xx/s|p50 ms|p95 ms|p99 ms|/ health|/ tickets|409s|409 %|server CPU"
PHASE_HEADER += "|others"
KIND_HEADER = "phase|request|requests|p50 ms|p95 ms|p99 ms|409s|others"


def report(args: argparse.Namespace, run: Run) -> None:
    print_facts(machine_facts([("server", "ledger serve: uvicorn, 1 worker"), *run.facts]))
    health, tickets = run.phases[:2]
    rows = [phase_row(p, health, tickets) for p in run.phases]
    title = f"{args.clients} concurrent clients on PostgreSQL (CPU in cores busy; others: other non-2xx)"
    print_table(title, PHASE_HEADER.split("|"), rows)
    kinds = [(p, kind, *figures(t)) for p in PHASES for kind, t in merged(run.shared.tallies[p]).items()]
    print_table("Movement phases by kind of request", KIND_HEADER.split("|"), kinds)
    opened = f"{len(run.shared.opened):,} at {len(LOCATIONS)} locations"
    print(f"\nitems opened: {opened}; open tickets: {OPEN_TICKETS}")
    print("\n".join(run.notes))


def figures(tally: Tally) -> tuple[object, ...]:
    return (len(tally.latencies), *percentiles(tally.latencies), *statuses(tally))


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    print(f"parts: {args.clients} clients, {args.seconds:.0f} s per phase, postgres store")
    if problem := postgres_problem():
        sys.exit(f"parts: {problem}")
    report(args, measure(args))


if __name__ == "__main__":
    main()
