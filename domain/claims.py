"""The Claim aggregate: a warranty, commercial, compensation or subsidy claim, from draft through
its approval chain to credit notes and payouts, every step an event with its actor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.actors import Actor, Role
from domain.claim_terms import ClaimKind, ClaimLine, OldPart
from domain.errors import InvalidValue, RuleViolation
from domain.money import MAX_AMOUNT, amount
from domain.ticket_terms import require_code, require_text

SHA256_HEX = 64
FINANCE_APPROVERS = frozenset({Role.FINANCE, Role.MANAGER, Role.SERVICE_DIRECTOR, Role.GENERAL_MANAGER})
"""Who may approve the reversal of a payout."""


class ClaimStatus(Enum):
    DRAFTED = "drafted"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    RESUBMITTED = "resubmitted"
    """Rejected, and superseded by a linked second claim."""
    CLOSED = "closed"


class ClaimRuleViolation(RuleViolation):
    code = "claim-rule-violation"


class ApprovalOutOfOrder(RuleViolation):
    """The approver's role is not the chain's next step."""

    code = "approval-out-of-order"


class PayoutExceedsApproved(RuleViolation):
    code = "payout-exceeds-approved"


@dataclass(frozen=True)
class SubsidyPurchase:
    """The purchase a subsidy claim is for."""

    household_id: str
    product_class: str
    invoice_number: str
    invoice_price: Decimal
    purchased_on: date


@dataclass(frozen=True)
class Approval:
    step: int
    role: Role
    actor_id: str
    amount: Decimal
    signed_at: datetime


@dataclass(frozen=True)
class Evidence:
    kind: str
    sha256: str
    actor_id: str
    attached_at: datetime


@dataclass(frozen=True)
class CreditNote:
    amount: Decimal
    issued_on: date
    recorded_at: datetime


@dataclass(frozen=True)
class Payout:
    amount: Decimal
    paid_on: date
    recorded_at: datetime


@dataclass(frozen=True)
class Reversal:
    amount: Decimal
    reason: str
    actor_id: str
    approver_id: str
    recorded_at: datetime


class Claim(Aggregate):
    """A claim's money: claimed is the sum of its lines; approved, credited and paid follow."""

    class Drafted(Aggregate.Created):
        occurred_at: datetime
        actor: Actor
        kind: ClaimKind
        contract_id: UUID
        contract_version: int
        customer_id: str
        vendor_id: str
        ticket_id: UUID | None
        asset_id: str | None
        currency: str
        lines: list[ClaimLine]
        service_completed_at: datetime | None
        old_parts: list[OldPart]
        subsidy: SubsidyPurchase | None
        resubmission_of: UUID | None

    @event(Drafted)
    def __init__(
        self,
        occurred_at: datetime,
        actor: Actor,
        kind: ClaimKind,
        contract_id: UUID,
        contract_version: int,
        customer_id: str,
        vendor_id: str,
        ticket_id: UUID | None,
        asset_id: str | None,
        currency: str,
        lines: list[ClaimLine],
        service_completed_at: datetime | None,
        old_parts: list[OldPart],
        subsidy: SubsidyPurchase | None,
        resubmission_of: UUID | None,
    ) -> None:
        self.drafted_at = occurred_at
        self.drafted_by = actor.id
        self.kind = kind
        self.contract_id = contract_id
        self.contract_version = contract_version
        self.customer_id = customer_id
        self.vendor_id = vendor_id
        self.ticket_id = ticket_id
        self.asset_id = asset_id
        self.currency = currency
        self.lines = tuple(lines)
        self.service_completed_at = service_completed_at
        self.old_parts = tuple(old_parts)
        self.subsidy = subsidy
        self.resubmission_of = resubmission_of
        self.status = ClaimStatus.DRAFTED
        self.evidence: dict[str, Evidence] = {}
        self.submitted_at: datetime | None = None
        self.submitted_by: str | None = None
        self.days_late = 0
        self.due_on: date | None = None
        self.payout_due_at: datetime | None = None
        self.chain: tuple[Role, ...] = ()
        self.approvals: list[Approval] = []
        self.approved_at: datetime | None = None
        self.rejection: str | None = None
        self.resubmitted_as: UUID | None = None
        self.credit_notes: dict[str, CreditNote] = {}
        self.payments: dict[str, Payout] = {}
        self.reversed: dict[str, Reversal] = {}
        self.closed_at: datetime | None = None
        self.closing_reason: str | None = None
        self.subsidy_refunded = False
        self.refunded = Decimal("0.00")
        self.product_returned = False

    @classmethod
    def draft(cls, claim_id: UUID, **facts: object) -> Claim:
        """A new claim; the facts are those of `Drafted`, already checked by the caller."""
        lines = facts["lines"]
        if not isinstance(lines, list) or not lines:
            raise InvalidValue("a claim has at least one line", field="lines")
        if sum(line.amount for line in lines) >= MAX_AMOUNT:
            raise InvalidValue(f"a claim's total is below {MAX_AMOUNT:,.0f}", field="lines")
        return cls._create(cls.Drafted, id=claim_id, **facts)

    # --- what the claim adds up to --------------------------------------------------------------

    @property
    def claimed(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    @property
    def approved(self) -> Decimal:
        """The amount of the last step, once every step has signed; zero before."""
        if self.approved_at is None:
            return Decimal("0.00")
        return self.approvals[-1].amount

    @property
    def credited(self) -> Decimal:
        return sum((note.amount for note in self.credit_notes.values()), Decimal("0.00"))

    @property
    def paid(self) -> Decimal:
        payouts = sum((payout.amount for payout in self.payments.values()), Decimal("0.00"))
        reversed_ = sum((reversal.amount for reversal in self.reversed.values()), Decimal("0.00"))
        return payouts - reversed_ - self.refunded

    @property
    def payable(self) -> Decimal:
        """What may be paid in all: the approved amount, or the credit notes' where there are any."""
        return min(self.approved, self.credited) if self.credit_notes else self.approved

    @property
    def next_step(self) -> Role | None:
        if self.status is not ClaimStatus.SUBMITTED:
            return None
        return self.chain[len(self.approvals)]

    # --- commands -------------------------------------------------------------------------------

    def attach_evidence(self, kind: str, reference: str, sha256: str, actor: Actor, now: datetime) -> None:
        self._require(ClaimStatus.DRAFTED, ClaimStatus.SUBMITTED, doing="attach evidence to")
        require_code("kind", kind)
        require_text("reference", reference)
        if len(sha256) != SHA256_HEX or any(c not in "0123456789abcdef" for c in sha256):
            raise InvalidValue("sha256 is 64 lower-case hex digits", field="sha256", value=sha256)
        if reference in self.evidence:
            raise ClaimRuleViolation(f"evidence {reference!r} is already attached", field="reference")
        self._attach(now, actor, kind, reference, sha256)

    @event("EvidenceAttached")
    def _attach(self, occurred_at: datetime, actor: Actor, kind: str, reference: str, sha256: str) -> None:
        self.evidence[reference] = Evidence(kind, sha256, actor.id, occurred_at)

    def submit(
        self,
        chain: tuple[Role, ...],
        due_on: date | None,
        days_late: int,
        payout_due_at: datetime | None,
        actor: Actor,
        now: datetime,
    ) -> None:
        """Submit with the chain, deadline and lateness the terms give (worked out by the caller)."""
        self._require(ClaimStatus.DRAFTED, doing="submit")
        self._submit(now, actor, self.claimed, list(chain), due_on, days_late, payout_due_at)

    @event("Submitted")
    def _submit(
        self,
        occurred_at: datetime,
        actor: Actor,
        total: Decimal,
        chain: list[Role],
        due_on: date | None,
        days_late: int,
        payout_due_at: datetime | None,
    ) -> None:
        self.status = ClaimStatus.SUBMITTED
        self.submitted_at = occurred_at
        self.submitted_by = actor.id
        self.chain = tuple(chain)
        self.due_on = due_on
        self.days_late = days_late
        self.payout_due_at = payout_due_at

    def approve(self, approved_amount: Decimal | None, actor: Actor, now: datetime) -> None:
        """One step of the chain, signed by an actor in that step's role, in order."""
        self._require(ClaimStatus.SUBMITTED, doing="approve")
        step = self.next_step
        assert step is not None
        if actor.id in {self.drafted_by, self.submitted_by}:
            raise ClaimRuleViolation("nobody approves a claim they drafted or submitted", field="actor")
        if any(a.actor_id == actor.id for a in self.approvals):
            raise ClaimRuleViolation(f"{actor.id} has already signed this claim", field="actor")
        if actor.role is not step:
            position = len(self.approvals) + 1
            msg = (
                f"step {position} of {len(self.chain)}, {step.value}, has not signed; "
                f"a {actor.role.value} cannot sign in its place"
            )
            raise ApprovalOutOfOrder(msg, field="actor", missing_step=step.value, step=position)
        previous = self.approvals[-1].amount if self.approvals else self.claimed
        figure = previous if approved_amount is None else amount(approved_amount, "amount")
        if figure > previous:
            raise ClaimRuleViolation(
                f"a step approves at most {previous}", field="amount", limit=str(previous)
            )
        self._approve(now, actor, len(self.approvals) + 1, figure)

    @event("StepApproved")
    def _approve(self, occurred_at: datetime, actor: Actor, step: int, amount: Decimal) -> None:
        self.approvals.append(Approval(step, actor.role, actor.id, amount, occurred_at))
        if len(self.approvals) == len(self.chain):
            self.status = ClaimStatus.APPROVED
            self.approved_at = occurred_at

    def reject(self, reason: str, actor: Actor, now: datetime) -> None:
        """By the next step's approver, or by the claims desk recording the payer's rejection."""
        self._require(ClaimStatus.SUBMITTED, doing="reject")
        if actor.role not in {self.next_step, Role.CLAIMS}:
            step = self.next_step.value if self.next_step else ""
            raise ApprovalOutOfOrder(f"the next step is {step}'s to approve or reject", field="actor")
        require_text("reason", reason)
        self._reject(now, actor, reason)

    @event("Rejected")
    def _reject(self, occurred_at: datetime, actor: Actor, reason: str) -> None:
        self.status = ClaimStatus.REJECTED
        self.rejection = reason

    def supersede(self, second: UUID, actor: Actor, now: datetime) -> None:
        self._require(ClaimStatus.REJECTED, doing="resubmit")
        self._supersede(now, actor, second)

    @event("ResubmittedAs")
    def _supersede(self, occurred_at: datetime, actor: Actor, claim_id: UUID) -> None:
        self.status = ClaimStatus.RESUBMITTED
        self.resubmitted_as = claim_id

    def receive_credit_note(
        self, number: str, credit: Decimal, issued_on: date, actor: Actor, now: datetime
    ) -> None:
        self._require(ClaimStatus.APPROVED, doing="credit")
        require_text("number", number)
        if number in self.credit_notes:
            raise ClaimRuleViolation(f"credit note {number!r} is already recorded", field="number")
        figure = amount(credit, "amount", positive=True)
        if not self.credit_notes and self.paid > figure:
            msg = f"{self.paid} is paid already, more than this credit note's {figure}: reverse the excess"
            raise PayoutExceedsApproved(msg, field="amount", paid=str(self.paid))
        self._credit(now, actor, number, figure, issued_on)

    @event("CreditNoteReceived")
    def _credit(
        self, occurred_at: datetime, actor: Actor, number: str, amount: Decimal, issued_on: date
    ) -> None:
        self.credit_notes[number] = CreditNote(amount, issued_on, occurred_at)

    def pay(self, payout: Decimal, reference: str, paid_on: date, actor: Actor, now: datetime) -> None:
        """A payout, partial or whole; all payouts together never exceed what may be paid."""
        self._require(ClaimStatus.APPROVED, doing="pay")
        require_text("reference", reference)
        if reference in self.payments:
            raise ClaimRuleViolation(f"payout {reference!r} is already recorded", field="reference")
        figure = amount(payout, "amount", positive=True)
        if self.paid + figure > self.payable:
            limit = "credited" if self.credit_notes and self.credited < self.approved else "approved"
            msg = f"{figure} more would make {self.paid + figure} paid of {self.payable} {limit}"
            raise PayoutExceedsApproved(msg, field="amount", payable=str(self.payable), paid=str(self.paid))
        self._pay(now, actor, figure, reference, paid_on)

    @event("PaymentRecorded")
    def _pay(
        self, occurred_at: datetime, actor: Actor, amount: Decimal, reference: str, paid_on: date
    ) -> None:
        self.payments[reference] = Payout(amount, paid_on, occurred_at)

    def reverse_payment(
        self, reference: str, reason: str, actor: Actor, approver: Actor, now: datetime
    ) -> None:
        """Take back a recorded payout (a bounced transfer, a charge-back), approved by another."""
        self._require(ClaimStatus.APPROVED, doing="reverse a payout of")
        if reference not in self.payments or reference in self.reversed:
            raise ClaimRuleViolation(f"no payout {reference!r} to reverse", field="reference")
        if approver.role not in FINANCE_APPROVERS or approver.id == actor.id:
            raise ClaimRuleViolation(
                "a reversal is approved by finance or a manager other than its author", field="approver"
            )
        require_text("reason", reason)
        self._reverse(now, actor, approver, reference, self.payments[reference].amount, reason)

    @event("PaymentReversed")
    def _reverse(
        self,
        occurred_at: datetime,
        actor: Actor,
        approver: Actor,
        reference: str,
        amount: Decimal,
        reason: str,
    ) -> None:
        self.reversed[reference] = Reversal(amount, reason, actor.id, approver.id, occurred_at)

    def refund_subsidy(self, reference: str, actor: Actor, now: datetime) -> None:
        """The buyer pays the whole subsidy back (before returning the product): paid falls to zero."""
        if self.kind is not ClaimKind.SUBSIDY or self.paid == 0 or self.subsidy_refunded:
            raise ClaimRuleViolation("only a paid subsidy, not yet refunded, can be refunded", field="claim")
        require_text("reference", reference)
        self._refund(now, actor, reference, self.paid)

    @event("SubsidyRefunded")
    def _refund(self, occurred_at: datetime, actor: Actor, reference: str, amount: Decimal) -> None:
        self.subsidy_refunded = True
        self.refunded = amount

    def return_product(self, actor: Actor, now: datetime) -> None:
        """A subsidised product goes back only once its subsidy is refunded (or was never paid)."""
        if self.kind is not ClaimKind.SUBSIDY or self.product_returned:
            raise ClaimRuleViolation("only the product of a subsidy claim is returned, once", field="claim")
        if self.paid > 0:
            raise ClaimRuleViolation(
                "the subsidy must be refunded before the product is returned", field="claim"
            )
        self._return(now, actor)

    @event("ProductReturned")
    def _return(self, occurred_at: datetime, actor: Actor) -> None:
        self.product_returned = True

    def close(self, reason: str, actor: Actor, now: datetime) -> None:
        self._require(ClaimStatus.DRAFTED, ClaimStatus.APPROVED, ClaimStatus.REJECTED, doing="close")
        require_text("reason", reason)
        self._close(now, actor, reason)

    @event("Closed")
    def _close(self, occurred_at: datetime, actor: Actor, reason: str) -> None:
        self.status = ClaimStatus.CLOSED
        self.closed_at = occurred_at
        self.closing_reason = reason

    def _require(self, *allowed: ClaimStatus, doing: str) -> None:
        if self.status not in allowed:
            states = " or ".join(s.value for s in allowed)
            msg = f"cannot {doing} a {self.status.value} claim (only {states})"
            raise ClaimRuleViolation(msg, field="status", status=self.status.value)
