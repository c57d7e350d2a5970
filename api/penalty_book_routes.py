"""Penalty rule books under document control (drafted and reviewed by management, approved by a
manager who is not the author, revised), what a proposed schedule would have assessed over a
month (what-if: nothing is recorded), and a month's close, which assesses the KPI rules."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from litestar import Response, get, post
from litestar.params import JSONBody, PathParameter

from api.auth import (
    PENALTY_AUTHORS,
    PENALTY_BOOK_APPROVERS,
    PENALTY_PLANNERS,
    READERS,
    allow,
)
from api.penalty_schemas import (
    PERIOD_PATTERN,
    DraftPenaltyBook,
    PenaltyBookApproval,
    PenaltyBookReview,
    PenaltyBookRevision,
    PeriodClose,
    WhatIfBody,
)
from api.penalty_view_schemas import (
    ClosedPeriod,
    Figures,
    PenaltyBookList,
    PenaltyBookSummary,
    PenaltyBookVersionView,
    PenaltyBookView,
    WhatIfComparison,
    WhatIfLineView,
    WhatIfView,
)
from api.schemas import Recorded
from api.services import Injected, actor_of
from api.ticket_commands import AnyRequest, action, recorded
from api.ticket_queries import After
from domain.errors import InvalidValue
from domain.pack_reading import PackInvalid
from domain.penalty_books import PenaltyBook
from domain.penalty_schedules import Schedule, schedule_from_table
from domain.penalty_what_if import WhatIfLine, totals
from projections.penalty_ledger import PenaltyFilter, PenaltyTotals
from projections.penalty_periods import close_period

BookCode = Annotated[
    str,
    PathParameter(pattern=r"^[a-z][a-z0-9_-]{0,63}$", max_length=64, description="The rule book's code."),
]
PeriodInPath = Annotated[str, PathParameter(pattern=PERIOD_PATTERN, description="A month, YYYY-MM.")]
ZERO = Decimal("0.00")


def schedule_document(document: Mapping[str, Any] | None, toml: str | None, file: str) -> dict[str, Any]:
    """The schedule document a body gives, as a JSON object or as TOML text (exactly one)."""
    if (document is None) == (toml is None):
        msg = "give the schedule as `document` (a JSON object) or as `toml` (TOML text): one of them"
        raise InvalidValue(msg, field="document")
    if toml is None:
        assert document is not None
        return dict(document)
    try:
        return tomllib.loads(toml)
    except (tomllib.TOMLDecodeError, RecursionError) as error:
        raise PackInvalid(file, "toml", f"not TOML: {error}") from None


def book_view(book: PenaltyBook, now: datetime) -> PenaltyBookView:
    in_force = book.version_in_force(now)
    return PenaltyBookView(
        code=book.code,
        name=book.name,
        book_id=book.id,
        in_force=None if in_force is None else in_force.number,
        versions=[
            PenaltyBookVersionView(
                number=v.number,
                status=v.status.value,
                author=v.author,
                effective_from=v.effective_from,
                retroactive=v.retroactive,
                document=v.document,
            )
            for v in book.versions
        ],
    )


@post(
    "/penalty-books",
    operation_id="draftPenaltyBook",
    summary="Draft a penalty rule book's first version from a schedule document or TOML (management)",
    guards=[allow(PENALTY_AUTHORS)],
    status_code=201,
    sync_to_thread=True,
)
def draft_book(
    data: JSONBody[DraftPenaltyBook], services: Injected, request: AnyRequest
) -> Response[Recorded]:
    document = schedule_document(data.document, data.toml, f"rule book {data.code}")
    outcome = services.ledger.draft_penalty_book(data.code, data.name, document, actor_of(request))
    return Response(recorded(outcome), status_code=201, headers={"Location": f"/penalty-books/{data.code}"})


@action(
    "/penalty-books/{code:str}/review",
    "reviewPenaltyBook",
    "Record the review of a drafted version, not by its author (management)",
    PENALTY_AUTHORS,
)
def review_book(
    code: BookCode, data: JSONBody[PenaltyBookReview], services: Injected, request: AnyRequest
) -> Recorded:
    return recorded(services.ledger.review_penalty_book(code, data.version, data.note, actor_of(request)))


@action(
    "/penalty-books/{code:str}/approve",
    "approvePenaltyBook",
    "Approve a reviewed version, effective from a stated time, not by its author (managers)",
    PENALTY_BOOK_APPROVERS,
)
def approve_book(
    code: BookCode, data: JSONBody[PenaltyBookApproval], services: Injected, request: AnyRequest
) -> Recorded:
    outcome = services.ledger.approve_penalty_book(code, data.version, data.effective_from, actor_of(request))
    return recorded(outcome)


@action(
    "/penalty-books/{code:str}/revise",
    "revisePenaltyBook",
    "Draft the next version of an approved book (management)",
    PENALTY_AUTHORS,
)
def revise_book(
    code: BookCode, data: JSONBody[PenaltyBookRevision], services: Injected, request: AnyRequest
) -> Recorded:
    document = schedule_document(data.document, data.toml, f"rule book {code}")
    outcome = services.ledger.revise_penalty_book(
        code, document, data.reason, data.retroactive, actor_of(request)
    )
    return recorded(outcome)


@get(
    "/penalty-books",
    operation_id="listPenaltyBooks",
    summary="Every penalty rule book: its latest version and the version in force now",
    guards=[allow(READERS)],
    sync_to_thread=True,
)
def list_books(services: Injected) -> PenaltyBookList:
    now = services.ledger.clock()
    items = []
    for book in services.ledger.penalty_books():
        in_force = book.version_in_force(now)
        items.append(
            PenaltyBookSummary(
                code=book.code,
                name=book.name,
                latest_version=book.latest.number,
                latest_status=book.latest.status.value,
                in_force=None if in_force is None else in_force.number,
            )
        )
    return PenaltyBookList(items=items)


@get(
    "/penalty-books/{code:str}",
    operation_id="getPenaltyBook",
    summary="A penalty rule book and every version: status, author, effective time, schedule document",
    guards=[allow(READERS)],
    sync_to_thread=True,
)
def get_book(code: BookCode, services: Injected) -> PenaltyBookView:
    return book_view(services.ledger.get_penalty_book(code), services.ledger.clock())


@action(
    "/penalty-books/{code:str}/what-if",
    "whatIfPenaltyBook",
    "What a proposed schedule would have assessed over a month, beside the book's penalties; records nothing",
    PENALTY_PLANNERS,
)
def what_if(
    code: BookCode, data: JSONBody[WhatIfBody], services: Injected, after: After = None
) -> WhatIfView:
    services.caught_up(after)
    services.ledger.get_penalty_book(code)
    file = f"proposal for rule book {code}"
    schedule = schedule_from_table(schedule_document(data.document, data.toml, file), file)
    lines = proposed_lines(services.ledger.what_if, schedule, data.period)
    actual = services.read_side.penalties.totals(PenaltyFilter(period=data.period, schedule=code), by="party")
    return WhatIfView(
        book=code,
        period=data.period,
        parties=compared(lines, actual),
        lines=[
            WhatIfLineView(
                cause_key=line.cause_key,
                rule=line.rule,
                party=line.party,
                role=line.role,
                measure=line.measure,
                amount=line.amount,
                basis=line.basis,
            )
            for line in lines
        ],
    )


def proposed_lines(run: Any, schedule: Schedule, period: str) -> list[WhatIfLine]:
    """The what-if's lines; a schedule whose amounts overflow the ledger's decimals is refused."""
    try:
        lines: list[WhatIfLine] = run(schedule, period)
    except InvalidOperation:
        msg = "the proposed schedule's amounts are too large to assess"
        raise InvalidValue(msg, field="document") from None
    return lines


def compared(lines: list[WhatIfLine], actual: list[PenaltyTotals]) -> list[WhatIfComparison]:
    """Per party and measure: the proposed amount and lines beside the actual net and lines."""
    proposed = {(t.party, t.measure): Figures(amount=t.amount, lines=t.lines) for t in totals(lines)}
    recorded_ = {(t.group, t.measure): Figures(amount=t.net, lines=t.lines) for t in actual}
    none = Figures(amount=ZERO, lines=0)
    rows = []
    for party, measure in sorted(proposed.keys() | recorded_.keys()):
        mine, theirs = proposed.get((party, measure), none), recorded_.get((party, measure), none)
        rows.append(
            WhatIfComparison(
                party=party,
                measure=measure,
                proposed=mine,
                actual=theirs,
                difference=mine.amount - theirs.amount,
            )
        )
    return rows


@action(
    "/penalty-periods/{period:str}/close",
    "closePenaltyPeriod",
    "Close a month: assess every KPI rule of the books in force, from the KPI tables or as stated",
    PENALTY_AUTHORS,
)
def close(
    period: PeriodInPath,
    data: JSONBody[PeriodClose],
    services: Injected,
    request: AnyRequest,
    after: After = None,
) -> ClosedPeriod:
    services.caught_up(after)
    done = close_period(
        services.ledger, services.read_side.kpis, period, data.measurements, actor_of(request)
    )
    return ClosedPeriod(
        period=period,
        recorded=[recorded(r) for r in done],
        position=max((r.position for r in done), default=None),
    )


PENALTY_BOOK_ROUTES: list[Any] = [
    draft_book,
    review_book,
    approve_book,
    revise_book,
    list_books,
    get_book,
    what_if,
    close,
]
"""Every rule-book, what-if and period-close handler, registered by the app."""
