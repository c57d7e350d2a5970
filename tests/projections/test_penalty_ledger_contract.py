"""The penalty ledger on memory, SQLite and PostgreSQL: each party's line of each penalty with what
was assessed, waived, reversed and settled in every state of its life; totals by party and by
rule per period and measure; drill-down pages; answers as of a past recorded time; the same after
a rebuild, and each position taken in once."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError, Tracking

from domain.actors import Actor, Role
from domain.ledger import ServiceLedger
from domain.penalties import Settlement
from domain.penalty_rules import Cause
from domain.penalty_schedules import SCHEDULE_DIRECTORY
from projections.batching import Positioned
from projections.penalty_ledger import Grouping, PenaltyFilter, PenaltyQuery, PenaltyRow, PenaltyTotals
from projections.read_side import ReadSide
from tests.support import SetClock, mark, store

STORES = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
"""One store per module: the story is recorded once on each."""
BATCH = 3
"""Small pages: the view takes the story in several batches, each loading what the last left."""
AUTHOR = Actor("mgr-chen", Role.MANAGER)
REVIEWER = Actor("svc-sun", Role.SERVICE_DIRECTOR)
APPROVER = Actor("mgr-zhao", Role.MANAGER)
FINANCE = Actor("fin-qian", Role.FINANCE)
WANG = Actor("eng-wang", Role.ENGINEER)
LI = Actor("eng-li", Role.ENGINEER)
BOOK, DESK = "after-sales", "service-desk"
DESK_RULE = {"code": "complaint-unanswered", "description": "Unanswered", "shape": "fixed", "amount": "150"}
DESK_RULES = {"description": "Service desk rules", "source": "Desk handbook", "rules": [DESK_RULE]}
"""A second book, with a rule of the same code as the first's for a different amount."""
OCT, NOV = "2026-10", "2026-11"
ACCIDENT = {"staff": ("eng-wang",), "team_leader": ("tl-zhou",), "deputy_manager": ("dm-xu",)}
"""Who holds the roles a liability accident names, with mgr-li as manager."""


def on(month: int, day: int) -> datetime:
    """10:00 in Shanghai on a day of 2026."""
    return datetime(2026, month, day, 2, tzinfo=UTC)


@dataclass
class Story:
    """The penalties recorded by name, and recorded times by the phase they follow."""

    ledger: ServiceLedger
    ids: dict[str, UUID] = field(default_factory=dict)
    marks: dict[str, datetime] = field(default_factory=dict)
    positions: dict[str, int] = field(default_factory=dict)

    def assess(self, name: str, book: str, rule: str, at: datetime, party: str = "", **facts: Any) -> None:
        holders = {"party": (party,)} if party else {**ACCIDENT, "manager": ("mgr-li",)}
        cause = Cause(holders=holders, **facts)
        self.ids[name] = self.ledger.assess_manually(book, rule, cause, at, "By hand", AUTHOR).id

    def named(self, rows: list[PenaltyRow]) -> list[str]:
        """Each row's penalty name and line number, in the order given."""
        names = {str(penalty_id): name for name, penalty_id in self.ids.items()}
        return [f"{names[r.penalty_id]}:{r.key.rsplit(':', 1)[1]}" for r in rows]


def record_story(ledger: ServiceLedger) -> Story:
    """October: eng-wang's unanswered complaint (disputed, then waived), three late hotline replies
    (settled), late picking in points (disputed, upheld) and the desk's unanswered complaint.
    November: eng-li's unanswered complaint (settled, then reversed) and late reply (reversed), and
    a liability accident split among five parties."""
    story = Story(ledger)
    story.marks["start"] = mark()
    rule_book = tomllib.loads((SCHEDULE_DIRECTORY / "rule-book.toml").read_text("utf-8"))
    for code, document in ((BOOK, rule_book), (DESK, DESK_RULES)):
        ledger.draft_penalty_book(code, code, document, AUTHOR)
        ledger.review_penalty_book(code, 1, "Checked", REVIEWER)
        ledger.approve_penalty_book(code, 1, on(9, 1), APPROVER)
    story.assess("complaint", BOOK, "complaint-unanswered", on(10, 10), WANG.id)
    story.assess("replies", BOOK, "late-hotline-reply", on(10, 12), WANG.id, units=Decimal(3))
    story.assess("picking", BOOK, "late-picking", on(10, 15), WANG.id, minutes_late=90)
    story.assess("desk", DESK, "complaint-unanswered", on(10, 20), WANG.id)
    story.assess("li-complaint", BOOK, "complaint-unanswered", on(11, 3), LI.id)
    story.assess("li-reply", BOOK, "late-hotline-reply", on(11, 5), LI.id)
    accident: dict[str, Any] = {"loss": Decimal(1000), "cooperation": "cooperative"}
    story.assess("accident", BOOK, "liability-accident", on(11, 8), **accident)
    story.marks["assessed"] = mark()
    ledger.dispute_penalty(story.ids["complaint"], "The customer withdrew it", WANG)
    ledger.dispute_penalty(story.ids["picking"], "The picker was off sick", WANG)
    story.marks["disputed"] = mark()
    ledger.decide_penalty(story.ids["complaint"], True, "Withdrawn in writing", APPROVER)
    ledger.decide_penalty(story.ids["picking"], False, "The roster says otherwise", APPROVER)
    story.marks["decided"] = mark()
    for name in ("replies", "li-complaint"):
        ledger.settle_penalty(story.ids[name], Settlement.PAYROLL, "2026-11", FINANCE)
    story.marks["settled"] = mark()
    story.positions["reversal"] = ledger.reverse_penalty(
        story.ids["li-complaint"], "Wrong engineer", APPROVER
    ).position
    ledger.reverse_penalty(story.ids["li-reply"], "Reply was in time", APPROVER)
    return story


@pytest.fixture(scope="module", params=STORES)
def story(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Story]:
    """The story recorded once per store for the module: no test changes what it recorded."""
    with store(request, tmp_path_factory) as env:
        ledger = ServiceLedger(env=env, clock=SetClock(on(11, 20)))
        yield record_story(ledger)
        ledger.close()


@pytest.fixture(scope="module")
def read_side(story: Story) -> Iterator[ReadSide]:
    side = ReadSide(story.ledger, batch_size=BATCH)
    side.catch_up()
    yield side
    side.stop()


def amounts(figures: str) -> tuple[Decimal, ...]:
    """Assessed, waived, reversed, net, settled and outstanding, from `"200 200 0 0 0 0"`."""
    return tuple(Decimal(f) for f in figures.split())


def total(group: str, period: str, measure: str, lines: int, figures: str) -> PenaltyTotals:
    return PenaltyTotals(group, period, measure, lines, *amounts(figures))


def shown(row: PenaltyRow) -> str:
    """Who, what, when, its state, and assessed, waived, reversed, net, settled, outstanding
    (written as numbers, whatever their scale)."""
    figures = (row.assessed, row.waived, row.reversed, row.net, row.settled, row.outstanding)
    state = f"{row.status}{' disputed' * row.disputed}"
    numbers = " ".join(f"{f.normalize():f}" for f in figures)
    return f"{row.party} {row.rule} {row.measure} {row.period} {state}: {numbers}"


def lines(story: Story, read_side: ReadSide, status: str | None = None, **where: Any) -> dict[str, str]:
    """Every line the filter covers, by name."""
    rows = read_side.penalties.rows(PenaltyQuery(PenaltyFilter(**where), status, limit=1000))
    return {name: shown(r) for name, r in zip(story.named(rows), rows, strict=True)}


def every_row(read_side: ReadSide, query: PenaltyQuery) -> list[PenaltyRow]:
    """Page by page, `query.limit` rows at a time."""
    rows: list[PenaltyRow] = []
    while page := read_side.penalties.rows(
        PenaltyQuery(query.where, query.status, rows[-1].key if rows else None, query.limit)
    ):
        rows += page
    return rows


def test_each_line_shows_what_was_assessed_waived_reversed_and_settled(
    story: Story, read_side: ReadSide
) -> None:
    assert lines(story, read_side) == {
        "complaint:1": "eng-wang complaint-unanswered money 2026-10 waived disputed: 200 200 0 0 0 0",
        "replies:1": "eng-wang late-hotline-reply money 2026-10 settled: 150 0 0 150 150 0",
        "picking:1": "eng-wang late-picking points 2026-10 upheld disputed: 10 0 0 10 0 10",
        "desk:1": "eng-wang complaint-unanswered money 2026-10 allocated: 150 0 0 150 0 150",
        "li-complaint:1": "eng-li complaint-unanswered money 2026-11 reversed: 200 0 200 0 200 -200",
        "li-reply:1": "eng-li late-hotline-reply money 2026-11 reversed: 50 0 50 0 0 0",
        "accident:1": "eng-wang liability-accident money 2026-11 allocated: 600 0 0 600 0 600",
        "accident:2": "company liability-accident money 2026-11 allocated: 400 0 0 400 0 400",
        "accident:3": "dm-xu liability-accident money 2026-11 allocated: 200 0 0 200 0 200",
        "accident:4": "mgr-li liability-accident money 2026-11 allocated: 200 0 0 200 0 200",
        "accident:5": "tl-zhou liability-accident money 2026-11 allocated: 200 0 0 200 0 200",
    }
    (desk,) = read_side.penalties.rows(PenaltyQuery(PenaltyFilter(schedule=DESK)))
    assert (desk.schedule_kind, desk.schedule_version, desk.trigger, desk.role) == (
        "book",
        1,
        "manual",
        "party",
    )
    assert (desk.occurred_at, desk.penalty_id) == (on(10, 20), str(story.ids["desk"]))


def test_totals_by_party_per_period_and_measure(read_side: ReadSide) -> None:
    totals = read_side.penalties.totals

    assert totals(PenaltyFilter(), "party") == [
        total("company", NOV, "money", 1, "400 0 0 400 0 400"),
        total("dm-xu", NOV, "money", 1, "200 0 0 200 0 200"),
        total("eng-li", NOV, "money", 2, "250 0 250 0 200 -200"),
        total("eng-wang", OCT, "money", 3, "500 200 0 300 150 150"),
        total("eng-wang", OCT, "points", 1, "10 0 0 10 0 10"),
        total("eng-wang", NOV, "money", 1, "600 0 0 600 0 600"),
        total("mgr-li", NOV, "money", 1, "200 0 0 200 0 200"),
        total("tl-zhou", NOV, "money", 1, "200 0 0 200 0 200"),
    ]
    assert totals(PenaltyFilter(period=OCT), "party") == [
        total("eng-wang", OCT, "money", 3, "500 200 0 300 150 150"),
        total("eng-wang", OCT, "points", 1, "10 0 0 10 0 10"),
    ]
    assert [t.period for t in totals(PenaltyFilter(party="eng-wang", measure="money"), "party")] == [OCT, NOV]
    assert totals(PenaltyFilter(party="eng-wang", measure="points"), "party") == [
        total("eng-wang", OCT, "points", 1, "10 0 0 10 0 10")
    ]
    assert totals(PenaltyFilter(party="nobody"), "party") == []


def test_totals_by_rule_per_period_across_schedules_or_for_one(read_side: ReadSide) -> None:
    totals = read_side.penalties.totals

    assert totals(PenaltyFilter(period=OCT), "rule") == [
        total("complaint-unanswered", OCT, "money", 2, "350 200 0 150 0 150"),
        total("late-hotline-reply", OCT, "money", 1, "150 0 0 150 150 0"),
        total("late-picking", OCT, "points", 1, "10 0 0 10 0 10"),
    ]
    assert totals(PenaltyFilter(period=NOV), "rule") == [
        total("complaint-unanswered", NOV, "money", 1, "200 0 200 0 200 -200"),
        total("late-hotline-reply", NOV, "money", 1, "50 0 50 0 0 0"),
        total("liability-accident", NOV, "money", 5, "1600 0 0 1600 0 1600"),
    ]
    assert totals(PenaltyFilter(period=OCT, schedule=DESK), "rule") == [
        total("complaint-unanswered", OCT, "money", 1, "150 0 0 150 0 150")
    ]
    assert totals(PenaltyFilter(rule="complaint-unanswered", party="eng-li"), "rule") == [
        total("complaint-unanswered", NOV, "money", 1, "200 0 200 0 200 -200")
    ]


def test_a_reversal_nets_the_line_to_zero_and_both_stay_visible(story: Story, read_side: ReadSide) -> None:
    assert lines(story, read_side, "reversed") == {
        "li-complaint:1": "eng-li complaint-unanswered money 2026-11 reversed: 200 0 200 0 200 -200",
        "li-reply:1": "eng-li late-hotline-reply money 2026-11 reversed: 50 0 50 0 0 0",
    }
    assert lines(story, read_side, party="eng-li", as_of=story.marks["settled"]) == {
        "li-complaint:1": "eng-li complaint-unanswered money 2026-11 settled: 200 0 0 200 200 0",
        "li-reply:1": "eng-li late-hotline-reply money 2026-11 allocated: 50 0 0 50 0 50",
    }


def test_drill_down_pages_by_key_with_filters_and_status(story: Story, read_side: ReadSide) -> None:
    everything = read_side.penalties.rows(PenaltyQuery(limit=1000))
    wang_october = PenaltyFilter(party="eng-wang", period=OCT)
    accident = PenaltyFilter(rule="liability-accident")
    first, *rest = read_side.penalties.rows(PenaltyQuery(accident, limit=2))

    assert [r.key for r in everything] == sorted(r.key for r in everything)
    assert len(everything) == 11
    assert every_row(read_side, PenaltyQuery(limit=2)) == everything
    assert every_row(read_side, PenaltyQuery(wang_october, limit=1)) == [
        r for r in everything if r.party == "eng-wang" and r.period == OCT
    ]
    assert sorted(lines(story, read_side, party="eng-wang", period=OCT)) == [
        "complaint:1",
        "desk:1",
        "picking:1",
        "replies:1",
    ]
    assert list(lines(story, read_side, "upheld", party="eng-wang", period=OCT)) == ["picking:1"]
    assert list(lines(story, read_side, measure="points")) == ["picking:1"]
    assert lines(story, read_side, "disputed") == {}
    assert len(rest) == 1
    after_first = read_side.penalties.rows(PenaltyQuery(accident, after=first.key, limit=4))
    assert after_first == [r for r in everything if r.rule == "liability-accident"][1:]


def test_answers_as_of_a_time_before_a_step_give_the_earlier_figures(
    story: Story, read_side: ReadSide
) -> None:
    def totals(phase: str, by: Grouping, **where: Any) -> list[PenaltyTotals]:
        return read_side.penalties.totals(PenaltyFilter(as_of=story.marks[phase], **where), by)

    assert lines(story, read_side, party="eng-wang", as_of=story.marks["disputed"], period=OCT) == {
        "complaint:1": "eng-wang complaint-unanswered money 2026-10 disputed disputed: 200 0 0 200 0 200",
        "replies:1": "eng-wang late-hotline-reply money 2026-10 allocated: 150 0 0 150 0 150",
        "picking:1": "eng-wang late-picking points 2026-10 disputed disputed: 10 0 0 10 0 10",
        "desk:1": "eng-wang complaint-unanswered money 2026-10 allocated: 150 0 0 150 0 150",
    }
    assert lines(story, read_side, "disputed", as_of=story.marks["assessed"]) == {}
    assert totals("disputed", "party", period=OCT, measure="money") == [
        total("eng-wang", OCT, "money", 3, "500 0 0 500 0 500")
    ]
    assert totals("decided", "party", period=OCT, measure="money") == [
        total("eng-wang", OCT, "money", 3, "500 200 0 300 0 300")
    ]
    assert totals("settled", "rule", period=NOV, rule="complaint-unanswered") == [
        total("complaint-unanswered", NOV, "money", 1, "200 0 0 200 200 0")
    ]
    assert lines(story, read_side, "settled", as_of=story.marks["decided"]) == {}
    assert lines(story, read_side, as_of=story.marks["start"]) == {}
    assert totals("start", "rule") == []


def answers(story: Story, read_side: ReadSide) -> list[Any]:
    """Every kind of answer, now and as of each phase."""
    found: list[Any] = [read_side.penalties.all_rows()]
    for as_of in [None, *story.marks.values()]:
        where = PenaltyFilter(as_of=as_of)
        found += [
            every_row(read_side, PenaltyQuery(where, limit=2)),
            read_side.penalties.totals(where, "party"),
            read_side.penalties.totals(where, "rule"),
        ]
    return found


def test_a_rebuild_in_other_batches_gives_identical_answers(story: Story, read_side: ReadSide) -> None:
    live = answers(story, read_side)

    read_side.runner("penalties").batch_size = 10_000
    assert read_side.rebuild("penalties") == story.ledger.recorder.max_notification_id()

    assert answers(story, read_side) == live
    assert len(live[0]) == 11


def test_a_position_taken_in_already_is_refused_and_changes_nothing(
    story: Story, read_side: ReadSide
) -> None:
    position = story.positions["reversal"]
    (notification,) = story.ledger.recorder.select_notifications(start=position, limit=1)
    event = story.ledger.mapper.to_domain_event(notification)
    before = answers(story, read_side)

    with pytest.raises(IntegrityError):
        read_side.runner("penalties").projection.process_batch(
            [Positioned(event, position)], Tracking(story.ledger.name, position)
        )

    assert answers(story, read_side) == before
