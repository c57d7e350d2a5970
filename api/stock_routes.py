"""Stock commands and the stock item as its events make it: the warehouse receives, counts and
writes off parts; engineers and the warehouse reserve, issue and return them on tickets."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from litestar import Controller, get
from litestar.params import FromPath, JSONBody

from api.auth import (
    APPROVER_HEADER,
    PARTS_USERS,
    READERS,
    SAFETY_STOCK_SETTERS,
    STOCK_KEEPERS,
    allow,
    second_person,
    token_header,
)
from api.schemas import Recorded
from api.services import Injected, actor_of
from api.stock_schemas import (
    LocationInPath,
    PartInPath,
    ReservationView,
    SafetyStock,
    StockCount,
    StockIssue,
    StockItemView,
    StockReceipt,
    StockReservation,
    StockReturn,
    StockWriteOff,
    TransitView,
)
from api.ticket_commands import AnyRequest, action, recorded
from domain.stock import StockItem

COUNTERSIGNER_HEADER = "X-Countersigner-Token"
ApproverToken = Annotated[
    str, token_header(APPROVER_HEADER, "the manager, service director or general manager who approves")
]
CountersignerToken = Annotated[
    str, token_header(COUNTERSIGNER_HEADER, "a second warehouse keeper who countersigns the issue")
]


class StockController(Controller):
    """Every movement of one part at one location, one event each."""

    path = "/stock/{part_number:str}/{location_id:str}"
    tags = ["stock"]

    @get(
        "/",
        operation_id="getStockItem",
        summary="A part at a location: on hand, reserved, free, in transit, value and unit cost",
        guards=[allow(READERS)],
        sync_to_thread=True,
    )
    def get_item(
        self, part_number: PartInPath, location_id: LocationInPath, services: Injected
    ) -> StockItemView:
        return stock_view(services.ledger.get_stock_item(part_number, location_id))

    @action("/receipts", "receiveStock", "Receive units from a supplier at a unit cost", STOCK_KEEPERS)
    def receipts(
        self,
        part_number: PartInPath,
        location_id: LocationInPath,
        data: JSONBody[StockReceipt],
        services: Injected,
        request: AnyRequest,
    ) -> Recorded:
        outcome = services.ledger.receive_stock(
            part_number,
            location_id,
            data.supplier,
            data.document,
            data.quantity,
            data.unit_cost,
            actor_of(request),
        )
        return recorded(outcome)

    @action("/reservations", "reserveStock", "Reserve free units for a ticket", PARTS_USERS)
    def reservations(
        self,
        part_number: PartInPath,
        location_id: LocationInPath,
        data: JSONBody[StockReservation],
        services: Injected,
        request: AnyRequest,
    ) -> Recorded:
        outcome = services.ledger.reserve_stock(
            part_number, location_id, data.ticket_id, data.quantity, actor_of(request)
        )
        return recorded(outcome)

    @action(
        "/reservations/{ticket_id:uuid}/release",
        "releaseStockReservation",
        "Release what is reserved for a ticket",
        PARTS_USERS,
    )
    def release(
        self,
        part_number: PartInPath,
        location_id: LocationInPath,
        ticket_id: FromPath[UUID],
        services: Injected,
        request: AnyRequest,
    ) -> Recorded:
        return recorded(services.ledger.release_stock(part_number, location_id, ticket_id, actor_of(request)))

    @action(
        "/issues",
        "issueStock",
        f"Issue units to a ticket, countersigned by a second warehouse keeper ({COUNTERSIGNER_HEADER})",
        PARTS_USERS,
    )
    def issues(
        self,
        part_number: PartInPath,
        location_id: LocationInPath,
        data: JSONBody[StockIssue],
        services: Injected,
        request: AnyRequest,
        countersigner_token: CountersignerToken,
    ) -> Recorded:
        countersigner = second_person(services.settings.tokens, countersigner_token, COUNTERSIGNER_HEADER)
        outcome = services.ledger.issue_stock(
            part_number,
            location_id,
            data.ticket_id,
            data.quantity,
            countersigner,
            actor_of(request),
            chargeable=data.chargeable,
        )
        return recorded(outcome)

    @action("/returns", "returnStock", "Take unused units back into stock", PARTS_USERS)
    def returns(
        self,
        part_number: PartInPath,
        location_id: LocationInPath,
        data: JSONBody[StockReturn],
        services: Injected,
        request: AnyRequest,
    ) -> Recorded:
        outcome = services.ledger.return_stock(
            part_number, location_id, data.ticket_id, data.document, data.quantity, actor_of(request)
        )
        return recorded(outcome)

    @action(
        "/write-offs",
        "writeOffStock",
        f"Write off units, approved by a manager other than the author ({APPROVER_HEADER})",
        STOCK_KEEPERS,
    )
    def write_offs(
        self,
        part_number: PartInPath,
        location_id: LocationInPath,
        data: JSONBody[StockWriteOff],
        services: Injected,
        request: AnyRequest,
        approver_token: ApproverToken,
    ) -> Recorded:
        approver = second_person(services.settings.tokens, approver_token, APPROVER_HEADER)
        outcome = services.ledger.write_off_stock(
            part_number, location_id, data.quantity, data.reason, approver, actor_of(request)
        )
        return recorded(outcome)

    @action(
        "/counts",
        "countStock",
        f"Record a stocktake count; the difference is adjusted, approved by a manager ({APPROVER_HEADER})",
        STOCK_KEEPERS,
    )
    def counts(
        self,
        part_number: PartInPath,
        location_id: LocationInPath,
        data: JSONBody[StockCount],
        services: Injected,
        request: AnyRequest,
        approver_token: ApproverToken,
    ) -> Recorded:
        approver = second_person(services.settings.tokens, approver_token, APPROVER_HEADER)
        outcome = services.ledger.count_stock(
            part_number, location_id, data.counted, data.reason, approver, actor_of(request)
        )
        return recorded(outcome)

    @action("/safety-stock", "setSafetyStock", "Set the safety stock of the part here", SAFETY_STOCK_SETTERS)
    def safety_stock(
        self,
        part_number: PartInPath,
        location_id: LocationInPath,
        data: JSONBody[SafetyStock],
        services: Injected,
        request: AnyRequest,
    ) -> Recorded:
        return recorded(
            services.ledger.set_safety_stock(part_number, location_id, data.level, actor_of(request))
        )


def stock_view(item: StockItem) -> StockItemView:
    return StockItemView(
        part_number=item.part_number,
        location_id=item.location_id,
        version=item.version,
        on_hand=item.on_hand,
        reserved=[ReservationView(ticket_id=UUID(t), quantity=q) for t, q in sorted(item.reserved.items())],
        free=item.free,
        in_transit=[
            TransitView(transfer_id=UUID(t), quantity=transit.quantity, value=transit.value)
            for t, transit in sorted(item.in_transit.items())
        ],
        value=item.value,
        unit_cost=item.unit_cost,
        safety_stock=item.safety_stock,
        flagged=item.flagged,
        open_requests=sorted(UUID(t) for t in item.requests),
    )
