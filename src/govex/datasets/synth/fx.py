"""Monthly exchange rates into the reporting currency (USD), as a gentle random walk."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from govex.datasets.synth.config import CURRENCIES, MARKETS, SynthConfig

REPORTING_CURRENCY = "USD"
MONTHLY_VOLATILITY = 0.02


@dataclass(frozen=True)
class FxSim:
    month_start_days: np.ndarray  # days since the window start of each rate period (first is before start)
    usd_per_unit: np.ndarray  # [currency, period]
    valid_from: np.ndarray  # datetime64[D] per period

    def rate_for(self, currency: np.ndarray, day: np.ndarray) -> np.ndarray:
        """USD per unit for each (currency index, day since start)."""
        period = np.searchsorted(self.month_start_days, np.floor(day), side="right") - 1
        return self.usd_per_unit[currency, period]


def _month_starts(cfg: SynthConfig) -> list[dt.date]:
    first = dt.date(cfg.start.year, cfg.start.month, 1)
    out = []
    for i in range(cfg.months + 1):
        month = first.month - 1 + i
        out.append(dt.date(first.year + month // 12, month % 12 + 1, 1))
    return out


def simulate_fx(rng: np.random.Generator, cfg: SynthConfig) -> FxSim:
    starts = _month_starts(cfg)
    base = np.array([next(m.usd_per_unit for m in MARKETS if m.currency == c) for c in CURRENCIES])
    steps = rng.normal(0.0, MONTHLY_VOLATILITY, size=(len(CURRENCIES), len(starts)))
    steps[:, 0] = 0.0
    rates = base[:, None] * np.exp(np.cumsum(steps, axis=1))
    rates[list(CURRENCIES).index(REPORTING_CURRENCY), :] = 1.0
    rates = np.round(rates, 6)
    days = np.array([(d - cfg.start).days for d in starts], dtype=np.int64)
    return FxSim(month_start_days=days, usd_per_unit=rates, valid_from=np.array(starts, dtype="datetime64[D]"))


def fx_columns(fx: FxSim) -> dict[str, object]:
    n_currency, n_period = fx.usd_per_unit.shape
    return {
        "currency": np.repeat(np.array(CURRENCIES, dtype=object), n_period),
        "valid_from": np.tile(fx.valid_from, n_currency),
        "rate_to_reporting": fx.usd_per_unit.reshape(-1),
    }
