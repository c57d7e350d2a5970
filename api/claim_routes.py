"""Claim commands and the claim as its events make it (now, or as the ledger knew it at a past
recorded time): drafted by the claims desk, signed step by step by the chain's roles, credited and
paid out by finance."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody

from api.auth import (
    APPROVER_HEADER,
    CLAIM_APPROVERS,
    CLAIM_FINANCE,
    CLAIM_REJECTERS,
    CLAIMS_DESK,
    PRODUCT_RETURNS,
    READERS,
    allow,
    second_person,
    token_header,
)
from api.claim_schemas import (
    ApprovalBody,
    ClaimReason,
    ClaimView,
    CreditNoteBody,
    DraftClaim,
    EvidenceBody,
    PaymentBody,
    PaymentReversalBody,
    ResubmissionBody,
    SubsidyRefundBody,
)
from api.claim_views import claim_draft, claim_line, claim_view
from api.schemas import Recorded
from api.services import Injected, actor_of
from api.ticket_commands import AnyRequest, action, recorded
from api.ticket_queries import AsOf, past
from domain.ledger import Recorded as Outcome

ClaimId = FromPath[UUID]
ApproverToken = Annotated[
    str, token_header(APPROVER_HEADER, "the finance officer or manager who approves the reversal")
]


class ClaimController(Controller):
    """Every claim route under /claims but the statement import."""

    path = "/claims"
    tags = ["claims"]

    @post(
        "/",
        operation_id="draftClaim",
        summary="Draft a claim under its contract's claim terms (claims desk)",
        guards=[allow(CLAIMS_DESK)],
        status_code=201,
        sync_to_thread=True,
    )
    def draft(
        self, data: JSONBody[DraftClaim], services: Injected, request: AnyRequest
    ) -> Response[Recorded]:
        return created(services.ledger.draft_claim(claim_draft(data), actor_of(request)))

    @get(
        "/{claim_id:uuid}",
        operation_id="getClaim",
        summary="A claim: its lines, chain, money, credit notes and payouts; now or at a past recorded time",
        guards=[allow(READERS)],
        sync_to_thread=True,
    )
    def get_claim(self, claim_id: ClaimId, services: Injected, as_of: AsOf = None) -> ClaimView:
        ledger = services.ledger
        version = None if as_of is None else ledger.version_at(claim_id, past(as_of))
        return claim_view(ledger.get_claim(claim_id, version))

    @action(
        "/{claim_id:uuid}/evidence",
        "attachClaimEvidence",
        "Attach a document by reference and hash",
        CLAIMS_DESK,
    )
    def evidence(
        self, claim_id: ClaimId, data: JSONBody[EvidenceBody], services: Injected, request: AnyRequest
    ) -> Recorded:
        outcome = services.ledger.attach_claim_evidence(
            claim_id, data.kind, data.reference, data.sha256, actor_of(request)
        )
        return recorded(outcome)

    @action("/{claim_id:uuid}/submission", "submitClaim", "Submit a drafted claim to its chain", CLAIMS_DESK)
    def submission(self, claim_id: ClaimId, services: Injected, request: AnyRequest) -> Recorded:
        return recorded(services.ledger.submit_claim(claim_id, actor_of(request)))

    @action(
        "/{claim_id:uuid}/approval",
        "approveClaim",
        "Sign the chain's next step, in the caller's role, optionally for less",
        CLAIM_APPROVERS,
    )
    def approval(
        self, claim_id: ClaimId, data: JSONBody[ApprovalBody], services: Injected, request: AnyRequest
    ) -> Recorded:
        return recorded(services.ledger.approve_claim(claim_id, data.amount, actor_of(request)))

    @action(
        "/{claim_id:uuid}/rejection",
        "rejectClaim",
        "Reject a submitted claim (its next step, or the claims desk for the payer)",
        CLAIM_REJECTERS,
    )
    def rejection(
        self, claim_id: ClaimId, data: JSONBody[ClaimReason], services: Injected, request: AnyRequest
    ) -> Recorded:
        return recorded(services.ledger.reject_claim(claim_id, data.reason, actor_of(request)))

    @post(
        "/{claim_id:uuid}/resubmission",
        operation_id="resubmitClaim",
        summary="Resubmit a rejected claim as a linked second claim, drafted (claims desk)",
        guards=[allow(CLAIMS_DESK)],
        status_code=201,
        sync_to_thread=True,
    )
    def resubmission(
        self, claim_id: ClaimId, data: JSONBody[ResubmissionBody], services: Injected, request: AnyRequest
    ) -> Response[Recorded]:
        lines = None if data.lines is None else [claim_line(line) for line in data.lines]
        return created(services.ledger.resubmit_claim(claim_id, actor_of(request), lines))

    @action(
        "/{claim_id:uuid}/credit-notes", "recordCreditNote", "Record a vendor's credit note", CLAIM_FINANCE
    )
    def credit_notes(
        self, claim_id: ClaimId, data: JSONBody[CreditNoteBody], services: Injected, request: AnyRequest
    ) -> Recorded:
        outcome = services.ledger.record_credit_note(
            claim_id, data.number, data.amount, data.issued_on, actor_of(request)
        )
        return recorded(outcome)

    @action(
        "/{claim_id:uuid}/payments", "recordClaimPayment", "Record a payout, whole or partial", CLAIM_FINANCE
    )
    def payments(
        self, claim_id: ClaimId, data: JSONBody[PaymentBody], services: Injected, request: AnyRequest
    ) -> Recorded:
        outcome = services.ledger.record_claim_payment(
            claim_id, data.amount, data.reference, data.paid_on, actor_of(request)
        )
        return recorded(outcome)

    @action(
        "/{claim_id:uuid}/payment-reversals",
        "reverseClaimPayment",
        f"Reverse a payout, approved by another finance officer or manager ({APPROVER_HEADER})",
        CLAIM_FINANCE,
    )
    def payment_reversals(
        self,
        claim_id: ClaimId,
        data: JSONBody[PaymentReversalBody],
        services: Injected,
        request: AnyRequest,
        approver_token: ApproverToken,
    ) -> Recorded:
        approver = second_person(services.settings.tokens, approver_token, APPROVER_HEADER)
        outcome = services.ledger.reverse_claim_payment(
            claim_id, data.reference, data.reason, actor_of(request), approver
        )
        return recorded(outcome)

    @action(
        "/{claim_id:uuid}/subsidy-refund", "refundSubsidy", "Record a paid subsidy refunded", CLAIM_FINANCE
    )
    def subsidy_refund(
        self, claim_id: ClaimId, data: JSONBody[SubsidyRefundBody], services: Injected, request: AnyRequest
    ) -> Recorded:
        return recorded(services.ledger.refund_subsidy(claim_id, data.reference, actor_of(request)))

    @action(
        "/{claim_id:uuid}/product-return",
        "returnSubsidisedProduct",
        "Take back a subsidised product, once its subsidy is refunded",
        PRODUCT_RETURNS,
    )
    def product_return(self, claim_id: ClaimId, services: Injected, request: AnyRequest) -> Recorded:
        return recorded(services.ledger.return_subsidised_product(claim_id, actor_of(request)))

    @action("/{claim_id:uuid}/closure", "closeClaim", "Close a claim, with a reason", CLAIMS_DESK)
    def closure(
        self, claim_id: ClaimId, data: JSONBody[ClaimReason], services: Injected, request: AnyRequest
    ) -> Recorded:
        return recorded(services.ledger.close_claim(claim_id, data.reason, actor_of(request)))


def created(outcome: Outcome) -> Response[Recorded]:
    return Response(recorded(outcome), status_code=201, headers={"Location": f"/claims/{outcome.id}"})
