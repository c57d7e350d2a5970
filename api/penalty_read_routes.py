"""Penalty reads: one penalty as its events make it (its causes and history), and the penalty
ledger: totals per party or rule, period and measure, as JSON or CSV, and the lines behind them;
each as of now or a past recorded time. Management, finance, auditors and regulators read every
penalty; any other person reads only the penalties they are a party to."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, get_args
from uuid import UUID

from eventsourcing.persistence import PersistenceError
from litestar import Response, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, Parameter, QueryParameter

from api.auth import PENALTY_OVERSEERS, READERS, allow
from api.penalty_ledger_schemas import PenaltyLedgerTotals, PenaltyLineRow, PenaltyLinesPage, PenaltyTotalView
from api.penalty_schemas import PERIOD_PATTERN
from api.penalty_view_schemas import (
    CauseView,
    PenaltyHistoryEntry,
    PenaltyLineView,
    PenaltyView,
    ScheduleRefView,
)
from api.reconciliation_routes import EARLIEST, LATEST, csv_download, csv_spec
from api.services import Injected, actor_of
from api.ticket_commands import AnyRequest
from api.ticket_queries import After, AsOf, Filter, bad_query, past, require_zones
from domain.actors import Actor
from domain.errors import StorageUnavailable
from domain.penalties import CauseRef, Penalty, PenaltyNotFound, party_of
from projections.penalty_ledger import (
    GROUPINGS,
    MEASURES,
    STATUSES,
    PenaltyFilter,
    PenaltyQuery,
    PenaltyTotals,
)

MeasureName = Literal["money", "points"]
StatusName = Literal["allocated", "disputed", "upheld", "waived", "settled", "reversed"]
By = Literal["party", "rule"]
assert get_args(MeasureName) == MEASURES
assert get_args(StatusName) == STATUSES
assert get_args(By) == GROUPINGS
READ = [allow(READERS)]
TOTAL_COLUMNS = (
    "period",
    "measure",
    "lines",
    "assessed",
    "waived",
    "reversed",
    "net",
    "settled",
    "outstanding",
)
AMOUNT_COLUMNS = frozenset(TOTAL_COLUMNS[3:])


def penalty_filter(
    party: Filter = None,
    period: Annotated[
        str | None,
        QueryParameter(pattern=PERIOD_PATTERN, description="The month its cause occurred in, YYYY-MM."),
    ] = None,
    rule: Filter = None,
    schedule: Annotated[
        str | None, QueryParameter(max_length=200, description="A rule book's code, or a contract's name.")
    ] = None,
    measure: FromQuery[MeasureName | None] = None,
    as_of: Annotated[
        datetime | None, QueryParameter(description="Answer as the ledger knew it at this recorded time.")
    ] = None,
) -> PenaltyFilter:
    """Which lines, as of when (a dependency of every ledger read)."""
    require_zones(as_of=as_of)
    if as_of is not None and not EARLIEST <= as_of < LATEST:
        raise bad_query("as_of", "must be between 1970 and 9998")
    return PenaltyFilter(
        party=party, period=period, rule=rule, schedule=schedule, measure=measure, as_of=as_of
    )


FILTER = {"where": Provide(penalty_filter, sync_to_thread=False)}


def overseer(actor: Actor) -> bool:
    return actor.role in PENALTY_OVERSEERS


def own(where: PenaltyFilter, actor: Actor) -> PenaltyFilter:
    """Management, finance and oversight read every party; anyone else only their own lines."""
    return where if overseer(actor) else replace(where, party=actor.id)


@get(
    "/penalties/{penalty_id:uuid}",
    operation_id="getPenalty",
    summary="A penalty: its rule, schedule version, facts, basis, lines, status, causing events and history"
    " (now, or at a past recorded time)",
    guards=READ,
    sync_to_thread=True,
)
def get_penalty(
    penalty_id: FromPath[UUID], services: Injected, request: AnyRequest, as_of: AsOf = None
) -> PenaltyView:
    ledger = services.ledger
    penalty = ledger.get_penalty(
        penalty_id, None if as_of is None else ledger.version_at(penalty_id, past(as_of))
    )
    actor = actor_of(request)
    if not overseer(actor) and actor.id not in penalty.parties:
        raise PenaltyNotFound(f"no penalty {penalty_id}", penalty_id=str(penalty_id))
    try:
        events = list(ledger.repository.event_store.get(penalty_id, lte=penalty.version))
    except PersistenceError as error:
        raise StorageUnavailable(f"the store did not answer: {error}") from error
    return penalty_view(penalty, events)


def penalty_view(penalty: Penalty, events: list[Any]) -> PenaltyView:
    settled = penalty.settled_against
    schedule = penalty.schedule
    return PenaltyView(
        penalty_id=penalty.id,
        version=penalty.version,
        rule=penalty.rule,
        schedule=ScheduleRefView(
            kind=schedule.kind, id=schedule.id, name=schedule.name, version=schedule.version
        ),
        trigger=penalty.trigger,
        period=penalty.period,
        occurred_at=penalty.occurred_at,
        cause_key=penalty.cause_key,
        facts=penalty.facts,
        basis=penalty.basis,
        tier=penalty.tier,
        remedy=penalty.remedy,
        capped=penalty.capped,
        measure=penalty.measure.value,
        total=penalty.total,
        lines=[
            PenaltyLineView(role=line.role, holder=line.holder, party=party_of(line), amount=line.amount)
            for line in penalty.lines
        ],
        status=penalty.status.value,
        reason=penalty.reason,
        dispute=penalty.dispute,
        decision=penalty.decision,
        settled_against=None if settled is None else settled[0].value,
        settled_reference=None if settled is None else settled[1],
        reversal=penalty.reversal,
        causes=[cause_view(c) for c in penalty.causes],
        history=[history_entry(e) for e in events],
    )


def cause_view(cause: CauseRef) -> CauseView:
    return CauseView(
        event=cause.event, originator_id=cause.originator_id, version=cause.version, position=cause.position
    )


def history_entry(event: Any) -> PenaltyHistoryEntry:
    """One event of the penalty: who, when, why (or against what), and the events it cites."""
    against = getattr(event, "against", None)
    return PenaltyHistoryEntry(
        event=type(event).__name__,
        version=event.originator_version,
        occurred_at=event.occurred_at,
        recorded_at=event.timestamp,
        actor_id=event.actor.id,
        actor_role=event.actor.role.value,
        reason=getattr(event, "reason", None),
        against=None if against is None else against.value,
        reference=getattr(event, "reference", None),
        causes=[cause_view(c) for c in getattr(event, "causes", ())],
    )


@get(
    "/penalty-ledger",
    operation_id="penaltyLedgerTotals",
    summary="Penalty totals by party or rule, period and measure: assessed, waived, reversed, net, "
    "settled, outstanding",
    guards=READ,
    dependencies=FILTER,
    sync_to_thread=True,
)
def ledger_totals(
    services: Injected,
    request: AnyRequest,
    where: NamedDependency[PenaltyFilter],
    by: FromQuery[By] = "party",
    after: After = None,
) -> PenaltyLedgerTotals:
    services.caught_up(after)
    where = own(where, actor_of(request))
    rows = [PenaltyTotalView.model_validate(t) for t in services.read_side.penalties.totals(where, by)]
    return PenaltyLedgerTotals(
        by=by,
        party=where.party,
        period=where.period,
        rule=where.rule,
        schedule=where.schedule,
        measure=where.measure,
        as_of=where.as_of,
        rows=rows,
    )


@get(
    "/penalty-ledger.csv",
    operation_id="downloadPenaltyLedger",
    summary="The same penalty totals as a CSV download",
    guards=READ,
    dependencies=FILTER,
    sync_to_thread=True,
    media_type="text/csv",
    responses=csv_spec(
        "One row per party (or rule), period and measure.",
        f"party,{','.join(TOTAL_COLUMNS)}\nwh-keeper-wang,2026-10,money,1,90.00,0.00,0.00,90.00,0.00,90.00\n",
    ),
)
def download_ledger(
    services: Injected,
    request: AnyRequest,
    where: NamedDependency[PenaltyFilter],
    by: FromQuery[By] = "party",
    after: After = None,
) -> Response[str]:
    services.caught_up(after)
    where = own(where, actor_of(request))
    totals: list[PenaltyTotals] = services.read_side.penalties.totals(where, by)
    lines = ([t.group, *(figure(t, column) for column in TOTAL_COLUMNS)] for t in totals)
    return csv_download(f"penalty-ledger-{by}-{suffix(where)}.csv", (by, *TOTAL_COLUMNS), lines)


def figure(total: PenaltyTotals, column: str) -> object:
    value = getattr(total, column)
    return f"{value:.2f}" if column in AMOUNT_COLUMNS else value


def suffix(where: PenaltyFilter) -> str:
    """A download's name says what it covers: the period and the as-of time, if given."""
    parts = [where.period or "all"]
    if where.as_of is not None:
        parts.append("as-of-" + where.as_of.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"))
    return "-".join(parts)


@get(
    "/penalty-ledger/lines",
    operation_id="listPenaltyLines",
    summary="The penalty lines behind the totals, with their penalty ids, in key order",
    guards=READ,
    dependencies=FILTER,
    sync_to_thread=True,
)
def list_lines(
    services: Injected,
    request: AnyRequest,
    where: NamedDependency[PenaltyFilter],
    status: FromQuery[StatusName | None] = None,
    after_key: Annotated[
        str | None, QueryParameter(max_length=100, description="The next_key of the previous page.")
    ] = None,
    limit: Annotated[int, Parameter(ge=1, le=500, description="Lines per page.")] = 100,
    after: After = None,
) -> PenaltyLinesPage:
    services.caught_up(after)
    where = own(where, actor_of(request))
    rows = services.read_side.penalties.rows(PenaltyQuery(where, status, after_key, limit + 1))
    more = len(rows) > limit
    return PenaltyLinesPage(
        party=where.party,
        period=where.period,
        rule=where.rule,
        schedule=where.schedule,
        measure=where.measure,
        status=status,
        as_of=where.as_of,
        items=[PenaltyLineRow.model_validate(row) for row in rows[:limit]],
        next_key=rows[limit - 1].key if more else None,
    )


PENALTY_READ_ROUTES: list[Any] = [get_penalty, ledger_totals, download_ledger, list_lines]
"""Every penalty read handler, registered by the app."""
