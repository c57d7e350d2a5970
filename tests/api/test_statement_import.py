"""Credit-note statements over HTTP: matched to the vendor's claims, recorded all or none, refused
whole when malformed, and idempotent."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import httpx
import pytest

from api.holiday_source import library_holidays
from domain.actors import PEOPLE, Actor, Role
from domain.claim_commands import ClaimDraft
from domain.claim_terms import ClaimKind, ClaimLine, LineKind
from domain.claims import CreditNote
from domain.contract_documents import contract_document
from domain.errors import ConcurrentUpdate
from domain.ledger import ServiceLedger
from domain.statements import HEADER, parse_statement
from tests.api.claim_harness import approved, claim, claim_body, contract, submitted
from tests.api.harness import Api, Json, assert_problem, bearer, error_fields, nothing_recorded
from tests.support import MANAGER, ago

CUSTOMER = "statement-co"
ISSUED = "2026-11-20"
NOT_FINANCE: list[Role] = sorted(PEOPLE - {Role.FINANCE, Role.MANAGER}, key=lambda r: r.value)


@pytest.fixture(scope="module")
def customer(api: Api) -> str:
    contract(api, CUSTOMER, ago(days=400))
    return CUSTOMER


def statement(*lines: str) -> bytes:
    return "\n".join([",".join(HEADER), *lines, ""]).encode()


def send(
    api: Api,
    vendor: str,
    data: bytes,
    role: Role = Role.FINANCE,
    content_type: str = "text/csv",
    after: int | None = None,
) -> httpx.Response:
    params = {"vendor_id": vendor, **({} if after is None else {"after": str(after)})}
    headers = {**bearer(role), "content-type": content_type}
    return api.client.post("/claims/statements", params=params, content=data, headers=headers)


def imported(api: Api, vendor: str, data: bytes) -> Json:
    response = send(api, vendor, data, after=api.log_end())
    assert response.status_code == 200, response.text
    report: Json = response.json()
    return report


def lines_of(entries: list[Json]) -> list[int]:
    return [entry["line"] for entry in entries]


def test_a_statement_credits_its_claims_lists_what_did_not_match_and_imports_once(
    api: Api, customer: str
) -> None:
    vendor = "volvo-ce"
    exact = approved(api, customer, "5000.00", vendor_id=vendor)
    short = approved(api, customer, vendor_id=vendor)
    omitted = approved(api, customer, vendor_id=vendor)
    pending = submitted(api, claim_body(customer, vendor_id=vendor))
    theirs = approved(api, customer, vendor_id="sany")
    data = statement(
        f"{exact},CN-A,5000.00,CNY,{ISSUED}",
        f"{short},CN-B,29000.00,CNY,{ISSUED}",
        f"{uuid4()},CN-X,100.00,CNY,{ISSUED}",
        f"{theirs},CN-E,30000.00,CNY,{ISSUED}",
        f"{pending},CN-D,30000.00,CNY,{ISSUED}",
    )
    before = api.log_end()

    report = imported(api, vendor, data)

    assert (report["vendor_id"], report["lines"]) == (vendor, 5)
    assert [(e["line"], e["claim_id"], e["credit_note_number"]) for e in report["recorded"]] == [
        (2, exact, "CN-A"),
        (3, short, "CN-B"),
    ]
    assert report["already_recorded"] == []
    assert [(e["line"], e["amount"], e["approved"]) for e in report["amount_mismatches"]] == [
        (3, "29000.00", "30000.00")
    ]
    assert [(e["line"], e["reason"]) for e in report["lines_with_no_claim"]] == [
        (4, "no claim has this id"),
        (5, "the claim is sany's"),
    ]
    assert [(e["line"], e["reason"]) for e in report["not_creditable"]] == [
        (6, "the claim is submitted, not approved")
    ]
    assert report["claims_with_no_line"] == [omitted]
    assert report["position"] == api.log_end() == before + 2
    (credit,) = claim(api, exact)["credit_notes"]
    assert (credit["number"], credit["amount"]) == ("CN-A", "5000.00")
    assert (claim(api, short)["credited"], claim(api, short)["payable"]) == ("29000.00", "29000.00")
    assert claim(api, theirs)["credit_notes"] == claim(api, pending)["credit_notes"] == []

    views = {claim_id: claim(api, claim_id) for claim_id in (exact, short, omitted, pending, theirs)}
    again = imported(api, vendor, data)

    assert api.log_end() == before + 2
    assert {claim_id: claim(api, claim_id) for claim_id in views} == views
    assert (again["recorded"], lines_of(again["already_recorded"]), again["position"]) == ([], [2, 3], None)
    assert lines_of(again["amount_mismatches"]) == [3]
    assert again["claims_with_no_line"] == [omitted]


def test_a_malformed_statement_is_refused_whole_naming_each_bad_line(api: Api, customer: str) -> None:
    vendor = "liugong"
    good = approved(api, customer, vendor_id=vendor)
    data = statement(
        f"{good},CN-1,30000.00,CNY,{ISSUED}",
        f"{good},CN-2,30000.001,CNY,{ISSUED}",
        f"{good},CN-3,30000.00,CNY",
        f"\ufeff{good},CN-4,30000.00,CNY,2026-11-31",
    )

    with nothing_recorded(api):
        refused = send(api, vendor, data)

    problem = assert_problem(refused, 422, "statement-malformed")
    assert error_fields(problem) == {"line 3.amount", "line 4", "line 5.claim_id", "line 5.issued_on"}
    assert "lines 3, 4, 5" in problem["detail"]
    assert claim(api, good)["credit_notes"] == []


def test_a_statement_with_a_byte_order_mark_and_crlf_lines_is_read(api: Api, customer: str) -> None:
    vendor = "doosan"
    claim_id = approved(api, customer, vendor_id=vendor)
    data = ("\ufeff" + ",".join(HEADER) + "\r\n" + f"{claim_id},CN-9,30000.00,CNY,{ISSUED}\r\n").encode()

    report = imported(api, vendor, data)

    assert lines_of(report["recorded"]) == [2]
    assert claim(api, claim_id)["credited"] == "30000.00"


@pytest.mark.parametrize("role", NOT_FINANCE, ids=lambda r: r.value)
def test_only_finance_and_managers_import_a_statement(api: Api, customer: str, role: Role) -> None:
    with nothing_recorded(api):
        refused = send(api, "volvo-ce", statement(f"{uuid4()},CN-1,1.00,CNY,{ISSUED}"), role)
    assert_problem(refused, 403, "forbidden")


def test_a_statement_must_be_csv_for_a_named_vendor(api: Api) -> None:
    data = statement(f"{uuid4()},CN-1,1.00,CNY,{ISSUED}")
    with nothing_recorded(api):
        as_json = send(api, "volvo-ce", data, content_type="application/json")
        no_vendor = api.client.post(
            "/claims/statements", content=data, headers={**bearer(Role.FINANCE), "content-type": "text/csv"}
        )
        bad_vendor = send(api, "Volvo CE", data)
    assert_problem(as_json, 415, "unsupported-media-type")
    assert "vendor_id" in error_fields(assert_problem(no_vendor, 400, "validation"))
    assert_problem(bad_vendor, 400, "validation")


class RacingClock:
    """The ledger's clock, which can let another writer in at the next reading."""

    def __init__(self) -> None:
        self.meanwhile: Callable[[], object] | None = None

    def __call__(self) -> datetime:
        if self.meanwhile is not None:
            writer, self.meanwhile = self.meanwhile, None
            writer()
        return datetime.now(UTC)


def test_an_import_that_loses_a_race_on_one_claim_records_none_of_its_credit_notes(
    sqlite_store_env: dict[str, str],
) -> None:
    clock = RacingClock()
    ledger = ServiceLedger(env=sqlite_store_env, clock=clock)
    other = ServiceLedger(env=sqlite_store_env)
    clerk, director, finance = (
        Actor("clerk", Role.CLAIMS),
        Actor("svc", Role.SERVICE_DIRECTOR),
        Actor("fin", Role.FINANCE),
    )
    try:
        document = contract_document("fault-4-class", None, library_holidays)
        contract_id = ledger.draft_contract(CUSTOMER, "Claims", document, MANAGER).id
        ledger.review_contract(contract_id, 1, "Checked", Actor("eng", Role.ENGINEER))
        ledger.approve_contract(contract_id, 1, ago(days=30), Actor("mgr-two", Role.MANAGER))
        goodwill = ClaimLine(LineKind.OTHER, "", "Goodwill", Decimal(1), Decimal("1000.00"))
        claims: list[UUID] = []
        for _ in range(2):
            draft = ClaimDraft(ClaimKind.COMPENSATION, CUSTOMER, "volvo-ce", "CNY", (goodwill,))
            claim_id = ledger.draft_claim(draft, clerk).id
            ledger.submit_claim(claim_id, clerk)
            ledger.approve_claim(claim_id, None, director)
            claims.append(claim_id)
        first, second = claims
        data = statement(*(f"{c},CN-{n},1000.00,CNY,{ISSUED}" for n, c in enumerate(claims)))
        parsed = parse_statement("volvo-ce", data)
        clock.meanwhile = lambda: other.record_credit_note(
            second, "CN-HAND", Decimal("1000.00"), date(2026, 11, 1), finance
        )

        with pytest.raises(ConcurrentUpdate):
            ledger.import_statement(parsed, [], finance)

        assert other.get_claim(first).credit_notes == {}
        assert amounts(other.get_claim(second).credit_notes) == {"CN-HAND": Decimal("1000.00")}
        retried = ledger.import_statement(parsed, [], finance)
        assert ([x.claim_id for x in retried.match.credit], retried.match.already_recorded) == (
            [first, second],
            (),
        )
        assert amounts(ledger.get_claim(second).credit_notes) == {
            "CN-HAND": Decimal("1000.00"),
            "CN-1": Decimal("1000.00"),
        }
    finally:
        other.close()
        ledger.close()


def amounts(credit_notes: dict[str, CreditNote]) -> dict[str, Decimal]:
    return {number: note.amount for number, note in credit_notes.items()}
