"""Options shared by every feature builder (what counts as a purchase, the recent window)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from govex.models.summary import DAYS_PER_UNIT

__all__ = ["DAYS_PER_UNIT", "FeatureOptions"]


class FeatureOptions(BaseModel):
    """How features are defined; the defaults follow the data contract's order statuses."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    excluded_purchase_statuses: tuple[str, ...] = ("cancelled", "unavailable")
    recent_window_days: int = Field(default=90, ge=1)
    reason_groups: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    reporting_currency: str | None = Field(
        default=None, description="currency money features are in; None: the default reporting currency when "
        "the warehouse has fx_rates, else the orders' own single currency")
