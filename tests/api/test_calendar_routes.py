"""A contract version's calendars over HTTP: their data, day by day around a national holiday, and
deadlines counted on them as the SLA clocks count them."""

from __future__ import annotations

from tests.api.harness import Api, assert_problem, error_fields
from tests.api.test_contract_routes import approved_contract

ZERO_UUID = "00000000-0000-0000-0000-000000000000"


def calendars_of(api: Api, customer: str) -> str:
    contract = approved_contract(api, customer=customer, pack="complaints")
    return f"/contracts/{contract}/versions/1/calendars"


def test_a_version_lists_its_calendars_with_windows_holidays_and_make_up_days(api: Api) -> None:
    path = calendars_of(api, "calendar-list-co")
    listed = api.get(path)
    assert listed.status_code == 200, listed.text
    assert [c["name"] for c in listed.json()["calendars"]] == [
        "backup_clock",
        "claims_office",
        "office",
        "round_the_clock",
    ]
    office = api.get(f"{path}/office").json()
    assert office["zone"] == "Asia/Shanghai"
    assert office["weekly"]["monday"] == ["08:30-17:30"]
    assert office["weekly"]["sunday"] == []
    assert "2026-10-01" in office["holidays"]
    assert "2026-10-10" in office["makeup_days"]
    assert api.get(f"{path}/round_the_clock").json()["weekly"]["sunday"] == ["00:00-24:00"]


def test_days_around_national_day_show_holidays_weekends_and_the_make_up_saturday(api: Api) -> None:
    path = calendars_of(api, "calendar-days-co")
    found = api.get(f"{path}/office/days", params={"from": "2026-09-28", "to": "2026-10-11"})
    assert found.status_code == 200, found.text
    body = found.json()
    kinds = {d["date"]: d["kind"] for d in body["days"]}
    assert kinds["2026-09-30"] == "weekday"
    assert {kinds[f"2026-10-0{n}"] for n in (1, 2, 5, 6, 7)} == {"holiday"}
    assert (kinds["2026-10-04"], kinds["2026-10-08"], kinds["2026-10-10"], kinds["2026-10-11"]) == (
        "weekend",
        "weekday",
        "makeup",
        "weekend",
    )
    saturday = next(d for d in body["days"] if d["date"] == "2026-10-10")
    assert (saturday["weekday"], saturday["windows"]) == ("saturday", ["08:30-17:30"])
    assert body["working_days"] == 6


def test_a_deadline_is_counted_as_the_sla_clock_counts_it(api: Api) -> None:
    path = calendars_of(api, "calendar-deadline-co")
    before_holiday = {"start": "2026-09-30T10:00:00+08:00"}
    one_day = api.get(f"{path}/office/deadline", params={**before_holiday, "duration": "1wd"})
    assert one_day.status_code == 200, one_day.text
    assert one_day.json()["due_at"] == "2026-10-08T09:30:00Z"  # 17:30 on the first working day after
    hours = api.get(
        f"{path}/office/deadline", params={"start": "2026-09-30T16:00:00+08:00", "duration": "4h"}
    )
    # 1.5 h on the 30th, then 2.5 h from 08:30 on the 8th: 11:00 local
    assert hours.json()["due_at"] == "2026-10-08T03:00:00Z"
    week = api.get(f"{path}/round_the_clock/deadline", params={**before_holiday, "duration": "7d"})
    assert week.json()["due_at"] == "2026-10-07T02:00:00Z"


def test_unknown_contracts_versions_and_calendars_are_not_found(api: Api) -> None:
    path = calendars_of(api, "calendar-missing-co")
    assert_problem(api.get(f"{path}/lunar"), 404, "calendar-not-found")
    assert_problem(api.get(path.replace("/versions/1/", "/versions/2/")), 404, "contract-version-not-found")
    assert_problem(api.get(f"/contracts/{ZERO_UUID}/versions/1/calendars"), 404, "contract-not-found")


def test_bad_query_parameters_name_their_field(api: Api) -> None:
    path = calendars_of(api, "calendar-bad-co") + "/office"
    cases = [
        ("days", {"from": "2026-10-02", "to": "2026-10-01"}, "to"),
        ("days", {"from": "2025-01-01", "to": "2026-01-02"}, "to"),
        ("days", {"from": "2026-01-01"}, "to"),
        ("deadline", {"start": "2026-09-30T10:00:00", "duration": "4h"}, "start"),
        ("deadline", {"start": "2026-09-30T10:00:00+08:00", "duration": "four hours"}, "duration"),
        ("deadline", {"start": "2026-09-30T10:00:00+08:00", "duration": "0wd"}, "duration"),
    ]
    for route, params, field in cases:
        body = assert_problem(api.get(f"{path}/{route}", params=params), 400)
        assert field in error_fields(body), (route, params, body)
