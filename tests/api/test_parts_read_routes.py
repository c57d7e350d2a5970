"""Parts and assets queries over HTTP: stock with totals, a part's movements, backup units on loan,
old parts pending and reconciled, the asset register; pages, CSV downloads, answers as of a past
recorded time, read-your-writes, the roles that read them, and bad parameters a 400 naming them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from domain.actors import Role
from projections.kpis import REPORTING_ZONE
from tests.api.harness import MEMORY_ENV, Api, Json, assert_problem, bearer, error_fields, serve
from tests.projections.parts_story import KEEPER, Story, day, new_ledger, record_story

READERS = (
    Role.WAREHOUSE,
    Role.ENGINEER,
    Role.FINANCE,
    Role.MANAGER,
    Role.SERVICE_DIRECTOR,
    Role.GENERAL_MANAGER,
    Role.AUDITOR,
    Role.REGULATOR,
    Role.CLAIMS,
)
ROUTES = (
    "/stock",
    "/stock.csv",
    "/parts/P-1/movements",
    "/parts/P-1/movements.csv",
    "/loans",
    "/old-parts/pending",
    "/old-parts/reconciliation",
    "/assets",
)


@pytest.fixture(scope="module")
def told() -> Iterator[tuple[Api, Story]]:
    """The app over a ledger that has recorded the parts story (its runners caught up at start)."""
    ledger = new_ledger(MEMORY_ENV)
    story = record_story(ledger)
    with serve(MEMORY_ENV, ledger=ledger) as api:
        yield api, story


@pytest.fixture(scope="module")
def api(told: tuple[Api, Story]) -> Api:
    return told[0]


@pytest.fixture(scope="module")
def story(told: tuple[Api, Story]) -> Story:
    return told[1]


def read(api: Api, path: str, **params: Any) -> Json:
    return api.read(path, api.log_end(), params)


def download(api: Api, path: str, **params: Any) -> tuple[str, list[dict[str, str]]]:
    response = api.get(path, role=Role.FINANCE, params={**params, "after": api.log_end()})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    return response.headers["content-disposition"], list(csv.DictReader(io.StringIO(response.text)))


def test_stock_is_listed_a_page_at_a_time_with_totals_of_every_page(api: Api) -> None:
    first = read(api, "/stock", limit=2)
    second = read(api, "/stock", limit=2, cursor=first["next_cursor"])

    rows = first["items"] + second["items"]
    assert [(r["part_number"], r["location_id"]) for r in rows] == [
        ("P-1", "van-7"),
        ("P-1", "wh-main"),
        ("P-2", "wh-north"),
    ]
    assert (first["next_cursor"], second["next_cursor"]) == ("P-1@wh-main", None)
    main = rows[1]
    assert {k: main[k] for k in ("on_hand", "reserved", "free", "in_transit", "value", "unit_cost")} == {
        "on_hand": 7,
        "reserved": 0,
        "free": 7,
        "in_transit": 0,
        "value": "87.50",
        "unit_cost": "12.50",
    }
    assert (main["safety_stock"], main["below_safety"], main["flagged"]) == (5, False, False)
    assert first["totals"] == second["totals"]
    assert first["totals"] == {
        "items": 3,
        "on_hand": 30,
        "reserved": 0,
        "in_transit": 0,
        "in_transit_value": "0.00",
        "value": "185.00",
    }
    by_part = read(api, "/stock", part_number="P-1")
    assert (len(by_part["items"]), by_part["totals"]["value"]) == (2, "125.00")
    by_location = read(api, "/stock", location_id="wh-north")
    assert [r["part_number"] for r in by_location["items"]] == ["P-2"]
    assert read(api, "/stock", below_safety="true")["items"] == []


def test_stock_as_of_a_past_time_shows_the_fall_below_safety_stock(api: Api, story: Story) -> None:
    as_of = story.marks["in_transit"].isoformat()

    below = read(api, "/stock", below_safety="true", as_of=as_of)

    (main,) = below["items"]
    assert (main["location_id"], main["on_hand"], main["in_transit"], main["in_transit_value"]) == (
        "wh-main",
        3,
        4,
        "50.00",
    )
    assert (main["below_safety"], main["flagged"], below["as_of"] is not None) == (True, True, True)
    assert below["totals"]["items"] == 1
    everything = read(api, "/stock", as_of=as_of)
    assert (everything["totals"]["on_hand"], everything["totals"]["in_transit"]) == (3, 4)
    van = next(r for r in everything["items"] if r["location_id"] == "van-7")
    assert van["open_requests"] == 1


def test_stock_downloads_as_csv(api: Api, story: Story) -> None:
    disposition, rows = download(api, "/stock.csv", part_number="P-1")
    then, before = download(api, "/stock.csv", as_of=story.marks["issued"].isoformat())

    assert disposition == 'attachment; filename="stock.csv"'
    assert [(r["location_id"], r["on_hand"], r["free"], r["value"]) for r in rows] == [
        ("van-7", "3", "3", "37.50"),
        ("wh-main", "7", "7", "87.50"),
    ]
    assert then.startswith('attachment; filename="stock-as-of-')
    assert [(r["location_id"], r["on_hand"]) for r in before] == [("wh-main", "7")]


def test_a_parts_movements_in_log_order_by_page_location_and_as_of(api: Api, story: Story) -> None:
    first = read(api, "/parts/P-1/movements", limit=6)
    rest = read(api, "/parts/P-1/movements", limit=6, cursor=first["next_cursor"])
    van = read(api, "/parts/P-1/movements", location_id="van-7")
    then = read(api, "/parts/P-1/movements", as_of=story.marks["issued"].isoformat())

    kinds = [m["kind"] for m in first["items"] + rest["items"]]
    assert kinds == [
        "receipt",
        "reservation",
        "issue",
        "reservation",
        "release",
        "transfer_out",
        "transfer_in",
        "write_off",
        "adjustment",
        "return",
    ]
    assert (first["next_cursor"], rest["next_cursor"]) == (first["items"][-1]["position"], None)
    issue = first["items"][2]
    assert (issue["quantity"], issue["value"], issue["on_hand_after"], issue["countersigner_id"]) == (
        -3,
        "-37.50",
        7,
        "wh-ma",
    )
    assert (issue["actor_id"], issue["actor_role"], issue["ticket_id"]) == (
        KEEPER.id,
        "warehouse",
        str(story.ids["ticket"]),
    )
    assert [(m["kind"], m["approver_id"], m["reason"]) for m in van["items"]] == [
        ("transfer_in", None, None),
        ("write_off", "mgr-zhao", "Dropped"),
    ]
    assert [m["kind"] for m in then["items"]] == kinds[:5]


def test_movements_download_as_csv_and_an_unknown_part_is_not_found(api: Api) -> None:
    disposition, rows = download(api, "/parts/P-1/movements.csv", location_id="wh-main")

    assert disposition == 'attachment; filename="movements-P-1.csv"'
    assert [(r["kind"], r["quantity"], r["value"]) for r in rows][-2:] == [
        ("adjustment", "3", "37.50"),
        ("return", "1", "12.50"),
    ]
    assert_problem(api.get("/parts/P-404/movements"), 404, "not-found")
    assert_problem(api.get("/parts/P-404/movements.csv"), 404, "not-found")


def test_backup_units_on_loan_with_days_out_and_the_overdue_ones(api: Api, story: Story) -> None:
    now = read(api, "/loans", on=day(10).isoformat())
    overdue = read(api, "/loans", on=day(6).isoformat(), overdue="true")
    then = read(api, "/loans", as_of=story.marks["recalled"].isoformat(), on=day(5).isoformat())

    (loan,) = now["items"]
    assert (loan["serial"], loan["days_out"], loan["overdue"], loan["recalled"], loan["lent_late"]) == (
        "BK-1",
        10,
        True,
        True,
        True,
    )
    assert (loan["return_due_on"], loan["ticket_id"], now["on"]) == (
        day(6).isoformat(),
        str(story.ids["ticket"]),
        day(10).isoformat(),
    )
    assert loan["due_by"] < loan["lent_at"]
    assert overdue["items"] == []
    assert [(u["serial"], u["days_out"]) for u in then["items"]] == [("BK-1", 5), ("BK-2", 0)]


def test_old_parts_pending_and_reconciled_now_and_as_of_a_past_time(api: Api, story: Story) -> None:
    claim = str(story.ids["claim"])
    pending = read(api, "/old-parts/pending", vendor_id="volvo-ce")
    reconciled = read(api, "/old-parts/reconciliation", claim_id=claim)
    then = read(api, "/old-parts/reconciliation", as_of=story.marks["collected"].isoformat())

    (lot,) = pending["items"]
    assert (lot["claim_id"], lot["lot"], lot["due_by"], lot["days_overdue"], pending["on"]) == (
        claim,
        "L2",
        day(23).isoformat(),
        2,
        day(25).isoformat(),
    )
    assert [
        (p["part_number"], p["listed"], p["returned"], p["shipped"], p["late_lots"])
        for p in reconciled["items"]
    ] == [
        ("P-8", 1, 1, 1, 1),
        ("P-9", 3, 2, 0, 0),
    ]
    assert [(p["part_number"], p["collected"], p["pending"]) for p in then["items"]] == [
        ("P-8", 1, 1),
        ("P-9", 3, 3),
    ]
    assert read(api, "/old-parts/pending", vendor_id="komatsu")["items"] == []


def test_the_asset_register_with_warranty_status_on_a_day(api: Api, story: Story) -> None:
    first = read(api, "/assets", on=day(40).isoformat(), limit=2)
    rest = read(api, "/assets", on=day(40).isoformat(), limit=2, cursor=first["next_cursor"])
    expired = read(api, "/assets", on=day(400).isoformat(), status="expired")
    then = read(api, "/assets", pool="false", as_of=story.marks["lent"].isoformat())

    assert [a["serial"] for a in first["items"] + rest["items"]] == ["BK-1", "BK-2", "SN-1"]
    assert (first["next_cursor"], rest["next_cursor"]) == ("BK-2", None)
    (unit,) = rest["items"]
    assert (unit["warranty_status"], unit["warranty_start"], unit["dealer_id"], unit["repairs"]) == (
        "in_warranty",
        day(1).isoformat(),
        "dealer-b",
        1,
    )
    assert (first["items"][0]["warranty_status"], first["items"][0]["on_loan"]) == ("no_acceptance", True)
    assert [a["serial"] for a in expired["items"]] == ["SN-1"]
    (before,) = then["items"]
    assert (before["dealer_id"], before["repairs"], then["on"]) == (
        "dealer-a",
        0,
        story.marks["lent"].astimezone(REPORTING_ZONE).date().isoformat(),
    )
    assert [a["serial"] for a in read(api, "/assets", dealer_id="dealer-b")["items"]] == ["SN-1"]


def test_the_parts_readers_read_and_other_roles_do_not(api: Api) -> None:
    for role in READERS:
        for path in ROUTES:
            assert api.get(path, role=role).status_code == 200, (role, path)
    for role in (Role.HOTLINE_AGENT, Role.BU_MANAGER, Role.SALES_DIRECTOR):
        assert_problem(api.get("/stock", role=role), 403, "forbidden")
        assert_problem(api.get("/assets", role=role), 403, "forbidden")
    assert_problem(api.client.get("/loans"), 401, "unauthenticated")


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/stock", {"below_safety": "maybe"}, "below_safety"),
        ("/stock", {"cursor": "P-1"}, "cursor"),
        ("/stock", {"limit": 0}, "limit"),
        ("/stock.csv", {"as_of": "2026-01-05T10:00:00"}, "as_of"),
        ("/parts/P-1/movements", {"cursor": "-1"}, "cursor"),
        ("/parts/P-1/movements", {"cursor": str(2**63)}, "cursor"),
        ("/parts/-P-1/movements", {}, "part_number"),
        ("/parts/P-1/movements.csv", {"as_of": "0001-01-01T00:00:00+08:00"}, "as_of"),
        ("/loans", {"on": "2026-02-30"}, "on"),
        ("/loans", {"overdue": "soon"}, "overdue"),
        ("/old-parts/pending", {"as_of": "yesterday"}, "as_of"),
        ("/old-parts/reconciliation", {"claim_id": "not-a-claim"}, "claim_id"),
        ("/assets", {"status": "lost"}, "status"),
        ("/assets", {"pool": "2"}, "pool"),
        ("/assets", {"limit": 501}, "limit"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(api: Api, path: str, params: Json, field: str) -> None:
    response = api.client.get(path, params=params, headers=bearer(Role.AUDITOR))

    assert field in error_fields(assert_problem(response, 400, "validation"))


def test_each_store_answers_and_reads_its_own_write(store_env: dict[str, str]) -> None:
    ledger = new_ledger(store_env)
    story = record_story(ledger)
    with serve(store_env, ledger=ledger) as api:
        position = ledger.receive_stock(
            "P-3", "wh-east", "acme", "GRN-9", 2, Decimal("5.00"), KEEPER
        ).position
        stock = api.read("/stock", position, {"location_id": "wh-east"})
        as_of = api.read("/stock", position, {"as_of": story.marks["in_transit"].isoformat()})
        moves = api.read("/parts/P-1/movements", position, {"as_of": story.marks["issued"].isoformat()})
        loans = api.read("/loans", position, {"on": day(10).isoformat()})
        parts = api.read("/old-parts/reconciliation", position, {})
        assets = api.read("/assets", position, {"status": "in_warranty", "on": day(40).isoformat()})

    assert [(r["part_number"], r["on_hand"], r["value"]) for r in stock["items"]] == [("P-3", 2, "10.00")]
    assert as_of["totals"] == {
        "items": 2,
        "on_hand": 3,
        "reserved": 0,
        "in_transit": 4,
        "in_transit_value": "50.00",
        "value": "37.50",
    }
    assert len(moves["items"]) == 5
    assert [(u["serial"], u["days_out"], u["overdue"]) for u in loans["items"]] == [("BK-1", 10, True)]
    assert [(p["part_number"], p["pending"], p["overdue_lots"]) for p in parts["items"]] == [
        ("P-8", 0, 0),
        ("P-9", 1, 1),
    ]
    assert [a["serial"] for a in assets["items"]] == ["SN-1"]
