"""Options shared by every feature builder (what counts as a purchase, the recent window)."""
from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

DAYS_PER_UNIT = {"day": 1.0, "week": 7.0, "month": 365.25 / 12.0, "year": 365.25}


class FeatureOptions(BaseModel):
    """How features are defined; the defaults follow the data contract's order statuses."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    excluded_purchase_statuses: tuple[str, ...] = ("cancelled", "unavailable")
    recent_window_days: int = Field(default=90, ge=1)
    reason_groups: dict[str, tuple[str, ...]] = Field(default_factory=dict)
