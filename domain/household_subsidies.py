"""The subsidy claims a household holds for one product class: the limit per class per household
is kept by one small aggregate, saved with the claim, so two concurrent claims cannot both pass."""

from __future__ import annotations

from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.actors import Actor
from domain.errors import RuleViolation

HOUSEHOLDS = uuid5(NAMESPACE_URL, "urn:service-ledger:household-subsidies")


class SubsidyLimitReached(RuleViolation):
    code = "subsidy-limit-reached"


def household_subsidies_id(household_id: str, product_class: str) -> UUID:
    return uuid5(HOUSEHOLDS, f"{household_id}/{product_class}")


class HouseholdSubsidies(Aggregate):
    """The claims that count against a household's limit in one product class."""

    class Started(Aggregate.Created):
        household_id: str
        product_class: str

    @event(Started)
    def __init__(self, household_id: str, product_class: str) -> None:
        self.household_id = household_id
        self.product_class = product_class
        self.claims: list[UUID] = []

    @classmethod
    def start(cls, household_id: str, product_class: str) -> HouseholdSubsidies:
        return cls._create(
            cls.Started,
            id=household_subsidies_id(household_id, product_class),
            household_id=household_id,
            product_class=product_class,
        )

    def hold(self, claim_id: UUID, limit: int, actor: Actor, now: datetime) -> None:
        if len(self.claims) >= limit:
            msg = (
                f"household {self.household_id} already has {len(self.claims)} subsidised "
                f"{self.product_class} (the limit is {limit} per class)"
            )
            raise SubsidyLimitReached(msg, field="subsidy.household_id", claims=[str(c) for c in self.claims])
        self._hold(now, actor, claim_id)

    @event("ClaimHeld")
    def _hold(self, occurred_at: datetime, actor: Actor, claim_id: UUID) -> None:
        self.claims.append(claim_id)

    def release(self, claim_id: UUID, actor: Actor, now: datetime) -> None:
        if claim_id in self.claims:
            self._release(now, actor, claim_id)

    @event("ClaimReleased")
    def _release(self, occurred_at: datetime, actor: Actor, claim_id: UUID) -> None:
        self.claims.remove(claim_id)
