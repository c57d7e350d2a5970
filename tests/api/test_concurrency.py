"""Many writers on one ticket at once: each answer 200 or 409, and the log holds exactly the 200s."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from uuid import UUID

import httpx
import pytest

from domain.actors import Role
from tests.api.harness import PLANNED, Api, Json, assert_problem, bearer, open_body, serve

WRITERS = 20
DURABLE_STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def race(api: Api, ticket_id: str, action: str, body_of: Callable[[int], Json]) -> list[httpx.Response]:
    """POST `action` from WRITERS threads at once, through one TestClient; the answers in writer order."""
    barrier = Barrier(WRITERS)

    def write(writer: int) -> httpx.Response:
        body, headers = body_of(writer), bearer(Role.HOTLINE_AGENT)
        barrier.wait(timeout=10)
        return api.client.post(f"/tickets/{ticket_id}/{action}", json=body, headers=headers)

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        return list(pool.map(write, range(WRITERS)))


def events_of(api: Api, ticket_id: str) -> list[int]:
    """The versions of the ticket's events in the notification log, in log order."""
    versions: list[int] = []
    start = 1
    while page := api.ledger.recorder.select_notifications(start=start, limit=100):
        versions += [n.originator_version for n in page if n.originator_id == UUID(ticket_id)]
        start = page[-1].id + 1
    return versions


def check_race(api: Api, ticket_id: str, answers: list[httpx.Response]) -> list[Json]:
    """Every answer 200 or a 409 problem; the log holds the opening and exactly one event per 200."""
    statuses = [a.status_code for a in answers]
    assert set(statuses) <= {200, 409}, [a.text for a in answers if a.status_code not in {200, 409}]
    for answer in answers:
        if answer.status_code == 409:
            assert_problem(answer, 409)
    accepted: list[Json] = [a.json() for a in answers if a.status_code == 200]
    assert accepted
    assert api.ledger.get_ticket(UUID(ticket_id)).version == 1 + len(accepted)
    assert events_of(api, ticket_id) == list(range(1, len(accepted) + 2))
    assert sorted(a["version"] for a in accepted) == list(range(2, len(accepted) + 2))
    assert len({a["position"] for a in accepted}) == len(accepted)
    return accepted


@pytest.mark.parametrize("store_env", DURABLE_STORES, indirect=True)
def test_concurrent_dispatches_each_answer_200_or_409_and_the_log_holds_the_200s(
    store_env: dict[str, str],
) -> None:
    with serve(store_env) as api:
        ticket_id = api.open_ticket()

        answers = race(
            api, ticket_id, "dispatch", lambda n: {"engineer_id": f"eng-{n}", "planned_at": PLANNED}
        )

        accepted = check_race(api, ticket_id, answers)
        conflicts = [assert_problem(a, 409)["type"] for a in answers if a.status_code == 409]
        assert conflicts, "no writer collided: the requests did not overlap"
        assert set(conflicts) == {"urn:service-ledger:problem:concurrent-update"}
        last = max(accepted, key=lambda a: a["version"])
        writer = next(n for n, a in enumerate(answers) if a.status_code == 200 and a.json() == last)
        board = api.read(f"/tickets/{ticket_id}", after=last["position"])
        assert board["version"] == last["version"]
        assert board["engineer_id"] == f"eng-{writer}"
        history = api.read(f"/tickets/{ticket_id}/history", after=last["position"])
        assert history["total"] == 1 + len(accepted)


@pytest.mark.parametrize("store_env", DURABLE_STORES, indirect=True)
def test_concurrent_first_responses_record_exactly_one(store_env: dict[str, str]) -> None:
    with serve(store_env) as api:
        ticket_id = api.open_ticket()

        answers = race(api, ticket_id, "response", lambda n: {})

        accepted = check_race(api, ticket_id, answers)
        assert len(accepted) == 1


@pytest.mark.parametrize("store_env", DURABLE_STORES, indirect=True)
def test_concurrent_opens_all_succeed_each_with_its_own_log_position(store_env: dict[str, str]) -> None:
    with serve(store_env) as api:
        barrier = Barrier(WRITERS)

        def open_one(writer: int) -> httpx.Response:
            body, headers = open_body(customer_id=f"customer-{writer}"), bearer(Role.HOTLINE_AGENT)
            barrier.wait(timeout=10)
            return api.client.post("/tickets", json=body, headers=headers)

        with ThreadPoolExecutor(max_workers=WRITERS) as pool:
            answers = list(pool.map(open_one, range(WRITERS)))

        assert [a.status_code for a in answers] == [201] * WRITERS, [a.text for a in answers]
        assert api.log_end() == WRITERS
        for writer, answer in enumerate(answers):
            recorded = answer.json()
            (notification,) = api.ledger.recorder.select_notifications(start=recorded["position"], limit=1)
            assert notification.id == recorded["position"]
            assert notification.originator_id == UUID(recorded["id"])
            assert api.ledger.get_ticket(UUID(recorded["id"])).customer_id == f"customer-{writer}"
