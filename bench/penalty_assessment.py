"""Penalty assessment throughput on PostgreSQL: causes/s of the penalty assessor catching up over a
log of recorded causes, the same again restarted from zero (every cause already assessed), and
the SLA monitor catching up over the same log as the baseline, measured in the same run.

A throwaway PostgreSQL database is migrated with the project's migrations. Through the ledger's
own commands, on a settable clock (so breaches are deterministic): the story's rule book and
contract in force (tests/penalty_story.py), then `--causes` causes (default 1,000), no processor
running, by `--writers` threads at once, a `--stock-share` of them falls below safety stock spread
evenly among the breaches:

- SLA breaches: a general fault reported at 10:00, answered and dispatched in time, the engineer
  on site 65 minutes later (the arrival target is 1 h), its verdicts settled (`settle_sla`): an
  arrival breached, beside response and escalation met; the contract fines a late arrival 100;
- falls below safety stock: a new item receives 10 units, gets a safety stock of 5 and issues 6
  to an open ticket (countersigned); the rule book's stock-out rule fines it 200.

This set-up is not measured and commits without waiting for the WAL (synchronous_commit off for
the database meanwhile); the timed runs commit as the server is set to.

Each timed run is a fresh ServiceLedger (a restarted process, its aggregate cache cold) running
`ViewRunner.catch_up` from position 0 with PostgreSQL tracking (`SqlView`):

1. the SLA monitor (`sla_monitor` tracking), the baseline: it settles each ticket the log touches,
   and finds nothing new to record;
2. the penalty assessor (`penalty_assessor` tracking): one penalty per cause must be recorded;
3. the penalty assessor again after its tracking is deleted: nothing may be recorded.

From the project root (the database is dropped at the end):

    .venv/bin/python -m bench.penalty_assessment [--causes N] [--stock-share F] [--writers N]
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run as a file: import from the project root, not from bench/
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import itertools
import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from threading import Lock
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import TrackingRecorder
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg import sql

from bench import common
from domain.actors import Actor, Role
from domain.clocks import ClockStatus
from domain.ledger import ServiceLedger
from domain.ledger_base import Recorded
from domain.sla_verdicts import SlaVerdicts
from migrations.runner import migrate
from projections.batching import BatchProjection
from projections.penalty_assessor import PenaltyAssessor
from projections.read_side import dialect_for
from projections.runner import ViewRunner
from projections.sla_monitor import SlaMonitor
from projections.sql import Dialect, SqlView
from tests.penalty_story import T0, T10, book_in_force, contract_in_force, late_arrival
from tests.support import SetClock

KEEPER = Actor("wh-keeper-wang", Role.WAREHOUSE)
COUNTERSIGNER = Actor("wh-deputy-liu", Role.WAREHOUSE)
LATE_BY = 65
"""Minutes from report to arrival; the arrival target is 60."""
NOW = T10 + timedelta(minutes=LATE_BY + 5)
"""The ledger's clock while the causes are recorded and assessed: the arrival lies behind it, no
later target (restoration) has lapsed yet."""
ASSESSED = "domain.penalties:Penalty.Assessed"
BREACH, MET, FELL = "SLA verdict, breached", "SLA verdict, met", "fell below safety stock"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--causes", type=int, default=1_000, help="causes recorded (breaches and falls)")
    parser.add_argument("--stock-share", type=float, default=0.1, help="share of falls below safety stock")
    parser.add_argument("--writers", type=int, default=4, help="threads recording the causes")
    parser.add_argument("--batch-size", type=int, default=10_000, help="the runners' page of the log")
    args = parser.parse_args(argv)
    if args.causes < 2 or not 0 < args.stock_share < 1:
        parser.error("--causes at least 2, --stock-share between 0 and 1")
    return args


# --- recording the causes --------------------------------------------------------------------------


@dataclass
class Recording:
    breaches: int = 0
    falls: int = 0
    seconds: float = 0.0
    events: int = 0


def record(ledger: ServiceLedger, clock: SetClock, args: argparse.Namespace) -> Recording:
    """The story's book and contract in force, then the causes through the ledger's commands, by
    `args.writers` threads at once (each cause its own commands; the first, alone, a breach whose
    open ticket the falls issue their parts to)."""
    clock.now = T0
    book_in_force(ledger)
    contract_in_force(ledger)
    clock.now = NOW
    falls = min(args.causes - 1, max(1, round(args.causes * args.stock_share)))
    # Whether each cause is a fall below safety stock, spread evenly: the first is a breach.
    plan = [(i + 1) * falls // args.causes > i * falls // args.causes for i in range(args.causes)]
    started, done, lock = time.perf_counter(), [0], Lock()
    ticket, _ = late_arrival(ledger, LATE_BY)
    numbers = itertools.count()

    def cause(fall: bool) -> None:
        if fall:
            fall_below_safety_stock(ledger, next(numbers), ticket)
        else:
            late_arrival(ledger, LATE_BY)
        with lock:
            done[0] += 1
            if done[0] % 500 == 0:
                print(f"  {done[0]:,} causes recorded in {time.perf_counter() - started:.0f} s", flush=True)

    with ThreadPoolExecutor(args.writers) as pool:
        for finished in [pool.submit(cause, fall) for fall in plan[1:]]:
            finished.result()
    seconds = time.perf_counter() - started
    return Recording(plan.count(False), plan.count(True), seconds, events_in_log(ledger))


def fall_below_safety_stock(ledger: ServiceLedger, number: int, ticket_id: UUID) -> None:
    part, location = f"P-{number:05d}", f"loc-{number % 20:02d}"
    ledger.receive_stock(part, location, "bench-supplier", f"GRN-{number}", 10, Decimal("12.50"), KEEPER)
    ledger.set_safety_stock(part, location, 5, KEEPER)
    ledger.issue_stock(part, location, ticket_id, 6, COUNTERSIGNER, KEEPER)


def events_in_log(ledger: ServiceLedger, topic: str | None = None, stop: int | None = None) -> int:
    """The events in the log (up to position `stop`) of the topic, or of any topic."""
    recorder, dialect = ledger.recorder, dialect_for(ledger)
    assert isinstance(recorder, PostgresApplicationRecorder)
    assert dialect is not None
    statement = sql.SQL(
        "SELECT count(*) AS n FROM {} WHERE notification_id <= %s AND (%s::text IS NULL OR topic = %s)"
    )
    with dialect.transaction(commit=False) as cursor:
        cursor.execute(
            statement.format(sql.Identifier(recorder.events_table_name)), (stop or 2**62, topic, topic)
        )
        return int(cursor.fetchone()["n"])


# --- the timed runs --------------------------------------------------------------------------------


@dataclass
class CountingAssessor:
    """The ledger's `assess_event`, counting the causes read and the penalties recorded by kind."""

    ledger: ServiceLedger
    read: Counter[str] = field(default_factory=Counter)
    recorded: Counter[str] = field(default_factory=Counter)
    seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def assess_event(self, event: Any, position: int | None = None) -> list[Recorded]:
        kind = kind_of(event)
        started = time.perf_counter()
        done = self.ledger.assess_event(event, position)
        self.seconds[kind] += time.perf_counter() - started
        self.read[kind] += 1
        self.recorded[kind] += len(done)
        return done


def kind_of(event: Any) -> str:
    if isinstance(event, SlaVerdicts.VerdictRecorded):
        return BREACH if event.outcome is ClockStatus.BREACHED else MET
    return FELL if type(event).__qualname__ == "StockItem.FellBelowSafetyStock" else type(event).__qualname__


@dataclass
class Run:
    name: str
    seconds: float
    events: int
    """Log events read (the assessor reads the penalties it appends too)."""
    written: int
    """Events the run appended to the log."""
    assessor: CountingAssessor | None = None

    @property
    def recorded(self) -> int:
        return 0 if self.assessor is None else sum(self.assessor.recorded.values())


Projector = Callable[[ServiceLedger, TrackingRecorder], BatchProjection[TrackingRecorder]]


def timed_run(
    name: str, env: dict[str, str], tracking: str, projector: Projector, batch_size: int
) -> tuple[Run, int]:
    """One catch-up from position 0 on a fresh ledger; the run and the penalties then in the log."""
    ledger = ServiceLedger(env=env, clock=SetClock(NOW))
    try:
        dialect = dialect_for(ledger)
        assert dialect is not None
        reset(dialect, tracking)
        before = events_in_log(ledger)
        projection = projector(ledger, SqlView(dialect, tracking))
        runner = ViewRunner(ledger, projection, batch_size=batch_size)
        started = time.perf_counter()
        reached = runner.catch_up()
        seconds = time.perf_counter() - started
        counting = projection.ledger if isinstance(projection, PenaltyAssessor) else None
        assert counting is None or isinstance(counting, CountingAssessor)
        read = events_in_log(ledger, stop=reached)
        run = Run(name, seconds, read, events_in_log(ledger) - before, counting)
        return run, events_in_log(ledger, ASSESSED)
    finally:
        ledger.close()


def reset(dialect: Dialect, tracking: str) -> None:
    """Forget how far the processor has read: it starts again from zero."""
    with dialect.transaction(commit=True) as cursor:
        cursor.execute(f"DELETE FROM {tracking}_tracking")


def monitor(ledger: ServiceLedger, tracking: TrackingRecorder) -> BatchProjection[TrackingRecorder]:
    return SlaMonitor(tracking, ledger)


def assessor(ledger: ServiceLedger, tracking: TrackingRecorder) -> BatchProjection[TrackingRecorder]:
    return PenaltyAssessor(tracking, CountingAssessor(ledger))


# --- the report ------------------------------------------------------------------------------------


@dataclass
class Report:
    recording: Recording
    runs: list[Run]
    in_log: list[int]
    """Penalty.Assessed events in the log after each run."""
    facts: list[tuple[str, str]]


def measure(args: argparse.Namespace, env: dict[str, str]) -> Report:
    clock = SetClock(T0)
    commits(env, "SET synchronous_commit = off")  # the set-up is not measured: its commits need not wait
    ledger = ServiceLedger(env=env, clock=clock)
    try:
        print(f"recording {args.causes:,} causes through the ledger's commands", flush=True)
        recording = record(ledger, clock, args)
    finally:
        ledger.close()
        commits(env, "RESET synchronous_commit")  # the timed runs commit as the server is set to
    plan = (
        ("SLA monitor (baseline)", "sla_monitor", monitor),
        ("penalty assessor, first run", "penalty_assessor", assessor),
        ("penalty assessor, restarted from 0", "penalty_assessor", assessor),
    )
    runs, in_log = [], []
    for name, tracking, projector in plan:
        print(f"timing: {name}", flush=True)
        run, penalties = timed_run(name, env, tracking, projector, args.batch_size)
        runs.append(run)
        in_log.append(penalties)
    return Report(recording, runs, in_log, common.postgres_facts(env))


def commits(env: dict[str, str], setting: str) -> None:
    """Set how the bench database's new connections commit."""
    with psycopg.connect(common.ADMIN_CONNINFO, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{env["POSTGRES_DBNAME"]}" {setting}')


def checks(report: Report) -> list[tuple[str, str, str]]:
    """What must hold, what was found, and whether it does."""
    recording, (baseline, first, again) = report.recording, report.runs
    assert first.assessor is not None
    assert again.assessor is not None
    causes = recording.breaches + recording.falls
    wanted = [
        ("penalties recorded, first run = causes", causes, first.recorded),
        (
            "  on SLA breaches = breaches (1 rule: late-arrival)",
            recording.breaches,
            first.assessor.recorded[BREACH],
        ),
        (
            "  on falls below safety stock = falls (1 rule: stock-out)",
            recording.falls,
            first.assessor.recorded[FELL],
        ),
        ("  on verdicts met", 0, first.assessor.recorded[MET]),
        ("Penalty.Assessed events in the log after the first run", causes, report.in_log[1]),
        ("causes read, first run = causes", causes, first.assessor.read[BREACH] + first.assessor.read[FELL]),
        ("penalties recorded, restarted from 0", 0, again.recorded),
        (
            "causes read, restarted from 0 = causes",
            causes,
            again.assessor.read[BREACH] + again.assessor.read[FELL],
        ),
        ("Penalty.Assessed events in the log after the restart", causes, report.in_log[2]),
        ("events the SLA monitor appended", 0, baseline.written),
    ]
    return [
        (what, f"{found:,} (want {want:,})", "ok" if found == want else "FAILED")
        for what, want, found in wanted
    ]


def run_rows(report: Report) -> list[tuple[object, ...]]:
    recording, baseline = report.recording, report.runs[0]
    causes = recording.breaches + recording.falls
    rows: list[tuple[object, ...]] = []
    for run in report.runs:
        causes_rate: object = causes / run.seconds if run.assessor is not None else "-"
        penalties: object = run.recorded / run.seconds if run.assessor is not None else "-"
        ratio = (run.events / run.seconds) / (baseline.events / baseline.seconds)
        recorded: object = run.recorded if run.assessor is not None else "-"
        row = (run.events, run.seconds, run.events / run.seconds, causes_rate)
        rows.append((run.name, *row, recorded, penalties, run.written, ratio))
    return rows


RUN_HEADER = "run|events read|s|events/s|causes/s|penalties recorded|penalties/s|events appended"
RUN_HEADER += "|events/s vs baseline"


def kind_rows(report: Report) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for run in report.runs[1:]:
        assert run.assessor is not None
        for kind in (BREACH, FELL, MET):
            read, seconds = run.assessor.read[kind], run.assessor.seconds.get(kind, 0.0)
            rate: object = read / seconds if seconds else "-"
            per_event = 1000 * seconds / read if read else "-"
            rows.append((run.name, kind, read, seconds, rate, per_event, run.assessor.recorded[kind]))
    return rows


KIND_HEADER = "run|event read|events|s in assess_event|events/s|ms each|penalties recorded"


def print_report(args: argparse.Namespace, report: Report, loads: Sequence[str]) -> None:
    recording = report.recording
    facts = [*report.facts, ("load average before / after", " / ".join(loads))]
    common.print_facts(common.machine_facts(facts))
    causes = recording.breaches + recording.falls
    print(
        f"\nrecorded {causes:,} causes ({recording.breaches:,} SLA breaches, {recording.falls:,} falls below "
        f"safety stock) in {recording.events:,} log events, {recording.seconds:.1f} s, no processor running"
    )
    title = f"Catching up over the {causes:,} causes from position 0: PostgreSQL tracking, pages of "
    title += f"{args.batch_size:,} events, a fresh ledger each run (cold cache); baseline: the SLA monitor"
    common.print_table(title, RUN_HEADER.split("|"), run_rows(report))
    common.print_table(
        "The assessor's time in assess_event by kind of event read", KIND_HEADER.split("|"), kind_rows(report)
    )
    common.print_table("Checks", ("check", "found", ""), checks(report))


def load_average() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    print(f"penalty_assessment: {args.causes:,} causes on PostgreSQL")
    if problem := common.postgres_problem():
        sys.exit(f"penalty_assessment: {problem}")
    loads, started = [load_average()], time.perf_counter()
    with common.fresh_postgres() as variables:  # dropped at the end, and on failure
        env = common.ledger_env(variables)
        migrate(env)
        set_up = time.perf_counter() - started
        report = measure(args, env)
    print_report(args, report, [*loads, load_average()])
    timed = sum(run.seconds for run in report.runs)
    print(
        f"\nwall time: database and migrations {set_up:.1f} s, recording {report.recording.seconds:.1f} s, "
        f"timed runs {timed:.1f} s, the whole bench {time.perf_counter() - started:.1f} s"
    )
    if any(verdict != "ok" for *_, verdict in checks(report)):
        sys.exit("penalty_assessment: a check failed")


if __name__ == "__main__":
    main()
