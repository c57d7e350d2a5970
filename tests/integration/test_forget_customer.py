"""Forgetting a customer on SQLite and PostgreSQL, through the real app: its name, phone and address,
and the names on its tickets' sign-offs, read as redacted everywhere (the directory, as of an
earlier time, ticket history, the dispute timeline and its printable page, a new bundle, a rebuilt
view, a restarted service), while the log holds none of them in plain text, the hash chain still
verifies, and bundles made before and after still verify offline."""

from __future__ import annotations

import base64
import tarfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from api.app import open_ledger
from api.settings import Settings
from domain.actors import Role
from domain.bundle_verify import verify
from domain.checkpoints import SigningKey
from domain.personal_data import REDACTED
from projections.chain_verify import verify_store
from projections.read_side import ReadSide, dialect_for
from tests.api.harness import TOKEN_OF, Api, assert_problem, bearer, nothing_recorded, serve
from tests.support import store

SIGNING = base64.b64encode(bytes(range(32))).decode()
PUBLIC_PEM = SigningKey.from_setting(SIGNING).public_pem.encode()
WRAPPING = base64.b64encode(bytes(range(100, 132))).decode()
CUSTOMER = {
    "customer_id": "huaxin-bank",
    "name": "Huaxin Bank, Ms. Lin Xiaoyu",
    "phone": "+86 755 8266 0100",
    "address": "3008 Shennan Avenue, Futian, Shenzhen",
}
SIGNER = "Lin Xiaoyu, IT lead"
PLAIN = (CUSTOMER["name"], CUSTOMER["phone"], CUSTOMER["address"], SIGNER)
EVER = {"from": "2000-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z"}
FORGET = {"reason": "erasure request of 2026-11-20, ref. DPO-2026-117"}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def env(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with store(request, tmp_path_factory) as migrated:
        yield migrated


def started(env: dict[str, str]) -> Any:
    """The app as `ledger serve` builds it: keys in the store's own database, wrapped."""
    settings = Settings.from_env({**env, "LEDGER_SIGNING_KEY": SIGNING, "LEDGER_PERSONAL_DATA_KEY": WRAPPING})
    return serve(
        env,
        ledger=open_ledger(settings),
        signing_key=SIGNING,
        personal_data_key=settings.personal_data_key,
    )


def recorded_customer_with_a_signed_ticket(api: Api) -> str:
    registered = api.client.post("/customers", json=CUSTOMER, headers=bearer(Role.HOTLINE_AGENT))
    assert registered.status_code == 201, registered.text
    ticket_id = api.open_ticket()
    for action, body in (
        ("dispatch", {"engineer_id": "eng-li", "planned_at": _soon()}),
        ("arrival", {}),
        ("resolution", {"fixed_first_time": True, "resolution": "Replaced the line card"}),
        ("sign-off", {"satisfaction": 5, "signed_by": SIGNER}),
    ):
        api.ok(ticket_id, action, body)
    return ticket_id


def bundle(api: Api, path: Path) -> Path:
    response = api.client.get("/audit/bundle", params=EVER, headers=bearer(Role.REGULATOR))
    assert response.status_code == 200, response.text
    path.write_bytes(response.content)
    return path


def files(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]


def stored_payloads(api: Api) -> bytes:
    head = api.ledger.recorder.max_notification_id() or 0
    return b"\n".join(n.state for n in api.ledger.recorder.select_notifications(start=1, limit=head))


def forget(api: Api, approver: Role = Role.GENERAL_MANAGER, role: Role = Role.SERVICE_DIRECTOR) -> Any:
    headers = {**bearer(role), "X-Approver-Token": bearer(approver)["Authorization"].removeprefix("Bearer ")}
    return api.client.post("/customers/huaxin-bank/forget", json=FORGET, headers=headers)


def test_a_forgotten_customer_is_redacted_everywhere_while_the_chain_still_verifies(
    env: dict[str, str], tmp_path: Path
) -> None:
    with started(env) as api:
        ticket_id = recorded_customer_with_a_signed_ticket(api)
        known_at = datetime.now(UTC)
        shown = api.read("/customers/huaxin-bank", api.log_end())
        history = api.read(f"/tickets/{ticket_id}/history", api.log_end())
        before = bundle(api, tmp_path / "before.tar")

        assert (shown["name"], shown["phone"], shown["address"]) == PLAIN[:3]
        assert shown["redacted"] is False
        assert SIGNER in str(history)
        assert CUSTOMER["name"].encode() in files(before)["customers.csv"]
        for text in PLAIN:
            assert text.encode() not in stored_payloads(api)
            assert text.encode() not in files(before)["events.jsonl"]

        forgotten = forget(api)

        assert forgotten.status_code == 200, forgotten.text
        assert forgotten.json()["keys_shredded"] == 1
        after = api.log_end()
        answers = [
            str(api.read("/customers/huaxin-bank", after)),
            str(api.read("/customers/huaxin-bank", after, {"as_of": known_at.isoformat()})),
            str(api.read("/customers", after)),
            str(api.read(f"/tickets/{ticket_id}/history", after)),
            str(api.read(f"/tickets/{ticket_id}/timeline", after)),
            api.get(f"/tickets/{ticket_id}/timeline.html").text,
        ]
        later = bundle(api, tmp_path / "after.tar")
        for answer in answers:
            assert REDACTED in answer
            assert not any(text in answer for text in PLAIN), answer
        for name, content in files(later).items():
            assert not any(text.encode() in content for text in PLAIN), name
        assert b"huaxin-bank," + REDACTED.encode() in files(later)["customers.csv"]
        assert api.read("/customers/huaxin-bank", after)["forgotten_at"] is not None
        for made in (before, later):
            assert verify(made, PUBLIC_PEM).startswith("complete and unaltered: ")

    verification = verify_store(env)
    assert verification.problem is None
    assert verification.verified >= after


def test_forgetting_survives_a_restart_and_a_rebuild_and_leaves_no_key_material(
    env: dict[str, str],
) -> None:
    with started(env) as api:
        recorded_customer_with_a_signed_ticket(api)
        assert forget(api).status_code == 200
    offline = open_ledger(Settings.from_env(env))
    for view in ("customer_directory", "ticket_history"):
        ReadSide(offline).rebuild(view)
    offline.close()
    with started(env) as api:
        shown = api.read("/customers/huaxin-bank", api.log_end())
        dialect = dialect_for(api.ledger)
        assert dialect is not None
        with dialect.transaction(commit=False) as cursor:
            cursor.execute("SELECT material, forgotten_at FROM customer_keys")
            keys = [(row["material"], row["forgotten_at"]) for row in cursor.fetchall()]

    assert shown["name"] == shown["phone"] == shown["address"] == REDACTED
    assert len(keys) == 1
    assert keys[0][0] is None
    assert keys[0][1] is not None


def test_details_given_again_after_forgetting_get_a_new_key_and_the_old_stay_redacted(
    env: dict[str, str],
) -> None:
    with started(env) as api:
        ticket_id = recorded_customer_with_a_signed_ticket(api)
        assert forget(api).status_code == 200
        changed = api.client.post(
            "/customers/huaxin-bank/details",
            json={"name": "Huaxin Bank, Mr. Chen", "phone": "+86 755 1", "reason": "new contact"},
            headers=bearer(Role.HOTLINE_AGENT),
        )
        assert changed.status_code == 200, changed.text
        shown = api.read("/customers/huaxin-bank", changed.json()["position"])
        history = api.read(f"/tickets/{ticket_id}/history", changed.json()["position"])

    assert (shown["name"], shown["redacted"], shown["forgotten_at"]) == ("Huaxin Bank, Mr. Chen", False, None)
    assert SIGNER not in str(history)
    assert REDACTED in str(history)


@pytest.mark.parametrize(
    ("approver", "role", "status"),
    [
        (Role.SERVICE_DIRECTOR, Role.SERVICE_DIRECTOR, 409),
        (Role.MANAGER, Role.SERVICE_DIRECTOR, 409),
        (Role.GENERAL_MANAGER, Role.HOTLINE_AGENT, 403),
    ],
)
def test_forgetting_needs_a_director_other_than_the_one_asking_and_changes_nothing_otherwise(
    env: dict[str, str], approver: Role, role: Role, status: int
) -> None:
    with started(env) as api:
        recorded_customer_with_a_signed_ticket(api)
        with nothing_recorded(api):
            assert_problem(forget(api, approver, role), status)
        shown = api.read("/customers/huaxin-bank", api.log_end())

    assert shown["name"] == CUSTOMER["name"]


def _soon() -> str:
    return (datetime.now(UTC) + timedelta(minutes=30)).isoformat()


def test_a_customer_known_only_by_its_tickets_is_entered_in_the_directory_as_it_is_forgotten(
    env: dict[str, str],
) -> None:
    with started(env) as api:
        ticket_id = api.open_ticket(customer_id="donghu-hospital")
        for action, body in (
            ("resolution", {"fixed_first_time": True, "resolution": "Reset the controller"}),
            ("callback", {"satisfaction": 4, "answered_by": SIGNER}),
        ):
            api.ok(ticket_id, action, body)
        assert_problem(api.get("/customers/donghu-hospital"), 404, "customer-not-found")
        headers = {**bearer(Role.SERVICE_DIRECTOR), "X-Approver-Token": TOKEN_OF[Role.GENERAL_MANAGER]}

        forgotten = api.client.post("/customers/donghu-hospital/forget", json=FORGET, headers=headers)

        assert forgotten.status_code == 200, forgotten.text
        after = forgotten.json()["position"]
        shown = api.read("/customers/donghu-hospital", after)
        history = str(api.read(f"/tickets/{ticket_id}/history", after))

    assert (shown["name"], shown["redacted"], shown["version"]) == (REDACTED, True, 2)
    assert shown["forgotten_at"] is not None
    assert SIGNER not in history
    assert REDACTED in history
