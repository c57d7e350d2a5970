"""The claim ledger in memory: current rows in a dict and each claim's versions in log order, for
tests and the embedded demo. Answers are computed from the rows at each query."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import date
from decimal import Decimal

from eventsourcing.persistence import Tracking

from domain.claims import ClaimStatus
from projections.claim_ledger import (
    AMOUNTS,
    BUCKETS,
    ZERO,
    Aging,
    ClaimFilter,
    ClaimLedgerView,
    ClaimQuery,
    ClaimRow,
    ClaimTotals,
    Group,
    cutoffs,
)
from projections.memory import MemoryView


class MemoryClaimLedgerView(MemoryView, ClaimLedgerView):
    """Current rows in a dict, and each claim's versions in log order."""

    def __init__(self) -> None:
        super().__init__()
        self.current: dict[str, ClaimRow] = {}
        self.versions: dict[str, list[ClaimRow]] = defaultdict(list)

    def clear_rows(self) -> None:
        self.current.clear()
        self.versions.clear()

    def rows_for(self, claim_ids: Collection[str]) -> dict[str, ClaimRow]:
        with self.lock:
            return {c: self.current[c] for c in claim_ids if c in self.current}

    def apply(self, changes: Sequence[ClaimRow], tracking: Tracking) -> None:
        with self.writing(tracking):
            for row in changes:
                self.current[row.claim_id] = row
                self.versions[row.claim_id].append(row)

    def rows(self, query: ClaimQuery) -> list[ClaimRow]:
        return [r for r in self._known(query.where) if query.admits(r)][: query.limit]

    def totals(self, where: ClaimFilter) -> list[ClaimTotals]:
        sums: dict[Group, list[Decimal]] = defaultdict(lambda: [ZERO] * len(AMOUNTS))
        counts: dict[Group, int] = defaultdict(int)
        for row in self._known(where):
            if row.counted:
                key = (row.period, row.vendor_id, row.kind, row.currency)
                counts[key] += 1
                sums[key] = [s + getattr(row, a) for s, a in zip(sums[key], AMOUNTS, strict=True)]
        return [ClaimTotals.of(key, counts[key], sums[key]) for key in sorted(sums)]

    def aging(self, where: ClaimFilter, on: date) -> list[Aging]:
        buckets: dict[tuple[str, str], list[Decimal]] = defaultdict(lambda: [ZERO] * len(BUCKETS))
        counts: dict[tuple[str, str], int] = defaultdict(int)
        firsts = cutoffs(on)
        for row in self._known(where):
            if row.outstanding != 0:
                assert row.approved_on is not None
                key = (row.vendor_id, row.currency)
                counts[key] += 1
                bucket = next((n for n, first in enumerate(firsts) if row.approved_on >= first), len(firsts))
                buckets[key][bucket] += row.outstanding
        return [Aging.of(*key, counts[key], buckets[key]) for key in sorted(buckets)]

    def awaiting_credit(self, vendor_id: str) -> list[str]:
        with self.lock:
            return sorted(
                r.claim_id
                for r in self.current.values()
                if r.vendor_id == vendor_id and r.status == ClaimStatus.APPROVED.value and r.credit_notes == 0
            )

    def all_rows(self) -> list[ClaimRow]:
        with self.lock:
            return [self.current[c] for c in sorted(self.current)]

    def _known(self, where: ClaimFilter) -> list[ClaimRow]:
        """The rows the filter admits, by claim id, as of its time: each claim's latest version
        recorded by then."""
        with self.lock:
            if where.as_of is None:
                rows = list(self.current.values())
            else:
                as_of = where.as_of
                rows = [
                    known
                    for versions in self.versions.values()
                    if (known := next((v for v in reversed(versions) if v.recorded_at <= as_of), None))
                ]
        return sorted((r for r in rows if where.admits(r)), key=lambda r: r.claim_id)
