"""Claims over HTTP: drafted by the claims desk, signed in order by the chain's roles, credited and
paid out by finance; every refusal a problem naming its field, and nothing recorded."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from threading import Barrier
from uuid import UUID

import httpx
import pytest

from domain.actors import PEOPLE, Role
from domain.contract_commands import contract_id_for
from domain.ledger import ServiceLedger
from tests.api.claim_harness import (
    COMMERCIAL_CHAIN,
    LINES,
    approved,
    claim,
    claim_body,
    claim_unchanged,
    contract,
    drafted,
    ok,
    post,
    submitted,
)
from tests.api.harness import (
    CLERK_AS_BU_MANAGER,
    MEMORY_ENV,
    TOKEN_OF,
    Api,
    Json,
    assert_problem,
    bearer,
    error_fields,
    iso,
    nothing_recorded,
    serve,
)
from tests.support import SetClock, ago, evict

CUSTOMER = "claims-co"
PROGRAMME = "county-fund"
APPROVERS = frozenset(
    {
        Role.BU_MANAGER,
        Role.SALES_DIRECTOR,
        Role.SERVICE_DIRECTOR,
        Role.GENERAL_MANAGER,
        Role.FINANCE,
        Role.MANAGER,
    }
)
FINANCE = frozenset({Role.FINANCE, Role.MANAGER})
ALLOWED: dict[str, frozenset[Role]] = {
    "evidence": frozenset({Role.CLAIMS}),
    "submission": frozenset({Role.CLAIMS}),
    "approval": APPROVERS,
    "rejection": APPROVERS | {Role.CLAIMS},
    "resubmission": frozenset({Role.CLAIMS}),
    "credit-notes": FINANCE,
    "payments": FINANCE,
    "payment-reversals": FINANCE,
    "subsidy-refund": FINANCE,
    "product-return": frozenset({Role.CLAIMS, Role.MANAGER}),
    "closure": frozenset({Role.CLAIMS}),
}
"""Which roles may record each command on a claim (POST /claims/{id}/<action>), as the API promises."""
ROLES: list[Role] = sorted(PEOPLE, key=lambda r: r.value)
SHA = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
BODIES: dict[str, Json] = {
    "evidence": {"kind": "photo", "reference": "claims/pump.jpg", "sha256": SHA},
    "rejection": {"reason": "Photo missing"},
    "credit-notes": {"number": "CN-1", "amount": "100.00", "issued_on": "2026-11-01"},
    "payments": {"amount": "100.00", "reference": "PAY-1", "paid_on": "2026-11-02"},
    "payment-reversals": {"reference": "PAY-1", "reason": "Bounced"},
    "subsidy-refund": {"reference": "REFUND-1"},
    "closure": {"reason": "Withdrawn"},
}


def untimed(items: list[Json]) -> list[Json]:
    """Listed items without the time they were recorded at (the ledger's clock)."""
    return [{k: v for k, v in item.items() if k != "recorded_at"} for item in items]


@pytest.fixture(scope="module")
def customer(api: Api) -> str:
    contract(api, CUSTOMER, ago(days=400))
    return CUSTOMER


@pytest.fixture(scope="module")
def programme(api: Api) -> str:
    """A subsidy programme's contract: the claims name it, their customer being the household."""
    return contract(api, PROGRAMME, ago(days=400))


def test_a_drafted_claim_reads_back_with_its_lines_parts_evidence_and_contract(
    api: Api, customer: str
) -> None:
    body = claim_body(
        customer,
        "warranty",
        asset_id="ex-0042",
        service_completed_at=iso(ago(days=2)),
        old_parts=[{"part_number": "P-4411", "quantity": 1, "serial": "SN-88"}],
    )
    claim_id = drafted(api, body)
    attached = ok(api, f"/claims/{claim_id}/evidence", BODIES["evidence"])
    assert (attached["id"], attached["version"]) == (claim_id, 2)

    view = claim(api, claim_id)
    assert (view["claim_id"], view["version"], view["kind"], view["status"]) == (
        claim_id,
        2,
        "warranty",
        "drafted",
    )
    assert (view["customer_id"], view["vendor_id"], view["currency"]) == (customer, "volvo-ce", "CNY")
    assert (view["contract_id"], view["contract_version"]) == (str(contract_id_for(customer)), 1)
    assert [(line["code"], line["quantity"], line["amount"]) for line in view["lines"]] == [
        ("P-4411", "1", "28000.00"),
        ("L-100", "2.5", "2000.00"),
    ]
    assert (view["claimed"], view["approved"], view["paid"], view["payable"]) == (
        "30000.00",
        "0.00",
        "0.00",
        "0.00",
    )
    assert view["old_parts"] == [{"part_number": "P-4411", "quantity": 1, "serial": "SN-88"}]
    (evidence,) = view["evidence"]
    assert {k: evidence[k] for k in ("kind", "reference", "sha256", "attached_by")} == {
        "kind": "photo",
        "reference": "claims/pump.jpg",
        "sha256": SHA,
        "attached_by": "claims-qian",
    }
    assert (view["chain"], view["next_step"], view["drafted_by"], view["asset_id"]) == (
        [],
        None,
        "claims-qian",
        "ex-0042",
    )


def test_a_commercial_claim_signed_by_the_bu_manager_then_the_gm_is_409_naming_the_sales_director(
    api: Api, customer: str
) -> None:
    claim_id = submitted(api, claim_body(customer))
    ok(api, f"/claims/{claim_id}/approval", {}, Role.BU_MANAGER)

    with claim_unchanged(api, claim_id):
        refused = post(api, f"/claims/{claim_id}/approval", {}, Role.GENERAL_MANAGER)
    problem = assert_problem(refused, 409, "approval-out-of-order")
    assert "actor" in error_fields(problem)
    assert "step 2 of 4, sales_director, has not signed" in problem["detail"]
    view = claim(api, claim_id)
    assert (view["status"], view["next_step"]) == ("submitted", "sales_director")
    assert [step["signed_by"] for step in view["chain"]] == ["bu-wang", None, None, None]


def test_a_commercial_claim_signed_by_bu_sales_then_the_gm_is_409_naming_the_service_director(
    api: Api, customer: str
) -> None:
    claim_id = submitted(api, claim_body(customer))
    ok(api, f"/claims/{claim_id}/approval", {}, Role.BU_MANAGER)
    ok(api, f"/claims/{claim_id}/approval", {}, Role.SALES_DIRECTOR)

    with claim_unchanged(api, claim_id):
        refused = post(api, f"/claims/{claim_id}/approval", {}, Role.GENERAL_MANAGER)
    problem = assert_problem(refused, 409, "approval-out-of-order")
    assert "service_director" in problem["detail"]

    for role in COMMERCIAL_CHAIN[2:]:
        ok(api, f"/claims/{claim_id}/approval", {"amount": "29000.00"}, role)
    view = claim(api, claim_id)
    assert (view["status"], view["approved"], view["next_step"]) == ("approved", "29000.00", None)
    assert [(s["role"], s["signed_by"], s["amount"]) for s in view["chain"]] == [
        ("bu_manager", "bu-wang", "30000.00"),
        ("sales_director", "sales-liu", "30000.00"),
        ("service_director", "svc-zhao", "29000.00"),
        ("general_manager", "gm-sun", "29000.00"),
    ]


def test_the_clerk_who_filed_a_claim_cannot_approve_it_in_any_role(api: Api, customer: str) -> None:
    claim_id = submitted(api, claim_body(customer))

    with claim_unchanged(api, claim_id):
        as_clerk = post(api, f"/claims/{claim_id}/approval", {}, Role.CLAIMS)
        as_bu_manager = api.client.post(
            f"/claims/{claim_id}/approval",
            json={},
            headers={"Authorization": f"Bearer {CLERK_AS_BU_MANAGER}"},
        )
    assert_problem(as_clerk, 403, "forbidden")
    problem = assert_problem(as_bu_manager, 409, "claim-rule-violation")
    assert "actor" in error_fields(problem)
    assert "drafted or submitted" in problem["detail"]


def test_an_approval_above_the_step_before_is_refused_naming_the_amount(api: Api, customer: str) -> None:
    claim_id = submitted(api, claim_body(customer))
    ok(api, f"/claims/{claim_id}/approval", {"amount": "20000.00"}, Role.BU_MANAGER)

    with claim_unchanged(api, claim_id):
        refused = post(api, f"/claims/{claim_id}/approval", {"amount": "20000.01"}, Role.SALES_DIRECTOR)
    assert "amount" in error_fields(assert_problem(refused, 409, "claim-rule-violation"))


def test_a_payout_above_the_credit_note_is_refused_and_records_nothing(api: Api, customer: str) -> None:
    claim_id = approved(api, customer, "5000.00")
    ok(api, f"/claims/{claim_id}/credit-notes", {**BODIES["credit-notes"], "amount": "4800.00"}, Role.FINANCE)

    with claim_unchanged(api, claim_id):
        refused = post(
            api, f"/claims/{claim_id}/payments", {**BODIES["payments"], "amount": "6000.00"}, Role.FINANCE
        )
    problem = assert_problem(refused, 409, "payout-exceeds-approved")
    assert "amount" in error_fields(problem)
    assert "4800.00 credited" in problem["detail"]

    ok(api, f"/claims/{claim_id}/payments", {**BODIES["payments"], "amount": "4800.00"}, Role.FINANCE)
    view = claim(api, claim_id)
    assert (view["approved"], view["credited"], view["paid"], view["payable"]) == (
        "5000.00",
        "4800.00",
        "4800.00",
        "4800.00",
    )
    assert untimed(view["credit_notes"]) == [
        {"number": "CN-1", "amount": "4800.00", "issued_on": "2026-11-01"}
    ]
    assert untimed(view["payments"]) == [
        {"reference": "PAY-1", "amount": "4800.00", "paid_on": "2026-11-02", "reversed": False}
    ]


def test_a_reversal_needs_another_finance_officer_or_managers_token(api: Api, customer: str) -> None:
    claim_id = approved(api, customer, "5000.00")
    ok(api, f"/claims/{claim_id}/payments", {**BODIES["payments"], "amount": "3000.00"}, Role.FINANCE)
    path, body = f"/claims/{claim_id}/payment-reversals", BODIES["payment-reversals"]

    with claim_unchanged(api, claim_id):
        missing = post(api, path, body, Role.FINANCE)
        unknown = post(api, path, body, Role.FINANCE, **{"X-Approver-Token": "not-a-token"})
        own = post(api, path, body, Role.FINANCE, **{"X-Approver-Token": TOKEN_OF[Role.FINANCE]})
        clerk = post(api, path, body, Role.FINANCE, **{"X-Approver-Token": TOKEN_OF[Role.CLAIMS]})
    assert "X-Approver-Token" in error_fields(assert_problem(missing, 400, "validation"))
    assert "X-Approver-Token" in error_fields(assert_problem(unknown, 422, "invalid-value"))
    assert "approver" in error_fields(assert_problem(own, 409, "claim-rule-violation"))
    assert "approver" in error_fields(assert_problem(clerk, 409, "claim-rule-violation"))

    ok(api, path, body, Role.FINANCE, **{"X-Approver-Token": TOKEN_OF[Role.MANAGER]})
    view = claim(api, claim_id)
    reversal = {"reference": "PAY-1", "amount": "3000.00", "reason": "Bounced", "reversed_by": "fin-zhao"}
    assert (view["paid"], untimed(view["reversals"])) == ("0.00", [{**reversal, "approved_by": "mgr-chen"}])
    assert untimed(view["payments"]) == [
        {"reference": "PAY-1", "amount": "3000.00", "paid_on": "2026-11-02", "reversed": True}
    ]
    with claim_unchanged(api, claim_id):
        again = post(api, path, body, Role.FINANCE, **{"X-Approver-Token": TOKEN_OF[Role.MANAGER]})
    assert "reference" in error_fields(assert_problem(again, 409, "claim-rule-violation"))


def test_a_rejected_claim_is_resubmitted_as_a_second_claim_linked_both_ways(api: Api, customer: str) -> None:
    first = submitted(api, claim_body(customer, "warranty"))
    ok(api, f"/claims/{first}/rejection", {"reason": "The photo of the failed part is missing"})

    response = post(api, f"/claims/{first}/resubmission", {"lines": LINES[:1]})
    assert response.status_code == 201, response.text
    second = response.json()["id"]
    assert response.headers["location"] == f"/claims/{second}"

    old, new = claim(api, first), claim(api, second)
    assert (old["status"], old["rejection"], old["resubmitted_as"]) == (
        "resubmitted",
        "The photo of the failed part is missing",
        second,
    )
    assert (new["status"], new["resubmission_of"], new["claimed"]) == ("drafted", first, "28000.00")
    assert (new["contract_id"], new["contract_version"]) == (old["contract_id"], old["contract_version"])
    with claim_unchanged(api, first):
        assert_problem(post(api, f"/claims/{first}/resubmission", {}), 409, "claim-rule-violation")


def test_a_subsidy_is_13_percent_under_the_class_cap_once_per_household(api: Api, programme: str) -> None:
    def television(household: str, price: str, invoice: str) -> httpx.Response:
        purchase = {
            "household_id": household,
            "product_class": "television",
            "invoice_number": invoice,
            "invoice_price": price,
            "purchased_on": "2026-10-20",
        }
        body = claim_body(household, "subsidy", vendor_id=PROGRAMME, contract_id=programme, subsidy=purchase)
        return post(api, "/claims", {k: v for k, v in body.items() if k != "lines"})

    first = television("hh-wu", "1800.00", "INV-1")
    assert first.status_code == 201, first.text
    tv = first.json()["id"]
    view = claim(api, tv)
    assert (view["claimed"], view["lines"][0]["amount"], view["subsidy"]["invoice_price"]) == (
        "234.00",
        "234.00",
        "1800.00",
    )
    with nothing_recorded(api):
        too_dear = television("hh-ma", "2300.00", "INV-2")
        second = television("hh-wu", "1500.00", "INV-3")
    assert "subsidy.invoice_price" in error_fields(assert_problem(too_dear, 422, "subsidy-ineligible"))
    assert "2000" in too_dear.json()["detail"]
    assert "subsidy.household_id" in error_fields(assert_problem(second, 409, "subsidy-limit-reached"))

    ok(api, f"/claims/{tv}/submission")
    assert claim(api, tv)["payout_due_at"] is not None
    ok(api, f"/claims/{tv}/approval", {}, Role.FINANCE)
    ok(
        api,
        f"/claims/{tv}/payments",
        {"amount": "234.00", "reference": "BANK-1", "paid_on": "2026-11-02"},
        Role.FINANCE,
    )
    with claim_unchanged(api, tv):
        early = post(api, f"/claims/{tv}/product-return")
    assert "refunded before" in assert_problem(early, 409, "claim-rule-violation")["detail"]
    ok(api, f"/claims/{tv}/subsidy-refund", BODIES["subsidy-refund"], Role.FINANCE)
    ok(api, f"/claims/{tv}/product-return")
    view = claim(api, tv)
    assert (view["subsidy_refunded"], view["product_returned"]) == (True, True)
    assert television("hh-wu", "1500.00", "INV-4").status_code == 201


def test_a_claim_submitted_after_the_14_day_term_is_flagged_late_by_the_days_past() -> None:
    clock = SetClock(datetime(2026, 2, 2, 1, 0, tzinfo=UTC))
    ledger = ServiceLedger(env=dict(MEMORY_ENV), clock=clock)
    with serve(MEMORY_ENV, ledger=ledger) as api:
        contract(api, "late-co", datetime(2026, 1, 1, tzinfo=UTC))
        clock.now = datetime(2026, 3, 17, 3, 0, tzinfo=UTC)
        completed = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 on 1 March in Shanghai
        with nothing_recorded(api):
            future = post(
                api,
                "/claims",
                claim_body("late-co", "warranty", service_completed_at=iso(clock.now + timedelta(hours=1))),
            )
        assert "service_completed_at" in error_fields(assert_problem(future, 422))

        claim_id = submitted(api, claim_body("late-co", "warranty", service_completed_at=iso(completed)))
        view = claim(api, claim_id)
        assert (view["due_on"], view["days_late"]) == ("2026-03-15", 2)
        assert datetime.fromisoformat(view["submitted_at"]) == clock.now
        on_time = submitted(
            api, claim_body("late-co", "warranty", service_completed_at=iso(clock.now - timedelta(days=3)))
        )
        assert claim(api, on_time)["days_late"] == 0


def test_money_travels_as_strings_with_at_most_two_decimals(api: Api, customer: str) -> None:
    as_number = [{**LINES[0], "unit_price": 28000.5}]
    three_decimals = [{**LINES[0], "unit_price": "28000.005"}]
    negative = [{**LINES[0], "unit_price": "-1.00"}]
    with nothing_recorded(api):
        for lines in (as_number, three_decimals, negative):
            refused = post(api, "/claims", claim_body(customer, lines=lines))
            assert any(
                "unit_price" in field for field in error_fields(assert_problem(refused, 400, "validation"))
            )
        no_lines = post(api, "/claims", claim_body(customer, lines=[]))
        assert "lines" in error_fields(assert_problem(no_lines, 422))
        unknown = post(api, "/claims", claim_body(customer, flavour="mint"))
        assert_problem(unknown, 400, "validation")


def test_an_unknown_claim_is_404_for_reads_and_commands(api: Api) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    with nothing_recorded(api):
        assert_problem(api.get(f"/claims/{missing}"), 404, "claim-not-found")
        assert_problem(post(api, f"/claims/{missing}/submission"), 404, "claim-not-found")
        assert_problem(post(api, f"/claims/{missing}/closure", BODIES["closure"]), 404, "claim-not-found")


def test_a_claim_closed_by_the_desk_takes_no_more_payouts(api: Api, customer: str) -> None:
    claim_id = approved(api, customer)
    ok(api, f"/claims/{claim_id}/closure", BODIES["closure"])
    assert claim(api, claim_id)["status"] == "closed"
    with claim_unchanged(api, claim_id):
        refused = post(api, f"/claims/{claim_id}/payments", BODIES["payments"], Role.FINANCE)
    assert "status" in error_fields(assert_problem(refused, 409, "claim-rule-violation"))


def test_only_the_claims_desk_drafts_a_claim(api: Api, customer: str) -> None:
    with nothing_recorded(api):
        for role in sorted(PEOPLE - {Role.CLAIMS}, key=lambda r: r.value):
            assert_problem(post(api, "/claims", claim_body(customer), role), 403, "forbidden")


@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_roles_not_allowed_a_claim_command_get_a_403_problem(api: Api, customer: str, action: str) -> None:
    claim_id = drafted(api, claim_body(customer))
    refused = sorted(PEOPLE - ALLOWED[action], key=lambda r: r.value)
    assert refused

    for role in refused:
        with claim_unchanged(api, claim_id):
            response = post(api, f"/claims/{claim_id}/{action}", BODIES.get(action, {}), role)
        assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value)
def test_every_role_reads_a_claim(api: Api, customer: str, role: Role) -> None:
    claim_id = drafted(api, claim_body(customer))
    response = api.client.get(f"/claims/{claim_id}", headers=bearer(role))
    assert response.status_code == 200, response.text


def test_a_warranty_claim_lives_its_whole_life_on_every_store(store_api: Api) -> None:
    api = store_api
    contract(api, CUSTOMER, ago(days=400))
    claim_id = drafted(api, claim_body(CUSTOMER, "warranty", service_completed_at=iso(ago(days=1))))
    ok(api, f"/claims/{claim_id}/evidence", BODIES["evidence"])
    ok(api, f"/claims/{claim_id}/submission")
    for role in (Role.SERVICE_DIRECTOR, Role.FINANCE, Role.GENERAL_MANAGER):
        ok(api, f"/claims/{claim_id}/approval", {"amount": "29000.00"} if role is Role.FINANCE else {}, role)
    ok(
        api,
        f"/claims/{claim_id}/credit-notes",
        {**BODIES["credit-notes"], "amount": "29000.00"},
        Role.FINANCE,
    )
    ok(api, f"/claims/{claim_id}/payments", {**BODIES["payments"], "amount": "20000.00"}, Role.FINANCE)
    reversal = {"X-Approver-Token": TOKEN_OF[Role.MANAGER]}
    ok(api, f"/claims/{claim_id}/payment-reversals", BODIES["payment-reversals"], Role.FINANCE, **reversal)
    second = {"amount": "29000.00", "reference": "PAY-2", "paid_on": "2026-11-03"}
    ok(api, f"/claims/{claim_id}/payments", second, Role.FINANCE)
    with claim_unchanged(api, claim_id):
        more = {"amount": "0.01", "reference": "PAY-3", "paid_on": "2026-11-04"}
        assert_problem(
            post(api, f"/claims/{claim_id}/payments", more, Role.FINANCE), 409, "payout-exceeds-approved"
        )
    closed = ok(api, f"/claims/{claim_id}/closure", {"reason": "Paid in full"})

    view = claim(api, claim_id)
    assert (view["version"], closed["version"], closed["position"]) == (11, 11, api.log_end())
    assert [s["role"] for s in view["chain"]] == ["service_director", "finance", "general_manager"]
    assert (view["status"], view["claimed"], view["approved"], view["credited"], view["paid"]) == (
        "closed",
        "30000.00",
        "29000.00",
        "29000.00",
        "29000.00",
    )
    assert [(p["reference"], p["reversed"]) for p in view["payments"]] == [("PAY-1", True), ("PAY-2", False)]
    evict(api.ledger, UUID(claim_id))
    assert claim(api, claim_id) == view


@pytest.mark.parametrize(
    "store_env", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_concurrent_payouts_on_one_claim_each_answer_200_or_409_and_none_is_lost(
    store_env: dict[str, str],
) -> None:
    writers = 12
    with serve(store_env) as api:
        contract(api, CUSTOMER, ago(days=400))
        claim_id = approved(api, CUSTOMER)
        version = claim(api, claim_id)["version"]
        barrier = Barrier(writers)

        def pay(writer: int) -> httpx.Response:
            body = {"amount": "100.00", "reference": f"PAY-{writer}", "paid_on": "2026-11-02"}
            barrier.wait(timeout=10)
            return post(api, f"/claims/{claim_id}/payments", body, Role.FINANCE)

        with ThreadPoolExecutor(max_workers=writers) as pool:
            answers = list(pool.map(pay, range(writers)))

        assert {a.status_code for a in answers} <= {200, 409}, [a.text for a in answers]
        accepted = [a for a in answers if a.status_code == 200]
        assert accepted
        for refused in (a for a in answers if a.status_code == 409):
            assert_problem(refused, 409, "concurrent-update")
        view = claim(api, claim_id)
        assert view["version"] == version + len(accepted)
        assert view["paid"] == f"{100 * len(accepted)}.00"
        assert {p["reference"] for p in view["payments"]} == {
            f"PAY-{n}" for n, a in enumerate(answers) if a.status_code == 200
        }


def test_the_schema_shows_money_as_strings_and_the_statement_as_csv(api: Api) -> None:
    document = api.client.get("/schema/openapi.json").json()
    properties = {
        name: schema.get("properties", {}) for name, schema in document["components"]["schemas"].items()
    }

    for model, field in [("ClaimLineBody", "unit_price"), ("PaymentBody", "amount"), ("ClaimView", "paid")]:
        assert properties[model][field]["type"] == "string", (model, field)
        assert properties[model][field]["pattern"].startswith("^[0-9]"), (model, field)
    body = document["paths"]["/claims/statements"]["post"]["requestBody"]["content"]
    assert list(body) == ["text/csv"]
    assert body["text/csv"]["example"].startswith("claim_id,credit_note_number,amount,currency,issued_on\n")
