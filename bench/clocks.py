"""Due-time evaluations per second: every clock of the default fault pack, read for tickets with
and without pauses, on a round-the-clock and an office-hours calendar.

Pure functions, no store: this is the cost the SLA views and the breach sweeper pay per ticket.
From the project root:

    .venv/bin/python bench/clocks.py [--tickets N]
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run as a file: import from the project root, not from bench/
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import random
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from api.holiday_source import library_holidays
from bench.common import machine_facts, print_facts, print_table
from domain.clocks import PauseSpan, evaluate
from domain.contract_documents import contract_document, terms_of
from domain.sla_terms import SlaTerms
from domain.ticket_terms import Milestone, MilestoneRecord, PauseReason

START = datetime(2026, 11, 2, tzinfo=UTC)


def office_terms() -> SlaTerms:
    """The fault pack with every clock counted in office hours (Mon-Fri 08:30-17:30)."""
    office = {"zone": "Asia/Shanghai", "weekdays": ["08:30-17:30"], "weekend": []}
    overrides = {"calendars": {"round_the_clock": {"every_day": None, **office}}}
    return terms_of(contract_document("fault-4-class", overrides, library_holidays))


def ticket(rng: random.Random, paused: bool) -> tuple[list[MilestoneRecord], list[PauseSpan]]:
    reported = START + timedelta(minutes=rng.randrange(0, 30 * 24 * 60))
    steps = [
        Milestone.REPORTED,
        Milestone.RESPONDED,
        Milestone.DISPATCHED,
        Milestone.ARRIVED,
        Milestone.RESTORED,
    ]
    at, records = reported, []
    for version, milestone in enumerate(steps, start=1):
        records.append(MilestoneRecord(version, milestone, at, "bench"))
        at += timedelta(minutes=rng.randrange(2, 120))
    pauses = [
        PauseSpan(
            PauseReason.WAITING_FOR_CUSTOMER,
            reported + timedelta(minutes=30),
            reported + timedelta(minutes=75),
        )
    ]
    return records, pauses if paused else []


def rate(terms: SlaTerms, tickets: int, paused: bool) -> tuple[int, float]:
    rng = random.Random(7)
    cases = [ticket(rng, paused) for _ in range(tickets)]
    now = START + timedelta(days=40)
    started = time.perf_counter()
    clocks = sum(len(evaluate(terms, "major", "city", records, pauses, now)) for records, pauses in cases)
    return clocks, time.perf_counter() - started


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tickets", type=int, default=20_000)
    args = parser.parse_args(argv)
    print_facts(machine_facts())
    rows = []
    for calendar, terms in (
        ("7x24", terms_of(contract_document("fault-4-class", holiday_source=library_holidays))),
        ("office hours", office_terms()),
    ):
        for paused in (False, True):
            clocks, seconds = rate(terms, args.tickets, paused)
            rows.append(
                (calendar, "yes" if paused else "no", clocks, round(seconds, 2), round(clocks / seconds))
            )
    print_table(
        "Clock evaluations (4 targets per ticket)",
        ("calendar", "pause", "clocks", "seconds", "clocks/s"),
        rows,
    )


if __name__ == "__main__":
    main()
