"""Signed checkpoints over HTTP: management signs the chain head, readers list checkpoints and the
public key, and every signature verifies under the key served; bundle requests are guarded and
bad periods refused."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from domain.actors import Role
from domain.audit_chain import GENESIS, StoredEvent, link
from domain.checkpoints import SigningKey, statement, verifies
from tests.api.harness import MEMORY_ENV, Api, Json, assert_problem, bearer, error_fields, serve


def sign(api: Api, role: Role = Role.MANAGER) -> tuple[int, Json]:
    response = api.client.post("/audit/checkpoints", headers=bearer(role))
    return response.status_code, response.json()


def public_key(api: Api, role: Role = Role.REGULATOR) -> Json:
    response = api.get("/audit/public-key", role=role)
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


def folded_link(api: Api, upto: int) -> bytes:
    """The chain's link at `upto`, folded from the log here."""
    value = GENESIS
    for n in api.ledger.recorder.select_notifications(start=1, limit=upto, stop=upto):
        value = link(value, StoredEvent(n.id, str(n.originator_id), n.originator_version, n.topic, n.state))
    return value


def test_management_signs_the_head_and_the_signature_verifies_under_the_served_key(api: Api) -> None:
    api.open_ticket()
    head = api.log_end()

    status, made = sign(api)

    assert status == 201, made
    assert made["position"] == head
    assert made["link"] == folded_link(api, head).hex()
    signed_at = datetime.fromisoformat(made["signed_at"])
    assert made["statement"] == statement(head, bytes.fromhex(made["link"]), signed_at).decode()
    key = public_key(api)
    assert key["algorithm"] == "Ed25519"
    assert made["public_key"] == key["pem"]
    assert verifies(key["pem"], made["statement"].encode(), base64.b64decode(made["signature"]))
    assert not verifies(key["pem"], made["statement"].replace(str(head), str(head + 1)).encode(),
                        base64.b64decode(made["signature"]))  # fmt: skip


def test_signing_again_with_no_new_event_answers_the_heads_checkpoint(api: Api) -> None:
    api.open_ticket()
    first = sign(api)

    again = sign(api)

    assert first[0] == 201
    assert again == (200, first[1])


def test_checkpoints_are_listed_newest_first_a_page_at_a_time(api: Api) -> None:
    made = []
    for _ in range(3):
        api.open_ticket()
        made.append(sign(api)[1])

    first = api.get("/audit/checkpoints", role=Role.AUDITOR, params={"limit": 2}).json()
    rest = api.get("/audit/checkpoints", params={"limit": 2, "before": first["next_before"]}).json()

    assert first["checkpoints"] == [made[2], made[1]]
    assert first["next_before"] == made[1]["position"]
    assert rest["checkpoints"][0] == made[0]


@pytest.mark.parametrize(
    ("role", "path", "allowed"),
    [
        (Role.AUDITOR, "/audit/checkpoints", True),
        (Role.REGULATOR, "/audit/public-key", True),
        (Role.SERVICE_DIRECTOR, "/audit/checkpoints", True),
        (Role.ENGINEER, "/audit/checkpoints", False),
        (Role.FINANCE, "/audit/public-key", False),
    ],
)
def test_only_management_and_oversight_read_checkpoints(
    api: Api, role: Role, path: str, allowed: bool
) -> None:
    response = api.get(path, role=role)

    if allowed:
        assert response.status_code == 200, response.text
    else:
        assert_problem(response, 403, "forbidden")


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.REGULATOR, Role.ENGINEER])
def test_only_management_signs_a_checkpoint(api: Api, role: Role) -> None:
    response = api.client.post("/audit/checkpoints", headers=bearer(role))

    assert_problem(response, 403, "forbidden")


def test_an_empty_log_has_no_head_to_sign() -> None:
    with serve(MEMORY_ENV) as empty:
        assert_problem(empty.client.post("/audit/checkpoints", headers=bearer(Role.MANAGER)), 409)


def test_without_a_configured_key_the_served_key_says_it_is_ephemeral(api: Api) -> None:
    assert public_key(api)["ephemeral"] is True


def test_a_configured_key_signs_and_is_served() -> None:
    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    setting = base64.b64encode(raw).decode()
    with serve(MEMORY_ENV, signing_key=setting) as configured:
        served = public_key(configured)
        configured.open_ticket()
        made = sign(configured)[1]

    assert served["ephemeral"] is False
    assert served["sha256"] == SigningKey.from_setting(setting).fingerprint
    assert verifies(served["pem"], made["statement"].encode(), base64.b64decode(made["signature"]))


def test_the_timer_signs_checkpoints_on_its_own() -> None:
    with serve(MEMORY_ENV, checkpoint_seconds=0.05) as timed:
        timed.open_ticket()
        opened = timed.log_end()
        deadline = time.monotonic() + 5
        while not (listed := timed.get("/audit/checkpoints").json()["checkpoints"]):
            assert time.monotonic() < deadline, "no checkpoint was signed"
            time.sleep(0.05)

    assert listed[0]["position"] >= opened


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-11-02T00:00:00Z", "to": "2026-11-01T00:00:00Z"}, "to"),
        ({"from": "2026-11-01T00:00:00", "to": "2026-12-01T00:00:00Z"}, "from"),
        ({"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z", "kind": "tickets"}, "kind"),
        ({"from": "2026-11-01T00:00:00Z", "to": "2026-12-01T00:00:00Z", "contract_id": "c-1"}, "contract_id"),
        ({"to": "2026-12-01T00:00:00Z"}, "from"),
    ],
)
def test_a_bundle_for_a_bad_period_or_filter_is_refused_naming_the_parameter(
    api: Api, params: dict[str, str], field: str
) -> None:
    response = api.get("/audit/bundle", role=Role.REGULATOR, params=params)

    assert field in error_fields(assert_problem(response, 400))


@pytest.mark.parametrize("role", [Role.MANAGER, Role.FINANCE])
def test_only_auditors_and_regulators_export_bundles(api: Api, role: Role) -> None:
    params = {"from": "2026-11-01T00:00:00Z", "to": datetime.now(UTC).isoformat()}

    assert_problem(api.get("/audit/bundle", role=role, params=params), 403, "forbidden")
