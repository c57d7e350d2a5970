"""The ledger's claim commands: drafting under the contract's claim terms, the approval chain,
credit notes and payouts, resubmission as a linked second claim, and the subsidy rules."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from domain.actors import Actor
from domain.calendars import close_of_working_days
from domain.claim_terms import ClaimKind, ClaimLine, ClaimTerms, LineKind, OldPart
from domain.claims import Claim, ClaimStatus, SubsidyPurchase
from domain.contract_commands import ContractCommands, contract_id_for
from domain.errors import InvalidValue, NotFound
from domain.household_subsidies import HouseholdSubsidies, household_subsidies_id
from domain.ledger_base import Recorded
from domain.money import amount, currency, rounded
from domain.ticket_terms import require_aware, require_code, require_reference


class ClaimNotFound(NotFound):
    code = "claim-not-found"
    id_field = "claim_id"


class SubsidyIneligible(InvalidValue):
    code = "subsidy-ineligible"


@dataclass(frozen=True)
class ClaimDraft:
    """The facts of a claim as the clerk files them. A subsidy claim gives `subsidy` and no lines:
    its one line is the subsidy the terms compute."""

    kind: ClaimKind
    customer_id: str
    vendor_id: str
    currency: str
    lines: tuple[ClaimLine, ...] = ()
    contract_id: UUID | None = None
    ticket_id: UUID | None = None
    asset_id: str | None = None
    service_completed_at: datetime | None = None
    old_parts: tuple[OldPart, ...] = ()
    subsidy: SubsidyPurchase | None = None


class ClaimCommands(ContractCommands):
    """Claims under the claim terms of the contract version that governs them."""

    def get_claim(self, claim_id: UUID, version: int | None = None) -> Claim:
        return self._load(claim_id, Claim, ClaimNotFound, version)

    def claim_terms(self, contract_id: UUID, version: int) -> ClaimTerms:
        found = self._pack(contract_id, version).claims
        if found is None:
            msg = f"version {version} of contract {contract_id} has no claim terms; revise it to add them"
            raise InvalidValue(msg, field="contract_id", contract_id=str(contract_id), version=version)
        return found

    def draft_claim(self, draft: ClaimDraft, actor: Actor, claim_id: UUID | None = None) -> Recorded:
        now = self.clock()
        contract_id, version = self._governing(draft, now)
        terms = self.claim_terms(contract_id, version)
        claim_id = claim_id or uuid4()
        lines = self._lines(draft, terms)
        claim = Claim.draft(
            claim_id,
            occurred_at=now,
            actor=actor,
            kind=draft.kind,
            contract_id=contract_id,
            contract_version=version,
            customer_id=require_code("customer_id", draft.customer_id),
            vendor_id=require_code("vendor_id", draft.vendor_id),
            ticket_id=draft.ticket_id,
            asset_id=None if draft.asset_id is None else require_reference("asset_id", draft.asset_id),
            currency=currency(draft.currency),
            lines=lines,
            service_completed_at=self._completed(draft.service_completed_at, now),
            old_parts=list(draft.old_parts),
            subsidy=draft.subsidy,
            resubmission_of=None,
        )
        if draft.subsidy is None:
            return self._save(claim)
        household = self._household(draft.subsidy)
        household.hold(claim_id, terms.subsidy.per_household, actor, now)
        return self._save(claim, household)

    def attach_claim_evidence(
        self, claim_id: UUID, kind: str, reference: str, sha256: str, actor: Actor
    ) -> Recorded:
        return self._claim(claim_id, lambda c, now: c.attach_evidence(kind, reference, sha256, actor, now))

    def submit_claim(self, claim_id: UUID, actor: Actor) -> Recorded:
        claim = self.get_claim(claim_id)
        now = self.clock()
        terms = self.claim_terms(claim.contract_id, claim.contract_version)
        chain = terms.chain(claim.kind, claim.claimed)
        due_on, days_late = None, 0
        if claim.service_completed_at is not None:
            zone = terms.calendar.tz
            due_on = claim.service_completed_at.astimezone(zone).date() + timedelta(
                days=terms.submission_days
            )
            days_late = max(0, (now.astimezone(zone).date() - due_on).days)
        payout_due_at = None
        if claim.kind is ClaimKind.SUBSIDY:
            payout_due_at = close_of_working_days(terms.calendar, now, terms.subsidy.payout_working_days)
        claim.submit(chain, due_on, days_late, payout_due_at, actor, now)
        return self._save(claim)

    def approve_claim(self, claim_id: UUID, approved_amount: Decimal | None, actor: Actor) -> Recorded:
        return self._claim(claim_id, lambda c, now: c.approve(approved_amount, actor, now))

    def reject_claim(self, claim_id: UUID, reason: str, actor: Actor) -> Recorded:
        return self._claim(claim_id, lambda c, now: c.reject(reason, actor, now))

    def resubmit_claim(
        self,
        claim_id: UUID,
        actor: Actor,
        lines: Sequence[ClaimLine] | None = None,
        second_id: UUID | None = None,
    ) -> Recorded:
        """A rejected claim superseded by a linked second claim, drafted, to be submitted again."""
        first = self.get_claim(claim_id)
        now = self.clock()
        second_id = second_id or uuid4()
        first.supersede(second_id, actor, now)
        second = Claim.draft(
            second_id,
            occurred_at=now,
            actor=actor,
            kind=first.kind,
            contract_id=first.contract_id,
            contract_version=first.contract_version,
            customer_id=first.customer_id,
            vendor_id=first.vendor_id,
            ticket_id=first.ticket_id,
            asset_id=first.asset_id,
            currency=first.currency,
            lines=list(first.lines if lines is None or first.subsidy else lines),
            service_completed_at=first.service_completed_at,
            old_parts=list(first.old_parts),
            subsidy=first.subsidy,
            resubmission_of=first.id,
        )
        if first.subsidy is None:
            return self._save(second, first)
        household = self._household(first.subsidy)
        limit = self.claim_terms(first.contract_id, first.contract_version).subsidy.per_household
        household.release(first.id, actor, now)
        household.hold(second_id, limit, actor, now)
        return self._save(second, first, household)

    def record_credit_note(
        self, claim_id: UUID, number: str, credit: Decimal, issued_on: date, actor: Actor
    ) -> Recorded:
        return self._claim(
            claim_id, lambda c, now: c.receive_credit_note(number, credit, issued_on, actor, now)
        )

    def record_claim_payment(
        self, claim_id: UUID, payout: Decimal, reference: str, paid_on: date, actor: Actor
    ) -> Recorded:
        return self._claim(claim_id, lambda c, now: c.pay(payout, reference, paid_on, actor, now))

    def reverse_claim_payment(
        self, claim_id: UUID, reference: str, reason: str, actor: Actor, approver: Actor
    ) -> Recorded:
        return self._claim(
            claim_id, lambda c, now: c.reverse_payment(reference, reason, actor, approver, now)
        )

    def refund_subsidy(self, claim_id: UUID, reference: str, actor: Actor) -> Recorded:
        return self._claim(claim_id, lambda c, now: c.refund_subsidy(reference, actor, now))

    def return_subsidised_product(self, claim_id: UUID, actor: Actor) -> Recorded:
        """The product goes back (once its subsidy is refunded) and frees the household's place."""
        claim = self.get_claim(claim_id)
        now = self.clock()
        claim.return_product(actor, now)
        assert claim.subsidy is not None
        household = self._household(claim.subsidy)
        household.release(claim.id, actor, now)
        return self._save(claim, household)

    def close_claim(self, claim_id: UUID, reason: str, actor: Actor) -> Recorded:
        """Close a claim; an unpaid subsidy claim frees the household's place."""
        claim = self.get_claim(claim_id)
        now = self.clock()
        claim.close(reason, actor, now)
        if claim.subsidy is None or claim.paid > 0:
            return self._save(claim)
        household = self._household(claim.subsidy)
        household.release(claim.id, actor, now)
        return self._save(claim, household)

    def _claim(self, claim_id: UUID, command: Any) -> Recorded:
        claim = self.get_claim(claim_id)
        command(claim, self.clock())
        return self._save(claim)

    def _governing(self, draft: ClaimDraft, now: datetime) -> tuple[UUID, int]:
        """The contract version whose claim terms govern: the one named, else the ticket's, else
        the customer's contract in force now."""
        if draft.contract_id is None and draft.ticket_id is not None:
            ticket = self.get_ticket(draft.ticket_id)
            if ticket.contract_id is not None and ticket.contract_version is not None:
                return ticket.contract_id, ticket.contract_version
        contract_id = draft.contract_id or contract_id_for(draft.customer_id)
        return self._version_in_force(contract_id, draft.customer_id, now)

    def _lines(self, draft: ClaimDraft, terms: ClaimTerms) -> list[ClaimLine]:
        purchase = draft.subsidy
        if (draft.kind is ClaimKind.SUBSIDY) != (purchase is not None):
            raise InvalidValue("a subsidy claim, and only one, gives the purchase", field="subsidy")
        if purchase is None:
            return list(draft.lines)
        if draft.lines:
            raise InvalidValue("a subsidy claim's line is computed from the invoice", field="lines")
        cap = terms.subsidy.caps.get(purchase.product_class)
        if cap is None:
            known = ", ".join(sorted(terms.subsidy.caps))
            msg = f"no subsidy for product class {purchase.product_class!r} (classes: {known})"
            raise SubsidyIneligible(msg, field="subsidy.product_class")
        price = amount(purchase.invoice_price, "subsidy.invoice_price", positive=True)
        if price > cap:
            msg = f"a {purchase.product_class} invoiced at {price} is above the class cap of {cap}"
            raise SubsidyIneligible(msg, field="subsidy.invoice_price", cap=str(cap))
        rate = terms.subsidy.rate
        percent = (rate * 100).normalize()
        description = f"Subsidy {percent}% of invoice {purchase.invoice_number} ({purchase.product_class})"
        return [ClaimLine(LineKind.OTHER, "subsidy", description, Decimal(1), rounded(rate * price))]

    def _completed(self, completed: datetime | None, now: datetime) -> datetime | None:
        if completed is None:
            return None
        require_aware("service_completed_at", completed)
        if completed > now:
            raise InvalidValue("service_completed_at is in the future", field="service_completed_at")
        return completed

    def _household(self, purchase: SubsidyPurchase) -> HouseholdSubsidies:
        key = household_subsidies_id(purchase.household_id, purchase.product_class)
        found = self._find(key, HouseholdSubsidies)
        return found or HouseholdSubsidies.start(purchase.household_id, purchase.product_class)


__all__ = ["ClaimDraft", "ClaimNotFound", "ClaimStatus", "SubsidyIneligible"]
