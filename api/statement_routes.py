"""The credit-note statement import: a vendor's CSV file matched to its claims, recorded all or none."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

from litestar import post
from litestar.exceptions import HTTPException
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIType, Operation, RequestBody, Schema
from litestar.params import QueryParameter, RawBody

from api.auth import CLAIM_FINANCE, allow
from api.services import Injected, actor_of
from api.statement_schemas import (
    CSV_EXAMPLE,
    AmountMismatchView,
    StatementLineView,
    StatementReport,
    UnmatchedLineView,
)
from api.ticket_commands import AnyRequest
from api.ticket_queries import After
from domain.statement_commands import StatementImport
from domain.statements import StatementLine, parse_statement

CSV = "text/csv"
VendorId = Annotated[
    str,
    QueryParameter(
        min_length=1,
        max_length=64,
        pattern=r"^[a-z][a-z0-9_-]*$",
        description="The vendor whose statement this is.",
    ),
]


@dataclass
class CsvStatement(Operation):
    """The operation's request body is the statement file itself."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            description="A credit-note statement (see docs/claims.md): header "
            "claim_id,credit_note_number,amount,currency,issued_on, then one credit note a line.",
            content={CSV: OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING), example=CSV_EXAMPLE)},
        )


@post(
    "/claims/statements",
    operation_id="importCreditNoteStatement",
    summary="Import a vendor's credit-note statement (CSV) and report how it matched",
    tags=["claims"],
    guards=[allow(CLAIM_FINANCE)],
    status_code=200,
    sync_to_thread=True,
    operation_class=CsvStatement,
)
def import_statement(
    body: RawBody, vendor_id: VendorId, services: Injected, request: AnyRequest, after: After = None
) -> StatementReport:
    """A malformed file is refused whole, naming every bad line; otherwise every new credit note
    is recorded in one transaction, and importing the same file again records nothing."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != CSV:
        raise HTTPException(
            status_code=415, detail=f"the statement is sent as {CSV}, not {media_type or 'untyped'}"
        )
    services.caught_up(after)
    statement = parse_statement(vendor_id, body)
    awaiting = [UUID(claim_id) for claim_id in services.read_side.claims.awaiting_credit(vendor_id)]
    return statement_report(services.ledger.import_statement(statement, awaiting, actor_of(request)))


def statement_report(outcome: StatementImport) -> StatementReport:
    match = outcome.match
    return StatementReport(
        vendor_id=match.vendor_id,
        lines=match.line_count,
        recorded=[StatementLineView(**fields_of(line)) for line in match.credit],
        already_recorded=[StatementLineView(**fields_of(line)) for line in match.already_recorded],
        amount_mismatches=[
            AmountMismatchView(**fields_of(m.line), approved=m.approved) for m in match.amount_mismatches
        ],
        lines_with_no_claim=[UnmatchedLineView(**fields_of(u.line), reason=u.reason) for u in match.no_claim],
        not_creditable=[
            UnmatchedLineView(**fields_of(u.line), reason=u.reason) for u in match.not_creditable
        ],
        claims_with_no_line=list(match.claims_with_no_line),
        position=outcome.position,
    )


def fields_of(line: StatementLine) -> dict[str, Any]:
    return {
        "line": line.line,
        "claim_id": line.claim_id,
        "credit_note_number": line.number,
        "amount": line.amount,
        "currency": line.currency,
        "issued_on": line.issued_on,
    }
