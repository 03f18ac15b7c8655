"""A synthetic marketplace with planted truths: every canonical table, from one seed.

    from govex.datasets.synth import generate
    market = generate(customers=20_000, seed=1)
    market.tables["orders"]        # pandas frames, named and typed as the data contract says
    market.ground_truth["events"]  # what was planted, where, when and how big
    market.truth_customers         # per-customer BG/NBD and spend parameters
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from govex.datasets.synth.columns import plain_strings
from govex.datasets.synth.config import SynthConfig, make_config
from govex.datasets.synth.marketplace import ArrowMarketplace, build_marketplace
from govex.datasets.synth.writer import GROUND_TRUTH_FILE, TRUTH_CUSTOMERS_FILE, write_marketplace

SMALL_CUSTOMERS = 2_000


@dataclass(frozen=True)
class Marketplace:
    """Canonical tables as pandas frames, with the truths they were generated from."""

    tables: dict[str, pd.DataFrame]
    truth_customers: pd.DataFrame
    ground_truth: dict[str, Any]

    def event(self, kind: str) -> dict[str, Any]:
        """The planted event of one type (late_delivery_spike, abuse_ring, vendor_qa_drop, contact_reason_surge)."""
        for event in self.ground_truth["events"]:
            if event["type"] == kind:
                return event
        known = ", ".join(e["type"] for e in self.ground_truth["events"])
        raise KeyError(f"no planted event {kind!r}; planted: {known}")


def _config(customers: int, seed: int, months: int, start: dt.date | str | None) -> SynthConfig:
    settings: dict[str, Any] = {"customers": customers, "seed": seed, "months": months}
    if start is not None:
        settings["start"] = start
    return make_config(**settings)


def generate_arrow(*, customers: int = 100_000, seed: int = 0, months: int = 24,
                   start: dt.date | str | None = None) -> ArrowMarketplace:
    """The marketplace as Arrow tables (repeated strings dictionary-encoded): the fast path for large N."""
    return build_marketplace(_config(customers, seed, months, start))


def generate(*, customers: int = 100_000, seed: int = 0, months: int = 24,
             start: dt.date | str | None = None) -> Marketplace:
    """Simulate a marketplace in memory and return its tables as pandas frames.

    Deterministic: the same arguments always give the same frames. Dates are `datetime.date`
    objects, timestamps are naive `datetime64[us]`, strings are Python strings.
    """
    market = generate_arrow(customers=customers, seed=seed, months=months, start=start)
    return Marketplace(
        tables={name: plain_strings(table).to_pandas() for name, table in market.tables.items()},
        truth_customers=market.truth_customers.to_pandas(),
        ground_truth=market.ground_truth,
    )


def small_marketplace(seed: int = 0) -> Marketplace:
    """A ~2,000-customer marketplace (about 20k orders) for fast tests."""
    return generate(customers=SMALL_CUSTOMERS, seed=seed)


def synthesize(out_dir: str | os.PathLike, *, customers: int = 100_000, seed: int = 0, months: int = 24,
               start: dt.date | str | None = None) -> list[Path]:
    """Simulate a marketplace and write it to `out_dir` (Parquet per table plus truths); returns the files."""
    return write_marketplace(generate_arrow(customers=customers, seed=seed, months=months, start=start), out_dir)


__all__ = [
    "ArrowMarketplace",
    "GROUND_TRUTH_FILE",
    "Marketplace",
    "SynthConfig",
    "TRUTH_CUSTOMERS_FILE",
    "generate",
    "generate_arrow",
    "small_marketplace",
    "synthesize",
    "write_marketplace",
]
