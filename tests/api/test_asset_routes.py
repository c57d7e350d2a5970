"""Assets over HTTP: registered once, accepted under the owner's contract (warranty the day after),
repaired, judged under 三包, passed between dealers with the encroachment fee, and backup units
lent once at a time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from domain.actors import PEOPLE, Role
from tests.api.claim_harness import contract, ok, post
from tests.api.harness import (
    SECOND_MANAGER,
    Api,
    Json,
    assert_problem,
    error_fields,
    iso,
    nothing_recorded,
)
from tests.support import ago

OWNER = "assets-co"
"""A customer whose contract (the standard asset terms) is in force."""
ROLES: list[Role] = sorted(PEOPLE, key=lambda r: r.value)
KEEPERS = frozenset({Role.WAREHOUSE})
ALLOWED: dict[str, frozenset[Role]] = {
    "acceptance": frozenset({Role.WAREHOUSE, Role.ENGINEER, Role.MANAGER}),
    "repairs": frozenset({Role.ENGINEER, Role.MANAGER}),
    "service-transfer": frozenset({Role.MANAGER, Role.SERVICE_DIRECTOR, Role.GENERAL_MANAGER}),
    "loans": KEEPERS,
    "loans/recall": KEEPERS,
    "loans/return": KEEPERS,
}
"""Which roles may record each command on an asset (POST /assets/{serial}/<action>)."""
WITNESSED = {"X-Witness-Token": SECOND_MANAGER}


def today() -> date:
    return datetime.now(UTC).date()


@pytest.fixture(scope="module")
def owner(api: Api) -> str:
    contract(api, OWNER, ago(days=400))
    return OWNER


def registration(owner: str = OWNER, *, pool: bool = False, **overrides: Any) -> Json:
    body: Json = {
        "serial": f"SN-{uuid4().hex[:10].upper()}",
        "model": "EC210D excavator",
        "owner_id": owner,
        "site_id": "quarry-3",
        "dealer_id": "dealer-east",
        "pool": pool,
    }
    body.update(overrides)
    return body


def registered(api: Api, owner: str = OWNER, *, pool: bool = False, **overrides: Any) -> str:
    body = registration(owner, pool=pool, **overrides)
    response = post(api, "/assets", body, Role.WAREHOUSE)
    assert response.status_code == 201, response.text
    serial: str = body["serial"]
    assert response.headers["location"] == f"/assets/{serial}"
    return serial


def command(
    api: Api, serial: str, action: str, body: Json | None = None, role: Role = Role.WAREHOUSE
) -> httpx.Response:
    return post(api, f"/assets/{serial}/{action}", {} if body is None else body, role)


def done(api: Api, serial: str, action: str, body: Json | None = None, role: Role = Role.WAREHOUSE) -> Json:
    response = command(api, serial, action, body, role)
    assert response.status_code == 200, f"{action}: {response.status_code} {response.text}"
    answer: Json = response.json()
    return answer


def asset(api: Api, serial: str, on: date | None = None) -> Json:
    response = api.get(f"/assets/{serial}", params=None if on is None else {"on": on.isoformat()})
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


def guarantees(api: Api, serial: str, failed_on: date) -> Json:
    response = api.get(f"/assets/{serial}/three-guarantees", params={"failed_on": failed_on.isoformat()})
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


def accepted(api: Api, signed_on: date, owner: str = OWNER) -> str:
    serial = registered(api, owner)
    done(api, serial, "acceptance", {"signed_on": signed_on.isoformat()}, Role.ENGINEER)
    return serial


def test_a_registered_asset_reads_back_and_a_serial_is_registered_once(api: Api) -> None:
    body = registration(handed_over_on="2026-03-02")
    created = ok(api, "/assets", body, Role.WAREHOUSE)
    with nothing_recorded(api):
        again = post(api, "/assets", body, Role.WAREHOUSE)

    view = asset(api, body["serial"], date(2026, 3, 2))
    assert (view["serial"], view["version"], created["version"]) == (body["serial"], 1, 1)
    assert (view["owner_id"], view["dealer_id"], view["pool"], view["handed_over_on"]) == (
        OWNER,
        "dealer-east",
        False,
        "2026-03-02",
    )
    assert (view["warranty_status"], view["warranty_on"], view["repairs"], view["loan"]) == (
        "no_acceptance",
        "2026-03-02",
        [],
        None,
    )
    assert "serial" in error_fields(assert_problem(again, 409, "asset-rule-violation"))


def test_acceptance_starts_warranty_the_day_after_under_the_owners_contract(api: Api, owner: str) -> None:
    signed = today() - timedelta(days=100)
    serial = accepted(api, signed, owner)
    with nothing_recorded(api):
        again = command(api, serial, "acceptance", {"signed_on": signed.isoformat()}, Role.ENGINEER)

    view = asset(api, serial)
    start = signed + timedelta(days=1)
    assert (view["accepted_on"], view["warranty_rule"], view["warranty_start"]) == (
        signed.isoformat(),
        "day_after_acceptance",
        start.isoformat(),
    )
    assert view["contract_version"] == 1
    assert view["warranty_status"] == "in_warranty"
    assert asset(api, serial, signed)["warranty_status"] == "not_started"
    assert asset(api, serial, date.fromisoformat(view["warranty_end"]))["warranty_status"] == "in_warranty"
    after = date.fromisoformat(view["warranty_end"]) + timedelta(days=1)
    assert asset(api, serial, after)["warranty_status"] == "expired"
    assert "signed_on" in error_fields(assert_problem(again, 409, "asset-rule-violation"))


def test_acceptance_without_a_contract_in_force_is_a_422_problem(api: Api) -> None:
    serial = registered(api, "no-contract-co")

    with nothing_recorded(api):
        response = command(api, serial, "acceptance", {"signed_on": "2026-03-05"}, Role.ENGINEER)

    assert "contract_id" in error_fields(assert_problem(response, 422, "invalid-value"))


def test_three_guarantees_follow_the_day_and_the_repairs_before_it(api: Api, owner: str) -> None:
    signed = today() - timedelta(days=100)
    serial, start = accepted(api, signed, owner), signed + timedelta(days=1)
    for offset in (20, 30):
        repair = {"ticket_id": api.open_ticket(), "failed_on": (start + timedelta(days=offset)).isoformat()}
        done(api, serial, "repairs", {**repair, "description": "Pump replaced"}, Role.ENGINEER)

    findings = {n: guarantees(api, serial, start + timedelta(days=n)) for n in (-1, 2, 10, 25, 50, 400)}

    assert [r["failed_on"] for r in asset(api, serial)["repairs"]] == [
        (start + timedelta(days=20)).isoformat(),
        (start + timedelta(days=30)).isoformat(),
    ]
    assert {n: (f["day"], f["repair"], f["remedies"]) for n, f in findings.items()} == {
        -1: (0, 1, []),
        2: (3, 1, ["refund"]),
        10: (11, 1, ["exchange", "repair"]),
        25: (26, 2, ["repair"]),
        50: (51, 3, ["replacement"]),
        400: (401, 3, []),
    }
    assert findings[50]["reason"] == "day 51: repair 3 within 365 days, more than 2"
    assert findings[2]["warranty_start"] == start.isoformat()


def test_three_guarantees_need_an_acceptance_a_known_serial_and_a_day(api: Api) -> None:
    serial = registered(api)

    unaccepted = api.get(f"/assets/{serial}/three-guarantees", params={"failed_on": "2026-05-01"})
    unknown = api.get(f"/assets/SN-{uuid4().hex[:8]}/three-guarantees", params={"failed_on": "2026-05-01"})
    missing = api.get(f"/assets/{serial}/three-guarantees")
    malformed = api.get(f"/assets/{serial}/three-guarantees", params={"failed_on": "May 1st"})

    assert "serial" in error_fields(assert_problem(unaccepted, 409, "asset-rule-violation"))
    assert_problem(unknown, 404, "asset-not-found")
    assert "failed_on" in error_fields(assert_problem(missing, 400, "validation"))
    assert "failed_on" in error_fields(assert_problem(malformed, 400, "validation"))


def test_a_repair_in_the_future_or_recorded_twice_is_refused(api: Api) -> None:
    serial, ticket_id, later = registered(api), api.open_ticket(), api.open_ticket()
    repair = {"ticket_id": ticket_id, "failed_on": today().isoformat(), "description": "Hose"}
    done(api, serial, "repairs", repair, Role.ENGINEER)

    with nothing_recorded(api):
        twice = command(api, serial, "repairs", repair, Role.ENGINEER)
        future = {**repair, "ticket_id": later, "failed_on": (today() + timedelta(days=2)).isoformat()}
        ahead = command(api, serial, "repairs", future, Role.ENGINEER)

    assert "ticket_id" in error_fields(assert_problem(twice, 409, "asset-rule-violation"))
    assert "failed_on" in error_fields(assert_problem(ahead, 422, "invalid-value"))


@pytest.mark.parametrize(
    ("hours", "lease", "fee", "status", "field"),
    [
        (40, False, None, 409, "fee"),
        (40, False, "5000.00", 200, None),
        (40, True, None, 200, None),
        (40, True, "5000.00", 409, "fee"),
        (500, False, None, 200, None),
        (500, False, "5000.00", 409, "fee"),
    ],
    ids=["owed-not-given", "owed-given", "lease", "lease-given", "not-owed", "not-owed-given"],
)
def test_a_service_transfer_owes_the_encroachment_fee_as_its_terms_decide(
    api: Api, owner: str, hours: int, lease: bool, fee: str | None, status: int, field: str | None
) -> None:
    serial = registered(api, owner, handed_over_on=(today() - timedelta(days=200)).isoformat())
    body = {"to_dealer": "dealer-west", "transferred_on": today().isoformat(), "hours_of_use": hours}
    body |= {"lease": lease} | ({} if fee is None else {"fee": fee})

    response = command(api, serial, "service-transfer", body, Role.MANAGER)

    assert response.status_code == status, response.text
    if field is not None:
        assert field in error_fields(assert_problem(response, 409, "asset-rule-violation"))
    assert asset(api, serial)["dealer_id"] == ("dealer-west" if status == 200 else "dealer-east")


def test_a_backup_unit_is_lent_once_at_a_time_recalled_and_taken_back(api: Api) -> None:
    serial, first, second = registered(api, pool=True), api.open_ticket(), api.open_ticket()

    lent = done(api, serial, "loans", {"ticket_id": first, "return_due_on": "2026-12-01"})
    with nothing_recorded(api):
        twice = command(api, serial, "loans", {"ticket_id": second})
    on_loan = asset(api, serial)
    done(api, serial, "loans/recall", {"return_by": "2026-11-27"})
    recalled = asset(api, serial)["loan"]
    done(api, serial, "loans/return", {"condition": "Working"})
    with nothing_recorded(api):
        not_lent = command(api, serial, "loans/return", {"condition": "Working"})
    again = done(api, serial, "loans", {"ticket_id": second})

    assert (lent["due_by"], lent["late"], UUID(lent["loan_id"]).version) == (None, False, 4)
    assert "serial" in error_fields(assert_problem(twice, 409, "backup-unit-on-loan"))
    assert (on_loan["loan"]["ticket_id"], on_loan["loan"]["return_due_on"], on_loan["loans"]) == (
        first,
        "2026-12-01",
        1,
    )
    assert (recalled["return_due_on"], recalled["recalled_at"] is not None) == ("2026-11-27", True)
    assert "serial" in error_fields(assert_problem(not_lent, 409, "asset-rule-violation"))
    assert again["loan_id"] != lent["loan_id"]
    assert (asset(api, serial)["loans"], asset(api, serial)["loan"]["ticket_id"]) == (2, second)


def test_a_unit_lent_after_its_contract_deadline_is_flagged_late(api: Api, owner: str) -> None:
    serial = registered(api, pool=True)
    reported = ago(days=2).replace(second=0, microsecond=0)
    ticket_id = api.open_ticket(customer_id=owner, severity="severe", reported_at=iso(reported))

    lent = done(api, serial, "loans", {"ticket_id": ticket_id})

    # Restore is due 4 h after the report; the unit, 8 h after that, around the clock.
    assert datetime.fromisoformat(lent["due_by"]) == reported + timedelta(hours=12)
    assert lent["late"] is True
    assert asset(api, serial)["loan"]["late"] is True


def test_only_a_pool_unit_is_lent(api: Api) -> None:
    serial, ticket_id = registered(api), api.open_ticket()

    with nothing_recorded(api):
        response = command(api, serial, "loans", {"ticket_id": ticket_id})

    assert "serial" in error_fields(assert_problem(response, 409, "asset-rule-violation"))


@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_roles_not_allowed_an_asset_command_get_a_403_problem(api: Api, action: str) -> None:
    serial = registered(api, pool=True)
    for role in ROLES:
        if role in ALLOWED[action]:
            continue
        with nothing_recorded(api):
            response = command(api, serial, action, {}, role)
        assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize("role", [role for role in ROLES if role is not Role.WAREHOUSE])
def test_only_the_warehouse_registers_an_asset(api: Api, role: Role) -> None:
    with nothing_recorded(api):
        response = post(api, "/assets", registration(), role)

    assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_an_asset_and_its_three_guarantees(api: Api, owner: str, role: Role) -> None:
    serial = accepted(api, today() - timedelta(days=10), owner)

    assert api.get(f"/assets/{serial}", role).status_code == 200
    params = {"failed_on": today().isoformat()}
    assert api.get(f"/assets/{serial}/three-guarantees", role, params).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (registration(serial="SN 1"), "serial"),
        (registration(owner_id="Assets Co"), "owner_id"),
        (registration(handed_over_on="2nd March"), "handed_over_on"),
        ({**registration(), "pool": "maybe"}, "pool"),
        ({k: v for k, v in registration().items() if k != "model"}, "model"),
    ],
    ids=["serial", "owner", "handed-over", "pool", "no-model"],
)
def test_invalid_registrations_are_400_problems_naming_the_field(api: Api, body: Json, field: str) -> None:
    with nothing_recorded(api):
        response = post(api, "/assets", body, Role.WAREHOUSE)

    assert field in error_fields(assert_problem(response, 400, "validation"))


@pytest.mark.parametrize(
    ("action", "body", "field"),
    [
        (
            "service-transfer",
            {"to_dealer": "d", "transferred_on": "2026-01-01", "hours_of_use": -1},
            "hours_of_use",
        ),
        (
            "service-transfer",
            {"to_dealer": "d", "transferred_on": "2026-01-01", "hours_of_use": 1, "fee": 50},
            "fee",
        ),
        ("loans", {"ticket_id": "ticket-7"}, "ticket_id"),
        ("loans/recall", {}, "return_by"),
        ("loans/return", {"condition": ""}, "condition"),
    ],
)
def test_invalid_asset_commands_are_400_problems_naming_the_field(
    api: Api, action: str, body: Json, field: str
) -> None:
    serial = registered(api, pool=True)
    role = Role.MANAGER if action == "service-transfer" else Role.WAREHOUSE

    with nothing_recorded(api):
        response = command(api, serial, action, body, role)

    assert field in error_fields(assert_problem(response, 400, "validation"))


def test_commands_on_an_unknown_serial_are_404_problems(api: Api) -> None:
    with nothing_recorded(api):
        read = api.get(f"/assets/SN-{uuid4().hex[:8]}")
        lend = command(api, f"SN-{uuid4().hex[:8]}", "loans", {"ticket_id": str(uuid4())})

    assert_problem(read, 404, "asset-not-found")
    assert_problem(lend, 404, "asset-not-found")


def test_assets_read_back_alike_on_every_store(store_api: Api) -> None:
    api = store_api
    contract(api, OWNER, ago(days=400))
    signed = today() - timedelta(days=100)
    serial, start = accepted(api, signed), signed + timedelta(days=1)
    repair = {"ticket_id": api.open_ticket(), "failed_on": (start + timedelta(days=20)).isoformat()}
    done(api, serial, "repairs", {**repair, "description": "Pump"}, Role.ENGINEER)
    unit = registered(api, pool=True)
    lent = done(api, unit, "loans", {"ticket_id": api.open_ticket()})

    assert guarantees(api, serial, start + timedelta(days=50))["remedies"] == ["repair"]
    assert asset(api, serial)["warranty_status"] == "in_warranty"
    assert (asset(api, unit)["loan"]["loan_id"], lent["late"]) == (lent["loan_id"], False)
