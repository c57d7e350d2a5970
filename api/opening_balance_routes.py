"""Opening balances from CSV: a stock count and an asset register, each recorded all or none."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from litestar import post
from litestar.exceptions import HTTPException
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import RawBody

from api.auth import OPENING_BALANCES, allow
from api.opening_balance_schemas import (
    REGISTER_EXAMPLE,
    REGISTER_FORMAT,
    STOCK_EXAMPLE,
    STOCK_FORMAT,
    ImportCounts,
    OpeningStockReport,
)
from api.services import Injected, actor_of
from api.ticket_commands import AnyRequest
from domain.opening_balances import file_document, parse_asset_register, parse_opening_stock

CSV = "text/csv"


@dataclass
class CsvUpload(Operation):
    """An operation whose request body is a CSV file."""

    body_description: ClassVar[str] = ""
    body_example: ClassVar[str] = ""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description=self.body_description,
            content={
                CSV: OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING), example=self.body_example)
            },
        )


@dataclass
class StockCountUpload(CsvUpload):
    body_description = STOCK_FORMAT
    body_example = STOCK_EXAMPLE


@dataclass
class AssetRegisterUpload(CsvUpload):
    body_description = REGISTER_FORMAT
    body_example = REGISTER_EXAMPLE


@post(
    "/stock/opening-balances",
    operation_id="importOpeningStock",
    summary="Import an opening stock count (CSV), recorded all or none",
    tags=["stock"],
    guards=[allow(OPENING_BALANCES)],
    status_code=200,
    sync_to_thread=True,
    operation_class=StockCountUpload,
)
def import_opening_stock(body: RawBody, services: Injected, request: AnyRequest) -> OpeningStockReport:
    """A malformed file is refused whole (422), naming every bad line; a part at a location that
    already has movements, or an opening count from another file, refuses the whole file (409).
    Importing the same file again records nothing."""
    require_csv(request)
    count = parse_opening_stock(body)
    document = file_document(body)
    outcome = services.ledger.import_opening_stock(count, document, actor_of(request))
    return OpeningStockReport(
        document=document,
        lines=len(count),
        recorded=outcome.recorded,
        unchanged=outcome.unchanged,
        position=outcome.position,
    )


@post(
    "/assets/register-import",
    operation_id="importAssetRegister",
    summary="Import an asset register (CSV), recorded all or none",
    tags=["assets"],
    guards=[allow(OPENING_BALANCES)],
    status_code=200,
    sync_to_thread=True,
    operation_class=AssetRegisterUpload,
)
def import_asset_register(body: RawBody, services: Injected, request: AnyRequest) -> ImportCounts:
    """A malformed file is refused whole (422), naming every bad line; a serial registered already
    with other facts refuses the whole file (409). A serial registered with the same facts is
    unchanged, so importing the same file again records nothing."""
    require_csv(request)
    register = parse_asset_register(body)
    outcome = services.ledger.import_asset_register(register, actor_of(request))
    return ImportCounts(
        lines=len(register), recorded=outcome.recorded, unchanged=outcome.unchanged, position=outcome.position
    )


def require_csv(request: AnyRequest) -> None:
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != CSV:
        raise HTTPException(
            status_code=415, detail=f"the file is sent as {CSV}, not {media_type or 'untyped'}"
        )


OPENING_BALANCE_ROUTES = (import_opening_stock, import_asset_register)
