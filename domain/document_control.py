"""Document control for versioned policy (ISO draft → review → approve [003:L55]): the checks that
contracts and penalty schedules share, over a list of versions. Each aggregate records its own
events; these functions decide whether a step is allowed and which version is in force."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from domain.actors import Actor, Role
from domain.errors import InvalidValue, RuleViolation


class VersionStatus(Enum):
    """Where a version stands in the document-control chain."""

    DRAFTED = "drafted"
    REVIEWED = "reviewed"
    APPROVED = "approved"


@dataclass(frozen=True)
class DocumentVersion:
    """One version of a controlled document: its content, who wrote it and when it takes effect."""

    number: int
    document: dict[str, Any]
    author: str
    status: VersionStatus = VersionStatus.DRAFTED
    effective_from: datetime | None = None
    retroactive: bool = False


def open_version(
    versions: Sequence[DocumentVersion], number: int, status: VersionStatus, refused: type[RuleViolation]
) -> DocumentVersion:
    """The latest version, when it is `number` and stands at `status`; else refused."""
    latest = versions[-1]
    if number != latest.number or latest.status is not status:
        msg = (
            f"version {number} is not the {status.value} version "
            f"(the latest is {latest.number}, {latest.status.value})"
        )
        raise refused(msg, field="version", version=number)
    return latest


def check_review(version: DocumentVersion, actor: Actor, refused: type[RuleViolation]) -> None:
    if actor.id == version.author:
        raise refused("the author of a version cannot review it", field="actor")


def check_approval(
    version: DocumentVersion,
    effective_from: datetime,
    actor: Actor,
    now: datetime,
    refused: type[RuleViolation],
) -> None:
    """A manager other than the author approves, effective from a stated time.

    A first version may take effect from any time (a ledger adopted mid-way); a revision takes
    effect no earlier than its approval unless it says it is retroactive.
    """
    if actor.role is not Role.MANAGER:
        raise refused("only a manager approves a version", field="actor")
    if actor.id == version.author:
        raise refused("the author of a version cannot approve it", field="actor")
    if effective_from.tzinfo is None:
        raise InvalidValue("effective_from must carry a time zone", field="effective_from")
    if effective_from < now and version.number > 1 and not version.retroactive:
        msg = "only a retroactive revision may take effect before its approval"
        raise refused(msg, field="effective_from")


def check_revision(latest: DocumentVersion, refused: type[RuleViolation]) -> None:
    if latest.status is not VersionStatus.APPROVED:
        msg = f"version {latest.number} is still {latest.status.value}; finish it first"
        raise refused(msg, field="document")


def version_in_force(versions: Sequence[DocumentVersion], at: datetime) -> DocumentVersion | None:
    """The approved version governing `at`: the latest to take effect by then."""
    approved = [v for v in versions if v.effective_from is not None and v.effective_from <= at]
    return max(approved, key=lambda v: (v.effective_from, v.number), default=None)
