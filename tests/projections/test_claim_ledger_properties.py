"""Random claim histories on the in-memory store: whatever valid commands are recorded, the claim
ledger shows each claim's money as the claim has it, nothing is paid beyond what was approved (or
credited), totals are the counted rows added up, and a rebuild gives the same rows."""

from __future__ import annotations

from collections import defaultdict
from contextlib import suppress
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from api.holiday_source import library_holidays
from domain.actors import Actor, Role
from domain.claim_commands import ClaimDraft
from domain.claim_terms import ClaimKind, ClaimLine, LineKind
from domain.claims import ClaimStatus
from domain.contract_documents import contract_document
from domain.errors import LedgerError
from domain.ledger import ServiceLedger
from domain.money import rounded
from projections.claim_ledger import AMOUNTS, ClaimFilter, ClaimQuery, ClaimRow
from projections.read_side import ReadSide
from tests.support import MANAGER, SetClock

DOCUMENT = contract_document("fault-4-class", None, library_holidays)
START = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
CLERK = Actor("clerk-li", Role.CLAIMS)
APPROVERS = {
    role: Actor(f"{role.value}-1", role)
    for role in (
        Role.BU_MANAGER,
        Role.SALES_DIRECTOR,
        Role.SERVICE_DIRECTOR,
        Role.GENERAL_MANAGER,
        Role.FINANCE,
    )
}
SECOND_FINANCE = Actor("finance-2", Role.FINANCE)
VENDORS = ("volvo-ce", "komatsu")
KINDS = (ClaimKind.WARRANTY, ClaimKind.COMMERCIAL, ClaimKind.COMPENSATION)
ACTIONS = ("draft", *("advance",) * 4, "reject", "resubmit", "resubmit", "credit", "pay", "reverse", "close")
"""Advancing a claim (submit a draft, sign the next step, pay an approved claim) is the likeliest."""
NEXT = {ClaimStatus.DRAFTED: "submit", ClaimStatus.SUBMITTED: "approve"}
"""What advancing a claim does in each status; an approved (or any other) claim is paid."""
Step = tuple[str, int, int, int]
"""An action, the claim it is for (an index), a share in percent, and days the clock moves first."""
STEPS = st.lists(
    st.tuples(st.sampled_from(ACTIONS), st.integers(0, 3), st.integers(1, 150), st.integers(0, 20)),
    min_size=1,
    max_size=60,
)
PAID_BEYOND_CREDIT: list[Step] = [
    ("draft", 0, 10, 0),
    *[("advance", 0, 101, 0)] * 3,
    ("pay", 0, 100, 0),
    ("credit", 0, 80, 0),
]
"""Paid in full, then a credit note for less than was paid."""


def share_of(amount: Decimal, share: int) -> Decimal:
    return max(rounded(amount * share / 100), Decimal("0.01"))


class Story:
    """Records random claim commands on a fresh in-memory ledger; refused commands record nothing."""

    def __init__(self) -> None:
        self.clock = SetClock(START)
        self.ledger = ServiceLedger(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=self.clock)
        contract = self.ledger.draft_contract("xcmg", "Service and claims", DOCUMENT, MANAGER).id
        self.ledger.review_contract(contract, 1, "Checked", Actor("eng-li", Role.ENGINEER))
        self.ledger.approve_contract(contract, 1, START - timedelta(days=400), Actor("mgr-2", Role.MANAGER))
        self.claims: list[UUID] = []
        self.count = 0

    def play(self, steps: list[Step]) -> None:
        for action, index, share, days in steps:
            self.clock.now += timedelta(days=days)
            self.count += 1
            with suppress(LedgerError):
                self.record(action, index, share)

    def record(self, action: str, index: int, share: int) -> None:
        if action == "draft" or not self.claims:
            kind = KINDS[index % len(KINDS)]
            line = ClaimLine(LineKind.OTHER, "", "Repair", Decimal(1), Decimal(share * 100))
            draft = ClaimDraft(kind, "xcmg", VENDORS[index % len(VENDORS)], "CNY", (line,))
            self.claims.append(self.ledger.draft_claim(draft, CLERK).id)
            return
        claim_id = self.claims[index % len(self.claims)]
        claim = self.ledger.get_claim(claim_id)
        if action == "advance":
            action = NEXT.get(claim.status, "pay")
        today = date(2026, 1, 1)
        if action == "submit":
            self.ledger.submit_claim(claim_id, CLERK)
        elif action == "approve" and claim.next_step is not None:
            previous = claim.approvals[-1].amount if claim.approvals else claim.claimed
            figure = None if share > 100 else share_of(previous, share)
            self.ledger.approve_claim(claim_id, figure, APPROVERS[claim.next_step])
        elif action == "reject":
            self.ledger.reject_claim(claim_id, "Not covered", CLERK)
        elif action == "resubmit":
            self.claims.append(self.ledger.resubmit_claim(claim_id, CLERK).id)
        elif action == "credit":
            figure = share_of(claim.approved, share)
            self.ledger.record_credit_note(claim_id, f"CN-{self.count}", figure, today, SECOND_FINANCE)
        elif action == "pay":
            figure = share_of(claim.payable - claim.paid, min(share, 100))
            self.ledger.record_claim_payment(claim_id, figure, f"PAY-{self.count}", today, SECOND_FINANCE)
        elif action == "reverse" and claim.payments:
            reference = sorted(claim.payments)[share % len(claim.payments)]
            self.ledger.reverse_claim_payment(
                claim_id, reference, "Bounced", SECOND_FINANCE, APPROVERS[Role.FINANCE]
            )
        elif action == "close":
            self.ledger.close_claim(claim_id, "Settled", CLERK)

    def projected(self) -> tuple[ReadSide, list[ClaimRow]]:
        """The read side caught up, and its rows, checked to come back the same from a rebuild."""
        side = ReadSide(self.ledger)
        side.catch_up()
        rows = side.claims.all_rows()
        side.rebuild("claim_ledger")
        assert side.claims.all_rows() == rows
        return side, rows


def every_row(side: ReadSide) -> list[ClaimRow]:
    rows: list[ClaimRow] = []
    while page := side.claims.rows(ClaimQuery(after=rows[-1].claim_id if rows else None, limit=3)):
        rows += page
    return rows


@given(STEPS)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_claim_shows_its_own_money_and_totals_add_up_the_counted_claims(steps: list[Step]) -> None:
    story = Story()
    story.play(steps)
    side, rows = story.projected()

    assert [r.claim_id for r in rows] == sorted(str(c) for c in story.claims)
    assert every_row(side) == rows
    for row in rows:
        claim = story.ledger.get_claim(UUID(row.claim_id))
        assert (row.status, row.claimed, row.approved, row.credited, row.paid) == (
            claim.status.value,
            claim.claimed,
            claim.approved,
            claim.credited,
            claim.paid,
        )
        assert Decimal(0) <= row.paid <= row.approved
        if row.status != ClaimStatus.APPROVED.value:
            assert row.outstanding == 0
    expected: dict[tuple[str, ...], list[Any]] = defaultdict(lambda: [0] + [Decimal("0.00")] * len(AMOUNTS))
    for row in rows:
        if row.counted:
            sums = expected[(row.period, row.vendor_id, row.kind, row.currency)]
            sums[:] = [sums[0] + 1, *(s + getattr(row, a) for s, a in zip(sums[1:], AMOUNTS, strict=True))]
    totals = side.claims.totals(ClaimFilter())
    assert {
        (t.period, t.vendor_id, t.kind, t.currency): [t.claims, *(getattr(t, a) for a in AMOUNTS)]
        for t in totals
    } == expected
    aged = side.claims.aging(ClaimFilter(), story.clock.now.date())
    outstanding = {
        v: sum((r.outstanding for r in rows if r.vendor_id == v), Decimal("0.00")) for v in VENDORS
    }
    assert {a.vendor_id: a.total for a in aged} == {v: s for v, s in outstanding.items() if s}


@given(STEPS)
@example(PAID_BEYOND_CREDIT)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_nothing_is_paid_beyond_the_credit_notes_once_there_are_any(steps: list[Step]) -> None:
    story = Story()
    story.play(steps)

    _, rows = story.projected()
    for row in rows:
        if row.credit_notes:
            assert row.paid <= row.credited
