"""Between claim bodies and the domain: a draft from its request body, a view from the aggregate."""

from __future__ import annotations

from api.claim_schemas import (
    ChainStep,
    ClaimLineBody,
    ClaimLineView,
    ClaimView,
    CreditNoteView,
    DraftClaim,
    EvidenceView,
    OldPartView,
    PaymentView,
    ReversalView,
    SubsidyView,
)
from domain.claim_commands import ClaimDraft
from domain.claim_terms import ClaimLine, OldPart
from domain.claims import Claim, SubsidyPurchase


def claim_line(body: ClaimLineBody) -> ClaimLine:
    return ClaimLine(body.kind, body.code, body.description, body.quantity, body.unit_price)


def claim_draft(body: DraftClaim) -> ClaimDraft:
    purchase = body.subsidy
    return ClaimDraft(
        kind=body.kind,
        customer_id=body.customer_id,
        vendor_id=body.vendor_id,
        currency=body.currency,
        lines=tuple(claim_line(line) for line in body.lines),
        contract_id=body.contract_id,
        ticket_id=body.ticket_id,
        asset_id=body.asset_id,
        service_completed_at=body.service_completed_at,
        old_parts=tuple(OldPart(p.part_number, p.quantity, p.serial) for p in body.old_parts),
        subsidy=None
        if purchase is None
        else SubsidyPurchase(
            purchase.household_id,
            purchase.product_class,
            purchase.invoice_number,
            purchase.invoice_price,
            purchase.purchased_on,
        ),
    )


def claim_view(claim: Claim) -> ClaimView:
    purchase = claim.subsidy
    return ClaimView(
        claim_id=claim.id,
        version=claim.version,
        kind=claim.kind.value,
        status=claim.status.value,
        contract_id=claim.contract_id,
        contract_version=claim.contract_version,
        customer_id=claim.customer_id,
        vendor_id=claim.vendor_id,
        ticket_id=claim.ticket_id,
        asset_id=claim.asset_id,
        currency=claim.currency,
        lines=[
            ClaimLineView(
                kind=line.kind.value,
                code=line.code,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=line.amount,
            )
            for line in claim.lines
        ],
        old_parts=[
            OldPartView(part_number=p.part_number, quantity=p.quantity, serial=p.serial)
            for p in claim.old_parts
        ],
        subsidy=None if purchase is None else SubsidyView.model_validate(purchase),
        evidence=[
            EvidenceView(
                kind=e.kind, reference=ref, sha256=e.sha256, attached_by=e.actor_id, attached_at=e.attached_at
            )
            for ref, e in claim.evidence.items()
        ],
        drafted_at=claim.drafted_at,
        drafted_by=claim.drafted_by,
        service_completed_at=claim.service_completed_at,
        submitted_at=claim.submitted_at,
        submitted_by=claim.submitted_by,
        due_on=claim.due_on,
        days_late=claim.days_late,
        payout_due_at=claim.payout_due_at,
        chain=chain_of(claim),
        next_step=None if claim.next_step is None else claim.next_step.value,
        approved_at=claim.approved_at,
        rejection=claim.rejection,
        claimed=claim.claimed,
        approved=claim.approved,
        credited=claim.credited,
        paid=claim.paid,
        payable=claim.payable,
        credit_notes=[
            CreditNoteView(number=n, amount=c.amount, issued_on=c.issued_on, recorded_at=c.recorded_at)
            for n, c in claim.credit_notes.items()
        ],
        payments=[
            PaymentView(
                reference=ref,
                amount=p.amount,
                paid_on=p.paid_on,
                recorded_at=p.recorded_at,
                reversed=ref in claim.reversed,
            )
            for ref, p in claim.payments.items()
        ],
        reversals=[
            ReversalView(
                reference=ref,
                amount=r.amount,
                reason=r.reason,
                reversed_by=r.actor_id,
                approved_by=r.approver_id,
                recorded_at=r.recorded_at,
            )
            for ref, r in claim.reversed.items()
        ],
        closed_at=claim.closed_at,
        closing_reason=claim.closing_reason,
        resubmission_of=claim.resubmission_of,
        resubmitted_as=claim.resubmitted_as,
        subsidy_refunded=claim.subsidy_refunded,
        product_returned=claim.product_returned,
    )


def chain_of(claim: Claim) -> list[ChainStep]:
    """Every step of the chain, with its signature once signed."""
    steps = []
    for number, role in enumerate(claim.chain, start=1):
        signed = claim.approvals[number - 1] if number <= len(claim.approvals) else None
        steps.append(
            ChainStep(
                step=number,
                role=role.value,
                signed_by=None if signed is None else signed.actor_id,
                amount=None if signed is None else signed.amount,
                signed_at=None if signed is None else signed.signed_at,
            )
        )
    return steps
