"""Ticket routes over HTTP: every command for each role allowed it, a whole lifecycle, and read-back."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest

from domain.actors import Role
from tests.api.harness import (
    ACTORS,
    ALLOWED,
    MEMORY_ENV,
    PLANNED,
    Api,
    Json,
    assert_problem,
    bearer,
    iso,
    serve,
)
from tests.support import ago

Step = tuple[str, Json, Role]
EVENT_TYPE = {
    "response": "Responded",
    "escalation": "Escalated",
    "dispatch": "Dispatched",
    "departure": "Departed",
    "arrival": "ArrivedOnSite",
    "restoration": "ServiceRestored",
    "resolution": "Resolved",
    "sign-off": "SignedOff",
    "callback": "CallbackRecorded",
    "closure": "Closed",
    "reopening": "Reopened",
    "pause": "Paused",
    "resumption": "Resumed",
    "cancellation": "Cancelled",
    "corrections": "MilestoneCorrected",
}


def when(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def whole_minute(instant: datetime) -> datetime:
    return instant.replace(second=0, microsecond=0)


def prelude(action: str) -> list[Step]:
    """The commands that bring a fresh ticket into a state where `action` is allowed."""
    dispatch = ("dispatch", {"engineer_id": "eng-li", "planned_at": iso(ago(minutes=30))}, Role.HOTLINE_AGENT)
    resolution = ("resolution", {"fixed_first_time": True, "resolution": "Replaced card 3"}, Role.ENGINEER)
    steps: dict[str, list[Step]] = {
        "departure": [dispatch],
        "arrival": [dispatch],
        "sign-off": [resolution],
        "callback": [resolution],
        "closure": [resolution, ("sign-off", {"satisfaction": 5, "signed_by": "Zhang Wei"}, Role.ENGINEER)],
        "reopening": [resolution],
        "resumption": [("pause", {"reason": "waiting_for_parts"}, Role.HOTLINE_AGENT)],
        "corrections": [("response", {}, Role.HOTLINE_AGENT)],
    }
    return steps.get(action, [])


CORRECTED_TO = timedelta(minutes=90)
"""Corrections move the response to this long after the report (opened two hours ago)."""


def body_for(action: str, reported_at: datetime) -> Json:
    bodies: dict[str, Json] = {
        "escalation": {"level": 2, "reason": "No spare switch at the station"},
        "dispatch": {"engineer_id": "eng-wu", "planned_at": iso(ago(minutes=-30))},
        "departure": {"eta": iso(ago(minutes=-40))},
        "resolution": {"fixed_first_time": False, "resolution": "Replaced line card 3"},
        "sign-off": {"satisfaction": 4, "signed_by": "Zhang Wei, IT lead"},
        "callback": {"satisfaction": 3, "answered_by": "Zhang Wei"},
        "reopening": {"reason": "Fault came back the next morning"},
        "pause": {"reason": "waiting_for_customer"},
        "cancellation": {"reason": "Duplicate of another ticket"},
        "corrections": {
            "corrects_version": 2,
            "occurred_at": iso(reported_at + CORRECTED_TO),
            "reason": "Call log shows the real time",
        },
    }
    return bodies.get(action, {})


def expected_board(action: str, reported_at: datetime) -> dict[str, Any]:
    """What the board shows of a ticket once `action` (after its prelude) is taken in."""
    expected: dict[str, dict[str, Any]] = {
        "response": {"status": "open"},
        "escalation": {"status": "open", "escalation_level": 2},
        "dispatch": {"status": "dispatched", "engineer_id": "eng-wu"},
        "departure": {"status": "en_route", "engineer_id": "eng-li"},
        "arrival": {"status": "on_site"},
        "restoration": {"status": "restored"},
        "resolution": {"status": "resolved", "fixed_first_time": False},
        "sign-off": {"status": "resolved", "satisfaction": 4},
        "callback": {"status": "resolved", "satisfaction": 3},
        "closure": {"status": "closed", "satisfaction": 5},
        "reopening": {"status": "open", "reopen_count": 1, "resolved_at": None},
        "pause": {"status": "paused"},
        "resumption": {"status": "open"},
        "cancellation": {"status": "cancelled"},
        "corrections": {"status": "open", "correction_count": 1},
    }
    return expected[action]


ALLOWED_PAIRS = [
    pytest.param(action, role, id=f"{action}-{role.value}")
    for action, roles in ALLOWED.items()
    for role in sorted(roles, key=lambda r: r.value)
]


@pytest.mark.parametrize(("action", "role"), ALLOWED_PAIRS)
def test_each_command_records_one_event_for_a_role_allowed_it(api: Api, action: str, role: Role) -> None:
    reported_at = whole_minute(ago(hours=2))
    ticket_id = api.open_ticket(reported_at=iso(reported_at))
    for step, body, by in prelude(action):
        api.ok(ticket_id, step, body, by)
    before = api.log_end()

    response = api.command(ticket_id, action, body_for(action, reported_at), role)

    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) == {"id", "version", "position"}
    assert answer["id"] == ticket_id
    assert answer["version"] == 2 + len(prelude(action))
    assert before < answer["position"] == api.log_end()
    assert api.ledger.get_ticket(UUID(ticket_id)).version == answer["version"]

    board = api.read(f"/tickets/{ticket_id}", after=answer["position"])
    assert board["version"] == answer["version"]
    assert board["position"] == answer["position"]
    for column, value in expected_board(action, reported_at).items():
        assert board[column] == value, column
    if action == "corrections":
        assert when(board["responded_at"]) == reported_at + CORRECTED_TO

    history = api.read(f"/tickets/{ticket_id}/history", after=answer["position"])
    last = history["items"][-1]
    assert last["version"] == answer["version"]
    assert last["event_type"] == EVENT_TYPE[action]
    assert last["actor_id"] == ACTORS[role].id
    assert last["actor_role"] == role.value


@pytest.mark.parametrize("role", [Role.HOTLINE_AGENT, Role.MANAGER], ids=lambda r: r.value)
def test_open_answers_201_with_location_and_the_recorded_event(api: Api, role: Role) -> None:
    before = api.log_end()

    response = api.open(role=role)

    assert response.status_code == 201, response.text
    answer = response.json()
    assert set(answer) == {"id", "version", "position"}
    assert answer["version"] == 1
    assert before < answer["position"] == api.log_end()
    assert response.headers["location"] == f"/tickets/{answer['id']}"
    ticket = api.ledger.get_ticket(UUID(answer["id"]))
    assert ticket.version == 1
    assert ticket.customer_id == "huaxin-bank"


def test_location_of_an_opened_ticket_reads_it_back(api: Api) -> None:
    reported_at = whole_minute(ago(hours=1))
    response = api.open(reported_at=iso(reported_at.astimezone(timezone(timedelta(hours=8)))))
    answer = response.json()

    board = api.read(response.headers["location"], after=answer["position"])

    assert board["ticket_id"] == answer["id"]
    assert board["version"] == 1
    assert board["status"] == "open"
    assert board["channel"] == "hotline"
    assert board["asset_id"] == "srv-0042"
    assert board["description"] == "Core switch in server room 2 down"
    assert when(board["reported_at"]) == reported_at
    assert board["responded_at"] is None


def test_open_without_a_report_time_takes_the_ledger_clock(api: Api) -> None:
    before = datetime.now(UTC)
    answer = api.open(reported_at=...).json()
    after = datetime.now(UTC)

    board = api.read(f"/tickets/{answer['id']}", after=answer["position"])

    reported = when(board["reported_at"])
    assert reported is not None
    assert before <= reported <= after


LIFECYCLE: list[tuple[str, int, Role, Json]] = [
    ("response", 5, Role.HOTLINE_AGENT, {}),
    ("escalation", 10, Role.HOTLINE_AGENT, {"level": 2, "reason": "Needs a network specialist"}),
    ("dispatch", 15, Role.HOTLINE_AGENT, {"engineer_id": "eng-li", "planned_at": 60}),
    ("departure", 20, Role.ENGINEER, {"eta": 50}),
    ("arrival", 45, Role.ENGINEER, {}),
    ("restoration", 60, Role.ENGINEER, {}),
    ("resolution", 90, Role.ENGINEER, {"fixed_first_time": False, "resolution": "Swapped the PSU"}),
    ("sign-off", 95, Role.ENGINEER, {"satisfaction": 4, "signed_by": "Zhang Wei"}),
    ("closure", 100, Role.HOTLINE_AGENT, {}),
    ("reopening", 120, Role.HOTLINE_AGENT, {"reason": "Fault came back"}),
    ("pause", 125, Role.ENGINEER, {"reason": "waiting_for_parts"}),
    ("resumption", 130, Role.ENGINEER, {}),
    ("resolution", 150, Role.ENGINEER, {"fixed_first_time": True, "resolution": "Replaced the chassis"}),
    ("callback", 160, Role.HOTLINE_AGENT, {"satisfaction": 5, "answered_by": "Zhang Wei"}),
    ("closure", 170, Role.HOTLINE_AGENT, {}),
]
"""A ticket from report to close, reopened once: (action, minutes after the report, by, body)."""


def lifecycle_body(body: Json, minutes: int, t0: datetime) -> Json:
    timed = {k: iso(t0 + timedelta(minutes=v)) if k in {"planned_at", "eta"} else v for k, v in body.items()}
    return {**timed, "occurred_at": iso(t0 + timedelta(minutes=minutes))}


def test_a_whole_lifecycle_over_http_reads_back_on_every_store(store_api: Api) -> None:
    api = store_api
    t0 = whole_minute(ago(hours=5))
    opened = api.open(
        reported_at=iso(t0), severity="critical", description="机房2核心交换机宕机, branch offline"
    )
    assert opened.status_code == 201, opened.text
    ticket_id = opened.json()["id"]

    for version, (action, minutes, role, body) in enumerate(LIFECYCLE, start=2):
        answer = api.ok(ticket_id, action, lifecycle_body(body, minutes, t0), role)
        assert answer["version"] == version
        assert api.read(f"/tickets/{ticket_id}", after=answer["position"])["version"] == version
    arrival_version = 2 + [action for action, *_ in LIFECYCLE].index("arrival")
    correction = {"corrects_version": arrival_version, "occurred_at": iso(t0 + timedelta(minutes=40))}
    final = api.ok(ticket_id, "corrections", {**correction, "reason": "GPS log shows arrival"})

    board = api.read(f"/tickets/{ticket_id}", after=final["position"])
    assert board["version"] == final["version"] == len(LIFECYCLE) + 2
    assert board["position"] == final["position"]
    expected = {
        "description": "机房2核心交换机宕机, branch offline",
        "status": "closed",
        "severity": "critical",
        "engineer_id": "eng-li",
        "escalation_level": 2,
        "reopen_count": 1,
        "correction_count": 1,
        "fixed_first_time": True,
        "satisfaction": 5,
    }
    assert {k: board[k] for k in expected} == expected
    times = {k: when(board[f"{k}_at"]) for k in ("reported", "responded", "dispatched", "arrived")}
    times |= {k: when(board[f"{k}_at"]) for k in ("restored", "resolved", "closed")}
    assert times == {
        k: t0 + timedelta(minutes=m)
        for k, m in {
            "reported": 0,
            "responded": 5,
            "dispatched": 15,
            "arrived": 40,
            "restored": 60,
            "resolved": 150,
            "closed": 170,
        }.items()
    }

    history = api.read(f"/tickets/{ticket_id}/history", after=final["position"])
    items = history["items"]
    assert history["ticket_id"] == ticket_id
    assert history["total"] == len(items) == len(LIFECYCLE) + 2
    assert [i["version"] for i in items] == list(range(1, len(items) + 1))
    assert [i["event_type"] for i in items] == [
        "Opened",
        *(EVENT_TYPE[action] for action, *_ in LIFECYCLE),
        "MilestoneCorrected",
    ]
    positions = [i["position"] for i in items]
    assert positions == sorted(set(positions))
    recorded = [datetime.fromisoformat(i["recorded_at"]) for i in items]
    assert recorded == sorted(recorded)
    occurred = [datetime.fromisoformat(i["occurred_at"]) for i in items[: len(LIFECYCLE) + 1]]
    assert occurred == [t0, *(t0 + timedelta(minutes=m) for _, m, *_ in LIFECYCLE)]
    actors = [(i["actor_id"], i["actor_role"]) for i in items]
    assert actors == [
        (ACTORS[r].id, r.value)
        for r in [Role.HOTLINE_AGENT, *(role for _, _, role, _ in LIFECYCLE), Role.MANAGER]
    ]
    dispatched = items[3]["data"]
    assert dispatched["engineer_id"] == "eng-li"
    assert when(dispatched["planned_at"]) == t0 + timedelta(minutes=60)
    assert items[2]["data"] == {"level": 2, "reason": "Needs a network specialist"}
    corrected = items[-1]["data"]
    assert corrected["corrects_version"] == arrival_version
    assert corrected["milestone"] == "arrived"
    assert when(corrected["original_occurred_at"]) == t0 + timedelta(minutes=45)
    assert when(corrected["new_occurred_at"]) == t0 + timedelta(minutes=40)
    assert corrected["reason"] == "GPS log shows arrival"
    assert corrected["approver"] == {"id": ACTORS[Role.MANAGER].id, "role": "manager"}


def test_history_pages_by_limit_and_offset_in_version_order(api: Api) -> None:
    ticket_id = api.open_ticket()
    for level in range(1, 7):
        last = api.ok(ticket_id, "escalation", {"level": level, "reason": f"step {level}"})

    page = api.read(f"/tickets/{ticket_id}/history", after=last["position"], params={"limit": 3, "offset": 2})

    assert (page["total"], page["limit"], page["offset"]) == (7, 3, 2)
    assert [i["version"] for i in page["items"]] == [3, 4, 5]
    assert [i["data"]["level"] for i in page["items"]] == [2, 3, 4]
    beyond = api.read(f"/tickets/{ticket_id}/history", after=last["position"], params={"offset": 7})
    assert beyond["items"] == []
    assert beyond["total"] == 7


class Board:
    """Five tickets with different customers, sites, severities, report times and states."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.t0 = whole_minute(ago(hours=10))
        self.ids: dict[str, str] = {}
        self.end = 0
        for name, customer, site, severity, minutes in [
            ("a", "acme", "acme-1", "minor", 0),
            ("b", "acme", "acme-2", "severe", 10),
            ("c", "bolt", "bolt-1", "severe", 20),
            ("d", "bolt", "bolt-1", "minor", 30),
            ("e", "cora", "cora-1", "critical", 40),
        ]:
            reported = iso(self.t0 + timedelta(minutes=minutes))
            self.ids[name] = api.open_ticket(
                customer_id=customer, site_id=site, severity=severity, reported_at=reported
            )
        planned = {"planned_at": iso(self.t0 + timedelta(hours=2))}
        api.ok(self.ids["b"], "dispatch", {"engineer_id": "eng-li", **planned})
        api.ok(self.ids["c"], "dispatch", {"engineer_id": "eng-wu", **planned})
        api.ok(self.ids["c"], "resolution", {"fixed_first_time": True, "resolution": "Fixed"})
        self.end = api.ok(self.ids["d"], "cancellation", {"reason": "Duplicate"})["position"]

    def names(self, params: list[tuple[str, Any]] | dict[str, Any]) -> list[str]:
        page = self.api.read("/tickets", after=self.end, params=params)
        by_id = {v: k for k, v in self.ids.items()}
        names = [by_id[item["ticket_id"]] for item in page["items"]]
        assert page["total"] == len(names)
        return names

    def at(self, minutes: int, zone: timezone = UTC) -> str:
        return iso((self.t0 + timedelta(minutes=minutes)).astimezone(zone))


def test_list_filters_by_status_severity_customer_site_engineer_and_report_time(store_api: Api) -> None:
    board = Board(store_api)
    shanghai = timezone(timedelta(hours=8))

    assert board.names({}) == ["e", "d", "c", "b", "a"]
    assert sorted(board.names({"status": "open"})) == ["a", "e"]
    assert sorted(board.names([("status", "open"), ("status", "cancelled")])) == ["a", "d", "e"]
    assert sorted(board.names({"severity": "severe"})) == ["b", "c"]
    assert sorted(board.names({"customer_id": "bolt"})) == ["c", "d"]
    assert sorted(board.names({"site_id": "bolt-1"})) == ["c", "d"]
    assert board.names({"engineer_id": "eng-li"}) == ["b"]
    assert sorted(board.names({"opened_from": board.at(10), "opened_to": board.at(30)})) == ["b", "c"]
    assert sorted(board.names({"opened_from": board.at(30, shanghai)})) == ["d", "e"]
    assert board.names({"opened_to": board.at(10, shanghai)}) == ["a"]
    assert board.names({"customer_id": "bolt", "status": "resolved"}) == ["c"]
    assert board.names({"customer_id": "nobody"}) == []


def test_list_sorts_and_pages_with_the_total_of_all_matches(store_api: Api) -> None:
    board = Board(store_api)

    assert board.names({"sort": "reported_at", "direction": "asc"}) == ["a", "b", "c", "d", "e"]
    by_customer = store_api.read(
        "/tickets", after=board.end, params={"sort": "customer_id", "direction": "asc"}
    )
    assert [i["customer_id"] for i in by_customer["items"]] == ["acme", "acme", "bolt", "bolt", "cora"]
    by_site = store_api.read("/tickets", after=board.end, params={"sort": "site_id", "direction": "desc"})
    assert [i["site_id"] for i in by_site["items"]] == ["cora-1", "bolt-1", "bolt-1", "acme-2", "acme-1"]
    by_status = store_api.read("/tickets", after=board.end, params={"sort": "status", "direction": "asc"})
    statuses = [i["status"] for i in by_status["items"]]
    assert statuses == sorted(statuses) == ["cancelled", "dispatched", "open", "open", "resolved"]
    by_update = store_api.read(
        "/tickets", after=board.end, params={"sort": "updated_at", "direction": "desc"}
    )
    assert by_update["items"][0]["ticket_id"] == board.ids["d"]

    page = store_api.read("/tickets", after=board.end, params={"limit": 2, "offset": 1})
    assert (page["total"], page["limit"], page["offset"]) == (5, 2, 1)
    assert [i["ticket_id"] for i in page["items"]] == [board.ids["d"], board.ids["c"]]
    tail = store_api.read("/tickets", after=board.end, params={"limit": 2, "offset": 4, "severity": "minor"})
    assert (tail["total"], tail["items"]) == (2, [])


@pytest.fixture(scope="module")
def impatient_api() -> Iterator[Api]:
    """An app that waits only 0.2 s for its views before refusing a read as stale."""
    with serve(MEMORY_ENV, read_wait_seconds=0.2) as started:
        yield started


@pytest.mark.parametrize(
    "path", ["/tickets", "/tickets/{id}", "/tickets/{id}/history"], ids=["list", "ticket", "history"]
)
def test_reading_after_a_position_beyond_the_log_answers_503_with_retry_after(
    impatient_api: Api, path: str
) -> None:
    api = impatient_api
    answer = api.open().json()
    url = path.format(id=answer["id"])
    beyond = api.log_end() + 1

    response = api.client.get(url, params={"after": beyond}, headers=bearer(Role.AUDITOR))

    body = assert_problem(response, 503, "stale-read")
    assert str(beyond) in body["detail"]
    assert int(response.headers["retry-after"]) >= 1
    deadline = time.monotonic() + 10
    caught_up = api.client.get(url, params={"after": answer["position"]}, headers=bearer(Role.AUDITOR))
    while caught_up.status_code == 503 and time.monotonic() < deadline:
        caught_up = api.client.get(url, params={"after": answer["position"]}, headers=bearer(Role.AUDITOR))
    assert caught_up.status_code == 200, caught_up.text


def test_health_reports_the_log_position_and_each_view(api: Api) -> None:
    answer = api.open().json()
    read = api.get(f"/tickets/{answer['id']}", Role.MANAGER, {"after": answer["position"]})
    assert read.status_code == 200, read.text

    response = api.client.get("/health")

    assert response.status_code == 200, response.text
    assert response.json() == {
        "status": "ok",
        "store": "memory",
        "log_position": answer["position"],
        "views": dict.fromkeys(
            (
                "ticket_board",
                "ticket_history",
                "sla_clocks",
                "kpis",
                "claim_ledger",
                "stock",
                "assets",
                "penalties",
                "customer_directory",
                "event_chain",
            ),
            answer["position"],
        ),
    }


def test_a_corrected_report_time_moves_the_ticket_on_the_board(api: Api) -> None:
    reported_at = whole_minute(ago(hours=3))
    ticket_id = api.open_ticket(reported_at=iso(reported_at))
    corrected = reported_at - timedelta(hours=1)

    answer = api.ok(
        ticket_id, "corrections", {"corrects_version": 1, "occurred_at": iso(corrected), "reason": "Fax"}
    )

    board = api.read(f"/tickets/{ticket_id}", after=answer["position"])
    assert when(board["reported_at"]) == corrected
    assert board["correction_count"] == 1
    window = {"opened_from": iso(corrected), "opened_to": iso(corrected + timedelta(minutes=1))}
    listed = api.read("/tickets", after=answer["position"], params=window)
    assert [item["ticket_id"] for item in listed["items"]] == [ticket_id]


def test_correcting_an_earlier_dispatch_leaves_the_latest_on_the_board(api: Api) -> None:
    t0 = whole_minute(ago(hours=3))
    ticket_id = api.open_ticket(reported_at=iso(t0))
    versions = []
    for engineer, minutes in [("eng-li", 10), ("eng-wu", 50)]:
        body = {
            "engineer_id": engineer,
            "planned_at": PLANNED,
            "occurred_at": iso(t0 + timedelta(minutes=minutes)),
        }
        versions.append(api.ok(ticket_id, "dispatch", body, Role.HOTLINE_AGENT)["version"])

    earlier = {
        "corrects_version": versions[0],
        "occurred_at": iso(t0 + timedelta(minutes=5)),
        "reason": "Log",
    }
    first = api.ok(ticket_id, "corrections", earlier)
    board = api.read(f"/tickets/{ticket_id}", after=first["position"])
    assert (board["engineer_id"], when(board["dispatched_at"])) == ("eng-wu", t0 + timedelta(minutes=50))

    latest = {
        "corrects_version": versions[1],
        "occurred_at": iso(t0 + timedelta(minutes=45)),
        "reason": "Log",
    }
    second = api.ok(ticket_id, "corrections", latest)
    board = api.read(f"/tickets/{ticket_id}", after=second["position"])
    assert when(board["dispatched_at"]) == t0 + timedelta(minutes=45)
    assert board["correction_count"] == 2
