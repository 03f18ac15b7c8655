"""The planted events: where, when and how big, fixed as fractions of the simulated window.

Placing events by fraction of the window keeps them inside it whatever `months` is, so every
generated marketplace has the same four stories for an analysis to find.
"""
from __future__ import annotations

from dataclasses import dataclass

from govex.datasets.synth.config import SynthConfig


@dataclass(frozen=True)
class Window:
    """Whole days [start_day, end_day) counted from the window start."""

    start_day: int
    end_day: int

    @classmethod
    def of(cls, cfg: SynthConfig, start_fraction: float, end_fraction: float) -> "Window":
        horizon = cfg.horizon_days
        start = int(round(horizon * start_fraction))
        return cls(start, max(start + 7, int(round(horizon * end_fraction))))


@dataclass(frozen=True)
class LateDeliverySpike:
    market: str
    carrier: str
    window: Window
    late_rate_during: float


@dataclass(frozen=True)
class AbuseRing:
    size: int
    dispute_rate: float  # per delivered or lost order of a ring member
    return_rate: float  # per delivered order of a ring member
    chargeback_share: float


@dataclass(frozen=True)
class VendorQaDrop:
    vendor_id: str
    window: Window
    accuracy_during: float


@dataclass(frozen=True)
class ReasonSurge:
    reason: str
    market: str
    window: Window
    multiplier: float


@dataclass(frozen=True)
class PlantedEvents:
    late_delivery_spike: LateDeliverySpike
    abuse_ring: AbuseRing
    vendor_qa_drop: VendorQaDrop
    reason_surge: ReasonSurge


def planted_events(cfg: SynthConfig) -> PlantedEvents:
    return PlantedEvents(
        late_delivery_spike=LateDeliverySpike("BR", "correios", Window.of(cfg, 0.55, 0.62), 0.42),
        abuse_ring=AbuseRing(size=max(25, cfg.customers // 1000), dispute_rate=0.35, return_rate=0.40,
                             chargeback_share=0.45),
        vendor_qa_drop=VendorQaDrop("V07", Window.of(cfg, 0.70, 0.80), 0.78),
        reason_surge=ReasonSurge("payment_issue", "MX", Window.of(cfg, 0.30, 0.35), 4.0),
    )
