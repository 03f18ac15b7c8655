"""Settings of the synthetic marketplace and the fixed catalogues it draws from.

Everything a user may tune lives in `SynthConfig`; the catalogues (markets, carriers, vendors,
contact reasons, moderation policies) are constants, so the same seed always yields the same data.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from govex.errors import ConfigError


class SynthConfig(BaseModel):
    """Size, window and true parameters of one synthetic marketplace.

    The defaults make 1M customers place about 10M orders over 24 months.
    BG/NBD time is measured in days: `alpha` is a rate scale in days, so a customer's mean
    purchase rate is `r / alpha` per day. Gamma-Gamma spend is in the reporting currency (USD).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    customers: int = Field(default=100_000, ge=100, le=50_000_000)
    seed: int = Field(default=0, ge=0)
    months: int = Field(default=24, ge=3, le=120)
    start: dt.date = dt.date(2024, 1, 1)
    # BG/NBD purchase and dropout process (Fader, Hardie & Lee 2005), time unit = day.
    r: float = Field(default=0.9, gt=0)
    alpha: float = Field(default=8.5, gt=0)
    a: float = Field(default=1.2, gt=0)
    b: float = Field(default=8.0, gt=0)
    # Gamma-Gamma spend per order (Fader, Hardie & Lee 2005b), in USD.
    spend_p: float = Field(default=6.0, gt=0)
    spend_q: float = Field(default=3.5, gt=1)
    spend_v: float = Field(default=60.0, gt=0)
    customers_per_seller: int = Field(default=50, ge=5)

    @model_validator(mode="after")
    def _window_fits(self) -> "SynthConfig":
        if self.start.year < 1971 or self.start.year > 2200:
            raise ValueError(f"start must be between 1971 and 2200, got {self.start}")
        return self

    @property
    def end(self) -> dt.date:
        """First day after the simulated window (exclusive end)."""
        month = self.start.month - 1 + self.months
        return dt.date(self.start.year + month // 12, month % 12 + 1, min(self.start.day, 28))

    @property
    def horizon_days(self) -> int:
        return (self.end - self.start).days


def make_config(**kwargs: object) -> SynthConfig:
    """Build a SynthConfig, turning pydantic's error into a ConfigError naming the bad argument."""
    try:
        return SynthConfig(**kwargs)
    except ValidationError as exc:
        details = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'config'}: {e['msg']} (got {e.get('input')!r})"
                            for e in exc.errors())
        raise ConfigError(f"invalid synthetic-marketplace settings: {details}") from None


@dataclass(frozen=True)
class Market:
    code: str
    currency: str
    language: str
    customer_share: float
    usd_per_unit: float  # starting exchange rate, units of USD per unit of currency
    promise_days: int  # typical promised delivery time
    carriers: tuple[str, ...]
    carrier_shares: tuple[float, ...]
    carrier_late_rates: tuple[float, ...]


MARKETS: tuple[Market, ...] = (
    Market("BR", "BRL", "pt", 0.35, 0.19, 9, ("correios", "loggi", "jadlog"), (0.55, 0.25, 0.20), (0.10, 0.06, 0.08)),
    Market("MX", "MXN", "es", 0.15, 0.055, 6, ("estafeta", "dhl_mx", "99minutos"), (0.45, 0.35, 0.20), (0.09, 0.05, 0.07)),
    Market("US", "USD", "en", 0.25, 1.0, 4, ("ups", "fedex", "usps"), (0.40, 0.30, 0.30), (0.05, 0.04, 0.08)),
    Market("DE", "EUR", "de", 0.15, 1.08, 3, ("dhl", "dpd", "hermes"), (0.50, 0.30, 0.20), (0.04, 0.05, 0.08)),
    Market("GB", "GBP", "en", 0.10, 1.27, 3, ("royal_mail", "dpd_uk", "evri"), (0.45, 0.30, 0.25), (0.06, 0.04, 0.09)),
)
MARKET_CODES = tuple(m.code for m in MARKETS)
CURRENCIES = tuple(dict.fromkeys(m.currency for m in MARKETS))
CARRIERS = tuple(c for m in MARKETS for c in m.carriers)

ACQUISITION_CHANNELS = ("organic", "paid_search", "paid_social", "referral", "affiliate")
ACQUISITION_SHARES = (0.38, 0.25, 0.17, 0.12, 0.08)
PLATFORMS = ("web", "ios", "android")
PLATFORM_SHARES = (0.40, 0.25, 0.35)
CATEGORIES = ("electronics", "fashion", "home", "beauty", "sports", "toys", "books", "grocery")
CATEGORY_SHARES = (0.18, 0.22, 0.16, 0.10, 0.10, 0.08, 0.08, 0.08)
SELLER_TIERS = ("top", "standard", "new")
SELLER_TIER_SHARES = (0.15, 0.65, 0.20)


@dataclass(frozen=True)
class Vendor:
    vendor_id: str
    vendor_name: str
    function: str
    site: str
    languages: tuple[str, ...]
    pricing_model: str
    rate: float
    currency: str
    ramp_up_weeks: float
    qa_target: float
    # True behaviour, recorded in the ground truth (not in the vendors table):
    handle_time_factor: float
    fcr_rate: float
    qa_accuracy: float


VENDORS: tuple[Vendor, ...] = (
    Vendor("V01", "Atlas CX", "customer_service", "Manila", ("en",), "per_hour", 13.5, "USD", 4, 0.92, 1.00, 0.74, 0.93),
    Vendor("V02", "Atlas CX", "customer_service", "Mexico City", ("es", "en"), "per_hour", 16.0, "USD", 4, 0.92, 1.08, 0.71, 0.92),
    Vendor("V03", "Lumen Support", "customer_service", "Sao Paulo", ("pt",), "per_hour", 72.0, "BRL", 3, 0.93, 0.93, 0.77, 0.94),
    Vendor("V04", "Northstar BPO", "customer_service", "Krakow", ("de", "en"), "per_fte_month", 3900.0, "EUR", 6, 0.94, 0.90, 0.80, 0.95),
    Vendor("V05", "Lumen Support", "customer_service", "Lisbon", ("pt", "es", "en", "de"), "per_hour", 21.0, "EUR", 5, 0.93, 1.15, 0.68, 0.91),
    Vendor("V06", "Sentinel Review", "moderation", "Manila", ("en", "es"), "per_transaction", 0.42, "USD", 3, 0.95, 1.00, 0.0, 0.95),
    Vendor("V07", "Sentinel Review", "moderation", "Hyderabad", ("en", "de", "pt"), "per_fte_month", 1650.0, "USD", 4, 0.95, 1.10, 0.0, 0.94),
    Vendor("V08", "ClearPath Moderation", "moderation", "Lisbon", ("pt", "es", "de"), "per_hour", 23.0, "EUR", 5, 0.96, 0.92, 0.0, 0.96),
    # The education and service-recovery lines (seller coaching sessions; goodwill and compensation cases):
    # no contact or case draws from them, so adding them leaves every other row as it was.
    Vendor("V09", "Brightpath Learning", "education", "Lisbon", ("pt", "es", "en", "de"), "per_hour", 24.0, "EUR", 4, 0.95, 1.00, 0.0, 0.95),
    Vendor("V10", "Atlas CX", "service_recovery", "Manila", ("en", "es", "pt"), "per_hour", 14.5, "USD", 3, 0.93, 1.00, 0.0, 0.93),
)
VENDOR_IDS = tuple(v.vendor_id for v in VENDORS)
HOURS_PER_FTE_MONTH = 160.0
OCCUPANCY = 0.85  # share of paid-and-available time spent handling work
SHRINKAGE = 0.30  # share of paid time lost to breaks, training, absence

# Which vendors serve each market, with their share of the human workload.
CS_VENDOR_SPLIT: dict[str, tuple[tuple[str, float], ...]] = {
    "BR": (("V03", 0.7), ("V05", 0.3)),
    "MX": (("V02", 0.8), ("V05", 0.2)),
    "US": (("V01", 0.6), ("V02", 0.4)),
    "DE": (("V04", 0.75), ("V05", 0.25)),
    "GB": (("V01", 0.7), ("V04", 0.3)),
}
MOD_VENDOR_SPLIT: dict[str, tuple[tuple[str, float], ...]] = {
    "BR": (("V07", 0.5), ("V08", 0.5)),
    "MX": (("V06", 0.6), ("V08", 0.4)),
    "US": (("V06", 0.5), ("V07", 0.5)),
    "DE": (("V07", 0.4), ("V08", 0.6)),
    "GB": (("V06", 0.5), ("V07", 0.5)),
}

# Share of contacts / cases arriving in each hour of the day (local time), and weekday weights
# (Monday first). Shapes follow the usual e-commerce pattern: quiet nights, a late-morning
# peak and an evening shoulder.
CONTACT_HOUR_WEIGHTS = (
    0.4, 0.25, 0.15, 0.1, 0.1, 0.2, 0.6, 1.6, 3.2, 4.8, 5.6, 5.8,
    5.2, 5.4, 5.5, 5.2, 4.9, 4.6, 4.4, 4.6, 4.7, 3.9, 2.4, 1.1,
)
MODERATION_HOUR_WEIGHTS = (
    1.2, 0.8, 0.5, 0.4, 0.4, 0.6, 1.2, 2.2, 3.2, 3.8, 4.2, 4.5,
    4.8, 5.0, 5.0, 5.2, 5.4, 5.6, 5.8, 6.0, 6.2, 5.8, 4.2, 2.4,
)
MODERATION_WEEKDAY_WEIGHTS = (1.0, 1.02, 1.03, 1.05, 1.1, 1.35, 1.3)
# Probability that a contact wanting to arrive on Saturday/Sunday waits until Monday.
WEEKEND_DEFERRAL = 0.35
