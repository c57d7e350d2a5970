"""The claim ledger: each claim's money as finance reconciles it (claimed, approved, credited, paid,
outstanding), with every change kept by recorded time so that any answer can be given as the
ledger knew it at a past time T.

A claim's row is recomputed from the claim as each of its events leaves it. A row that changed is
written over the current one and appended to the claim's versions; the state as of T is each
claim's latest version recorded at or before T.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Collection, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol
from uuid import UUID

from eventsourcing.persistence import Tracking, TrackingRecorder

from domain.claim_terms import ClaimKind
from domain.claims import Claim, ClaimStatus
from projections.batching import BatchProjection, Positioned
from projections.kpis import REPORTING_ZONE

ZERO = Decimal("0.00")
PERIOD = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
KINDS = tuple(k.value for k in ClaimKind)
STATUSES = tuple(s.value for s in ClaimStatus)
EXCEPTIONS = ("credit_variance", "late", "rejected")
"""The lists finance follows up: credit notes that differ from the approved amount, claims
submitted after their deadline, and claims rejected and not resubmitted."""
AMOUNTS = ("claimed", "approved", "credited", "paid", "outstanding")
BUCKETS = ((0, 30), (31, 60), (61, 90), (91, None))
"""Days since approval, inclusive: an outstanding amount ages into the next bucket on day 31."""
Group = tuple[str, str, str, str]
"""A period, vendor, kind and currency: what totals are kept by."""
UNCOUNTED = ClaimStatus.RESUBMITTED.value
"""A rejected claim superseded by its resubmission: its chain's money counts on the later claim."""


def cutoffs(on: date) -> list[date]:
    """The first day of approval in each bucket but the last, aged at the day `on`: an amount
    approved on or after the first cutoff is in the first bucket, and so on."""
    return [on - timedelta(days=last) for _, last in BUCKETS if last is not None]


@dataclass(frozen=True)
class ClaimRow:
    """One claim as finance reconciles it, after the event at `position` (claim `version`),
    recorded at `recorded_at`."""

    claim_id: str
    kind: str
    vendor_id: str
    customer_id: str
    currency: str
    status: str
    period: str
    """YYYY-MM of submission in Asia/Shanghai, else of drafting."""
    drafted_at: datetime
    submitted_at: datetime | None
    days_late: int
    approved_at: datetime | None
    claimed: Decimal
    approved: Decimal
    credited: Decimal
    paid: Decimal
    outstanding: Decimal
    """What may still be paid: the payable amount less the paid, for an approved claim; else zero."""
    credit_notes: int
    credit_variance: Decimal | None
    """Credited less approved, once a credit note exists."""
    chain_id: str
    """The first claim of its resubmission chain (itself, unless it resubmits a rejected claim)."""
    resubmission_of: str | None
    resubmitted_as: str | None
    rejection: str | None
    version: int
    position: int
    recorded_at: datetime

    @property
    def counted(self) -> bool:
        return self.status != UNCOUNTED

    @property
    def approved_on(self) -> date | None:
        return None if self.approved_at is None else self.approved_at.astimezone(REPORTING_ZONE).date()

    def same_figures(self, other: ClaimRow) -> bool:
        """Whether the two differ only in which event they were last computed after."""
        return replace(self, version=0, position=0, recorded_at=other.recorded_at) == replace(
            other, version=0, position=0
        )


FIELDS = tuple(f.name for f in fields(ClaimRow))


@dataclass(frozen=True)
class ClaimFilter:
    """Which claims an answer covers, and the recorded time it is as of (None: now)."""

    vendor_id: str | None = None
    kind: str | None = None
    period: str | None = None
    as_of: datetime | None = None

    def __post_init__(self) -> None:
        if self.kind is not None and self.kind not in KINDS:
            raise ValueError(f"no claim kind {self.kind!r}; kinds are {', '.join(KINDS)}")
        if self.period is not None and not PERIOD.fullmatch(self.period):
            raise ValueError(f"a period is a month, YYYY-MM, not {self.period!r}")

    def admits(self, row: ClaimRow) -> bool:
        return (
            (self.vendor_id is None or row.vendor_id == self.vendor_id)
            and (self.kind is None or row.kind == self.kind)
            and (self.period is None or row.period == self.period)
        )


@dataclass(frozen=True)
class ClaimQuery:
    """A page of claim rows in claim id order, after the claim id `after` (keyset paging)."""

    where: ClaimFilter = ClaimFilter()
    status: str | None = None
    exception: str | None = None
    after: str | None = None
    limit: int = 100

    def __post_init__(self) -> None:
        if self.status is not None and self.status not in STATUSES:
            raise ValueError(f"no claim status {self.status!r}; statuses are {', '.join(STATUSES)}")
        if self.exception is not None and self.exception not in EXCEPTIONS:
            raise ValueError(f"no exception list {self.exception!r}; lists are {', '.join(EXCEPTIONS)}")
        if self.limit < 1:
            raise ValueError("a page holds at least one row")

    def admits(self, row: ClaimRow) -> bool:
        return (
            self.where.admits(row)
            and (self.status is None or row.status == self.status)
            and (self.exception is None or is_exception(row, self.exception))
            and (self.after is None or row.claim_id > self.after)
        )


def is_exception(row: ClaimRow, name: str) -> bool:
    if name == "credit_variance":
        return row.credit_variance is not None and row.credit_variance != 0
    if name == "late":
        return row.days_late > 0
    return row.status == ClaimStatus.REJECTED.value


@dataclass(frozen=True)
class ClaimTotals:
    """The counted claims of one period, vendor, kind and currency, and their money."""

    period: str
    vendor_id: str
    kind: str
    currency: str
    claims: int
    claimed: Decimal
    approved: Decimal
    credited: Decimal
    paid: Decimal
    outstanding: Decimal

    @classmethod
    def of(cls, group: Group, claims: int, amounts: Sequence[Decimal]) -> ClaimTotals:
        """The totals of a group from its count and its sums, in AMOUNTS order."""
        claimed, approved, credited, paid, outstanding = amounts
        return cls(*group, claims, claimed, approved, credited, paid, outstanding)


@dataclass(frozen=True)
class Aging:
    """A vendor's outstanding amounts in one currency, by days since approval (see BUCKETS)."""

    vendor_id: str
    currency: str
    claims: int
    days_0_30: Decimal
    days_31_60: Decimal
    days_61_90: Decimal
    over_90: Decimal
    total: Decimal

    @classmethod
    def of(cls, vendor_id: str, currency: str, claims: int, buckets: Sequence[Decimal]) -> Aging:
        """A vendor's aging from the amounts in each bucket, in BUCKETS order."""
        first, second, third, last = buckets
        return cls(vendor_id, currency, claims, first, second, third, last, first + second + third + last)


class ClaimLedgerView(TrackingRecorder, ABC):
    """Where claim rows and their versions live."""

    @abstractmethod
    def rows_for(self, claim_ids: Collection[str]) -> dict[str, ClaimRow]:
        """The current row of each claim named that has one."""

    @abstractmethod
    def apply(self, changes: Sequence[ClaimRow], tracking: Tracking) -> None:
        """Append the changed rows (in log order) to the versions, keep each claim's last as its
        current row, and track, atomically."""

    @abstractmethod
    def rows(self, query: ClaimQuery) -> list[ClaimRow]: ...

    @abstractmethod
    def totals(self, where: ClaimFilter) -> list[ClaimTotals]:
        """Sums of the counted claims, by period, vendor, kind and currency, in that order."""

    @abstractmethod
    def aging(self, where: ClaimFilter, on: date) -> list[Aging]:
        """Outstanding amounts by vendor and currency, aged at the day `on`."""

    @abstractmethod
    def awaiting_credit(self, vendor_id: str) -> list[str]:
        """Ids of the vendor's approved claims without any credit note, sorted."""

    @abstractmethod
    def all_rows(self) -> list[ClaimRow]:
        """Every current row, by claim id: what a rebuild must reproduce."""

    @abstractmethod
    def truncate(self) -> None: ...


class ClaimSource(Protocol):
    """What the projection asks of the ledger: a claim at a version."""

    def get_claim(self, claim_id: UUID, version: int | None = None) -> Claim: ...


class ClaimLedgerProjection(BatchProjection[ClaimLedgerView]):
    """Recomputes the row of every claim a batch touches, event by event, and keeps the changes."""

    name = "claim_ledger"
    topics = ()

    def __init__(self, view: ClaimLedgerView, ledger: ClaimSource) -> None:
        super().__init__(view)
        self.ledger = ledger

    def process_batch(self, events: Sequence[Positioned], tracking: Tracking) -> None:
        items = [e for e in events if isinstance(e.event, Claim.Event)]
        earlier = {
            str(e.event.resubmission_of)
            for e in items
            if isinstance(e.event, Claim.Drafted) and e.event.resubmission_of is not None
        }
        rows = self.view.rows_for({str(e.event.originator_id) for e in items} | earlier) if items else {}
        claims: dict[str, Claim] = {}
        changes: list[ClaimRow] = []
        for item in items:
            key = str(item.event.originator_id)
            claims[key] = claim = self.claim_after(item.event, claims.get(key))
            last = rows.get(key)
            if last is None:
                row = claim_row(claim, chain_of(claim, rows), item.position, item.event.timestamp)
            else:
                recorded_at = max(item.event.timestamp, last.recorded_at)
                row = claim_row(claim, last.chain_id, item.position, recorded_at)
            if last is None or not row.same_figures(last):
                rows[key] = row
                changes.append(row)
        self.view.apply(changes, tracking)

    def claim_after(self, event: Claim.Event, claim: Claim | None) -> Claim:
        """The claim as this event leaves it: loaded once per batch, then moved on event by event."""
        if claim is None and event.originator_version > 1:
            claim = self.ledger.get_claim(event.originator_id, version=event.originator_version - 1)
        moved = event.mutate(claim)
        assert isinstance(moved, Claim)
        return moved


def chain_of(claim: Claim, rows: dict[str, ClaimRow]) -> str:
    """A new claim's chain: its own, or that of the rejected claim it resubmits."""
    if claim.resubmission_of is None:
        return str(claim.id)
    first = rows.get(str(claim.resubmission_of))
    return first.chain_id if first else str(claim.resubmission_of)


def claim_row(claim: Claim, chain_id: str, position: int, recorded_at: datetime) -> ClaimRow:
    """The claim's row after the event at `position`; a change is never recorded earlier than
    the claim's previous change, so that each claim's versions follow one another in time."""
    started = claim.submitted_at or claim.drafted_at
    credited = bool(claim.credit_notes)
    return ClaimRow(
        claim_id=str(claim.id),
        kind=claim.kind.value,
        vendor_id=claim.vendor_id,
        customer_id=claim.customer_id,
        currency=claim.currency,
        status=claim.status.value,
        period=started.astimezone(REPORTING_ZONE).strftime("%Y-%m"),
        drafted_at=claim.drafted_at,
        submitted_at=claim.submitted_at,
        days_late=claim.days_late,
        approved_at=claim.approved_at,
        claimed=claim.claimed,
        approved=claim.approved,
        credited=claim.credited,
        paid=claim.paid,
        outstanding=claim.payable - claim.paid if claim.status is ClaimStatus.APPROVED else ZERO,
        credit_notes=len(claim.credit_notes),
        credit_variance=claim.credited - claim.approved if credited else None,
        chain_id=chain_id,
        resubmission_of=None if claim.resubmission_of is None else str(claim.resubmission_of),
        resubmitted_as=None if claim.resubmitted_as is None else str(claim.resubmitted_as),
        rejection=claim.rejection,
        version=claim.version,
        position=position,
        recorded_at=recorded_at,
    )
