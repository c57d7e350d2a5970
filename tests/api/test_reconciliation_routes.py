"""Reconciliation over HTTP: claims with their money, paged; totals, aging and the exception lists;
CSV downloads; as of a past recorded time; finance's roles only; bad parameters a 400 naming them."""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from api.holiday_source import library_holidays
from domain.actors import Actor, Role
from domain.claim_commands import ClaimDraft
from domain.claim_terms import ClaimKind, ClaimLine, LineKind
from domain.contract_documents import contract_document
from domain.ledger import ServiceLedger
from projections.kpis import REPORTING_ZONE
from tests.api.harness import Api, Json, assert_problem, bearer, error_fields
from tests.support import MANAGER

CLERK = Actor("clerk-li", Role.CLAIMS)
SERVICE = Actor("svc-zhao", Role.SERVICE_DIRECTOR)
FINANCE = Actor("fin-zhang", Role.FINANCE)
DOCUMENT = contract_document("fault-4-class", None, library_holidays)


@dataclass
class Recorded:
    """A vendor's claims by name, a recorded time between two events, and the log's end."""

    vendor: str
    ids: dict[str, str]
    before_payment: datetime
    position: int


def warranty(
    ledger: ServiceLedger, customer: str, vendor: str, amount: str, completed: datetime | None = None
) -> UUID:
    line = ClaimLine(LineKind.OTHER, "", "Pump and labour", Decimal(1), Decimal(amount))
    draft = ClaimDraft(ClaimKind.WARRANTY, customer, vendor, "CNY", (line,), service_completed_at=completed)
    claim = ledger.draft_claim(draft, CLERK).id
    ledger.submit_claim(claim, CLERK)
    return claim


def record(api: Api) -> Recorded:
    """Under a new contract and vendor: `late` approved at 900 of 1,000, credited 850, then paid
    500; `rejected` rejected; `open` approved and awaiting its credit note."""
    ledger = api.ledger
    customer, vendor = f"cust-{uuid4().hex[:8]}", f"vendor-{uuid4().hex[:8]}"
    contract = ledger.draft_contract(customer, "Service and claims", DOCUMENT, MANAGER).id
    ledger.review_contract(contract, 1, "Checked", Actor("eng-li", Role.ENGINEER))
    ledger.approve_contract(
        contract, 1, datetime.now(UTC) - timedelta(days=400), Actor("mgr-2", Role.MANAGER)
    )
    completed = datetime.now(UTC) - timedelta(days=20)
    late = warranty(ledger, customer, vendor, "1000.00", completed)
    ledger.approve_claim(late, None, SERVICE)
    ledger.approve_claim(late, Decimal("900.00"), FINANCE)
    ledger.record_credit_note(late, "CN-1", Decimal("850.00"), date(2026, 11, 1), FINANCE)
    time.sleep(0.01)
    before_payment = datetime.now(UTC)
    time.sleep(0.01)
    ledger.record_claim_payment(late, Decimal("500.00"), "PAY-1", date(2026, 11, 2), FINANCE)
    rejected = warranty(ledger, customer, vendor, "2000.00")
    ledger.reject_claim(rejected, "Outside the warranty period", CLERK)
    opened = warranty(ledger, customer, vendor, "300.00")
    ledger.approve_claim(opened, None, SERVICE)
    position = ledger.approve_claim(opened, None, FINANCE).position
    ids = {"late": str(late), "rejected": str(rejected), "open": str(opened)}
    return Recorded(vendor, ids, before_payment, position)


@pytest.fixture(scope="module")
def recorded(api: Api) -> Recorded:
    return record(api)


def read(api: Api, path: str, recorded: Recorded, **params: object) -> Json:
    return api.read(path, recorded.position, {"vendor_id": recorded.vendor, **params})


def download(api: Api, path: str, recorded: Recorded, **params: object) -> list[dict[str, str]]:
    query = {"vendor_id": recorded.vendor, "after": recorded.position, **params}
    response = api.get(path, role=Role.FINANCE, params=query)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="')
    assert disposition.endswith('.csv"')
    return list(csv.DictReader(io.StringIO(response.text)))


def test_claims_are_listed_with_their_money_a_page_at_a_time(api: Api, recorded: Recorded) -> None:
    first = read(api, "/claims/reconciliation", recorded, limit=2)
    second = read(api, "/claims/reconciliation", recorded, limit=2, cursor=first["next_cursor"])

    items = first["items"] + second["items"]
    assert [i["claim_id"] for i in items] == sorted(recorded.ids.values())
    assert first["next_cursor"] == first["items"][-1]["claim_id"]
    assert second["next_cursor"] is None
    late = next(i for i in items if i["claim_id"] == recorded.ids["late"])
    assert {k: late[k] for k in ("claimed", "approved", "credited", "paid", "outstanding")} == {
        "claimed": "1000.00",
        "approved": "900.00",
        "credited": "850.00",
        "paid": "500.00",
        "outstanding": "350.00",
    }
    assert (late["credit_variance"], late["days_late"], late["status"], late["chain_id"]) == (
        "-50.00",
        6,
        "approved",
        recorded.ids["late"],
    )
    assert late["period"] == datetime.now(REPORTING_ZONE).strftime("%Y-%m")
    rejected = read(api, "/claims/reconciliation", recorded, status="rejected")["items"]
    assert [(i["claim_id"], i["rejection"]) for i in rejected] == [
        (recorded.ids["rejected"], "Outside the warranty period")
    ]


def test_totals_and_aging_add_up_the_vendors_claims(api: Api, recorded: Recorded) -> None:
    totals = read(api, "/claims/reconciliation/totals", recorded)
    aging = read(api, "/claims/reconciliation/aging", recorded)

    (row,) = totals["rows"]
    assert (row["vendor_id"], row["kind"], row["currency"], row["claims"]) == (
        recorded.vendor,
        "warranty",
        "CNY",
        3,
    )
    assert [row[k] for k in ("claimed", "approved", "credited", "paid", "outstanding")] == [
        "3300.00",
        "1200.00",
        "850.00",
        "500.00",
        "650.00",
    ]
    assert aging["on"] == datetime.now(REPORTING_ZONE).date().isoformat()
    assert aging["rows"] == [
        {
            "vendor_id": recorded.vendor,
            "currency": "CNY",
            "claims": 2,
            "days_0_30": "650.00",
            "days_31_60": "0.00",
            "days_61_90": "0.00",
            "over_90": "0.00",
            "total": "650.00",
        }
    ]


def test_the_exception_lists(api: Api, recorded: Recorded) -> None:
    lists = read(api, "/claims/reconciliation/exceptions", recorded, limit=1)

    assert [i["claim_id"] for i in lists["credit_variances"]["items"]] == [recorded.ids["late"]]
    assert [i["claim_id"] for i in lists["late_submissions"]["items"]] == [recorded.ids["late"]]
    assert [i["claim_id"] for i in lists["rejected"]["items"]] == [recorded.ids["rejected"]]
    assert {lists[name]["next_cursor"] for name in ("credit_variances", "late_submissions", "rejected")} == {
        None
    }


def test_answers_as_of_a_past_time(api: Api, recorded: Recorded) -> None:
    as_of = recorded.before_payment.isoformat()

    (claim,) = read(api, "/claims/reconciliation", recorded, as_of=as_of)["items"]
    (total,) = read(api, "/claims/reconciliation/totals", recorded, as_of=as_of)["rows"]
    aging = read(api, "/claims/reconciliation/aging", recorded, as_of=as_of)

    assert (claim["claim_id"], claim["paid"], claim["outstanding"]) == (
        recorded.ids["late"],
        "0.00",
        "850.00",
    )
    assert (total["claims"], total["paid"], total["outstanding"]) == (1, "0.00", "850.00")
    assert aging["as_of"] is not None
    assert aging["on"] == recorded.before_payment.astimezone(REPORTING_ZONE).date().isoformat()
    assert [r["total"] for r in aging["rows"]] == ["850.00"]


def test_each_report_downloads_as_csv(api: Api, recorded: Recorded) -> None:
    claims = download(api, "/claims/reconciliation.csv", recorded)
    totals = download(api, "/claims/reconciliation/totals.csv", recorded)
    aging = download(api, "/claims/reconciliation/aging.csv", recorded)
    late = download(api, "/claims/reconciliation.csv", recorded, exception="late")

    assert [c["claim_id"] for c in claims] == sorted(recorded.ids.values())
    by_id = {c["claim_id"]: c for c in claims}
    assert (by_id[recorded.ids["late"]]["outstanding"], by_id[recorded.ids["late"]]["credit_variance"]) == (
        "350.00",
        "-50.00",
    )
    assert by_id[recorded.ids["open"]]["credit_variance"] == ""
    assert datetime.fromisoformat(by_id[recorded.ids["open"]]["approved_at"]).tzinfo is not None
    assert [(t["claims"], t["claimed"], t["outstanding"]) for t in totals] == [("3", "3300.00", "650.00")]
    assert [(a["vendor_id"], a["days_0_30"], a["total"]) for a in aging] == [
        (recorded.vendor, "650.00", "650.00")
    ]
    assert [c["claim_id"] for c in late] == [recorded.ids["late"]]


def test_the_claims_desk_and_oversight_read_it_and_field_roles_do_not(api: Api, recorded: Recorded) -> None:
    for role in (Role.FINANCE, Role.CLAIMS, Role.MANAGER, Role.AUDITOR, Role.REGULATOR):
        response = api.get("/claims/reconciliation/totals", role=role)
        assert response.status_code == 200, (role, response.text)
    for role in (Role.ENGINEER, Role.HOTLINE_AGENT, Role.WAREHOUSE):
        assert_problem(api.get("/claims/reconciliation", role=role), 403, "forbidden")
    anonymous = api.client.get("/claims/reconciliation/aging")
    assert_problem(anonymous, 401, "unauthenticated")


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/claims/reconciliation", {"period": "2026-13"}, "period"),
        ("/claims/reconciliation/totals", {"as_of": "2026-11-20T10:00:00"}, "as_of"),
        ("/claims/reconciliation/aging.csv", {"as_of": "0001-01-01T00:00:00+08:00"}, "as_of"),
        ("/claims/reconciliation", {"cursor": "not-a-claim"}, "cursor"),
        ("/claims/reconciliation", {"status": "paid"}, "status"),
        ("/claims/reconciliation.csv", {"exception": "overdue"}, "exception"),
        ("/claims/reconciliation/exceptions", {"limit": 0}, "limit"),
        ("/claims/reconciliation/totals.csv", {"kind": "loan"}, "kind"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(api: Api, path: str, params: Json, field: str) -> None:
    response = api.client.get(path, params=params, headers=bearer(Role.FINANCE))

    assert field in error_fields(assert_problem(response, 400, "validation"))
