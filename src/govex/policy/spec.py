"""The pydantic models of a prioritisation policy file: service tiers and ordered rules.

A policy maps a customer's segments (from any framework) to one service tier per journey; a policy
with `entity: seller` maps a seller's segments (seller frameworks) to a tier per seller journey. Each
tier carries the whole treatment a product flow or support system applies: queue and priority,
SLA targets, channels offered, the refund/return auto-approve limit, the escalation path and
any verification step. Rules are read in order; of the rules that match a customer and journey,
those with the highest `precedence` win, and of those the first listed (the checks report such
ties when they give different tiers, because the order then silently decides).
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from govex._renamed import renamed_names
from govex.contract.schema import CHANNELS, JOURNEYS

Journey = Literal["onboarding", "purchase", "fulfilment", "cancellation", "dispute", "return", "account_safety"]
Channel = Literal["phone", "chat", "email", "messaging", "self_service"]
assert set(Journey.__args__) == set(JOURNEYS), "Journey must list the contract's JOURNEYS"
assert set(Channel.__args__) == set(CHANNELS), "Channel must list the contract's CHANNELS"

# the supply side's journeys: verification at onboarding, listing review, fulfilment (shipping),
# on-site redemption of vouchers and appointments, payouts, buyer disputes, enforcement and appeals
SELLER_JOURNEYS = ("onboarding", "listing_review", "fulfilment", "redemption", "payouts", "dispute",
                   "enforcement_appeal")
ENTITY_JOURNEYS = {"customer": tuple(JOURNEYS), "seller": SELLER_JOURNEYS}

Lane = Literal["fast", "standard", "restricted", "blocked"]
Verification = Literal["none", "before_refund", "before_any_action"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Tier(_Frozen):
    """One service tier: the treatment every journey applies to the customers it is given to."""

    rank: int = Field(ge=1, description="1 = best treatment; the monotonicity check compares ranks")
    lane: Lane = Field(description="fast, standard, restricted (held for checks) or blocked")
    description: str = ""
    queue: str = Field(min_length=1, description="routing queue (suffix after the journey, e.g. 'priority')")
    queue_priority: int = Field(ge=1, description="1 = served first")
    first_response_s: float = Field(gt=0, description="SLA: seconds to the first agent response")
    resolution_h: float = Field(gt=0, description="SLA: hours to resolution")
    channels: tuple[Channel, ...] = Field(min_length=1, description="channels this tier may use")
    auto_approve_limit: float = Field(ge=0, description="refunds/returns up to this amount (reporting currency) "
                                                        "are approved without review")
    escalation: str = Field(min_length=1, description="who takes an escalation (e.g. senior_agent)")
    verification: Verification = Field("none", description="identity/claim verification step required")
    cost_per_contact: float = Field(ge=0, description="loaded cost of serving one contact at this tier")


class TierRule(_Frozen):
    """Customers whose segments match `when` get `tier` in `journeys`."""

    name: str = Field(min_length=1)
    when: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="framework -> segments (any of them matches); frameworks not named are unrestricted",
    )
    journeys: tuple[str, ...] | Literal["all"] = Field(
        "all", description="journeys of the policy's entity (customer or seller), or all of them")
    tier: str
    precedence: int = Field(0, description="higher wins over lower where both match")
    reason: str | None = Field(None, description="why: required to restrict a customer another journey fast-lanes")

    @field_validator("when", mode="before")
    @classmethod
    def _single_label(cls, value):
        if isinstance(value, dict):
            return {k: (v,) if isinstance(v, str) else v for k, v in value.items()}
        return value

    def journey_set(self, journeys: tuple[str, ...] = tuple(JOURNEYS)) -> tuple[str, ...]:
        """The journeys this rule applies to, of the policy's `journeys` (the customer journeys by default)."""
        return journeys if self.journeys == "all" else self.journeys


class Policy(_Frozen):
    """A named, versioned prioritisation policy."""

    name: str = Field(min_length=1)
    entity: Literal["customer", "seller"] = Field("customer", description="who the policy serves: customers, or "
                                                  "sellers (seller frameworks and seller journeys)")
    version: str = Field(min_length=1, description="reported with every decision and in the audit log")
    description: str = ""
    orderings: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="framework -> segments best first (e.g. value: [high, medium, low]); the monotonicity "
        "check compares customers along these",
    )
    tiers: dict[str, Tier] = Field(min_length=1)
    unknown_customer_tier: str = Field(description="tier for customers the segment snapshot does not know")
    rules: tuple[TierRule, ...] = Field(min_length=1)

    def journeys(self) -> tuple[str, ...]:
        """The journeys of the policy's entity."""
        return ENTITY_JOURNEYS[self.entity]


__getattr__ = renamed_names(__name__, {"Rule": "TierRule"}, globals())  # the old name, for one release
