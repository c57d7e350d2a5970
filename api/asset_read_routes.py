"""Asset queries: backup units on loan with days out, old parts pending return and reconciled per
claim part, and the asset register with warranty status on any day; as of now or a past recorded
time."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Annotated, Any, Literal, get_args
from uuid import UUID

from litestar import get
from litestar.params import FromQuery, QueryParameter

from api.parts_read_routes import READ, AsOf, Limit, answer_day, recorded_time
from api.parts_read_schemas import (
    AssetPage,
    Loan,
    LoanList,
    OldPartReconciliation,
    PendingOldPart,
    PendingOldParts,
    ReconciledOldPart,
    RegisteredAsset,
)
from api.services import Injected
from api.ticket_queries import After, Filter
from projections.asset_register import STATUSES, AssetQuery, AssetRow, LoanQuery
from projections.old_part_lots import OldPartsFilter

WarrantyStatus = Literal["in_warranty", "expired", "not_started", "no_acceptance"]
assert get_args(WarrantyStatus) == STATUSES
On = Annotated[
    date | None,
    QueryParameter(description="The day to count days to and read statuses on; today, or the as-of day."),
]


def loan_of(row: AssetRow, on: date) -> Loan:
    return Loan.model_validate(
        {
            "serial": row.serial,
            "model": row.model,
            "loan_id": row.loan_id,
            "ticket_id": row.loan_ticket_id,
            "customer_id": row.loan_customer_id,
            "site_id": row.loan_site_id,
            "lent_at": row.lent_at,
            "due_by": row.due_by,
            "lent_late": row.lent_late,
            "return_due_on": row.return_due_on,
            "recalled": row.recalled_at is not None,
            "recalled_at": row.recalled_at,
            "days_out": row.days_out(on),
            "overdue": row.overdue(on),
        }
    )


@get(
    "/loans",
    operation_id="listBackupLoans",
    summary="Backup units on loan, with days out, recalls, deadlines and what is overdue",
    guards=READ,
    sync_to_thread=True,
)
def list_loans(
    services: Injected,
    overdue: Annotated[
        bool | None,
        QueryParameter(description="Only units out past (true) or not past (false) their due day."),
    ] = None,
    as_of: AsOf = None,
    on: On = None,
    after: After = None,
) -> LoanList:
    services.caught_up(after)
    as_of = recorded_time(as_of)
    on = answer_day(services, as_of, on)
    rows = services.read_side.assets.loans(LoanQuery(on, overdue, as_of))
    return LoanList(as_of=as_of, on=on, items=[loan_of(row, on) for row in rows])


@get(
    "/old-parts/pending",
    operation_id="listPendingOldParts",
    summary="Old parts collected from engineers and not yet logged in at the warehouse, oldest window first",
    guards=READ,
    sync_to_thread=True,
)
def list_pending(
    services: Injected, vendor_id: Filter = None, as_of: AsOf = None, after: After = None
) -> PendingOldParts:
    services.caught_up(after)
    as_of = recorded_time(as_of)
    on = answer_day(services, as_of)
    lots = services.read_side.assets.pending(OldPartsFilter(on, vendor_id=vendor_id, as_of=as_of))
    items = [
        PendingOldPart.model_validate({**asdict(lot), "days_overdue": lot.days_overdue(on)}) for lot in lots
    ]
    return PendingOldParts(as_of=as_of, on=on, items=items)


@get(
    "/old-parts/reconciliation",
    operation_id="reconcileOldParts",
    summary="Each claim's listed old parts against what was collected, returned, destroyed and shipped",
    guards=READ,
    sync_to_thread=True,
)
def reconcile_old_parts(
    services: Injected,
    claim_id: FromQuery[UUID | None] = None,
    vendor_id: Filter = None,
    as_of: AsOf = None,
    after: After = None,
) -> OldPartReconciliation:
    services.caught_up(after)
    as_of = recorded_time(as_of)
    on = answer_day(services, as_of)
    claim = None if claim_id is None else str(claim_id)
    parts = services.read_side.assets.reconciliation(OldPartsFilter(on, claim, vendor_id, as_of))
    return OldPartReconciliation(
        as_of=as_of, on=on, items=[ReconciledOldPart.model_validate(p) for p in parts]
    )


def registered(row: AssetRow, on: date) -> RegisteredAsset:
    status = row.warranty_status(on)
    return RegisteredAsset.model_validate(
        {**asdict(row), "warranty_status": status, "on_loan": bool(row.loan_id)}
    )


@get(
    "/assets",
    operation_id="listAssets",
    summary="The asset register: owner, site, dealer, acceptance and warranty status on a day, by serial",
    guards=READ,
    sync_to_thread=True,
)
def list_assets(
    services: Injected,
    on: On = None,
    owner_id: Filter = None,
    dealer_id: Filter = None,
    status: FromQuery[WarrantyStatus | None] = None,
    pool: Annotated[
        bool | None, QueryParameter(description="Only backup units (true) or only others.")
    ] = None,
    as_of: AsOf = None,
    cursor: Annotated[
        str | None, QueryParameter(max_length=64, description="The next_cursor of the previous page.")
    ] = None,
    limit: Limit = 100,
    after: After = None,
) -> AssetPage:
    services.caught_up(after)
    as_of = recorded_time(as_of)
    on = answer_day(services, as_of, on)
    query = AssetQuery(on, owner_id, dealer_id, pool, status, as_of, cursor, limit + 1)
    rows = services.read_side.assets.assets(query)
    next_cursor = rows[limit - 1].serial if len(rows) > limit else None
    items = [registered(row, on) for row in rows[:limit]]
    return AssetPage(as_of=as_of, on=on, items=items, next_cursor=next_cursor)


ASSET_READ_ROUTES: list[Any] = [list_loans, list_pending, reconcile_old_parts, list_assets]
