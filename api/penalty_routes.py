"""Penalty commands: a penalty assessed by hand from a rule book's rule (management), disputed by a
party, upheld or waived by management that is not a party, settled by finance against a claim
payout, a vendor invoice or a payroll period, and reversed by management. Each records one event
and answers with the penalty's id, version and log position."""

from __future__ import annotations

from decimal import InvalidOperation
from typing import Any
from uuid import UUID

from litestar import Response, post
from litestar.params import FromPath, JSONBody

from api.auth import PENALTY_AUTHORS, PENALTY_SETTLERS, READERS, allow
from api.penalty_schemas import ManualPenalty, PenaltyReason, PenaltySettlement
from api.schemas import Recorded
from api.services import Injected, actor_of
from api.ticket_commands import AnyRequest, action, recorded
from domain.errors import InvalidValue
from domain.penalty_rules import Cause

PenaltyId = FromPath[UUID]


def cause_of(body: ManualPenalty) -> Cause:
    """The facts a manual penalty is assessed on; `party` holds the role "party"."""
    holders = {role: tuple(ids) for role, ids in body.holders.items()}
    if body.party is not None:
        holders["party"] = (body.party,)
    return Cause(
        units=body.units,
        minutes_late=body.minutes_late,
        days_late=body.days_late,
        measured=body.measured,
        loss=body.loss,
        cooperation=body.cooperation,
        holders=holders,
    )


@post(
    "/penalties",
    operation_id="assessPenalty",
    summary="Assess a penalty by hand from a rule book's rule, with its facts and reason (management)",
    guards=[allow(PENALTY_AUTHORS)],
    status_code=201,
    sync_to_thread=True,
)
def assess(data: JSONBody[ManualPenalty], services: Injected, request: AnyRequest) -> Response[Recorded]:
    ledger = services.ledger
    if data.occurred_at > ledger.clock():
        raise InvalidValue("occurred_at must not be in the future", field="occurred_at")
    try:
        outcome = ledger.assess_manually(
            data.book, data.rule, cause_of(data), data.occurred_at, data.reason, actor_of(request)
        )
    except InvalidOperation:
        msg = "the rule gives an amount too large for the ledger to assess on these facts"
        raise InvalidValue(msg, field="rule") from None
    return Response(recorded(outcome), status_code=201, headers={"Location": f"/penalties/{outcome.id}"})


@action(
    "/penalties/{penalty_id:uuid}/dispute",
    "disputePenalty",
    "Dispute a penalty, with a reason (a party to it)",
    READERS,
)
def dispute(
    penalty_id: PenaltyId, data: JSONBody[PenaltyReason], services: Injected, request: AnyRequest
) -> Recorded:
    return recorded(services.ledger.dispute_penalty(penalty_id, data.reason, actor_of(request)))


@action(
    "/penalties/{penalty_id:uuid}/uphold",
    "upholdPenalty",
    "Uphold a disputed penalty, with a reason (management that is not a party)",
    PENALTY_AUTHORS,
)
def uphold(
    penalty_id: PenaltyId, data: JSONBody[PenaltyReason], services: Injected, request: AnyRequest
) -> Recorded:
    return recorded(services.ledger.decide_penalty(penalty_id, False, data.reason, actor_of(request)))


@action(
    "/penalties/{penalty_id:uuid}/waive",
    "waivePenalty",
    "Waive a disputed penalty, with a reason (management that is not a party)",
    PENALTY_AUTHORS,
)
def waive(
    penalty_id: PenaltyId, data: JSONBody[PenaltyReason], services: Injected, request: AnyRequest
) -> Recorded:
    return recorded(services.ledger.decide_penalty(penalty_id, True, data.reason, actor_of(request)))


@action(
    "/penalties/{penalty_id:uuid}/settle",
    "settlePenalty",
    "Settle a penalty against a claim payout, a vendor invoice or a payroll period (finance)",
    PENALTY_SETTLERS,
)
def settle(
    penalty_id: PenaltyId, data: JSONBody[PenaltySettlement], services: Injected, request: AnyRequest
) -> Recorded:
    outcome = services.ledger.settle_penalty(penalty_id, data.against, data.reference, actor_of(request))
    return recorded(outcome)


@action(
    "/penalties/{penalty_id:uuid}/reverse",
    "reversePenalty",
    "Reverse a penalty, with a reason; it stays in history beside its reversal (management)",
    PENALTY_AUTHORS,
)
def reverse(
    penalty_id: PenaltyId, data: JSONBody[PenaltyReason], services: Injected, request: AnyRequest
) -> Recorded:
    return recorded(services.ledger.reverse_penalty(penalty_id, data.reason, actor_of(request)))


PENALTY_COMMAND_ROUTES: list[Any] = [assess, dispute, uphold, waive, settle, reverse]
"""Every penalty command handler, registered by the app."""
