"""Asset commands and the asset as its events make it, now or at a past recorded time: registered
by the warehouse, accepted under its contract's warranty rule, repaired, judged under 三包, passed
to another dealer, and (a backup unit) lent, recalled and taken back."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated
from uuid import UUID

from litestar import Controller, Response, get, post
from litestar.params import JSONBody, QueryParameter

from api.asset_schemas import (
    AcceptanceBody,
    AssetRegistrationBody,
    AssetView,
    GuaranteeView,
    LoanBody,
    LoanRecorded,
    LoanReturnBody,
    LoanView,
    RecallBody,
    RepairBody,
    RepairView,
    SerialInPath,
    ServiceTransferBody,
)
from api.auth import (
    ACCEPTANCE_RECORDERS,
    ASSET_KEEPERS,
    MANAGEMENT,
    READERS,
    REPAIRERS,
    allow,
)
from api.parts_read_routes import answer_day
from api.schemas import Recorded
from api.services import Injected, actor_of
from api.ticket_commands import AnyRequest, action, recorded
from api.ticket_queries import AsOf, past
from domain.asset_commands import AssetRegistration
from domain.assets import Asset, asset_id_for


class AssetController(Controller):
    """Every asset route under /assets but the list."""

    path = "/assets"
    tags = ["assets"]

    @post(
        "/",
        operation_id="registerAsset",
        summary="Register a serialised unit, at a customer or in the backup pool (warehouse)",
        guards=[allow(ASSET_KEEPERS)],
        status_code=201,
        sync_to_thread=True,
    )
    def register(
        self, data: JSONBody[AssetRegistrationBody], services: Injected, request: AnyRequest
    ) -> Response[Recorded]:
        registration = AssetRegistration(
            serial=data.serial,
            model=data.model,
            owner_id=data.owner_id,
            site_id=data.site_id,
            dealer_id=data.dealer_id,
            pool=data.pool,
            handed_over_on=data.handed_over_on,
        )
        outcome = services.ledger.register_asset(registration, actor_of(request))
        return Response(recorded(outcome), status_code=201, headers={"Location": f"/assets/{data.serial}"})

    @get(
        "/{serial:str}",
        operation_id="getAsset",
        summary="An asset: its warranty and status on a day, its repairs and its loan; now or at a past "
        "recorded time",
        guards=[allow(READERS)],
        sync_to_thread=True,
    )
    def get_asset(
        self,
        serial: SerialInPath,
        services: Injected,
        on: Annotated[
            date | None,
            QueryParameter(description="The warranty status's day; today, or the as-of day, if omitted."),
        ] = None,
        as_of: AsOf = None,
    ) -> AssetView:
        ledger = services.ledger
        if as_of is None:
            return asset_view(ledger.get_asset(serial), on or ledger.clock().date())
        asset = ledger.get_asset(serial, ledger.version_at(asset_id_for(serial), past(as_of)))
        return asset_view(asset, answer_day(services, as_of, on))

    @action(
        "/{serial:str}/acceptance",
        "recordAssetAcceptance",
        "Record the signed acceptance report; warranty follows the contract's rule",
        ACCEPTANCE_RECORDERS,
    )
    def acceptance(
        self, serial: SerialInPath, data: JSONBody[AcceptanceBody], services: Injected, request: AnyRequest
    ) -> Recorded:
        outcome = services.ledger.accept_asset(
            serial, data.signed_on, data.passed_on, actor_of(request), contract_id=data.contract_id
        )
        return recorded(outcome)

    @action("/{serial:str}/repairs", "recordAssetRepair", "Record a repair under a ticket", REPAIRERS)
    def repairs(
        self, serial: SerialInPath, data: JSONBody[RepairBody], services: Injected, request: AnyRequest
    ) -> Recorded:
        outcome = services.ledger.record_repair(
            serial, data.ticket_id, data.failed_on, data.description, actor_of(request)
        )
        return recorded(outcome)

    @get(
        "/{serial:str}/three-guarantees",
        operation_id="evaluateThreeGuarantees",
        summary="What 三包 allows for a failure on a day: refund, exchange, repair or replacement",
        guards=[allow(READERS)],
        sync_to_thread=True,
    )
    def three_guarantees(
        self,
        serial: SerialInPath,
        services: Injected,
        failed_on: Annotated[date, QueryParameter(description="The day of the failure, YYYY-MM-DD.")],
    ) -> GuaranteeView:
        finding = services.ledger.evaluate_three_guarantees(serial, failed_on)
        return GuaranteeView(
            serial=serial,
            failed_on=failed_on,
            warranty_start=failed_on - timedelta(days=finding.day - 1),
            day=finding.day,
            repair=finding.repair,
            remedies=[remedy.value for remedy in finding.remedies],
            reason=finding.reason,
        )

    @action(
        "/{serial:str}/service-transfer",
        "transferAssetService",
        "Pass the asset's service to another dealer, with the encroachment fee its terms decide",
        MANAGEMENT,
    )
    def service_transfer(
        self,
        serial: SerialInPath,
        data: JSONBody[ServiceTransferBody],
        services: Injected,
        request: AnyRequest,
    ) -> Recorded:
        outcome = services.ledger.transfer_asset_service(
            serial,
            data.to_dealer,
            data.transferred_on,
            data.hours_of_use,
            data.lease,
            data.fee,
            actor_of(request),
        )
        return recorded(outcome)

    @action(
        "/{serial:str}/loans",
        "lendBackupUnit",
        "Lend a backup unit against a ticket; the answer says its deadline and whether it is late",
        ASSET_KEEPERS,
    )
    def loans(
        self, serial: SerialInPath, data: JSONBody[LoanBody], services: Injected, request: AnyRequest
    ) -> LoanRecorded:
        outcome = services.ledger.lend_backup_unit(
            serial, data.ticket_id, data.return_due_on, actor_of(request)
        )
        loan = services.ledger.get_asset(serial, version=outcome.version).loan
        assert loan is not None, "a unit just lent is on loan"
        return LoanRecorded(
            id=outcome.id,
            version=outcome.version,
            position=outcome.position,
            loan_id=loan.loan_id,
            due_by=loan.due_by,
            late=loan.late,
        )

    @action(
        "/{serial:str}/loans/recall",
        "recallBackupUnit",
        "Ask for a lent backup unit back by a day",
        ASSET_KEEPERS,
    )
    def recall(
        self, serial: SerialInPath, data: JSONBody[RecallBody], services: Injected, request: AnyRequest
    ) -> Recorded:
        return recorded(services.ledger.recall_backup_unit(serial, data.return_by, actor_of(request)))

    @action("/{serial:str}/loans/return", "returnBackupUnit", "Take a lent backup unit back", ASSET_KEEPERS)
    def loan_return(
        self, serial: SerialInPath, data: JSONBody[LoanReturnBody], services: Injected, request: AnyRequest
    ) -> Recorded:
        return recorded(services.ledger.return_backup_unit(serial, data.condition, actor_of(request)))


def asset_view(asset: Asset, on: date) -> AssetView:
    loan = asset.loan
    return AssetView(
        serial=asset.serial,
        version=asset.version,
        model=asset.model,
        owner_id=asset.owner_id,
        site_id=asset.site_id,
        dealer_id=asset.dealer_id,
        pool=asset.pool,
        handed_over_on=asset.handed_over_on,
        registered_at=asset.registered_at,
        accepted_on=asset.accepted_on,
        warranty_rule=None if asset.warranty_rule is None else asset.warranty_rule.value,
        warranty_start=asset.warranty_start,
        warranty_end=asset.warranty_end,
        contract_id=None if asset.contract is None else asset.contract[0],
        contract_version=None if asset.contract is None else asset.contract[1],
        warranty_on=on,
        warranty_status=asset.warranty_status(on),
        repairs=[
            RepairView(ticket_id=UUID(r.ticket_id), failed_on=r.failed_on, description=r.description)
            for r in asset.repairs
        ],
        loan=None
        if loan is None
        else LoanView(
            loan_id=loan.loan_id,
            ticket_id=UUID(loan.ticket_id),
            customer_id=loan.customer_id,
            site_id=loan.site_id,
            lent_at=loan.lent_at,
            due_by=loan.due_by,
            late=loan.late,
            return_due_on=loan.return_due_on,
            recalled_at=loan.recalled_at,
        ),
        loans=asset.loans,
    )
