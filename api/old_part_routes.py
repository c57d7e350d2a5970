"""A warranty claim's old parts over HTTP: collected from the engineer, logged in at the warehouse in
the monthly window (late after it), then destroyed before a witness or shipped to the manufacturer."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody, PathParameter

from api.auth import OLD_PART_COLLECTORS, OLD_PART_KEEPERS, READERS, allow, second_person, token_header
from api.claim_schemas import OldPartView
from api.old_part_schemas import (
    LotView,
    OldPartCollection,
    OldPartLogIn,
    OldPartShipment,
    OldPartsView,
)
from api.schemas import Recorded
from api.services import Injected, actor_of
from api.stock_schemas import PART_PATTERN
from api.ticket_commands import AnyRequest, action, recorded
from domain.claim_terms import OldPart
from domain.old_parts import Lot, OldParts, left_to_collect

WITNESS_HEADER = "X-Witness-Token"
WitnessToken = Annotated[str, token_header(WITNESS_HEADER, "the person who witnesses the destruction")]
ClaimId = FromPath[UUID]
LotInPath = Annotated[str, PathParameter(pattern=PART_PATTERN, description="The lot's label.")]


class OldPartController(Controller):
    """The old parts of one warranty claim, lot by lot."""

    path = "/claims/{claim_id:uuid}/old-parts"
    tags = ["old parts"]

    @post(
        "/",
        operation_id="collectOldPart",
        summary="Collect a lot of a part the claim lists from the engineer (claims desk, warehouse)",
        guards=[allow(OLD_PART_COLLECTORS)],
        status_code=201,
        sync_to_thread=True,
    )
    def collect(
        self, claim_id: ClaimId, data: JSONBody[OldPartCollection], services: Injected, request: AnyRequest
    ) -> Response[Recorded]:
        outcome = services.ledger.collect_old_part(
            claim_id,
            data.lot,
            data.part_number,
            data.serial,
            data.quantity,
            data.engineer_id,
            data.collected_on,
            actor_of(request),
        )
        location = f"/claims/{claim_id}/old-parts"
        return Response(recorded(outcome), status_code=201, headers={"Location": location})

    @get(
        "/",
        operation_id="getClaimOldParts",
        summary="A claim's old parts: what it lists, what is left to collect, each lot and its window",
        guards=[allow(READERS)],
        sync_to_thread=True,
    )
    def get_old_parts(self, claim_id: ClaimId, services: Injected) -> OldPartsView:
        ledger = services.ledger
        today = ledger.clock().date()
        parts = ledger.get_old_parts(claim_id)
        if parts is None:
            claim = ledger.get_claim(claim_id)
            return OldPartsView(
                claim_id=claim_id,
                vendor_id=claim.vendor_id,
                version=0,
                listed=[listed_view(p) for p in claim.old_parts],
                outstanding=outstanding(claim.old_parts, None),
                lots=[],
            )
        return OldPartsView(
            claim_id=claim_id,
            vendor_id=parts.vendor_id,
            version=parts.version,
            listed=[listed_view(p) for p in parts.listed],
            outstanding=outstanding(parts.listed, parts),
            lots=[lot_view(lot, today) for lot in parts.lots.values()],
        )

    @action(
        "/{lot:str}/return",
        "logInOldPart",
        "Log a lot in at the warehouse; after its window it is flagged late",
        OLD_PART_KEEPERS,
    )
    def log_in(
        self,
        claim_id: ClaimId,
        lot: LotInPath,
        data: JSONBody[OldPartLogIn],
        services: Injected,
        request: AnyRequest,
    ) -> Recorded:
        outcome = services.ledger.log_in_old_part(
            claim_id, lot, data.location_id, data.returned_on, actor_of(request)
        )
        return recorded(outcome)

    @action(
        "/{lot:str}/destruction",
        "destroyOldPart",
        f"Destroy a logged-in lot before a witness ({WITNESS_HEADER})",
        OLD_PART_KEEPERS,
    )
    def destruction(
        self,
        claim_id: ClaimId,
        lot: LotInPath,
        services: Injected,
        request: AnyRequest,
        witness_token: WitnessToken,
    ) -> Recorded:
        witness = second_person(services.settings.tokens, witness_token, WITNESS_HEADER)
        return recorded(services.ledger.destroy_old_part(claim_id, lot, witness, actor_of(request)))

    @action(
        "/{lot:str}/shipment",
        "shipOldPart",
        "Ship a logged-in lot back to the manufacturer under a waybill",
        OLD_PART_KEEPERS,
    )
    def shipment(
        self,
        claim_id: ClaimId,
        lot: LotInPath,
        data: JSONBody[OldPartShipment],
        services: Injected,
        request: AnyRequest,
    ) -> Recorded:
        return recorded(services.ledger.ship_old_part(claim_id, lot, data.document, actor_of(request)))


def listed_view(part: OldPart) -> OldPartView:
    return OldPartView(part_number=part.part_number, quantity=part.quantity, serial=part.serial)


def outstanding(listed: tuple[OldPart, ...], parts: OldParts | None) -> dict[str, int]:
    lots = () if parts is None else tuple(parts.lots.values())
    return {n: left_to_collect(listed, lots, n) for n in sorted({p.part_number for p in listed})}


def lot_view(lot: Lot, today: date) -> LotView:
    """A lot with its lateness: by the day it came back, or by today while it is still out."""
    days_late = max(((lot.returned_on or today) - lot.due_by).days, 0)
    return LotView(
        lot=lot.lot,
        part_number=lot.part_number,
        serial=lot.serial,
        quantity=lot.quantity,
        engineer_id=lot.engineer_id,
        collected_on=lot.collected_on,
        due_from=lot.due_from,
        due_by=lot.due_by,
        status=lot.status.value,
        returned_on=lot.returned_on,
        late=days_late > 0,
        days_late=days_late,
    )
