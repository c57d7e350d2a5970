"""Opening balances over HTTP: a stock count and an asset register as CSV bodies, recorded all or
none, refused whole naming each bad line, and imported twice to no effect."""

from __future__ import annotations

import httpx
import pytest

from domain.actors import PEOPLE, Role
from domain.opening_balances import REGISTER_HEADER, STOCK_HEADER, file_document
from tests.api.harness import Api, Json, assert_problem, bearer, error_fields, nothing_recorded

STOCK_PATH = "/stock/opening-balances"
REGISTER_PATH = "/assets/register-import"
NOT_ALLOWED = sorted(PEOPLE - {Role.WAREHOUSE, Role.MANAGER}, key=lambda r: r.value)


def csv(header: tuple[str, ...], *lines: str) -> bytes:
    return "\n".join([",".join(header), *lines, ""]).encode()


def send(
    api: Api, path: str, data: bytes, role: Role = Role.WAREHOUSE, content_type: str = "text/csv"
) -> httpx.Response:
    headers = {**bearer(role), "content-type": content_type}
    return api.client.post(path, content=data, headers=headers)


def imported(api: Api, path: str, data: bytes, role: Role = Role.WAREHOUSE) -> Json:
    response = send(api, path, data, role)
    assert response.status_code == 200, response.text
    report: Json = response.json()
    return report


def test_an_opening_count_is_recorded_once_and_answers_its_counts_and_position(api: Api) -> None:
    data = csv(STOCK_HEADER, "OB-1,wh-shanghai,12,1850.00", "OB-1,van-07,2,1850", "OB-2,wh-shanghai,40,12.5")
    before = api.log_end()

    first = imported(api, STOCK_PATH, data)

    assert first == {
        "document": file_document(data),
        "lines": 3,
        "recorded": 3,
        "unchanged": 0,
        "position": api.log_end(),
    }
    assert api.log_end() > before
    item = api.ledger.get_stock_item("OB-1", "wh-shanghai")
    assert (item.on_hand, str(item.value)) == (12, "22200.00")

    with nothing_recorded(api):
        again = imported(api, STOCK_PATH, data, Role.MANAGER)

    assert (again["recorded"], again["unchanged"], again["position"]) == (0, 3, None)


def test_a_malformed_count_is_refused_whole_naming_each_bad_line(api: Api) -> None:
    data = csv(
        STOCK_HEADER,
        "OB-10,wh-shanghai,1,10.00",
        "OB-11,wh-shanghai,0,10.00",
        "OB-12,Van 7,1,10.001",
        "OB-10,wh-shanghai,1,10.00",
        "OB-13,wh-shanghai,1",
    )

    with nothing_recorded(api):
        refused = send(api, STOCK_PATH, data)

    problem = assert_problem(refused, 422, "opening-balance-malformed")
    assert error_fields(problem) == {
        "line 3.quantity",
        "line 4.location_id",
        "line 4.unit_cost",
        "line 5",
        "line 6",
    }
    assert "lines 3, 4, 5, 6" in problem["detail"]


def test_a_count_of_an_item_with_movements_is_refused_whole_naming_the_line(api: Api) -> None:
    imported(api, STOCK_PATH, csv(STOCK_HEADER, "OB-20,station-pudong,5,100.00"))
    data = csv(STOCK_HEADER, "OB-21,station-pudong,1,100.00", "OB-20,station-pudong,6,100.00")

    with nothing_recorded(api):
        refused = send(api, STOCK_PATH, data)

    problem = assert_problem(refused, 409, "opening-balance-conflict")
    assert error_fields(problem) == {"line 3.part_number"}
    assert problem["errors"][0]["reason"] == "OB-20 at station-pudong has an opening count from another file"


def test_a_register_is_recorded_once_and_a_serial_with_other_facts_refuses_it(api: Api) -> None:
    lines = (
        "OB-EC480-1,EC480DL excavator,zhongshan-power,zs-sub-east,dealer-east,false,2026-03-02",
        '"OB-GEN-1","Backup generator, 60 kW",svc-pool,wh-shanghai,dealer-east,true,',
    )
    data = ("\ufeff" + "\r\n".join([",".join(REGISTER_HEADER), *lines]) + "\r\n").encode()

    first = imported(api, REGISTER_PATH, data)

    assert first == {"lines": 2, "recorded": 2, "unchanged": 0, "position": api.log_end()}
    assert api.ledger.get_asset("OB-GEN-1").model == "Backup generator, 60 kW"
    with nothing_recorded(api):
        again = imported(api, REGISTER_PATH, data, Role.MANAGER)
    assert again == {"lines": 2, "recorded": 0, "unchanged": 2, "position": None}

    moved = csv(
        REGISTER_HEADER, "OB-EC480-2,EC480DL,zs,site,dealer-east,false,", lines[0].replace("east,f", "west,f")
    )
    with nothing_recorded(api):
        refused = send(api, REGISTER_PATH, moved)
    problem = assert_problem(refused, 409, "opening-balance-conflict")
    assert error_fields(problem) == {"line 3.serial"}


def test_a_malformed_register_is_refused_naming_each_bad_line(api: Api) -> None:
    data = csv(REGISTER_HEADER, "OB-EC480-9,EC480DL,zs,site,dealer,maybe,2026-13-01")

    with nothing_recorded(api):
        refused = send(api, REGISTER_PATH, data)

    problem = assert_problem(refused, 422, "opening-balance-malformed")
    assert error_fields(problem) == {"line 2.pool", "line 2.handed_over_on"}


@pytest.mark.parametrize("path", [STOCK_PATH, REGISTER_PATH])
def test_a_file_not_sent_as_csv_is_415(api: Api, path: str) -> None:
    with nothing_recorded(api):
        refused = send(api, path, b'{"lines": []}', content_type="application/json")

    assert_problem(refused, 415, "unsupported-media-type")


@pytest.mark.parametrize("path", [STOCK_PATH, REGISTER_PATH])
@pytest.mark.parametrize("role", NOT_ALLOWED, ids=lambda r: r.value)
def test_only_warehouse_staff_and_managers_import_opening_balances(api: Api, path: str, role: Role) -> None:
    with nothing_recorded(api):
        refused = send(api, path, csv(STOCK_HEADER, "OB-30,wh-shanghai,1,1.00"), role)

    assert_problem(refused, 403, "forbidden")


def test_a_count_larger_than_an_ordinary_body_is_taken_up_to_the_import_limit(api: Api) -> None:
    lines = [f"BULK-{n:05d},wh-shanghai,{n % 50 + 1},{n % 900 + 10}.25" for n in range(3_000)]
    data = csv(STOCK_HEADER, *lines)
    assert len(data) > api.settings.max_body_bytes

    report = imported(api, STOCK_PATH, data)

    assert (report["lines"], report["recorded"]) == (3_000, 3_000)
    assert api.ledger.get_stock_item("BULK-02999", "wh-shanghai").on_hand == 2999 % 50 + 1
