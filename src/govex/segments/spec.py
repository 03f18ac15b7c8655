"""The pydantic models of a segmentation framework file (one YAML file per framework).

A framework either assigns segments by rules over features (`kind: rules`; lifecycle, value,
risk, intent) or crosses other frameworks (`kind: composite`). Optional sections add derived
features the rules may use: `rfm` (R, F, M scores), `clv` (P(alive), expected purchases,
CLV and its percentile) and `risk` (shrunk incident rates, a score and its ratio to the
population baseline).
"""
from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


Condition = str | int | float


class Rule(_Frozen):
    """One box of feature space mapped to a segment; a segment may own several boxes."""

    segment: str
    when: dict[str, Condition] = Field(
        default_factory=dict,
        description="feature -> condition, e.g. '>= 30, < 90' or '== 1' (a bare number means ==); "
        "features not named are unrestricted",
    )
    reason: str | None = Field(None, description="reason code written with the assignment (default: the conditions)")


class RFMSpec(_Frozen):
    """Recency, frequency and monetary scores 1..n_bins (n_bins = best)."""

    bins: Literal["quantile", "fixed"] = "quantile"
    n_bins: int = Field(5, ge=2, le=10)
    edges: dict[Literal["recency_days", "n_purchases", "monetary"], tuple[float, ...]] = Field(
        default_factory=dict, description="ascending cut points (n_bins - 1 of them) for bins: fixed"
    )

    @model_validator(mode="after")
    def _edges_fit_bins(self) -> RFMSpec:
        if self.bins != "fixed":
            return self
        for column in ("recency_days", "n_purchases", "monetary"):
            edges = self.edges.get(column)
            if edges is None or len(edges) != self.n_bins - 1 or list(edges) != sorted(set(edges)):
                raise ValueError(f"bins: fixed needs edges.{column}: {self.n_bins - 1} strictly ascending cut points; "
                                 f"got {list(edges) if edges is not None else 'none'}")
        return self


class CLVSpec(_Frozen):
    """Which purchase model to fit, over what horizon, and the discount rate per time unit."""

    model: Literal["bgnbd", "pareto_nbd"] = "bgnbd"
    time_unit: Literal["day", "week", "month", "year"] = "week"
    horizon: float = Field(52.0, gt=0, description="CLV horizon in time units")
    discount_rate: float = Field(0.0, ge=0, lt=1, description="discount rate per time unit")
    spend_l2_penalty: float = Field(
        0.0, ge=0, description="L2 penalty on the Gamma-Gamma log-parameters (use > 0 when q runs to <= 1)"
    )


class RiskSignal(_Frozen):
    """An incident count over an exposure (both per-customer features), with a severity weight."""

    name: str = Field(description="reason code reported when this signal drives the score")
    events: str
    exposure: str = "n_orders"
    weight: float = Field(1.0, gt=0)


class LatentClassSpec(_Frozen):
    """A two-class mixture over orders per worst incident level (see govex.segments.latent_risk)."""

    categories: tuple[str, ...] = Field(
        ("n_orders_abusive_claim", "n_orders_abusive_return", "n_orders_suspicious_claim", "n_orders_claim", "n_orders_return"),
        min_length=1, description="count features, one per incident level, that never count an order twice; "
        "clean orders (n_clean_orders) are the remaining category",
    )
    prior_count: float = Field(0.5, gt=0, description="Dirichlet pseudo-orders per category and class")
    start_share: float = Field(0.01, gt=0, lt=0.5, description="starting share of the high-incident class")
    start_lift: float = Field(10.0, gt=1, description="starting incident rates of that class, x the pooled rates")
    max_iterations: int = Field(2000, ge=1)
    tolerance: float = Field(1e-10, gt=0, description="relative change of the log-likelihood that stops EM")


class RiskSpec(_Frozen):
    """Signals whose beta-binomial posterior rates make the explainable risk score."""

    signals: tuple[RiskSignal, ...] = Field(min_length=1)
    min_exposure_for_prior: int = Field(
        3, ge=1, description="customers with at least this exposure inform the prior's spread"
    )
    min_prior_strength: float = Field(
        20.0, ge=0, description="lower bound on alpha + beta (orders' worth of prior evidence), so a few "
        "extreme customers cannot switch shrinkage off"
    )
    max_reasons: int = Field(3, ge=1)
    latent_class: LatentClassSpec | None = Field(
        None, description="add risk_posterior: P(high-incident class | orders per incident level)"
    )


class FeatureSpec(_Frozen):
    """Feature options this framework needs (recent window, contact reason groups)."""

    recent_window_days: int = Field(90, ge=1)
    reason_groups: dict[str, tuple[str, ...]] = Field(default_factory=dict)


class RulesFramework(_Frozen):
    kind: Literal["rules"] = "rules"
    name: str
    entity: Literal["customer", "seller"] = "customer"
    description: str = ""
    segments: tuple[str, ...] = Field(min_length=1, description="the segment labels, in display order")
    features: FeatureSpec = Field(default_factory=FeatureSpec)
    rfm: RFMSpec | None = None
    clv: CLVSpec | None = None
    risk: RiskSpec | None = None
    score: str | None = Field(None, description="feature written as the assignment's score")
    rules: tuple[Rule, ...] = Field(min_length=1)


class CompositeFramework(_Frozen):
    kind: Literal["composite"]
    name: str
    entity: Literal["customer", "seller"] = "customer"
    description: str = ""
    of: tuple[str, ...] = Field(min_length=2, description="frameworks crossed, in label order")
    separator: str = "|"


FrameworkSpec = Annotated[RulesFramework | CompositeFramework, Field(discriminator="kind")]


def framework_version(spec: RulesFramework | CompositeFramework, *, parts: tuple[str, ...] = ()) -> str:
    """A short hash of the spec (and of the versions it builds on) identifying one definition."""
    digest = hashlib.sha256(spec.model_dump_json().encode())
    for part in parts:
        digest.update(part.encode())
    return digest.hexdigest()[:12]
