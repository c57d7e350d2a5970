"""The OpenAPI document: every route an operation with an id, a summary and examples to copy."""

from __future__ import annotations

import pytest

from tests.api.harness import Api, Json

TICKET = "/tickets/{ticket_id}"
CLAIM = "/claims/{claim_id}"
STOCK = "/stock/{part_number}/{location_id}"
TRANSFER = "/transfers/{transfer_id}"
ASSET = "/assets/{serial}"
BOOK = "/penalty-books/{code}"
PENALTY = "/penalties/{penalty_id}"
OPERATIONS: dict[str, tuple[str, str]] = {
    "openTicket": ("post", "/tickets"),
    "listTickets": ("get", "/tickets"),
    "getTicket": ("get", TICKET),
    "getTicketHistory": ("get", f"{TICKET}/history"),
    "recordResponse": ("post", f"{TICKET}/response"),
    "escalateTicket": ("post", f"{TICKET}/escalation"),
    "dispatchEngineer": ("post", f"{TICKET}/dispatch"),
    "recordDeparture": ("post", f"{TICKET}/departure"),
    "recordArrival": ("post", f"{TICKET}/arrival"),
    "recordRestoration": ("post", f"{TICKET}/restoration"),
    "resolveTicket": ("post", f"{TICKET}/resolution"),
    "recordSignOff": ("post", f"{TICKET}/sign-off"),
    "recordCallback": ("post", f"{TICKET}/callback"),
    "closeTicket": ("post", f"{TICKET}/closure"),
    "reopenTicket": ("post", f"{TICKET}/reopening"),
    "pauseTicket": ("post", f"{TICKET}/pause"),
    "resumeTicket": ("post", f"{TICKET}/resumption"),
    "cancelTicket": ("post", f"{TICKET}/cancellation"),
    "correctMilestone": ("post", f"{TICKET}/corrections"),
    "getTicketSla": ("get", f"{TICKET}/sla"),
    "getTicketTimeline": ("get", f"{TICKET}/timeline"),
    "printTicketTimeline": ("get", f"{TICKET}/timeline.html"),
    "listClocksAtRisk": ("get", "/sla/at-risk"),
    "queryKpis": ("get", "/kpis"),
    "downloadKpis": ("get", "/kpis.csv"),
    "listClaimReconciliation": ("get", "/claims/reconciliation"),
    "downloadClaimReconciliation": ("get", "/claims/reconciliation.csv"),
    "claimReconciliationTotals": ("get", "/claims/reconciliation/totals"),
    "downloadClaimReconciliationTotals": ("get", "/claims/reconciliation/totals.csv"),
    "claimReconciliationAging": ("get", "/claims/reconciliation/aging"),
    "downloadClaimReconciliationAging": ("get", "/claims/reconciliation/aging.csv"),
    "claimReconciliationExceptions": ("get", "/claims/reconciliation/exceptions"),
    "draftContract": ("post", "/contracts"),
    "reviewContract": ("post", "/contracts/{contract_id}/review"),
    "approveContract": ("post", "/contracts/{contract_id}/approval"),
    "reviseContract": ("post", "/contracts/{contract_id}/revision"),
    "terminateContract": ("post", "/contracts/{contract_id}/termination"),
    "getContract": ("get", "/contracts/{contract_id}"),
    "listCalendars": ("get", "/contracts/{contract_id}/versions/{version}/calendars"),
    "getCalendar": ("get", "/contracts/{contract_id}/versions/{version}/calendars/{name}"),
    "calendarDays": ("get", "/contracts/{contract_id}/versions/{version}/calendars/{name}/days"),
    "calendarDeadline": ("get", "/contracts/{contract_id}/versions/{version}/calendars/{name}/deadline"),
    "draftClaim": ("post", "/claims"),
    "getClaim": ("get", CLAIM),
    "attachClaimEvidence": ("post", f"{CLAIM}/evidence"),
    "submitClaim": ("post", f"{CLAIM}/submission"),
    "approveClaim": ("post", f"{CLAIM}/approval"),
    "rejectClaim": ("post", f"{CLAIM}/rejection"),
    "resubmitClaim": ("post", f"{CLAIM}/resubmission"),
    "recordCreditNote": ("post", f"{CLAIM}/credit-notes"),
    "recordClaimPayment": ("post", f"{CLAIM}/payments"),
    "reverseClaimPayment": ("post", f"{CLAIM}/payment-reversals"),
    "refundSubsidy": ("post", f"{CLAIM}/subsidy-refund"),
    "returnSubsidisedProduct": ("post", f"{CLAIM}/product-return"),
    "closeClaim": ("post", f"{CLAIM}/closure"),
    "getClaimTimeline": ("get", f"{CLAIM}/timeline"),
    "printClaimTimeline": ("get", f"{CLAIM}/timeline.html"),
    "importCreditNoteStatement": ("post", "/claims/statements"),
    "importOpeningStock": ("post", "/stock/opening-balances"),
    "importAssetRegister": ("post", "/assets/register-import"),
    "getStockItem": ("get", STOCK),
    "receiveStock": ("post", f"{STOCK}/receipts"),
    "reserveStock": ("post", f"{STOCK}/reservations"),
    "releaseStockReservation": ("post", f"{STOCK}/reservations/{{ticket_id}}/release"),
    "issueStock": ("post", f"{STOCK}/issues"),
    "returnStock": ("post", f"{STOCK}/returns"),
    "writeOffStock": ("post", f"{STOCK}/write-offs"),
    "countStock": ("post", f"{STOCK}/counts"),
    "setSafetyStock": ("post", f"{STOCK}/safety-stock"),
    "requestTransfer": ("post", "/transfers"),
    "getTransfer": ("get", TRANSFER),
    "dispatchTransfer": ("post", f"{TRANSFER}/dispatch"),
    "recordTransferArrival": ("post", f"{TRANSFER}/arrival"),
    "cancelTransfer": ("post", f"{TRANSFER}/cancellation"),
    "registerAsset": ("post", "/assets"),
    "getAsset": ("get", ASSET),
    "recordAssetAcceptance": ("post", f"{ASSET}/acceptance"),
    "recordAssetRepair": ("post", f"{ASSET}/repairs"),
    "evaluateThreeGuarantees": ("get", f"{ASSET}/three-guarantees"),
    "transferAssetService": ("post", f"{ASSET}/service-transfer"),
    "lendBackupUnit": ("post", f"{ASSET}/loans"),
    "recallBackupUnit": ("post", f"{ASSET}/loans/recall"),
    "returnBackupUnit": ("post", f"{ASSET}/loans/return"),
    "collectOldPart": ("post", f"{CLAIM}/old-parts"),
    "getClaimOldParts": ("get", f"{CLAIM}/old-parts"),
    "logInOldPart": ("post", f"{CLAIM}/old-parts/{{lot}}/return"),
    "destroyOldPart": ("post", f"{CLAIM}/old-parts/{{lot}}/destruction"),
    "shipOldPart": ("post", f"{CLAIM}/old-parts/{{lot}}/shipment"),
    "listStock": ("get", "/stock"),
    "downloadStock": ("get", "/stock.csv"),
    "listPartMovements": ("get", "/parts/{part_number}/movements"),
    "downloadPartMovements": ("get", "/parts/{part_number}/movements.csv"),
    "listBackupLoans": ("get", "/loans"),
    "listPendingOldParts": ("get", "/old-parts/pending"),
    "reconcileOldParts": ("get", "/old-parts/reconciliation"),
    "listAssets": ("get", "/assets"),
    "draftPenaltyBook": ("post", "/penalty-books"),
    "reviewPenaltyBook": ("post", f"{BOOK}/review"),
    "approvePenaltyBook": ("post", f"{BOOK}/approve"),
    "revisePenaltyBook": ("post", f"{BOOK}/revise"),
    "listPenaltyBooks": ("get", "/penalty-books"),
    "getPenaltyBook": ("get", BOOK),
    "whatIfPenaltyBook": ("post", f"{BOOK}/what-if"),
    "closePenaltyPeriod": ("post", "/penalty-periods/{period}/close"),
    "assessPenalty": ("post", "/penalties"),
    "getPenalty": ("get", PENALTY),
    "disputePenalty": ("post", f"{PENALTY}/dispute"),
    "upholdPenalty": ("post", f"{PENALTY}/uphold"),
    "waivePenalty": ("post", f"{PENALTY}/waive"),
    "settlePenalty": ("post", f"{PENALTY}/settle"),
    "reversePenalty": ("post", f"{PENALTY}/reverse"),
    "penaltyLedgerTotals": ("get", "/penalty-ledger"),
    "downloadPenaltyLedger": ("get", "/penalty-ledger.csv"),
    "listPenaltyLines": ("get", "/penalty-ledger/lines"),
    "signCheckpoint": ("post", "/audit/checkpoints"),
    "listCheckpoints": ("get", "/audit/checkpoints"),
    "getPublicKey": ("get", "/audit/public-key"),
    "exportBundle": ("get", "/audit/bundle"),
    "getChainHead": ("get", "/audit/chain"),
    "listAccessLog": ("get", "/audit/access-log"),
    "registerCustomer": ("post", "/customers"),
    "changeCustomerDetails": ("post", "/customers/{customer_id}/details"),
    "forgetCustomer": ("post", "/customers/{customer_id}/forget"),
    "getCustomer": ("get", "/customers/{customer_id}"),
    "listCustomers": ("get", "/customers"),
    "health": ("get", "/health"),
}
"""Every route the API serves, by operation id."""
POSTS = sorted(op for op, (method, _) in OPERATIONS.items() if method == "post")
WITHOUT_BODY = {
    "submitClaim",
    "returnSubsidisedProduct",
    "releaseStockReservation",
    "recordTransferArrival",
    "destroyOldPart",
    "signCheckpoint",
}
"""Commands whose path says everything: they take no body."""
WITH_BODY = sorted(set(POSTS) - WITHOUT_BODY)


@pytest.fixture(scope="module")
def openapi(api: Api) -> Json:
    response = api.client.get("/schema/openapi.json")
    assert response.status_code == 200, response.text
    document: Json = response.json()
    return document


def operations(document: Json) -> dict[str, Json]:
    """Every operation of the document by operation id (an operation without one under its route)."""
    found: dict[str, Json] = {}
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "put", "post", "delete", "patch", "head", "options", "trace"}:
                key = operation.get("operationId") or f"{method} {path}"
                assert key not in found, f"operationId {key} is used twice"
                found[key] = {**operation, "_method": method, "_path": path}
    return found


def resolve(document: Json, schema: Json) -> Json:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = document["components"]["schemas"][name]
    return schema


def has_example(document: Json, media: Json) -> bool:
    """A media type shows an example inline, or in the schema it names."""
    if media.get("example") is not None or media.get("examples"):
        return True
    schema = resolve(document, media.get("schema", {}))
    return schema.get("example") is not None or bool(schema.get("examples"))


def test_the_document_is_openapi_3(openapi: Json) -> None:
    assert openapi["openapi"].startswith("3.")
    assert openapi["info"]["title"] == "Service Ledger"


def test_every_route_is_one_operation_with_its_operation_id(openapi: Json) -> None:
    found = {op: (o["_method"], o["_path"]) for op, o in operations(openapi).items()}

    assert found == OPERATIONS


def test_every_operation_has_an_operation_id_and_a_summary(openapi: Json) -> None:
    for key, operation in operations(openapi).items():
        assert operation.get("operationId"), key
        summary = operation.get("summary")
        assert isinstance(summary, str), key
        assert summary.strip(), key


@pytest.mark.parametrize("operation_id", WITH_BODY)
def test_every_request_body_has_an_example(openapi: Json, operation_id: str) -> None:
    body = operations(openapi)[operation_id]["requestBody"]

    for content_type, media in body["content"].items():
        assert has_example(openapi, media), f"{operation_id} {content_type}: request body has no example"


@pytest.mark.parametrize("operation_id", sorted(OPERATIONS))
def test_every_successful_response_has_an_example(openapi: Json, operation_id: str) -> None:
    responses = operations(openapi)[operation_id]["responses"]
    successes = {status: r for status, r in responses.items() if status.startswith("2")}
    assert successes, f"{operation_id}: no 2xx response documented"

    for status, response in successes.items():
        for content_type, media in response.get("content", {}).items():
            assert has_example(openapi, media), f"{operation_id} {status} {content_type}: no example"


def test_creation_documents_201_and_commands_200(openapi: Json) -> None:
    found = operations(openapi)

    creators = {
        "openTicket",
        "draftContract",
        "draftClaim",
        "resubmitClaim",
        "requestTransfer",
        "registerAsset",
        "collectOldPart",
        "draftPenaltyBook",
        "assessPenalty",
        "signCheckpoint",
        "registerCustomer",
    }
    for operation_id in creators:
        assert "201" in found[operation_id]["responses"], operation_id
    for operation_id in POSTS:
        if operation_id not in creators:
            assert "200" in found[operation_id]["responses"], operation_id


def test_request_schemas_document_the_limits_the_api_enforces(openapi: Json) -> None:
    schemas = openapi["components"]["schemas"]

    assert schemas["OpenTicket"]["properties"]["description"]["maxLength"] == 4000
    assert schemas["Escalation"]["properties"]["reason"]["maxLength"] == 1000
    assert schemas["Escalation"]["properties"]["level"]["minimum"] == 1
    assert schemas["Escalation"]["properties"]["level"]["maximum"] == 9
    assert set(schemas["OpenTicket"]["required"]) >= {"channel", "customer_id", "description"}
    assert "reported_at" not in schemas["OpenTicket"]["required"]
