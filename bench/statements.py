"""Credit-note statement import: lines per second on PostgreSQL, parse and import apart.

A throwaway PostgreSQL database is migrated; a contract and twice `--lines` approved warranty
claims of one vendor are recorded through the ledger. A statement with one line per claim of the
first half (one line in ten at another amount than approved) is then parsed and imported, which
records its credit notes in one transaction; then imported again, which records nothing. The
baseline is the same number of credit notes recorded one claim at a time (`record_credit_note`,
one transaction each) on the second half, so the ratio holds on a noisy machine.

From the project root:

    .venv/bin/python -m bench.statements [--lines N]
"""

from __future__ import annotations

import sys
from pathlib import Path

if not __package__:  # run as a file: import from the project root, not from bench/
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse
import time
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from api.holiday_source import library_holidays
from bench.common import (
    fresh_postgres,
    ledger_env,
    machine_facts,
    postgres_facts,
    postgres_problem,
    print_facts,
    print_table,
)
from domain.actors import Actor, Role
from domain.claim_commands import ClaimDraft
from domain.claim_terms import ClaimKind, ClaimLine, LineKind
from domain.contract_documents import contract_document
from domain.ledger import ServiceLedger
from domain.statements import parse_statement
from migrations.runner import migrate

VENDOR = "bench-vendor"
CLERK = Actor("bench-clerk", Role.CLAIMS)
FINANCE = Actor("bench-finance", Role.FINANCE)
SIGNERS = {Role.SERVICE_DIRECTOR: Actor("bench-svc", Role.SERVICE_DIRECTOR), Role.FINANCE: FINANCE}
LINE = ClaimLine(LineKind.MATERIAL, "HDD-1.2T", "1.2 TB SAS disk", Decimal(1), Decimal("1850.00"))
ISSUED = date(2026, 11, 20)


def approved_claims(ledger: ServiceLedger, count: int) -> list[UUID]:
    """`count` warranty claims of the vendor, each approved by its two-step chain."""
    manager = Actor("bench-manager", Role.MANAGER)
    document = contract_document("fault-4-class", holiday_source=library_holidays)
    contract = ledger.draft_contract(VENDOR, "Bench warranty", document, manager).id
    ledger.review_contract(contract, 1, "Checked", CLERK)
    ledger.approve_contract(contract, 1, ledger.clock() - timedelta(days=1), Actor("bench-gm", Role.MANAGER))
    claims = []
    for _ in range(count):
        claim_id = ledger.draft_claim(
            ClaimDraft(ClaimKind.WARRANTY, VENDOR, VENDOR, "CNY", (LINE,)), CLERK
        ).id
        ledger.submit_claim(claim_id, CLERK)
        for role in ledger.get_claim(claim_id).chain:
            ledger.approve_claim(claim_id, None, SIGNERS[role])
        claims.append(claim_id)
    return claims


def statement(claims: list[UUID]) -> bytes:
    rows = ["claim_id,credit_note_number,amount,currency,issued_on"]
    for number, claim_id in enumerate(claims):
        credited = "1800.00" if number % 10 == 0 else "1850.00"
        rows.append(f"{claim_id},CN-{number:06d},{credited},CNY,{ISSUED.isoformat()}")
    return ("\n".join(rows) + "\n").encode()


def per_second(lines: int, seconds: float) -> int:
    return round(lines / seconds)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--lines", type=int, default=2000, help="statement lines (and baseline credit notes)")
    args = parser.parse_args(argv)
    if problem := postgres_problem():
        sys.exit(f"statements: {problem}")
    with fresh_postgres() as variables:
        env = ledger_env(variables)
        migrate(env)
        ledger = ServiceLedger(env=env)
        try:
            print(f"recording {2 * args.lines:,} approved claims")
            claims = approved_claims(ledger, 2 * args.lines)
            imported, baseline = claims[: args.lines], claims[args.lines :]
            data = statement(imported)
            started = time.perf_counter()
            parsed = parse_statement(VENDOR, data)
            parse_seconds = time.perf_counter() - started
            started = time.perf_counter()
            first = ledger.import_statement(parsed, [], FINANCE)
            import_seconds = time.perf_counter() - started
            started = time.perf_counter()
            again = ledger.import_statement(parse_statement(VENDOR, data), [], FINANCE)
            again_seconds = time.perf_counter() - started
            started = time.perf_counter()
            for number, claim_id in enumerate(baseline):
                ledger.record_credit_note(claim_id, f"CN-B{number:06d}", Decimal("1850.00"), ISSUED, FINANCE)
            baseline_seconds = time.perf_counter() - started
            facts = postgres_facts(env)
        finally:
            ledger.close()
    assert len(first.match.credit) == args.lines
    assert not again.match.credit
    assert len(again.match.already_recorded) == args.lines
    lines = args.lines
    print_facts(machine_facts(facts))
    print_table(
        f"Statement import of {lines:,} lines ({len(first.match.amount_mismatches):,} amount mismatches)",
        ("what", "seconds", "lines/s", "ratio to baseline"),
        [
            (
                "baseline: record_credit_note, one claim at a time",
                baseline_seconds,
                per_second(lines, baseline_seconds),
                1.0,
            ),
            ("parse_statement (CSV checked whole)", parse_seconds, per_second(lines, parse_seconds), ""),
            (
                "import_statement (one transaction)",
                import_seconds,
                per_second(lines, import_seconds),
                round(baseline_seconds / import_seconds, 1),
            ),
            (
                "the same statement again (records nothing)",
                again_seconds,
                per_second(lines, again_seconds),
                round(baseline_seconds / again_seconds, 1),
            ),
        ],
    )


if __name__ == "__main__":
    main()
