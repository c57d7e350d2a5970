"""Reading the customer directory with its personal data revealed, on PostgreSQL or SQLite.

A throwaway store is migrated and N customers are registered through the ledger (each with its own
key, wrapped by a wrapping key). The view is caught up, then pages of 500 customers are timed
three ways, round-robin, in the same run:

- **baseline**: the page read from the directory view, the tokens left sealed;
- **revealed**: the page read and its 1,500 tokens revealed with their keys read in one go
  (`PersonalData.reveal_many`, what `GET /customers` and `customers.csv` do);
- **one key at a time**: the page read and each token revealed on its own (`reveal`).

From the project root (the store is removed afterwards):

    .venv/bin/python bench/customers.py [--store postgres|sqlite] [--customers N] [--runs N]
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run as a file: import from the project root, not from bench/
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import os
import statistics
import time
from collections.abc import Callable, Sequence

from api.app import open_ledger
from api.settings import Settings
from bench import common
from domain.actors import Actor, Role
from domain.customer_commands import CustomerDetails
from domain.ledger import ServiceLedger
from migrations.runner import migrate
from projections.customer_directory import CustomerRow
from projections.read_side import ReadSide

DESK = Actor("agent-zhou", Role.HOTLINE_AGENT)
PAGE = 500
WRAPPING = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--store", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=20, help="pages timed per way")
    return parser.parse_args(argv)


def timed(
    ways: dict[str, Callable[[str | None], object]], pages: list[str | None], runs: int
) -> dict[str, list[float]]:
    """Milliseconds per page read each way, the ways taking turns."""
    spent: dict[str, list[float]] = {name: [] for name in ways}
    for run in range(runs):
        after = pages[run % len(pages)]
        for name, way in ways.items():
            start = time.perf_counter()
            way(after)
            spent[name].append((time.perf_counter() - start) * 1000)
    return spent


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    if args.store == "postgres" and (problem := common.postgres_problem()):
        raise SystemExit(problem)
    with common.throwaway_store(args.store) as env:
        migrate(env)
        ledger: ServiceLedger = open_ledger(Settings.from_env({**env, "LEDGER_PERSONAL_DATA_KEY": WRAPPING}))
        try:
            for index in range(args.customers):
                details = CustomerDetails(
                    f"Customer {index}, facilities desk", "+86 21 5888 0100", "88 Century Avenue"
                )
                ledger.register_customer(f"cust-{index:06d}", details, DESK)
            read_side = ReadSide(ledger)
            read_side.catch_up()
            view, personal = read_side.customers, ledger.personal_data
            pages = [None, *(f"cust-{i - 1:06d}" for i in range(PAGE, args.customers - PAGE + 1, PAGE))]

            def sealed(after: str | None) -> list[str]:
                return [v for row in view.customers(after, PAGE) for v in _details(row)]

            spent = timed(
                {
                    "baseline: read the page, sealed": sealed,
                    "revealed, keys read in one go": lambda after: personal.reveal_many(sealed(after)),
                    "revealed one key at a time": lambda after: [personal.reveal(v) for v in sealed(after)],
                },
                pages,
                args.runs,
            )
        finally:
            ledger.close()
    base = statistics.median(spent["baseline: read the page, sealed"])
    rows = [
        (
            name,
            PAGE,
            f"{statistics.median(ms):.1f}",
            f"{sorted(ms)[int(len(ms) * 0.95) - 1]:.1f}",
            f"{statistics.median(ms) / base:.1f}x",
        )
        for name, ms in spent.items()
    ]
    common.print_facts(
        common.machine_facts(
            [
                ("store", args.store),
                ("customers", f"{args.customers:,}"),
                ("load average (1 min)", f"{os.getloadavg()[0]:.1f}"),
            ]
        )
    )
    common.print_table(
        "A page of the customer directory", ("way", "customers", "median ms", "p95 ms", "vs baseline"), rows
    )


def _details(row: CustomerRow) -> tuple[str, str, str]:
    return row.name, row.phone, row.address


if __name__ == "__main__":
    main()
