"""Regulator bundles on SQLite and PostgreSQL: exported from a recorded demo log, they verify
offline with the public key alone; a byte changed anywhere, an event dropped or a wrong key is
found and named; filtered bundles verify event by event; the API and the CLI export the same."""

from __future__ import annotations

import base64
import io
import json
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from click.testing import CliRunner

from api.cli import main
from api.demo import load_demo
from domain.actors import Role
from domain.audit_chain import GENESIS, StoredEvent, link
from domain.bundle_verify import Problem, verify
from domain.checkpoints import SigningKey
from domain.ledger import ServiceLedger
from projections.bundle_export import Bundle, ChainBroken
from projections.bundle_filters import BundleRequest
from projections.checkpoint_store import Chain
from projections.read_side import ReadSide, dialect_for
from tests.api.harness import bearer, serve
from tests.support import MANAGER, draft, store

SETTING = base64.b64encode(bytes(range(32))).decode()
KEY = SigningKey.from_setting(SETTING)
OTHER_KEY = SigningKey.from_setting(base64.b64encode(bytes(range(1, 33))).decode())
EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
Files = dict[str, bytes]


@dataclass
class Recorded:
    """A demo ledger on one store, its views caught up."""

    env: dict[str, str]
    ledger: ServiceLedger
    read_side: ReadSide

    def export(self, path: Path, request: BundleRequest, key: SigningKey = KEY) -> Path:
        bundle = Bundle(self.ledger, self.read_side, Chain.of(self.ledger), key, request, datetime.now(UTC))
        bundle.prepare()
        path.write_bytes(b"".join(bundle.stream()))
        return path


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def recorded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    with store(request, tmp_path_factory) as env:
        ledger = ServiceLedger(env=env)
        load_demo(ledger, tickets=10)
        read_side = ReadSide(ledger)
        read_side.catch_up()
        yield Recorded(env, ledger, read_side)
        ledger.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def fresh(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    """An empty ledger of its own, for the tests that write checkpoints or links."""
    with store(request, tmp_path_factory) as env:
        ledger = ServiceLedger(env=env)
        yield Recorded(env, ledger, ReadSide(ledger))
        ledger.close()


def members(path: Path) -> Files:
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}  # type: ignore[union-attr]


def rewritten(path: Path, name: str, change: Callable[[bytes], bytes]) -> Path:
    """The bundle again, with one member's bytes changed."""
    files = members(path)
    files[name] = change(files[name])
    out = path.with_name(f"changed-{path.name}")
    with tarfile.open(out, "w") as tar:
        for member, data in files.items():
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out


def manifest(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(members(path)["manifest.json"])
    return document


def events(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in members(path)["events.jsonl"].splitlines()]


def problem(path: Path, key: SigningKey = KEY) -> str:
    with pytest.raises(Problem) as raised:
        verify(path, key.public_pem.encode())
    return str(raised.value)


def test_a_bundle_of_the_whole_log_verifies_offline_as_complete(recorded: Recorded, tmp_path: Path) -> None:
    path = recorded.export(tmp_path / "all.tar", BundleRequest(*EVER))

    verdict = verify(path, KEY.public_pem.encode())

    head = recorded.ledger.recorder.max_notification_id()
    folded = GENESIS
    for n in recorded.ledger.recorder.select_notifications(start=1, limit=head or 1):
        folded = link(folded, StoredEvent(n.id, str(n.originator_id), n.originator_version, n.topic, n.state))
    assert verdict.startswith(f"complete and unaltered: {head} events, positions 1 to {head}")
    written = manifest(path)
    assert written["run"] == {
        "first_position": 1,
        "last_position": head,
        "link_before": GENESIS.hex(),
        "link_at_end": folded.hex(),
    }
    assert set(members(path)) == {
        "events.jsonl", "tickets.csv", "claims.csv", "stock.csv", "penalties.csv", "customers.csv",
        "kpis.csv", "public_key.pem", "manifest.json", "manifest.json.sig",
    }  # fmt: skip
    assert written["references"]["contracts"]
    assert written["references"]["penalty_schedules"]


def test_one_byte_changed_in_an_event_is_named_with_its_position(recorded: Recorded, tmp_path: Path) -> None:
    path = recorded.export(tmp_path / "all.tar", BundleRequest(*EVER))
    target = events(path)[41]

    def change(data: bytes) -> bytes:
        lines = data.splitlines(keepends=True)
        lines[41] = lines[41].replace(b'\\"_type_\\"', b'\\"_typf_\\"', 1)
        return b"".join(lines)

    assert problem(rewritten(path, "events.jsonl", change)).startswith(
        f"events.jsonl, event at position {target['position']}: its link is not SHA-256"
    )


def test_an_event_left_out_of_a_complete_bundle_breaks_the_chain_there(
    recorded: Recorded, tmp_path: Path
) -> None:
    path = recorded.export(tmp_path / "all.tar", BundleRequest(*EVER))
    after = events(path)[11]

    def drop(data: bytes) -> bytes:
        lines = data.splitlines(keepends=True)
        return b"".join(lines[:10] + lines[11:])

    assert problem(rewritten(path, "events.jsonl", drop)).startswith(
        f"events.jsonl, event at position {after['position']}: does not follow the event before it"
    )


@pytest.mark.parametrize("name", ["claims.csv", "kpis.csv", "public_key.pem"])
def test_one_byte_changed_in_another_file_names_the_file(
    recorded: Recorded, tmp_path: Path, name: str
) -> None:
    path = recorded.export(tmp_path / "all.tar", BundleRequest(*EVER))

    changed = rewritten(path, name, lambda data: data[:-2] + bytes([data[-2] ^ 1]) + data[-1:])

    assert problem(changed).startswith(f"{name}: its SHA-256 is not the one the manifest states")


def test_one_byte_changed_in_the_manifest_or_a_wrong_key_fails_the_signature(
    recorded: Recorded, tmp_path: Path
) -> None:
    path = recorded.export(tmp_path / "all.tar", BundleRequest(*EVER))

    changed = rewritten(path, "manifest.json", lambda data: data.replace(b'"events": ', b'"events":  ', 1))

    assert problem(changed).startswith("manifest.json: manifest.json.sig does not verify")
    assert problem(path, OTHER_KEY).startswith("manifest.json: manifest.json.sig does not verify")


def test_a_bundle_for_one_customer_keeps_its_aggregates_and_verifies(
    recorded: Recorded, tmp_path: Path
) -> None:
    tickets = recorded.read_side.board.all_rows()
    customer = tickets[0].customer_id
    theirs = {t.ticket_id: t.version for t in tickets if t.customer_id == customer}

    path = recorded.export(tmp_path / "one.tar", BundleRequest(*EVER, customer_id=customer))

    assert verify(path, KEY.public_pem.encode()).startswith("unaltered: ")
    kept = events(path)
    ticket_events = [e for e in kept if str(e["topic"]).startswith("domain.tickets:Ticket.")]
    assert {e["originator_id"] for e in ticket_events} == set(theirs)
    assert len(ticket_events) == sum(theirs.values())
    assert any(str(e["topic"]).startswith("domain.sla_verdicts:") for e in kept)
    assert not any(str(e["topic"]).startswith("domain.stock:") for e in kept)
    assert {"tickets.csv", "claims.csv"} <= set(members(path))
    assert "stock.csv" not in members(path)
    tampered = rewritten(path, "events.jsonl", lambda data: data.replace(b'\\"_type_\\"', b'\\"_typf_\\"', 1))
    assert problem(tampered).startswith(f"events.jsonl, event at position {kept[0]['position']}: its link")


def test_a_bundle_of_one_kind_keeps_only_that_kind(recorded: Recorded, tmp_path: Path) -> None:
    path = recorded.export(tmp_path / "claims.tar", BundleRequest(*EVER, kind="claim"))

    assert verify(path, KEY.public_pem.encode()).startswith("unaltered: ")
    assert {str(e["topic"]).split(":")[1].split(".")[0] for e in events(path)} == {"Claim"}
    assert [n for n in members(path) if n.endswith(".csv")] == ["claims.csv"]


def test_a_bundle_for_one_contract_keeps_the_contract_and_its_tickets(
    recorded: Recorded, tmp_path: Path
) -> None:
    whole = events(recorded.export(tmp_path / "all.tar", BundleRequest(*EVER)))
    contract = next(
        str(e["originator_id"]) for e in whole if str(e["topic"]).endswith("ServiceContract.Drafted")
    )
    hex_id = contract.replace("-", "")
    assigned = {
        e["originator_id"]
        for e in whole
        if str(e["topic"]).endswith("Ticket.ContractAssigned") and hex_id in str(e["payload"])
    }

    path = recorded.export(tmp_path / "contract.tar", BundleRequest(*EVER, contract_id=UUID(contract)))

    assert verify(path, KEY.public_pem.encode()).startswith("unaltered: ")
    kept = events(path)
    assert any(e["originator_id"] == contract for e in kept)
    tickets = {e["originator_id"] for e in kept if str(e["topic"]).startswith("domain.tickets:")}
    assert tickets == assigned
    assert [n for n in members(path) if n.endswith(".csv")] == ["kpis.csv"]


def test_a_period_with_no_events_gives_an_empty_complete_bundle_at_the_head(
    recorded: Recorded, tmp_path: Path
) -> None:
    path = recorded.export(tmp_path / "later.tar", BundleRequest(EVER[1] - timedelta(days=1), EVER[1]))

    head = recorded.ledger.recorder.max_notification_id() or 0
    assert verify(path, KEY.public_pem.encode()).startswith("complete and unaltered: 0 events")
    run = manifest(path)["run"]
    assert run["first_position"] is None
    assert (
        run["link_before"]
        == run["link_at_end"]
        == Chain.of(recorded.ledger).link_at(recorded.ledger, head).hex()
    )


def test_back_to_back_periods_chain_into_each_other(recorded: Recorded, tmp_path: Path) -> None:
    whole = events(recorded.export(tmp_path / "all.tar", BundleRequest(*EVER)))
    middle = datetime.fromisoformat(str(whole[len(whole) // 2]["recorded_at"]))

    first = recorded.export(tmp_path / "first.tar", BundleRequest(EVER[0], middle))
    second = recorded.export(tmp_path / "second.tar", BundleRequest(middle, EVER[1]))

    runs = [manifest(first)["run"], manifest(second)["run"]]
    assert runs[0]["link_at_end"] == runs[1]["link_before"]
    assert len(events(first)) + len(events(second)) == len(whole)
    for path in (first, second):
        assert verify(path, KEY.public_pem.encode()).startswith("complete and unaltered")


def test_an_export_starts_from_the_last_checkpoint_signed_before_its_period(
    fresh: Recorded, tmp_path: Path
) -> None:
    for _ in range(3):
        fresh.ledger.open_ticket(draft(), MANAGER)
    chain = Chain.of(fresh.ledger)
    head = fresh.ledger.recorder.max_notification_id() or 0
    start = datetime.now(UTC)
    signed = KEY.checkpoint(head, chain.link_at(fresh.ledger, head), start - timedelta(minutes=2))
    chain.checkpoints.save(signed)
    fresh.ledger.open_ticket(draft(), MANAGER)

    bundle = Bundle(fresh.ledger, fresh.read_side, chain, KEY, BundleRequest(start, EVER[1]), start)

    assert bundle.anchor == (head, signed.link)
    bundle.prepare()
    path = tmp_path / "late.tar"
    path.write_bytes(b"".join(bundle.stream()))
    assert manifest(path)["run"] == {
        "first_position": head + 1,
        "last_position": fresh.ledger.recorder.max_notification_id(),
        "link_before": signed.link.hex(),
        "link_at_end": chain.link_at(fresh.ledger, head + 1).hex(),
    }
    assert verify(path, KEY.public_pem.encode()).startswith(
        f"complete and unaltered: 1 events, positions {head + 1} to"
    )


def test_an_export_refuses_a_log_that_differs_from_its_sealed_links(fresh: Recorded) -> None:
    for _ in range(3):
        fresh.ledger.open_ticket(draft(), MANAGER)
    dialect = dialect_for(fresh.ledger)
    assert dialect is not None
    chain = Chain.of(fresh.ledger)
    with dialect.transaction(commit=True) as cursor:
        statement = dialect.sql("INSERT INTO event_chain (position, link) VALUES (%s, %s)")
        cursor.execute(statement, (1, chain.link_at(fresh.ledger, 1)))
        cursor.execute(statement, (2, bytes(32)))

    bundle = Bundle(fresh.ledger, fresh.read_side, chain, KEY, BundleRequest(*EVER), datetime.now(UTC))

    with pytest.raises(ChainBroken, match="position 2 does not match the link sealed"):
        bundle.prepare()


def test_the_api_streams_a_bundle_that_verifies_under_the_served_key(
    recorded: Recorded, tmp_path: Path
) -> None:
    with serve(recorded.env, ledger=ServiceLedger(env=recorded.env), signing_key=SETTING) as api:
        params = {"from": EVER[0].isoformat(), "to": EVER[1].isoformat(), "kind": "ticket"}
        response = api.client.get("/audit/bundle", params=params, headers=bearer(Role.REGULATOR))
        pem = api.client.get("/audit/public-key", headers=bearer(Role.AUDITOR)).json()["pem"]

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/x-tar"
    assert "attachment" in response.headers["content-disposition"]
    path = tmp_path / "api.tar"
    path.write_bytes(response.content)
    assert verify(path, pem.encode()).startswith("unaltered: ")
    assert manifest(path)["filters"] == {"customer_id": None, "contract_id": None, "kind": "ticket"}


def test_the_cli_exports_a_bundle_and_verifies_it(recorded: Recorded, tmp_path: Path) -> None:
    env = {**recorded.env, "LEDGER_SIGNING_KEY": SETTING}
    out, key = tmp_path / "cli.tar", tmp_path / "ledger.pem"
    key.write_text(KEY.public_pem)
    period = ["--from", EVER[0].isoformat(), "--to", EVER[1].isoformat()]

    exported = CliRunner().invoke(main, ["export", *period, "--out", str(out)], env=env)
    verified = CliRunner().invoke(main, ["verify-bundle", str(out), "--public-key", str(key)])
    refused = CliRunner().invoke(main, ["verify-bundle", str(out), "--public-key", str(_other_key(tmp_path))])

    assert exported.exit_code == 0, exported.output
    assert f"{out}: " in exported.output
    assert verified.exit_code == 0, verified.output
    assert verified.output.startswith("complete and unaltered")
    assert refused.exit_code == 1
    assert refused.output.startswith("NOT VERIFIED: manifest.json")


def _other_key(folder: Path) -> Path:
    path = folder / "other.pem"
    path.write_text(OTHER_KEY.public_pem)
    return path
