"""One ticket, claim, asset or penalty as the ledger knew it at a past recorded time, on SQLite and
PostgreSQL: `?as_of=` answers the entity replayed from its events recorded by then, the same shape
as the current read; before its first event it is not found; a time without a zone, in the future
or not a time at all is refused naming the field, never a 500."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from uuid import uuid4

import pytest

from domain.actors import Role
from tests.api.claim_harness import claim_body, contract, drafted
from tests.api.claim_harness import ok as claim_ok
from tests.api.harness import PLANNED, Api, Json, assert_problem, error_fields, iso, serve
from tests.api.penalty_harness import BACKENDS, manual, ok, story
from tests.penalty_story import T10
from tests.support import ago, mark

CUSTOMER = "as-of-bank"


@pytest.fixture
def served(store_env: dict[str, str]) -> Iterator[Api]:
    with serve(store_env) as api:
        yield api


def read(api: Api, path: str, as_of: datetime | None = None, role: Role = Role.AUDITOR) -> Json:
    params = None if as_of is None else {"as_of": iso(as_of)}
    response = api.get(path, role, params)
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


def when(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


@BACKENDS
def test_a_ticket_as_of_a_past_time_is_its_board_row_then(served: Api) -> None:
    api = served
    before = mark()
    ticket = api.open_ticket(reported_at=iso(ago(hours=1)))
    opened = mark()
    api.ok(ticket, "response", {"occurred_at": iso(ago(minutes=55))}, Role.HOTLINE_AGENT)
    dispatch = api.ok(
        ticket,
        "dispatch",
        {"engineer_id": "eng-li", "planned_at": PLANNED, "occurred_at": iso(ago(minutes=50))},
        Role.HOTLINE_AGENT,
    )
    dispatched = mark()
    arrived_at = ago(minutes=10)
    arrival = api.ok(ticket, "arrival", {"occurred_at": iso(arrived_at)}, Role.ENGINEER)
    arrived = mark()
    corrected_to = ago(minutes=20)
    correction = {
        "corrects_version": arrival["version"],
        "occurred_at": iso(corrected_to),
        "reason": "GPS log",
    }
    api.ok(ticket, "corrections", correction)
    path = f"/tickets/{ticket}"

    then = read(api, path, dispatched)
    assert (then["status"], then["version"], then["position"]) == (
        "dispatched",
        dispatch["version"],
        dispatch["position"],
    )
    assert (then["engineer_id"], then["arrived_at"], then["correction_count"]) == ("eng-li", None, 0)
    assert read(api, path, opened)["status"] == "open"
    after_arrival = read(api, path, arrived)
    assert (after_arrival["status"], when(after_arrival["arrived_at"])) == ("on_site", arrived_at)
    now = read(api, path, mark())
    assert (when(now["arrived_at"]), now["correction_count"]) == (corrected_to, 1)
    current = api.read(path, api.log_end())
    assert now == current

    missing = assert_problem(api.get(path, params={"as_of": iso(before)}), 404, "ticket-not-found")
    assert ticket in missing["detail"]
    assert_problem(api.get(f"/tickets/{uuid4()}", params={"as_of": iso(arrived)}), 404)


@pytest.mark.parametrize(
    "as_of",
    [
        "2026-11-01T10:00:00",
        "2999-01-01T00:00:00+08:00",
        "yesterday",
        "",
    ],
)
@pytest.mark.parametrize(
    "path", ["/tickets/{ticket}", "/claims/{ticket}", "/assets/SN-1", "/penalties/{ticket}"]
)
def test_an_as_of_without_a_zone_in_the_future_or_not_a_time_is_a_400_naming_it(
    api: Api, as_of: str, path: str
) -> None:
    ticket = api.open_ticket()
    response = api.get(path.format(ticket=ticket), params={"as_of": as_of})
    assert "as_of" in error_fields(assert_problem(response, 400))


@BACKENDS
def test_a_claim_and_an_asset_as_of_a_past_time(served: Api) -> None:
    api = served
    contract(api, CUSTOMER, ago(days=30))
    before = mark()
    claim = drafted(api, claim_body(CUSTOMER))
    was_drafted = mark()
    claim_ok(api, f"/claims/{claim}/submission")
    assert read(api, f"/claims/{claim}", was_drafted)["status"] == "drafted"
    assert read(api, f"/claims/{claim}", mark())["status"] == "submitted"
    assert_problem(api.get(f"/claims/{claim}", params={"as_of": iso(before)}), 404, "claim-not-found")

    serial = f"SN-{uuid4().hex[:10].upper()}"
    registration = {
        "serial": serial,
        "model": "EC210D excavator",
        "owner_id": CUSTOMER,
        "site_id": "quarry-3",
        "dealer_id": "dealer-east",
        "pool": False,
    }
    claim_ok(api, "/assets", registration, Role.WAREHOUSE)
    registered = mark()
    ticket = api.open_ticket()
    repair = {"ticket_id": ticket, "failed_on": iso(ago(days=1))[:10], "description": "Pump <replaced>"}
    claim_ok(api, f"/assets/{serial}/repairs", repair, Role.ENGINEER)
    then = read(api, f"/assets/{serial}", registered)
    assert (then["version"], then["repairs"]) == (1, [])
    now = read(api, f"/assets/{serial}", mark())
    assert [r["description"] for r in now["repairs"]] == ["Pump <replaced>"]
    current = read(api, f"/assets/{serial}")
    assert {k: v for k, v in now.items() if not k.startswith("warranty_")} == {
        k: v for k, v in current.items() if not k.startswith("warranty_")
    }
    assert_problem(api.get(f"/assets/{serial}", params={"as_of": iso(before)}), 404, "asset-not-found")


@BACKENDS
def test_a_penalty_as_of_a_past_time_and_only_for_its_parties(store_env: dict[str, str]) -> None:
    with story(store_env, now=T10 + timedelta(hours=2)) as (api, _):
        before = mark()
        penalty = manual(api, "late-hotline-reply", T10, party="eng-li", units="2")
        assessed = mark()
        ok(
            api,
            f"/penalties/{penalty}/dispute",
            {"reason": "The customer <b>replied</b> late"},
            Role.ENGINEER,
        )
        path = f"/penalties/{penalty}"

        then = read(api, path, assessed, Role.ENGINEER)
        assert (then["status"], then["dispute"], [h["event"] for h in then["history"]]) == (
            "allocated",
            None,
            ["Assessed", "Allocated"],
        )
        now = read(api, path, mark())
        assert (now["status"], now["dispute"]) == ("disputed", "The customer <b>replied</b> late")
        assert now == read(api, path)
        assert_problem(api.get(path, Role.HOTLINE_AGENT, {"as_of": iso(assessed)}), 404, "penalty-not-found")
        assert_problem(api.get(path, params={"as_of": iso(before)}), 404, "penalty-not-found")
