"""Transfers over HTTP: units of a part requested from another location, dispatched (in transit at
the value they left with) and taken in at the destination, or cancelled before they leave."""

from __future__ import annotations

from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import FromPath, JSONBody

from api.auth import READERS, STOCK_KEEPERS, allow
from api.schemas import Recorded
from api.services import Injected, actor_of
from api.stock_schemas import TransferCancellation, TransferDispatch, TransferRequest, TransferView
from api.ticket_commands import AnyRequest, action, recorded
from domain.transfers import Transfer

TransferId = FromPath[UUID]


class TransferController(Controller):
    """Units of a part moving between two locations: requested, dispatched, arrived or cancelled."""

    path = "/transfers"
    tags = ["stock"]

    @post(
        "/",
        operation_id="requestTransfer",
        summary="Request units of a part from another location (warehouse)",
        guards=[allow(STOCK_KEEPERS)],
        status_code=201,
        sync_to_thread=True,
    )
    def request_transfer(
        self, data: JSONBody[TransferRequest], services: Injected, request: AnyRequest
    ) -> Response[Recorded]:
        outcome = services.ledger.request_transfer(
            data.part_number,
            data.from_location,
            data.to_location,
            data.quantity,
            data.reason,
            actor_of(request),
        )
        return Response(recorded(outcome), status_code=201, headers={"Location": f"/transfers/{outcome.id}"})

    @get(
        "/{transfer_id:uuid}",
        operation_id="getTransfer",
        summary="A transfer: its part, its two ends, its status and the value it travels with",
        guards=[allow(READERS)],
        sync_to_thread=True,
    )
    def get_transfer(self, transfer_id: TransferId, services: Injected) -> TransferView:
        return transfer_view(services.ledger.get_transfer(transfer_id))

    @action(
        "/{transfer_id:uuid}/dispatch",
        "dispatchTransfer",
        "Send the units: they leave the source and are in transit",
        STOCK_KEEPERS,
    )
    def dispatch(
        self,
        transfer_id: TransferId,
        data: JSONBody[TransferDispatch],
        services: Injected,
        request: AnyRequest,
    ) -> Recorded:
        return recorded(services.ledger.dispatch_transfer(transfer_id, data.document, actor_of(request)))

    @action(
        "/{transfer_id:uuid}/arrival",
        "recordTransferArrival",
        "Take the units in at the destination, at the value they left with",
        STOCK_KEEPERS,
    )
    def arrival(self, transfer_id: TransferId, services: Injected, request: AnyRequest) -> Recorded:
        return recorded(services.ledger.receive_transfer(transfer_id, actor_of(request)))

    @action(
        "/{transfer_id:uuid}/cancellation",
        "cancelTransfer",
        "Cancel a transfer not yet dispatched, with a reason",
        STOCK_KEEPERS,
    )
    def cancellation(
        self,
        transfer_id: TransferId,
        data: JSONBody[TransferCancellation],
        services: Injected,
        request: AnyRequest,
    ) -> Recorded:
        return recorded(services.ledger.cancel_transfer(transfer_id, data.reason, actor_of(request)))


def transfer_view(transfer: Transfer) -> TransferView:
    return TransferView(
        transfer_id=transfer.id,
        version=transfer.version,
        part_number=transfer.part_number,
        from_location=transfer.from_location,
        to_location=transfer.to_location,
        quantity=transfer.quantity,
        reason=transfer.reason,
        status=transfer.status.value,
        value=transfer.value,
        requested_at=transfer.requested_at,
        dispatched_at=transfer.dispatched_at,
        arrived_at=transfer.arrived_at,
    )
