"""Penalties over HTTP on SQLite and PostgreSQL: rule books under document control, a month's
close assessing the outbound success rate, penalties assessed by hand (escalating complaints, a
liability accident's loss split, late hotline replies), a missing sign-off and a late arrival
assessed by the assessor (and the arrival reversed by its correction), disputes, settlement and
reversal, what each person may read, the ledger as JSON and CSV and as of a past time, and what-if,
which records nothing."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.actors import Role
from tests.api.harness import Api, Json, assert_problem, error_fields, iso, nothing_recorded
from tests.api.penalty_harness import (
    BACKENDS,
    CONTRACT,
    T9,
    arrive,
    book_in_force,
    by_party,
    dispatched,
    lines_when,
    manual,
    ok,
    penalty,
    post,
    read,
    second_manager,
    served,
    story,
)
from tests.penalty_story import T0, T10, rule_book

BOOK = "warehouse-and-service"
RATE = "outbound_success_rate"
CLOSE_OCTOBER = "/penalty-periods/2026-10/close"
HOTLINE_TOML = """
description = "Hotline rules"
source = "[002:L224]"

[[rules]]
code = "late-hotline-reply"
description = "Late reply to a hotline message, per message"
shape = "per_unit"
amount = "50"
"""
UNKNOWN = "0d7c4f5e-2b1a-4c3d-9e8f-7a6b5c4d3e2f"
"""A penalty id no penalty has."""
LEDGER_COLUMNS = "period,measure,lines,assessed,waived,reversed,net,settled,outstanding"


def stated(rate: str) -> Json:
    return {"measurements": {RATE: rate}}


def with_rule(book: dict[str, Any], code: str, **changes: Any) -> dict[str, Any]:
    """The book with one rule changed."""
    rules = [{**rule, **changes} if rule["code"] == code else rule for rule in book["rules"]]
    return {**book, "rules": rules}


def total_of(rows: dict[str, str]) -> Decimal:
    return sum((Decimal(amount) for amount in rows.values()), Decimal(0))


@BACKENDS
def test_closing_a_month_splits_the_outbound_success_rate_fine_among_the_book_holders(
    store_env: dict[str, str],
) -> None:
    with story(store_env) as (api, clock):
        one_clerk = rule_book()
        one_clerk["holders"]["tally_clerk"] = ["wh-clerk-li"]
        book_in_force(api, "one-clerk", document=one_clerk)
        with nothing_recorded(api):
            unstated = post(api, CLOSE_OCTOBER, {"measurements": {}})
            assert f"measurements.{RATE}" in error_fields(assert_problem(unstated, 422))
            unended = post(api, "/penalty-periods/2026-11/close", stated("97"))
            assert "period" in error_fields(assert_problem(unended, 409))
            assert_problem(post(api, CLOSE_OCTOBER, stated("97"), Role.WAREHOUSE), 403)

        closed = ok(api, CLOSE_OCTOBER, stated("97"))

        assert closed["period"] == "2026-10"
        assert len(closed["recorded"]) == 2
        assert closed["position"] == max(r["position"] for r in closed["recorded"])
        october = {"period": "2026-10", "schedule": BOOK}
        two = by_party(read(api, "/penalty-ledger", october)["rows"])
        assert two == {
            "wh-keeper-wang": "90.00",
            "wh-deputy-liu": "70.00",
            "wh-clerk-li": "20.00",
            "wh-clerk-zhao": "20.00",
        }
        assert total_of(two) == Decimal(200)
        one = by_party(read(api, "/penalty-ledger", {**october, "schedule": "one-clerk"})["rows"])
        assert one == {
            "wh-keeper-wang": "90.00",
            "wh-deputy-liu": "70.00",
            "wh-clerk-li": "20.00",
            "warehouse_department": "20.00",
        }

        details = [penalty(api, r["id"]) for r in closed["recorded"]]
        shipped = next(d for d in details if d["schedule"]["name"] == BOOK)
        assert (shipped["rule"], shipped["trigger"], shipped["period"], shipped["total"]) == (
            "outbound-success-rate",
            "kpi",
            "2026-10",
            "200.00",
        )
        assert (shipped["schedule"]["kind"], shipped["schedule"]["version"]) == ("book", 1)
        assert shipped["facts"]["measured"] == "97"
        assert shipped["basis"] == "97 against 99: 2 points below, counted 2 (whole_up) x 100"
        assert [(line["role"], line["party"], line["amount"]) for line in shipped["lines"]] == [
            ("keeper", "wh-keeper-wang", "90.00"),
            ("deputy_keeper", "wh-deputy-liu", "70.00"),
            ("tally_clerk", "wh-clerk-li", "20.00"),
            ("tally_clerk", "wh-clerk-zhao", "20.00"),
        ]
        with nothing_recorded(api):
            again = ok(api, CLOSE_OCTOBER, stated("95"))
        assert (again["recorded"], again["position"]) == ([], None)

        clock.now = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
        november = ok(api, "/penalty-periods/2026-11/close", stated("98.5"))
        partial = next(
            d for d in (penalty(api, r["id"]) for r in november["recorded"]) if d["schedule"]["name"] == BOOK
        )
        assert partial["basis"] == "98.5 against 99: 0.5 points below, counted 1 (whole_up) x 100"
        assert (partial["total"], partial["period"]) == ("100.00", "2026-11")
        assert [line["amount"] for line in partial["lines"]] == ["45.00", "35.00", "10.00", "10.00"]


@BACKENDS
def test_the_ledger_downloads_as_csv_with_the_same_figures(store_env: dict[str, str]) -> None:
    with story(store_env) as (api, _):
        ok(api, CLOSE_OCTOBER, stated("97"))
        api.read("/penalty-ledger", after=api.log_end())
        october = [("period", "2026-10"), ("schedule", BOOK)]

        response = api.get("/penalty-ledger.csv", Role.FINANCE, october)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        assert 'filename="penalty-ledger-party-2026-10.csv"' in response.headers["content-disposition"]
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == ["party", *LEDGER_COLUMNS.split(",")]
        assert sorted(rows[1:]) == [
            ["wh-clerk-li", "2026-10", "money", "1", "20.00", "0.00", "0.00", "20.00", "0.00", "20.00"],
            ["wh-clerk-zhao", "2026-10", "money", "1", "20.00", "0.00", "0.00", "20.00", "0.00", "20.00"],
            ["wh-deputy-liu", "2026-10", "money", "1", "70.00", "0.00", "0.00", "70.00", "0.00", "70.00"],
            ["wh-keeper-wang", "2026-10", "money", "1", "90.00", "0.00", "0.00", "90.00", "0.00", "90.00"],
        ]
        json_rows = api.read("/penalty-ledger", after=api.log_end(), params=october)["rows"]
        assert by_party(json_rows) == {row[0]: row[7] for row in rows[1:]}

        by_rule = api.get("/penalty-ledger.csv", Role.AUDITOR, [*october, ("by", "rule")])
        assert by_rule.text.splitlines() == [
            f"rule,{LEDGER_COLUMNS}",
            "outbound-success-rate,2026-10,money,4,200.00,0.00,0.00,200.00,0.00,200.00",
        ]
        mine = api.get("/penalty-ledger.csv", Role.ENGINEER, october)
        assert mine.text.splitlines() == [f"party,{LEDGER_COLUMNS}"]


@BACKENDS
def test_what_if_sets_a_proposed_book_beside_the_recorded_penalties_and_records_nothing(
    store_env: dict[str, str],
) -> None:
    with story(store_env) as (api, _):
        ok(api, CLOSE_OCTOBER, stated("97"))
        manual(
            api, "late-hotline-reply", datetime(2026, 10, 20, 2, 0, tzinfo=UTC), party="agent-zhou", units="3"
        )
        proposal = with_rule(rule_book(), "outbound-success-rate", amount="150")
        proposal = with_rule(proposal, "late-hotline-reply", amount="60")
        api.read("/penalty-ledger", after=api.log_end())

        with nothing_recorded(api):
            response = post(
                api,
                f"/penalty-books/{BOOK}/what-if",
                {"period": "2026-10", "document": proposal},
                Role.FINANCE,
            )
            assert response.status_code == 200, response.text
            answer = response.json()
            assert_problem(
                post(
                    api,
                    f"/penalty-books/{BOOK}/what-if",
                    {"period": "2026-10", "document": proposal},
                    Role.ENGINEER,
                ),
                403,
            )
            broken = with_rule(proposal, "late-hotline-reply", amount="sixty")
            refused = post(api, f"/penalty-books/{BOOK}/what-if", {"period": "2026-10", "document": broken})
            assert "rules[2].amount" in error_fields(assert_problem(refused, 422, "pack-invalid"))
            unknown = post(
                api, "/penalty-books/no-such-book/what-if", {"period": "2026-10", "document": proposal}
            )
            assert_problem(unknown, 404)

        parties = {(p["party"], p["measure"]): p for p in answer["parties"]}
        assert parties["wh-keeper-wang", "money"] == {
            "party": "wh-keeper-wang",
            "measure": "money",
            "proposed": {"amount": "135.00", "lines": 1},
            "actual": {"amount": "90.00", "lines": 1},
            "difference": "45.00",
        }
        assert (parties["agent-zhou", "money"]["proposed"], parties["agent-zhou", "money"]["actual"]) == (
            {"amount": "180.00", "lines": 1},
            {"amount": "150.00", "lines": 1},
        )
        assert parties["agent-zhou", "money"]["difference"] == "30.00"
        assert {(line["rule"], line["party"], line["amount"]) for line in answer["lines"]} == {
            ("outbound-success-rate", "wh-keeper-wang", "135.00"),
            ("outbound-success-rate", "wh-deputy-liu", "105.00"),
            ("outbound-success-rate", "wh-clerk-li", "30.00"),
            ("outbound-success-rate", "wh-clerk-zhao", "30.00"),
            ("late-hotline-reply", "agent-zhou", "180.00"),
        }
        assert (answer["book"], answer["period"]) == (BOOK, "2026-10")


@BACKENDS
def test_penalties_assessed_by_hand_escalate_split_a_loss_and_count_late_replies(
    store_env: dict[str, str],
) -> None:
    with story(store_env) as (api, clock):
        clock.now = T10 + timedelta(days=3)
        complaints = [
            manual(api, "supervisor-complaints", T10 + timedelta(days=n), party="log-sup-he")
            for n in range(3)
        ]
        shown = [penalty(api, complaint) for complaint in complaints]
        assert [(p["tier"], p["total"], p["measure"]) for p in shown] == [
            (1, "2.00", "points"),
            (2, "5.00", "points"),
            (3, "10.00", "points"),
        ]
        assert shown[2]["basis"] == "occurrence 3, tier 3: 1 x 10"
        assert (shown[0]["reason"], shown[0]["trigger"]) == ("By hand: supervisor-complaints", "manual")
        points = read(api, "/penalty-ledger", {"by": "rule", "measure": "points", "period": "2026-11"})
        assert [(r["group"], r["lines"], r["net"]) for r in points["rows"]] == [
            ("supervisor-complaints", 3, "17.00")
        ]

        cooperative = penalty(
            api,
            manual(
                api,
                "liability-accident",
                T10,
                loss="5000",
                cooperation="cooperative",
                holders={"staff": ["eng-li"]},
            ),
        )
        assert [(line["role"], line["party"], line["amount"]) for line in cooperative["lines"]] == [
            ("staff", "eng-li", "3000.00"),
            ("company", "company", "2000.00"),
            ("deputy_manager", "deputy_manager", "200.00"),
            ("manager", "manager", "200.00"),
            ("team_leader", "team_leader", "200.00"),
        ]
        assert cooperative["total"] == "5600.00"
        uncooperative = penalty(
            api,
            manual(
                api,
                "liability-accident",
                T10,
                loss="5000",
                cooperation="uncooperative",
                holders={"staff": ["eng-li"]},
            ),
        )
        assert [line["amount"] for line in uncooperative["lines"]] == [
            "4500.00",
            "500.00",
            "300.00",
            "300.00",
            "300.00",
        ]

        replies = penalty(api, manual(api, "late-hotline-reply", T10, party="agent-zhou", units="3"))
        assert (replies["total"], replies["basis"]) == ("150.00", "3 occurrence(s) x 50")
        assert [(line["party"], line["amount"]) for line in replies["lines"]] == [("agent-zhou", "150.00")]
        own = read(api, "/penalty-ledger", {"period": "2026-11"}, Role.HOTLINE_AGENT)
        assert (own["party"], by_party(own["rows"])) == ("agent-zhou", {"agent-zhou": "150.00"})


@BACKENDS
def test_a_penalty_by_hand_is_refused_with_its_field_and_records_nothing(store_env: dict[str, str]) -> None:
    with story(store_env) as (api, clock):
        body = {
            "book": BOOK,
            "rule": "late-hotline-reply",
            "occurred_at": iso(T10),
            "reason": "Late",
            "units": "2",
        }
        with nothing_recorded(api):
            future = post(api, "/penalties", {**body, "occurred_at": iso(clock.now + timedelta(hours=1))})
            assert "occurred_at" in error_fields(assert_problem(future, 422))
            no_rule = post(api, "/penalties", {**body, "rule": "no-such-rule"})
            assert "rule" in error_fields(assert_problem(no_rule, 422))
            before = post(api, "/penalties", {**body, "occurred_at": iso(T0 - timedelta(days=1))})
            assert "occurred_at" in error_fields(assert_problem(before, 409))
            assert_problem(post(api, "/penalties", {**body, "book": "no-such-book"}), 404)
            no_cooperation = post(api, "/penalties", {**body, "rule": "liability-accident", "loss": "100"})
            assert "cooperation" in error_fields(assert_problem(no_cooperation, 422))
            units = post(api, "/penalties", {**body, "units": "three"})
            assert "units" in error_fields(assert_problem(units, 400))
            assert_problem(post(api, "/penalties", body, Role.ENGINEER), 403)
            assert_problem(post(api, "/penalties", body, Role.FINANCE), 403)


@BACKENDS
def test_a_repair_left_without_sign_off_or_callback_past_its_deadline_costs_100(
    store_env: dict[str, str],
) -> None:
    with story(store_env, contract=True, now=T9) as (api, clock):
        ticket = dispatched(api, clock, T10)
        arrive(api, clock, ticket, T10 + timedelta(minutes=40))
        clock.now = T10 + timedelta(minutes=90)
        resolution = {
            "fixed_first_time": True,
            "resolution": "Replaced the PSU",
            "occurred_at": iso(T10 + timedelta(minutes=90)),
        }
        ok(api, f"/tickets/{ticket}/resolution", resolution, Role.ENGINEER)
        unsigned = {"rule": "unsigned-service-record"}
        assert read(api, "/penalty-ledger/lines", unsigned)["items"] == []

        clock.now = T10 + timedelta(hours=50)

        lines = lines_when(api, unsigned, lambda items: len(items) == 2)
        assert sorted(
            (line["schedule"], line["party"], line["assessed"], line["trigger"]) for line in lines
        ) == [
            (CONTRACT, "eng-li", "100.00", "sign_off_missing"),
            (BOOK, "eng-li", "100.00", "sign_off_missing"),
        ]
        contract = penalty(api, next(line["penalty_id"] for line in lines if line["schedule"] == CONTRACT))
        assert (contract["facts"]["ticket_id"], contract["facts"]["target"]) == (ticket, "sign_off")
        (cause,) = contract["causes"]
        assert cause["event"] == "SlaVerdicts.VerdictRecorded"
        assert isinstance(cause["position"], int)
        assert contract["history"][0]["actor_id"] == "penalty-assessor"


@BACKENDS
def test_an_arrival_corrected_into_time_reverses_its_penalty_and_the_ledger_shows_both(
    store_env: dict[str, str],
) -> None:
    with story(store_env, contract=True, now=T9) as (api, clock):
        ticket = dispatched(api, clock, T9)
        late = {"schedule": CONTRACT, "rule": "late-arrival"}
        clock.now = T10 + timedelta(minutes=1)
        (assessed,) = lines_when(api, late, lambda items: len(items) == 1)
        assert (assessed["party"], assessed["status"], assessed["assessed"], assessed["net"]) == (
            "eng-li",
            "allocated",
            "100.00",
            "100.00",
        )
        arrival = arrive(api, clock, ticket, T10 + timedelta(minutes=5))
        shown = penalty(api, assessed["penalty_id"], Role.ENGINEER)
        assert (shown["trigger"], shown["facts"]["target"], shown["schedule"]["kind"]) == (
            "sla_breach",
            "arrival",
            "contract",
        )
        assert shown["occurred_at"] == iso(T10).replace("+00:00", "Z")

        correction = {
            "corrects_version": arrival["version"],
            "occurred_at": iso(T9 + timedelta(minutes=58)),
            "reason": "Site log",
        }
        ok(api, f"/tickets/{ticket}/corrections", correction)

        (line,) = lines_when(api, late, lambda items: bool(items) and items[0]["status"] == "reversed")
        assert (line["assessed"], line["reversed"], line["net"], line["outstanding"]) == (
            "100.00",
            "100.00",
            "0.00",
            "0.00",
        )
        totals = read(api, "/penalty-ledger", {"schedule": CONTRACT, "period": "2026-11"})["rows"]
        assert [(r["group"], r["lines"], r["assessed"], r["reversed"], r["net"]) for r in totals] == [
            ("eng-li", 1, "100.00", "100.00", "0.00")
        ]
        then = read(api, "/penalty-ledger/lines", {**late, "as_of": assessed["recorded_at"]})["items"]
        assert [(i["status"], i["net"]) for i in then] == [("allocated", "100.00")]
        before = read(api, "/penalty-ledger", {"schedule": CONTRACT, "as_of": iso(T0)})
        assert (before["rows"], before["as_of"]) == ([], iso(T0).replace("+00:00", "Z"))

        history = penalty(api, line["penalty_id"])["history"]
        assert [entry["event"] for entry in history] == ["Assessed", "Allocated", "Reversed"]
        reversal = history[-1]
        assert (reversal["actor_id"], reversal["actor_role"]) == ("penalty-assessor", "system")
        assert "corrected" in reversal["reason"]
        assert [c["event"] for c in reversal["causes"]] == [
            "Ticket.MilestoneCorrected",
            "SlaVerdicts.VerdictRecorded",
        ]


@BACKENDS
def test_a_dispute_is_decided_by_management_that_is_not_a_party_and_finance_settles(
    store_env: dict[str, str],
) -> None:
    with story(store_env) as (api, _):
        mine = manual(api, "late-hotline-reply", T10, party="mgr-chen")
        theirs = manual(api, "late-hotline-reply", T10, party="eng-li", units="2")
        not_party = post(api, f"/penalties/{theirs}/dispute", {"reason": "Not mine"}, Role.HOTLINE_AGENT)
        assert "actor" in error_fields(assert_problem(not_party, 409, "penalty-rule-violation"))
        ok(api, f"/penalties/{mine}/dispute", {"reason": "The customer replied late, not us"})

        with nothing_recorded(api):
            by_party_manager = post(api, f"/penalties/{mine}/waive", {"reason": "Mine to waive"})
            assert "actor" in error_fields(assert_problem(by_party_manager, 409, "penalty-rule-violation"))
            assert_problem(post(api, f"/penalties/{mine}/uphold", {"reason": "Stands"}, Role.FINANCE), 403)
        waived = second_manager(
            api, f"/penalties/{mine}/waive", {"reason": "The log shows the reply in time"}
        )
        assert waived.status_code == 200, waived.text

        settlement = {"against": "payroll", "reference": "payroll-2026-11"}
        with nothing_recorded(api):
            for role in (Role.MANAGER, Role.ENGINEER, Role.AUDITOR, Role.SERVICE_DIRECTOR):
                assert_problem(post(api, f"/penalties/{theirs}/settle", settlement, role), 403)
            assert_problem(post(api, f"/penalties/{mine}/settle", settlement, Role.FINANCE), 409)
        ok(api, f"/penalties/{theirs}/settle", settlement, Role.FINANCE)
        assert_problem(post(api, f"/penalties/{theirs}/settle", settlement, Role.FINANCE), 409)

        settled = penalty(api, theirs, Role.ENGINEER)
        assert (settled["status"], settled["settled_against"], settled["settled_reference"]) == (
            "settled",
            "payroll",
            "payroll-2026-11",
        )
        assert_problem(api.get(f"/penalties/{mine}", Role.ENGINEER), 404)
        own = read(api, "/penalty-ledger", {"party": "mgr-chen"}, Role.ENGINEER)
        assert own["party"] == "eng-li"
        assert [(r["group"], r["net"], r["settled"], r["outstanding"]) for r in own["rows"]] == [
            ("eng-li", "100.00", "100.00", "0.00")
        ]
        own_lines = read(api, "/penalty-ledger/lines", {}, Role.ENGINEER)["items"]
        assert [(line["party"], line["penalty_id"]) for line in own_lines] == [("eng-li", theirs)]

        everyone = read(api, "/penalty-ledger", {"period": "2026-11"}, Role.REGULATOR)["rows"]
        assert {r["group"]: (r["assessed"], r["waived"], r["net"]) for r in everyone} == {
            "mgr-chen": ("50.00", "50.00", "0.00"),
            "eng-li": ("100.00", "0.00", "100.00"),
        }
        history = penalty(api, mine)["history"]
        assert [(e["event"], e["actor_id"], e["reason"]) for e in history] == [
            ("Assessed", "mgr-chen", "By hand: late-hotline-reply"),
            ("Allocated", "mgr-chen", None),
            ("Disputed", "mgr-chen", "The customer replied late, not us"),
            ("Waived", "mgr-zhao", "The log shows the reply in time"),
        ]

        assert_problem(
            post(api, f"/penalties/{theirs}/reverse", {"reason": "Wrong agent"}, Role.AUDITOR), 403
        )
        ok(
            api,
            f"/penalties/{theirs}/reverse",
            {"reason": "Assessed on the wrong agent"},
            Role.SERVICE_DIRECTOR,
        )
        assert_problem(post(api, f"/penalties/{mine}/reverse", {"reason": "Again"}), 409)
        (after,) = read(api, "/penalty-ledger", {"party": "eng-li"})["rows"]
        assert (after["reversed"], after["settled"], after["net"], after["outstanding"]) == (
            "100.00",
            "100.00",
            "0.00",
            "-100.00",
        )
        missing = UNKNOWN
        assert_problem(api.get(f"/penalties/{missing}"), 404, "penalty-not-found")
        assert_problem(post(api, f"/penalties/{missing}/dispute", {"reason": "Who?"}), 404)


@BACKENDS
def test_rule_books_are_drafted_reviewed_approved_and_revised_over_http(store_env: dict[str, str]) -> None:
    with served(store_env, T10) as (api, _):
        hotline = {"code": "hotline", "name": "Hotline rules", "toml": HOTLINE_TOML}
        assert_problem(post(api, "/penalty-books", hotline, Role.ENGINEER), 403)
        assert post(api, "/penalty-books", hotline).status_code == 201
        assert_problem(post(api, "/penalty-books", hotline), 409)
        review = {"version": 1, "note": "Checked"}
        assert "actor" in error_fields(
            assert_problem(post(api, "/penalty-books/hotline/review", review), 409)
        )
        assert_problem(post(api, "/penalty-books/hotline/review", review, Role.ENGINEER), 403)
        ok(api, "/penalty-books/hotline/review", review, Role.GENERAL_MANAGER)
        approval = {"version": 1, "effective_from": iso(T0)}
        assert_problem(post(api, "/penalty-books/hotline/approve", approval, Role.SERVICE_DIRECTOR), 403)
        assert "actor" in error_fields(
            assert_problem(post(api, "/penalty-books/hotline/approve", approval), 409)
        )
        assert second_manager(api, "/penalty-books/hotline/approve", approval).status_code == 200

        revision = {
            "document": with_rule(
                {
                    "description": "Hotline rules",
                    "source": "[002:L224]",
                    "rules": [
                        {
                            "code": "late-hotline-reply",
                            "description": "Late reply",
                            "shape": "per_unit",
                            "amount": "50",
                        }
                    ],
                },
                "late-hotline-reply",
                amount="60",
            ),
            "reason": "Dearer from January",
        }
        ok(api, "/penalty-books/hotline/revise", revision, Role.SERVICE_DIRECTOR)

        book = api.get("/penalty-books/hotline", Role.ENGINEER).json()
        assert (book["code"], book["name"], book["in_force"]) == ("hotline", "Hotline rules", 1)
        assert [(v["number"], v["status"], v["author"], v["retroactive"]) for v in book["versions"]] == [
            (1, "approved", "mgr-chen", False),
            (2, "drafted", "svc-zhao", False),
        ]
        assert book["versions"][0]["effective_from"] == iso(T0).replace("+00:00", "Z")
        assert book["versions"][0]["document"]["rules"][0]["amount"] == "50"
        assert book["versions"][1]["document"]["rules"][0]["amount"] == "60"
        listed = api.get("/penalty-books").json()["items"]
        assert listed == [
            {
                "code": "hotline",
                "name": "Hotline rules",
                "latest_version": 2,
                "latest_status": "drafted",
                "in_force": 1,
            }
        ]
        assert_problem(api.get("/penalty-books/no-such-book"), 404, "penalty-book-not-found")


@BACKENDS
def test_an_invalid_schedule_is_a_422_naming_its_field_and_records_nothing(store_env: dict[str, str]) -> None:
    with served(store_env, T10) as (api, _):
        broken = with_rule(rule_book(), "late-hotline-reply", amount="fifty")
        bodies: list[tuple[Json, str]] = [
            ({"document": broken}, "rules[2].amount"),
            ({"document": {**rule_book(), "colour": "red"}}, "colour"),
            ({"toml": "rules = [ not toml"}, "toml"),
            ({"toml": HOTLINE_TOML.replace('"per_unit"', '"per_minute"')}, "rules[0].shape"),
            ({"toml": HOTLINE_TOML, "document": rule_book()}, "document"),
            ({}, "document"),
        ]
        with nothing_recorded(api):
            for source, field in bodies:
                response = post(api, "/penalty-books", {"code": "broken", "name": "Broken", **source})
                assert field in error_fields(assert_problem(response, 422)), (field, response.text)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/penalty-ledger?period=2026-13", "period"),
        ("/penalty-ledger?measure=euros", "measure"),
        ("/penalty-ledger?by=customer", "by"),
        ("/penalty-ledger?as_of=2026-11-01T00:00:00", "as_of"),
        ("/penalty-ledger.csv?period=26-11", "period"),
        ("/penalty-ledger/lines?status=paid", "status"),
        ("/penalty-ledger/lines?limit=0", "limit"),
    ],
)
def test_a_bad_ledger_query_is_a_400_naming_its_parameter(api: Api, path: str, field: str) -> None:
    assert field in error_fields(assert_problem(api.get(path), 400))


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/penalty-periods/2026-13/close", stated("97"), "period"),
        (CLOSE_OCTOBER, stated("101"), "measurements.outbound_success_rate"),
        (f"/penalties/{UNKNOWN}/settle", {"against": "cash", "reference": "x"}, "against"),
        (f"/penalty-books/{BOOK}/what-if", {"period": "October", "document": {}}, "period"),
    ],
)
def test_a_bad_penalty_command_is_a_400_naming_its_field(api: Api, path: str, body: Json, field: str) -> None:
    role = Role.FINANCE if path.endswith("/settle") else Role.MANAGER
    with nothing_recorded(api):
        response = post(api, path, body, role)
    assert field in error_fields(assert_problem(response, 400)), response.text
