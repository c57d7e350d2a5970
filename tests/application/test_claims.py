"""Claims in the ledger on every store: money that adds up, the approval chain in order, payouts
bounded by what was approved and credited, resubmission as a linked claim, and the subsidy rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from api.holiday_source import library_holidays
from domain.actors import Actor, Role
from domain.claim_commands import ClaimDraft, SubsidyIneligible
from domain.claim_terms import ClaimKind, ClaimLine, LineKind, OldPart
from domain.claims import (
    ApprovalOutOfOrder,
    ClaimRuleViolation,
    ClaimStatus,
    PayoutExceedsApproved,
    SubsidyPurchase,
)
from domain.contract_documents import contract_document
from domain.errors import InvalidValue
from domain.household_subsidies import SubsidyLimitReached
from domain.ledger import ServiceLedger
from domain.policy_packs import PackInvalid
from tests.support import MANAGER, SetClock, evict

CLERK = Actor("clerk-li", Role.CLAIMS)
FINANCE = Actor("fin-zhang", Role.FINANCE)
BU = Actor("bu-wang", Role.BU_MANAGER)
SALES = Actor("sales-liu", Role.SALES_DIRECTOR)
SERVICE = Actor("svc-zhao", Role.SERVICE_DIRECTOR)
GM = Actor("gm-sun", Role.GENERAL_MANAGER)
CHAIN = (BU, SALES, SERVICE, GM)
PUMP = ClaimLine(LineKind.MATERIAL, "P-4411", "Hydraulic pump", Decimal(1), Decimal("28000.00"))
LABOUR = ClaimLine(LineKind.LABOUR, "L-100", "Replace the pump", Decimal("2.5"), Decimal("800.00"))


@pytest.fixture
def clock() -> SetClock:
    return SetClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def claims(store_env: dict[str, str], clock: SetClock) -> Iterator[ServiceLedger]:
    ledger = ServiceLedger(env=store_env, clock=clock)
    contract(ledger, clock, "xcmg")
    yield ledger
    ledger.close()


def contract(ledger: ServiceLedger, clock: SetClock, customer: str, overrides: Any = None) -> UUID:
    document = contract_document("fault-4-class", overrides, library_holidays)
    contract_id = ledger.draft_contract(customer, "Service and claims", document, MANAGER).id
    ledger.review_contract(contract_id, 1, "Checked", Actor("eng-li", Role.ENGINEER))
    ledger.approve_contract(contract_id, 1, clock.now - timedelta(days=400), Actor("mgr-two", Role.MANAGER))
    return contract_id


def filed(ledger: ServiceLedger, kind: ClaimKind = ClaimKind.COMMERCIAL, **facts: Any) -> UUID:
    draft = ClaimDraft(kind, "xcmg", "volvo-ce", "CNY", **{"lines": (PUMP, LABOUR), **facts})
    claim_id = ledger.draft_claim(draft, CLERK).id
    ledger.submit_claim(claim_id, CLERK)
    return claim_id


def approved(ledger: ServiceLedger, amount: Decimal | None = None) -> UUID:
    claim_id = filed(ledger)
    for approver in CHAIN:
        ledger.approve_claim(claim_id, amount if approver is GM else None, approver)
    return claim_id


def test_lines_round_half_up_and_add_up_to_the_total(claims: ServiceLedger) -> None:
    odd = ClaimLine(LineKind.LABOUR, "L-7", "Inspection", Decimal("1.5"), Decimal("33.33"))
    other = ClaimLine(LineKind.OTHER, "", "Travel", Decimal(1), Decimal("120.10"))
    claim_id = claims.draft_claim(
        ClaimDraft(ClaimKind.WARRANTY, "xcmg", "volvo-ce", "CNY", (odd, other)), CLERK
    ).id
    claim = claims.get_claim(claim_id)
    assert [line.amount for line in claim.lines] == [Decimal("50.00"), Decimal("120.10")]
    assert claim.claimed == Decimal("170.10")


def test_a_commercial_claim_is_approved_by_its_four_roles_in_order_and_replays_alike(
    claims: ServiceLedger,
) -> None:
    claim_id = filed(claims, old_parts=(OldPart("P-4411", 1, "SN-88"),))
    claim = claims.get_claim(claim_id)
    assert claim.chain == tuple(a.role for a in CHAIN)
    assert claim.claimed == Decimal("30000.00")
    for approver in CHAIN[:3]:
        claims.approve_claim(claim_id, None, approver)
    assert claims.get_claim(claim_id).status is ClaimStatus.SUBMITTED
    claims.approve_claim(claim_id, Decimal("25000.00"), GM)
    claims.record_credit_note(claim_id, "CN-1", Decimal("25000.00"), date(2026, 11, 1), FINANCE)
    claims.record_claim_payment(claim_id, Decimal("10000.00"), "PAY-1", date(2026, 11, 2), FINANCE)
    claims.record_claim_payment(claim_id, Decimal("15000.00"), "PAY-2", date(2026, 11, 3), FINANCE)
    claims.reverse_claim_payment(
        claim_id, "PAY-2", "Transfer bounced", FINANCE, Actor("mgr-two", Role.MANAGER)
    )
    live = claims.get_claim(claim_id)
    assert (live.status, live.approved, live.credited, live.paid) == (
        ClaimStatus.APPROVED,
        Decimal("25000.00"),
        Decimal("25000.00"),
        Decimal("10000.00"),
    )
    evict(claims, claim_id)
    again = claims.get_claim(claim_id)
    assert (again.paid, again.approvals, again.old_parts, again.lines) == (
        live.paid,
        live.approvals,
        live.old_parts,
        live.lines,
    )


def test_a_skipped_step_is_refused_naming_it_and_nobody_approves_their_own_claim(
    claims: ServiceLedger,
) -> None:
    claim_id = filed(claims)
    claims.approve_claim(claim_id, None, BU)
    claims.approve_claim(claim_id, None, SALES)
    version = claims.get_claim(claim_id).version
    with pytest.raises(ApprovalOutOfOrder, match="service_director") as refused:
        claims.approve_claim(claim_id, None, GM)
    assert refused.value.values["missing_step"] == "service_director"
    with pytest.raises(ClaimRuleViolation, match="drafted or submitted"):
        claims.approve_claim(claim_id, None, Actor(CLERK.id, Role.SERVICE_DIRECTOR))
    assert claims.get_claim(claim_id).version == version


def test_payouts_never_exceed_what_was_approved_or_credited(claims: ServiceLedger) -> None:
    claim_id = approved(claims, Decimal("5000.00"))
    with pytest.raises(PayoutExceedsApproved):
        claims.record_claim_payment(claim_id, Decimal("6000.00"), "PAY-1", date(2026, 11, 2), FINANCE)
    claims.record_credit_note(claim_id, "CN-9", Decimal("4800.00"), date(2026, 11, 1), FINANCE)
    version = claims.get_claim(claim_id).version
    with pytest.raises(PayoutExceedsApproved, match="credited"):
        claims.record_claim_payment(claim_id, Decimal("4800.01"), "PAY-1", date(2026, 11, 2), FINANCE)
    assert claims.get_claim(claim_id).version == version
    claims.record_claim_payment(claim_id, Decimal("4800.00"), "PAY-1", date(2026, 11, 2), FINANCE)
    assert claims.get_claim(claim_id).payable == Decimal("4800.00")


def test_a_claim_submitted_after_the_14_day_term_is_flagged_late_by_the_days_past(
    claims: ServiceLedger, clock: SetClock
) -> None:
    completed = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 on 1 March in Shanghai
    clock.now = datetime(2026, 3, 17, 3, 0, tzinfo=UTC)
    claim = claims.get_claim(filed(claims, ClaimKind.WARRANTY, service_completed_at=completed))
    assert (claim.due_on, claim.days_late) == (date(2026, 3, 15), 2)
    on_time = claims.get_claim(
        filed(claims, ClaimKind.WARRANTY, service_completed_at=clock.now - timedelta(days=3))
    )
    assert on_time.days_late == 0


def test_a_rejected_claim_is_resubmitted_as_a_linked_second_claim(claims: ServiceLedger) -> None:
    first = filed(claims, ClaimKind.WARRANTY)
    claims.reject_claim(first, "Photo of the failed part missing", CLERK)
    cheaper = (PUMP,)
    second = claims.resubmit_claim(first, CLERK, cheaper).id
    old, new = claims.get_claim(first), claims.get_claim(second)
    assert (old.status, old.resubmitted_as, new.resubmission_of) == (ClaimStatus.RESUBMITTED, second, first)
    assert (new.status, new.claimed, new.contract_version) == (ClaimStatus.DRAFTED, Decimal("28000.00"), 1)
    with pytest.raises(ClaimRuleViolation):
        claims.resubmit_claim(first, CLERK)


def test_subsidy_is_13_percent_under_the_class_cap_once_per_household(
    claims: ServiceLedger, clock: SetClock
) -> None:
    programme = contract(claims, clock, "county-fund")

    def television(household: str, price: str, invoice: str) -> UUID:
        purchase = SubsidyPurchase(household, "television", invoice, Decimal(price), date(2026, 10, 20))
        draft = ClaimDraft(
            ClaimKind.SUBSIDY, household, "county-fund", "CNY", contract_id=programme, subsidy=purchase
        )
        return claims.draft_claim(draft, CLERK).id

    tv = television("hh-wu", "1800", "INV-1")
    assert claims.get_claim(tv).claimed == Decimal("234.00")
    with pytest.raises(SubsidyIneligible, match="cap of 2000"):
        television("hh-ma", "2300", "INV-2")
    with pytest.raises(SubsidyLimitReached):
        television("hh-wu", "1500", "INV-3")
    claims.submit_claim(tv, CLERK)
    assert claims.get_claim(tv).payout_due_at is not None
    claims.approve_claim(tv, None, Actor("fin-other", Role.FINANCE))
    claims.record_claim_payment(tv, Decimal("234.00"), "BANK-1", date(2026, 11, 2), FINANCE)
    with pytest.raises(ClaimRuleViolation, match="refunded before"):
        claims.return_subsidised_product(tv, CLERK)
    claims.refund_subsidy(tv, "REFUND-1", FINANCE)
    claims.return_subsidised_product(tv, CLERK)
    assert claims.get_claim(television("hh-wu", "1500", "INV-4")).claimed == Decimal("195.00")


def test_claim_terms_come_from_the_contract_version_and_a_bad_table_is_refused_with_its_field(
    claims: ServiceLedger, clock: SetClock
) -> None:
    shorter = contract(claims, clock, "sany", {"claims": {"submission_days": 7}})
    assert claims.claim_terms(shorter, 1).submission_days == 7
    bad = {"claims": {"approvals": [{"kind": "commercial", "steps": ["engineer"]}]}}
    with pytest.raises(PackInvalid, match=r"claims\.approvals\[0\]\.steps\[0\]"):
        contract_document("fault-4-class", bad, library_holidays)


def test_a_line_or_a_total_beyond_the_largest_amount_is_refused_and_nothing_is_recorded(
    claims: ServiceLedger,
) -> None:
    with pytest.raises(InvalidValue, match="rate or price"):
        ClaimLine(LineKind.MATERIAL, "P-1", "Pump", Decimal(1), Decimal("-5"))
    with pytest.raises(InvalidValue, match="line's amount"):
        ClaimLine(LineKind.MATERIAL, "P-1", "Pump", Decimal(99_999), Decimal("9999999999999"))
    big = ClaimLine(LineKind.MATERIAL, "P-1", "Pump", Decimal(1), Decimal("9000000000000.00"))
    position = claims.recorder.max_notification_id()
    with pytest.raises(InvalidValue, match="total"):
        claims.draft_claim(ClaimDraft(ClaimKind.WARRANTY, "xcmg", "volvo-ce", "CNY", (big, big)), CLERK)
    assert claims.recorder.max_notification_id() == position
