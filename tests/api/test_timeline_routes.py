"""Dispute timelines over HTTP on SQLite and PostgreSQL: a ticket reached late under a contract
that fines late arrivals, its breach verdict and its penalty, a part reserved and issued to it, a
claim filed against it, and a correction that turns the arrival into met and reverses the penalty,
all in one timeline in the order they were recorded; the printable page shows them escaped; and
each reader sees what their other reads let them see."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import uuid4

from domain.actors import Role
from domain.contract_commands import contract_id_for
from domain.stock_rules import stock_item_id
from tests.api.claim_harness import claim_body, drafted
from tests.api.harness import SECOND_KEEPER, Api, Json, assert_problem, bearer, iso
from tests.api.penalty_harness import BACKENDS, CONTRACT, T9, arrive, lines_when, ok, story
from tests.penalty_story import CUSTOMER, T10
from tests.support import SetClock

DESCRIPTION = '<script>alert("owned")</script> Printer server & switch down'
LATE = {"schedule": CONTRACT, "rule": "late-arrival"}
COUNTERSIGNED = {"X-Countersigner-Token": SECOND_KEEPER}


@dataclass(frozen=True)
class Dispute:
    ticket: str
    claim: str
    part: str
    penalty: str


def at(clock: SetClock, when: datetime) -> Json:
    clock.now = when
    return {"occurred_at": iso(when)}


def stock(api: Api, part: str, action: str, body: Json, **headers: str) -> None:
    """A movement of the part at the central warehouse by wh-sun, which must succeed."""
    response = api.client.post(
        f"/stock/{part}/central/{action}", json=body, headers={**bearer(Role.WAREHOUSE), **headers}
    )
    assert response.status_code == 200, f"{action}: {response.status_code} {response.text}"


@contextmanager
def disputed(store_env: dict[str, str]) -> Iterator[tuple[Api, Dispute]]:
    """A general fault reported at 09:00 (arrival target 1 h), answered and dispatched to eng-li in
    time; a part reserved for it; the arrival lapsing at 10:00 (a breach, and the contract's 100
    fine); eng-li on site at 10:05; the part issued; a claim filed; and the arrival corrected by
    mgr-chen to 09:58 from the site log, which turns it into met and reverses the fine."""
    with story(store_env, contract=True, now=T9) as (api, clock):
        opening = {
            "channel": "hotline",
            "customer_id": CUSTOMER,
            "site_id": "hx-head-office",
            "region_tier": "city",
            "severity": "general",
            "category": "hardware",
            "description": DESCRIPTION,
            "reported_at": iso(T9),
        }
        ticket = ok(api, "/tickets", opening, Role.HOTLINE_AGENT)["id"]
        ok(api, f"/tickets/{ticket}/response", at(clock, T9 + timedelta(minutes=3)), Role.HOTLINE_AGENT)
        dispatch = {"engineer_id": "eng-li", "planned_at": iso(T9 + timedelta(minutes=30))}
        ok(
            api,
            f"/tickets/{ticket}/dispatch",
            {**dispatch, **at(clock, T9 + timedelta(minutes=5))},
            Role.HOTLINE_AGENT,
        )
        part = f"P-{uuid4().hex[:8].upper()}"
        stock(
            api,
            part,
            "receipts",
            {"supplier": "volvo-ce", "document": "GRN-7", "quantity": 5, "unit_cost": "80.00"},
        )
        stock(api, part, "reservations", {"ticket_id": ticket, "quantity": 1})

        clock.now = T10 + timedelta(minutes=1)
        (line,) = lines_when(api, LATE, lambda items: len(items) == 1)
        arrival = arrive(api, clock, ticket, T10 + timedelta(minutes=5))
        clock.now = T10 + timedelta(minutes=20)
        stock(api, part, "issues", {"ticket_id": ticket, "quantity": 1}, **COUNTERSIGNED)
        clock.now = T10 + timedelta(minutes=30)
        claim = drafted(api, claim_body(CUSTOMER, ticket_id=ticket))
        clock.now = T10 + timedelta(minutes=40)
        correction = {
            "corrects_version": arrival["version"],
            "occurred_at": iso(T9 + timedelta(minutes=58)),
            "reason": "Site log: on site at 09:58",
        }
        ok(api, f"/tickets/{ticket}/corrections", correction)
        lines_when(api, LATE, lambda items: items[0]["status"] == "reversed")
        yield api, Dispute(ticket, claim, part, line["penalty_id"])


def timeline(api: Api, path: str, role: Role = Role.AUDITOR) -> Json:
    response = api.get(path, role)
    assert response.status_code == 200, response.text
    body: Json = response.json()
    return body


def one(entries: list[Json], **wanted: Any) -> tuple[int, Json]:
    """The index and entry of the one entry with these fields (or these details)."""
    found = [
        (i, e)
        for i, e in enumerate(entries)
        if all((e if k in e else e["details"]).get(k, ...) == v for k, v in wanted.items())
    ]
    assert len(found) == 1, (wanted, [(e["source"], e["event"]) for e in entries])
    return found[0]


@BACKENDS
def test_a_ticket_timeline_merges_its_events_verdicts_penalty_part_claim_and_correction_in_recorded_order(
    store_env: dict[str, str],
) -> None:
    with disputed(store_env) as (api, dispute):
        body = timeline(api, f"/tickets/{dispute.ticket}/timeline")
        assert (body["subject"], body["subject_id"], body["penalties"], body["part_movements"]) == (
            "ticket",
            dispute.ticket,
            "all",
            True,
        )
        entries = body["entries"]
        recorded = [datetime.fromisoformat(e["recorded_at"]) for e in entries]
        assert recorded == sorted(recorded)
        contract = {"contract_id": str(contract_id_for(CUSTOMER)), "version": 1}

        opened_at, opened = one(entries, event="Ticket.Opened")
        assert (opened["actor_id"], opened["details"]["description"]) == ("agent-zhou", DESCRIPTION)
        _, assigned = one(entries, event="Ticket.ContractAssigned")
        assert assigned["contract"] == contract
        reserved_at, reserved = one(entries, event="StockItem.Reserved")
        assert (reserved["source"], reserved["details"]["part_number"], reserved["details"]["kind"]) == (
            "part_movement",
            dispute.part,
            "reservation",
        )
        lapse = {"target": "arrival", "outcome": "breached", "stopped_at": None}
        breach_at, breach = one(entries, source="sla_verdict", **lapse)
        assert (breach["contract"], breach["actor_id"]) == (contract, "sla-monitor")
        assert datetime.fromisoformat(breach["details"]["due_at"]) == T10
        assessed_at, assessed = one(entries, event="Penalty.Assessed")
        assert assessed["subject_id"] == dispute.penalty
        assert assessed["schedule"] == {
            "kind": "contract",
            "id": contract["contract_id"],
            "name": CONTRACT,
            "version": 1,
        }
        assert (assessed["details"]["rule"], assessed["details"]["total"]) == ("late-arrival", "100.00")
        arrived_at, arrival = one(entries, event="Ticket.ArrivedOnSite")
        assert datetime.fromisoformat(arrival["occurred_at"]) == T10 + timedelta(minutes=5)
        (fix,) = arrival["corrections"]
        assert (fix["actor_id"], fix["approver_id"], fix["approver_role"], fix["reason"]) == (
            "mgr-chen",
            "mgr-chen",
            "manager",
            "Site log: on site at 09:58",
        )
        assert datetime.fromisoformat(fix["new_occurred_at"]) == T9 + timedelta(minutes=58)
        assert datetime.fromisoformat(fix["original_occurred_at"]) == T10 + timedelta(minutes=5)
        issued_at, issued = one(entries, event="StockItem.Issued")
        assert (issued["details"]["quantity"], issued["details"]["countersigner"]["id"]) == (1, "wh-zhou")
        claimed_at, claimed = one(entries, event="Claim.Drafted")
        assert (claimed["source"], claimed["subject_id"], claimed["actor_id"]) == (
            "claim",
            dispute.claim,
            "claims-qian",
        )
        corrected_at, corrected = one(entries, event="Ticket.MilestoneCorrected")
        assert (corrected["reason"], corrected["details"]["approver"]["id"]) == (
            "Site log: on site at 09:58",
            "mgr-chen",
        )
        met_at, met = one(entries, source="sla_verdict", target="arrival", outcome="met")
        assert met["contract"] == contract
        reversed_at, reversal = one(entries, event="Penalty.Reversed")
        assert (reversal["schedule"], reversal["actor_id"]) == (assessed["schedule"], "penalty-assessor")
        assert "corrected" in reversal["reason"]
        assert opened_at < reserved_at < breach_at < assessed_at < arrived_at < issued_at < claimed_at
        assert claimed_at < corrected_at < met_at < reversed_at

        page = api.get(f"/tickets/{dispute.ticket}/timeline.html")
        assert page.status_code == 200, page.text
        assert page.headers["content-type"].startswith("text/html")
        html = page.text
        assert "<script" not in html.lower()
        assert (
            "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; Printer server &amp; switch down" in html
        )
        for shown in (
            "Penalty.Assessed",
            "Penalty.Reversed",
            CONTRACT,
            "Claim.Drafted",
            "StockItem.Issued",
            "approved by mgr-chen (manager)",
            "Site log: on site at 09:58",
            "sla-monitor",
        ):
            assert shown in html, shown
        assert (
            html.index("Penalty.Assessed")
            < html.index("Ticket.ArrivedOnSite")
            < html.index("Penalty.Reversed")
        )


def linked(body: Json) -> set[tuple[str, str]]:
    """The penalties and the stock items whose events a reader is shown."""
    return {
        (e["source"], e["subject_id"]) for e in body["entries"] if e["source"] in {"penalty", "part_movement"}
    }


@BACKENDS
def test_each_reader_sees_the_timeline_their_other_reads_allow(store_env: dict[str, str]) -> None:
    with disputed(store_env) as (api, dispute):
        path = f"/tickets/{dispute.ticket}/timeline"
        both = {("penalty", dispute.penalty), ("part_movement", str(stock_item_id(dispute.part, "central")))}
        for overseer in (Role.REGULATOR, Role.GENERAL_MANAGER):
            seen = timeline(api, path, overseer)
            assert (seen["penalties"], seen["part_movements"], linked(seen)) == ("all", True, both)

        engineer = timeline(api, path, Role.ENGINEER)
        assert (engineer["penalties"], engineer["part_movements"], linked(engineer)) == ("own", True, both)
        agent = timeline(api, path, Role.HOTLINE_AGENT)
        assert (agent["penalties"], agent["part_movements"], linked(agent)) == ("own", False, set())
        assert {e["source"] for e in agent["entries"]} == {"ticket", "sla_verdict", "claim"}
        for outsider in (Role.FINANCE, Role.BU_MANAGER, Role.WAREHOUSE):
            assert_problem(api.get(path, outsider), 403)
            assert_problem(api.get(f"{path}.html", outsider), 403)
        assert_problem(api.get(f"/tickets/{uuid4()}/timeline"), 404, "ticket-not-found")
        assert_problem(api.get(f"/tickets/{uuid4()}/timeline.html"), 404, "ticket-not-found")

        claim = timeline(api, f"/claims/{dispute.claim}/timeline", Role.CLAIMS)
        assert [(e["source"], e["event"]) for e in claim["entries"]] == [("claim", "Claim.Drafted")]
        assert claim["entries"][0]["details"]["ticket_id"] == dispute.ticket
        assert_problem(api.get(f"/claims/{dispute.claim}/timeline", Role.ENGINEER), 403)
        page = api.get(f"/claims/{dispute.claim}/timeline.html", Role.AUDITOR)
        assert page.status_code == 200, page.text
        assert "Claim.Drafted" in page.text
        assert_problem(api.get(f"/claims/{uuid4()}/timeline"), 404, "claim-not-found")
