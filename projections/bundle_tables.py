"""The tables a regulator bundle carries beside its events: CSV files read from the views, page by
page, for the bundle's period and filters.

- `tickets.csv`: the tickets reported in the period, as the ticket board shows them when the
  bundle is made (the board keeps no history);
- `claims.csv`, `stock.csv`, `penalties.csv`: each claim, stock item and penalty line that changed
  in the period, as it stood at the period's end (these views keep every change by recorded time);
- `customers.csv`: the customer directory when the bundle is made, personal data revealed, or
  `[redacted]` for a customer forgotten (domain/personal_data.py); `events.jsonl` carries only
  the sealed tokens;
- `kpis.csv`: the KPI sums and rates of the period's report days (in the reporting zone) by month,
  contract, severity and region tier, as the ledger knew them at the period's end.

A filter leaves out the tables it cannot be applied to: a view that records no customer (stock,
penalties, KPIs) is not in a bundle for one customer, and only the KPIs record the contract.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from domain.customers import customer_uuid
from domain.personal_data import REDACTED
from projections.claim_ledger import ClaimFilter, ClaimQuery, ClaimRow
from projections.customer_directory import CustomerRow
from projections.kpis import MEASURES, RATES, REPORTING_ZONE, KpiQuery, rates
from projections.penalty_ledger import PenaltyFilter, PenaltyQuery, PenaltyRow
from projections.read_side import ReadSide
from projections.stock_levels import StockFilter, StockQuery, StockRow
from projections.ticket_board import BoardQuery, BoardRow

PAGE = 2_000
KPI_GROUPS = ("contract_id", "severity", "region_tier")
CUSTOMER_COLUMNS = [
    "customer_id",
    "name",
    "phone",
    "address",
    "redacted",
    "registered_at",
    "updated_at",
    "forgotten_at",
]


@dataclass(frozen=True)
class Scope:
    """What the tables cover: the period [start, end), its filters, and the time they are as of."""

    start: datetime
    end: datetime
    as_of: datetime | None
    """The period's end, or None (now) when it has not ended yet."""
    customer_id: str | None = None
    contract_id: str | None = None
    kind: str | None = None

    def wants(self, kind: str, *, by_customer: bool, by_contract: bool) -> bool:
        """Whether a table of `kind` belongs in the bundle, given what its view can be filtered by."""
        return (
            self.kind in (None, kind)
            and (self.customer_id is None or by_customer)
            and (self.contract_id is None or by_contract)
        )


@dataclass(frozen=True)
class Table:
    """A CSV file of the bundle: its name, what it holds, and its rows (header first)."""

    name: str
    description: str
    rows: Iterator[Sequence[object]]


@dataclass(frozen=True)
class TableKind:
    """A table a bundle may carry: the kind of aggregate it shows, the filters its view can apply,
    and how its rows are read."""

    name: str
    description: str
    kind: str
    by_customer: bool
    by_contract: bool
    rows: Callable[[ReadSide, Scope], Iterator[Sequence[object]]]


def tables(read_side: ReadSide, scope: Scope) -> list[Table]:
    """The tables the scope asks for, each read lazily when its rows are taken."""
    return [
        Table(t.name, t.description, t.rows(read_side, scope))
        for t in TABLES
        if scope.wants(t.kind, by_customer=t.by_customer, by_contract=t.by_contract)
    ]


def with_header(kind: type[Any], rows: Iterator[Any]) -> Iterator[Sequence[object]]:
    """A header of the row type's fields (a mapping field is left out), then each row's values."""
    names = [f.name for f in fields(kind) if f.name != "milestone_versions"]
    yield names
    for row in rows:
        yield [cell(getattr(row, name)) for name in names]


def cell(value: object) -> object:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, datetime) else value


def ticket_rows(read_side: ReadSide, scope: Scope) -> Iterator[BoardRow]:
    offset = 0
    while True:
        query = BoardQuery(
            customer_id=scope.customer_id,
            opened_from=scope.start,
            opened_to=scope.end,
            sort="reported_at",
            direction="asc",
            limit=PAGE,
            offset=offset,
        )
        page = read_side.board.search(query).rows
        yield from page
        if len(page) < PAGE:
            return
        offset += PAGE


def claim_rows(read_side: ReadSide, scope: Scope) -> Iterator[ClaimRow]:
    after: str | None = None
    while page := read_side.claims.rows(ClaimQuery(ClaimFilter(as_of=scope.as_of), after=after, limit=PAGE)):
        yield from (
            r for r in page if r.recorded_at >= scope.start and scope.customer_id in (None, r.customer_id)
        )
        after = page[-1].claim_id


def stock_rows(read_side: ReadSide, scope: Scope) -> Iterator[StockRow]:
    after: tuple[str, str] | None = None
    while page := read_side.stock.rows(StockQuery(StockFilter(as_of=scope.as_of), after=after, limit=PAGE)):
        yield from (r for r in page if r.recorded_at >= scope.start)
        after = page[-1].key


def penalty_rows(read_side: ReadSide, scope: Scope) -> Iterator[PenaltyRow]:
    after: str | None = None
    where = PenaltyFilter(as_of=scope.as_of)
    while page := read_side.penalties.rows(PenaltyQuery(where, after=after, limit=PAGE)):
        yield from (r for r in page if r.recorded_at >= scope.start)
        after = page[-1].key


def customer_rows(read_side: ReadSide, scope: Scope) -> Iterator[Sequence[object]]:
    yield CUSTOMER_COLUMNS
    for page in directory_pages(read_side, scope.customer_id):
        sealed = [value for row in page for value in (row.name, row.phone, row.address)]
        plain = read_side.ledger.personal_data.reveal_many(sealed)
        for i, row in enumerate(page):
            details = plain[3 * i : 3 * i + 3]
            times = (row.registered_at, row.updated_at, row.forgotten_at)
            yield [row.customer_id, *details, REDACTED in details, *(cell(t) for t in times)]


def directory_pages(read_side: ReadSide, customer_id: str | None) -> Iterator[list[CustomerRow]]:
    if customer_id is not None:
        yield list(read_side.customers.rows_for({str(customer_uuid(customer_id))}).values())
        return
    after = None
    while page := read_side.customers.customers(after, PAGE):
        yield page
        after = page[-1].customer_id


def kpi_rows(read_side: ReadSide, scope: Scope) -> Iterator[Sequence[object]]:
    """The KPI table as GET /kpis.csv gives it, for the report days the period touches."""
    first = scope.start.astimezone(REPORTING_ZONE).date()
    last = (scope.end - timedelta(microseconds=1)).astimezone(REPORTING_ZONE).date()
    filters = None if scope.contract_id is None else {"contract_id": scope.contract_id}
    query = KpiQuery("month", first, last, KPI_GROUPS, filters, scope.as_of)
    yield ["period", *KPI_GROUPS, *(name for name, _, _ in RATES), *MEASURES]
    for row in read_side.kpis.query(query):
        figures = rates(row.sums)
        yield [
            row.period,
            *(row.dimensions[g] for g in KPI_GROUPS),
            *("" if figures[name] is None else figures[name] for name, _, _ in RATES),
            *(row.sums[m] for m in MEASURES),
        ]


TABLES = (
    TableKind(
        "tickets.csv",
        "tickets reported in the period, as the board shows them now",
        "ticket",
        by_customer=True,
        by_contract=False,
        rows=lambda read_side, scope: with_header(BoardRow, ticket_rows(read_side, scope)),
    ),
    TableKind(
        "claims.csv",
        "claims changed in the period, as they stood at its end",
        "claim",
        by_customer=True,
        by_contract=False,
        rows=lambda read_side, scope: with_header(ClaimRow, claim_rows(read_side, scope)),
    ),
    TableKind(
        "stock.csv",
        "stock items changed in the period, as they stood at its end",
        "stock",
        by_customer=False,
        by_contract=False,
        rows=lambda read_side, scope: with_header(StockRow, stock_rows(read_side, scope)),
    ),
    TableKind(
        "penalties.csv",
        "penalty lines changed in the period, as they stood at its end",
        "penalty",
        by_customer=False,
        by_contract=False,
        rows=lambda read_side, scope: with_header(PenaltyRow, penalty_rows(read_side, scope)),
    ),
    TableKind(
        "customers.csv",
        "the customer directory as it is now; forgotten customers redacted",
        "customer",
        by_customer=True,
        by_contract=False,
        rows=customer_rows,
    ),
    TableKind(
        "kpis.csv",
        "KPIs of the period's report days by month, contract, severity and region tier, as of its end",
        "ticket",
        by_customer=False,
        by_contract=True,
        rows=kpi_rows,
    ),
)
"""Every table, in the order a bundle carries them."""
