"""Penalties assessed from the parts and claims causes the ledger records: a stock item falling
below safety stock with no transfer request, old parts logged in after their window, a backup
unit lent after its deadline, and a claim submitted late; each once, to the cause's party."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.claim_terms import ClaimKind
from domain.ledger import ServiceLedger
from domain.penalties import Penalty
from tests.application.test_claims import contract, filed
from tests.penalty_story import APPROVER, AUTHOR, REVIEWER, assessor, recorded_penalties, rule_book
from tests.projections.parts_story import T0, new_ledger, record_story
from tests.support import SetClock

EXTRA_RULES: list[dict[str, Any]] = [
    {
        "code": "backup-unit-late",
        "description": "Backup unit lent after its deadline, per started hour",
        "shape": "per_unit",
        "unit": "hour",
        "amount": "50",
        "on": "backup_unit_late",
    },
    {
        "code": "claim-late",
        "description": "Claim submitted after its deadline, per day",
        "shape": "per_unit",
        "unit": "day",
        "amount": "20",
        "on": "claim_late",
    },
]


def penalties_by_rule(ledger: ServiceLedger) -> dict[str, list[Penalty]]:
    found: dict[str, list[Penalty]] = {}
    for penalty in recorded_penalties(ledger):
        found.setdefault(penalty.rule, []).append(penalty)
    return found


def test_parts_causes_are_assessed_once_each_against_their_party(store_env: dict[str, str]) -> None:
    ledger = new_ledger(store_env)
    document = rule_book()
    document["rules"] += EXTRA_RULES
    ledger.draft_penalty_book("parts-book", "Parts rules", document, AUTHOR)
    ledger.review_penalty_book("parts-book", 1, "Checked", REVIEWER)
    ledger.approve_penalty_book("parts-book", 1, T0 - timedelta(days=30), APPROVER)
    record_story(ledger)
    runner = assessor(ledger)
    runner.catch_up()
    assessor(ledger).catch_up()

    found = penalties_by_rule(ledger)
    (stock_out,) = found["stock-out"]
    assert [(line.holder or line.role, line.amount) for line in stock_out.lines] == [
        ("product_department", Decimal("100.00")),
        ("warehouse_department", Decimal("100.00")),
    ]
    assert (stock_out.facts["part_number"], stock_out.facts["location_id"]) == ("P-1", "wh-main")
    (old_parts,) = found["old-parts-late"]
    assert (old_parts.total, old_parts.parties, old_parts.facts["lot"]) == (
        Decimal("100.00"),
        ("clerk-li",),
        "L3",
    )
    late_loans = found["backup-unit-late"]
    assert sorted((p.facts["minutes_late"], p.total, p.parties) for p in late_loans) == [
        ("1080", Decimal("900.00"), ("wh-sun",)),
        ("8280", Decimal("6900.00"), ("wh-sun",)),
    ]
    assert "claim-late" not in found


def test_a_claim_submitted_late_is_fined_per_day_late_against_its_clerk(store_env: dict[str, str]) -> None:
    clock = SetClock(datetime(2026, 3, 17, 3, 0, tzinfo=UTC))
    ledger = ServiceLedger(env=store_env, clock=clock)
    contract(ledger, clock, "xcmg")
    document = rule_book()
    document["rules"] += EXTRA_RULES
    ledger.draft_penalty_book("claims-book", "Claims rules", document, AUTHOR)
    ledger.review_penalty_book("claims-book", 1, "Checked", REVIEWER)
    ledger.approve_penalty_book("claims-book", 1, clock.now - timedelta(days=30), APPROVER)
    filed(ledger, ClaimKind.WARRANTY, service_completed_at=datetime(2026, 3, 1, 2, 0, tzinfo=UTC))
    filed(ledger, ClaimKind.WARRANTY, service_completed_at=clock.now - timedelta(days=3))
    assessor(ledger).catch_up()

    (late,) = penalties_by_rule(ledger)["claim-late"]
    assert (late.total, late.parties, late.facts["days_late"]) == (Decimal("40.00"), ("clerk-li",), "2")
