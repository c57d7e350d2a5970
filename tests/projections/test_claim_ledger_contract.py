"""The claim ledger on memory, SQLite and PostgreSQL: each claim's money, totals that count a
resubmitted chain once, aging of what is outstanding, the exception lists, answers as of a past
recorded time, and the same answers after a rebuild."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from api.holiday_source import library_holidays
from domain.actors import Actor, Role
from domain.claim_commands import ClaimDraft
from domain.claim_terms import ClaimKind, ClaimLine, LineKind
from domain.contract_documents import contract_document
from domain.ledger import ServiceLedger
from projections.claim_ledger import AMOUNTS, ClaimFilter, ClaimQuery, ClaimRow
from projections.kpis import REPORTING_ZONE
from projections.read_side import ReadSide
from tests.support import MANAGER, SetClock, mark

CLERK = Actor("clerk-li", Role.CLAIMS)
FINANCE = Actor("fin-zhang", Role.FINANCE)
SERVICE = Actor("svc-zhao", Role.SERVICE_DIRECTOR)
CHAIN = (
    Actor("bu-wang", Role.BU_MANAGER),
    Actor("sales-liu", Role.SALES_DIRECTOR),
    SERVICE,
    Actor("gm-sun", Role.GENERAL_MANAGER),
)
T0 = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
"""10:00 on 5 January in Shanghai: the first claims' period is 2026-01."""


def line(amount: str) -> ClaimLine:
    return ClaimLine(LineKind.OTHER, "", "Replacement and travel", Decimal(1), Decimal(amount))


def cny(amount: str) -> Decimal:
    return Decimal(amount)


@dataclass
class History:
    """The claims of the scenario by name, a recorded time between two of its events, and a
    recorded time after each of its phases."""

    ids: dict[str, str]
    before_credit: datetime
    marks: list[datetime]


@pytest.fixture
def claims_ledger(store_env: dict[str, str]) -> Iterator[ServiceLedger]:
    ledger = ServiceLedger(env=store_env, clock=SetClock(T0))
    document = contract_document("fault-4-class", None, library_holidays)
    contract = ledger.draft_contract("xcmg", "Service and claims", document, MANAGER).id
    ledger.review_contract(contract, 1, "Checked", Actor("eng-li", Role.ENGINEER))
    ledger.approve_contract(contract, 1, T0 - timedelta(days=400), Actor("mgr-two", Role.MANAGER))
    yield ledger
    ledger.close()


@pytest.fixture
def read_side(claims_ledger: ServiceLedger) -> Iterator[ReadSide]:
    side = ReadSide(claims_ledger)
    yield side
    side.stop()


def at(ledger: ServiceLedger, days: int) -> None:
    clock = ledger.clock
    assert isinstance(clock, SetClock)
    clock.now = T0 + timedelta(days=days)


def drafted(
    ledger: ServiceLedger, kind: ClaimKind, amount: str, vendor: str = "volvo-ce", **facts: Any
) -> UUID:
    currency = facts.pop("currency", "CNY")
    draft = ClaimDraft(kind, "xcmg", vendor, currency, (line(amount),), **facts)
    return ledger.draft_claim(draft, CLERK).id


def approved_warranty(ledger: ServiceLedger, amount: str, approve: str | None = None, **facts: Any) -> UUID:
    claim = drafted(ledger, ClaimKind.WARRANTY, amount, **facts)
    ledger.submit_claim(claim, CLERK)
    ledger.approve_claim(claim, None, SERVICE)
    ledger.approve_claim(claim, None if approve is None else Decimal(approve), FINANCE)
    return claim


def record_history(ledger: ServiceLedger) -> History:
    """Day 0: w1 (late) approved at 900 of 1,000. Day 35: c1 rejected by the GM and resubmitted as
    c2, approved. Day 70: w1 credited 850 and paid 500; w2 rejected; w3 drafted; w4 approved;
    x (another vendor, USD) approved, credited and paid in full."""
    ids: dict[str, UUID] = {}
    ids["w1"] = approved_warranty(ledger, "1000.00", "900.00", service_completed_at=T0 - timedelta(days=20))
    before_credit = mark()
    at(ledger, 35)
    ids["c1"] = drafted(ledger, ClaimKind.COMMERCIAL, "30000.00")
    ledger.submit_claim(ids["c1"], CLERK)
    for approver in CHAIN[:3]:
        ledger.approve_claim(ids["c1"], None, approver)
    ledger.reject_claim(ids["c1"], "Goodwill is capped at the pump's price", CHAIN[3])
    ids["c2"] = ledger.resubmit_claim(ids["c1"], CLERK, [line("28000.00")]).id
    ledger.submit_claim(ids["c2"], CLERK)
    marks = [before_credit, mark()]
    for approver in CHAIN:
        ledger.approve_claim(ids["c2"], None, approver)
    marks.append(mark())
    at(ledger, 70)
    ledger.record_credit_note(ids["w1"], "CN-1", cny("850.00"), date(2026, 3, 16), FINANCE)
    ledger.record_claim_payment(ids["w1"], cny("500.00"), "PAY-1", date(2026, 3, 16), FINANCE)
    ids["w2"] = drafted(ledger, ClaimKind.WARRANTY, "2000.00")
    ledger.submit_claim(ids["w2"], CLERK)
    ledger.reject_claim(ids["w2"], "Outside the warranty period", CLERK)
    marks.append(mark())
    ids["w3"] = drafted(ledger, ClaimKind.WARRANTY, "400.00")
    ids["w4"] = approved_warranty(ledger, "700.00")
    ids["x"] = approved_warranty(ledger, "600.00", vendor="komatsu", currency="USD")
    ledger.record_credit_note(ids["x"], "KC-7", cny("600.00"), date(2026, 3, 16), FINANCE)
    marks.append(mark())
    ledger.record_claim_payment(ids["x"], cny("600.00"), "PAY-2", date(2026, 3, 16), FINANCE)
    return History({name: str(claim) for name, claim in ids.items()}, before_credit, marks)


def day(days: int) -> date:
    return (T0 + timedelta(days=days)).astimezone(REPORTING_ZONE).date()


def every_row(read_side: ReadSide, query: ClaimQuery) -> list[ClaimRow]:
    """Every row the query matches, page after page."""
    rows: list[ClaimRow] = []
    while page := read_side.claims.rows(query):
        rows += page
        query = ClaimQuery(query.where, query.status, query.exception, page[-1].claim_id, query.limit)
    return rows


def answers(read_side: ReadSide, as_of: datetime | None = None) -> dict[str, Any]:
    where = ClaimFilter(as_of=as_of)
    claims = read_side.claims
    return {
        "rows": every_row(read_side, ClaimQuery(where, limit=2)),
        "totals": claims.totals(where),
        "aging": claims.aging(where, day(100)),
        "late": claims.rows(ClaimQuery(where, exception="late")),
        "awaiting": claims.awaiting_credit("volvo-ce"),
    }


def summed(rows: list[ClaimRow]) -> dict[tuple[str, ...], list[Any]]:
    """What the totals must be: the counted rows added up by period, vendor, kind and currency."""
    sums: dict[tuple[str, ...], list[Any]] = defaultdict(lambda: [0, *(Decimal("0.00") for _ in AMOUNTS)])
    for row in rows:
        if row.status != "resubmitted":
            key = (row.period, row.vendor_id, row.kind, row.currency)
            sums[key] = [
                sums[key][0] + 1,
                *(s + getattr(row, a) for s, a in zip(sums[key][1:], AMOUNTS, strict=True)),
            ]
    return sums


def test_each_claim_shows_its_money_status_period_and_chain(
    claims_ledger: ServiceLedger, read_side: ReadSide
) -> None:
    ids = record_history(claims_ledger).ids
    read_side.catch_up()

    rows = {r.claim_id: r for r in read_side.claims.all_rows()}

    w1, c1, c2 = rows[ids["w1"]], rows[ids["c1"]], rows[ids["c2"]]
    assert (w1.kind, w1.vendor_id, w1.customer_id, w1.currency, w1.status, w1.period) == (
        "warranty",
        "volvo-ce",
        "xcmg",
        "CNY",
        "approved",
        "2026-01",
    )
    assert (w1.claimed, w1.approved, w1.credited, w1.paid, w1.outstanding) == (
        cny("1000.00"),
        cny("900.00"),
        cny("850.00"),
        cny("500.00"),
        cny("350.00"),
    )
    assert (w1.credit_notes, w1.credit_variance, w1.days_late) == (1, cny("-50.00"), 6)
    assert (w1.submitted_at, w1.approved_at, w1.approved_on, w1.chain_id) == (T0, T0, day(0), ids["w1"])
    assert (c1.status, c1.resubmitted_as, c1.rejection, c1.chain_id) == (
        "resubmitted",
        ids["c2"],
        "Goodwill is capped at the pump's price",
        ids["c1"],
    )
    assert (c2.status, c2.resubmission_of, c2.chain_id, c2.period) == (
        "approved",
        ids["c1"],
        ids["c1"],
        "2026-02",
    )
    assert (c2.claimed, c2.approved, c2.outstanding, c2.credit_variance) == (
        cny("28000.00"),
        cny("28000.00"),
        cny("28000.00"),
        None,
    )
    w3 = rows[ids["w3"]]
    assert (w3.status, w3.period, w3.submitted_at, w3.claimed, w3.approved) == (
        "drafted",
        "2026-03",
        None,
        cny("400.00"),
        cny("0.00"),
    )
    x = rows[ids["x"]]
    assert (x.currency, x.paid, x.outstanding, x.credit_variance) == (
        "USD",
        cny("600.00"),
        cny("0.00"),
        cny("0.00"),
    )


def test_totals_count_a_resubmitted_chain_once_and_equal_the_counted_rows_summed(
    claims_ledger: ServiceLedger, read_side: ReadSide
) -> None:
    record_history(claims_ledger)
    read_side.catch_up()

    totals = read_side.claims.totals(ClaimFilter())

    figures = {
        (t.period, t.vendor_id, t.kind, t.currency): [
            t.claims,
            t.claimed,
            t.approved,
            t.credited,
            t.paid,
            t.outstanding,
        ]
        for t in totals
    }
    assert figures == {
        ("2026-01", "volvo-ce", "warranty", "CNY"): [1, *map(cny, ("1000", "900", "850", "500", "350"))],
        ("2026-02", "volvo-ce", "commercial", "CNY"): [1, *map(cny, ("28000", "28000", "0", "0", "28000"))],
        ("2026-03", "komatsu", "warranty", "USD"): [1, *map(cny, ("600", "600", "600", "600", "0"))],
        ("2026-03", "volvo-ce", "warranty", "CNY"): [3, *map(cny, ("3100", "700", "0", "0", "700"))],
    }
    assert figures == summed(read_side.claims.all_rows())
    assert [t.kind for t in read_side.claims.totals(ClaimFilter(vendor_id="volvo-ce", period="2026-03"))] == [
        "warranty"
    ]
    assert read_side.claims.totals(ClaimFilter(kind="subsidy")) == []


def test_outstanding_amounts_age_by_days_since_approval(
    claims_ledger: ServiceLedger, read_side: ReadSide
) -> None:
    record_history(claims_ledger)
    read_side.catch_up()

    (volvo,) = read_side.claims.aging(ClaimFilter(), day(100))
    (a_day_later,) = read_side.claims.aging(ClaimFilter(vendor_id="volvo-ce"), day(101))

    assert (volvo.vendor_id, volvo.currency, volvo.claims) == ("volvo-ce", "CNY", 3)
    assert (volvo.days_0_30, volvo.days_31_60, volvo.days_61_90, volvo.over_90, volvo.total) == tuple(
        map(cny, ("700", "0", "28000", "350", "29050"))
    )
    assert (a_day_later.days_0_30, a_day_later.days_31_60, a_day_later.days_61_90) == tuple(
        map(cny, ("0", "700", "28000"))
    )
    assert read_side.claims.aging(ClaimFilter(vendor_id="komatsu"), day(100)) == []


def test_the_exception_lists_and_the_claims_awaiting_a_credit_note(
    claims_ledger: ServiceLedger, read_side: ReadSide
) -> None:
    ids = record_history(claims_ledger).ids
    read_side.catch_up()

    def listed(exception: str) -> list[str]:
        return [r.claim_id for r in read_side.claims.rows(ClaimQuery(exception=exception))]

    assert listed("credit_variance") == [ids["w1"]]
    assert listed("late") == [ids["w1"]]
    assert listed("rejected") == [ids["w2"]]
    assert read_side.claims.awaiting_credit("volvo-ce") == sorted([ids["c2"], ids["w4"]])
    assert read_side.claims.awaiting_credit("komatsu") == []
    march = read_side.claims.rows(ClaimQuery(ClaimFilter(period="2026-03"), status="approved"))
    assert [r.claim_id for r in march] == sorted([ids["w4"], ids["x"]])


def test_answers_as_of_a_past_time_are_what_the_ledger_knew_then(
    claims_ledger: ServiceLedger, read_side: ReadSide
) -> None:
    history = record_history(claims_ledger)
    read_side.catch_up()

    then = ClaimFilter(as_of=history.before_credit)
    (w1,) = read_side.claims.rows(ClaimQuery(then))
    (aged,) = read_side.claims.aging(then, day(100))
    (total,) = read_side.claims.totals(then)

    assert (w1.claim_id, w1.status, w1.credited, w1.credit_variance, w1.paid, w1.outstanding) == (
        history.ids["w1"],
        "approved",
        cny("0.00"),
        None,
        cny("0.00"),
        cny("900.00"),
    )
    assert (aged.over_90, aged.total) == (cny("900.00"), cny("900.00"))
    assert (total.claims, total.claimed, total.outstanding) == (1, cny("1000.00"), cny("900.00"))
    assert read_side.claims.rows(ClaimQuery(then, exception="credit_variance")) == []
    assert answers(read_side, T0 - timedelta(days=1)) == {
        "rows": [],
        "totals": [],
        "aging": [],
        "late": [],
        "awaiting": read_side.claims.awaiting_credit("volvo-ce"),
    }
    assert answers(read_side, datetime.now(UTC)) == answers(read_side)


def test_totals_and_aging_as_of_any_time_add_up_the_rows_as_of_it(
    claims_ledger: ServiceLedger, read_side: ReadSide
) -> None:
    history = record_history(claims_ledger)
    read_side.catch_up()

    for as_of in history.marks:
        rows = every_row(read_side, ClaimQuery(ClaimFilter(as_of=as_of), limit=3))
        totals = read_side.claims.totals(ClaimFilter(as_of=as_of))
        owed: dict[str, Decimal] = defaultdict(Decimal)
        for row in rows:
            if row.outstanding:
                owed[row.vendor_id] += row.outstanding
        aged = read_side.claims.aging(ClaimFilter(as_of=as_of), day(100))
        assert rows
        assert {
            (t.period, t.vendor_id, t.kind, t.currency): [t.claims, *(getattr(t, a) for a in AMOUNTS)]
            for t in totals
        } == summed(rows), as_of
        assert {a.vendor_id: a.total for a in aged} == owed, as_of


def test_a_rebuild_gives_identical_answers_now_and_as_of_a_past_time(
    claims_ledger: ServiceLedger, read_side: ReadSide
) -> None:
    history = record_history(claims_ledger)
    read_side.catch_up()
    live = (read_side.claims.all_rows(), answers(read_side), answers(read_side, history.before_credit))

    read_side.rebuild("claim_ledger")

    assert (
        read_side.claims.all_rows(),
        answers(read_side),
        answers(read_side, history.before_credit),
    ) == live
    assert len(live[1]["rows"]) == len(history.ids)


@pytest.mark.parametrize(
    ("where", "query"),
    [
        ({"kind": "loan"}, {}),
        ({"period": "2026-13"}, {}),
        ({"period": "2026-1"}, {}),
        ({}, {"status": "paid"}),
        ({}, {"exception": "overdue"}),
        ({}, {"limit": 0}),
    ],
)
def test_an_unknown_kind_status_list_or_a_malformed_period_is_refused(
    where: dict[str, Any], query: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match=r"no |period|page"):
        ClaimQuery(ClaimFilter(**where), **query)
