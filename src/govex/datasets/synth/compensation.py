"""A planted service-recovery programme: compensation after a failure, targeted, with a known effect.

Each customer's first late delivery (delivered after the promised date) is a candidate. Who is
compensated is not random: the probability rises with the customer's orders in the month before
the failed order (frequent, high-value customers first), a logistic in that one pre-failure fact,
so an analysis that adjusts for it can recover the effect and one that does not cannot (the
customers the programme favours would have come back more often anyway). The window is a month:
these synthetic customers buy often, and within 90 days four in five come back whatever happens.
Refused redemptions are failures the contract knows too; the programme leaves them out so that
nothing here depends on the supply side's draws.

The effect: of the compensated customers who would not have ordered again within WINDOW_DAYS of
the failure, a share EXTRA_PURCHASE_SHARE does (one extra order in that window). Each candidate's
two potential outcomes are known, so the ground truth records the effect as a sample average over
the candidates (and over the compensated, and by segment of recent orders).

Draws come from their own stream (seed, COMPENSATION_STREAM); existing order rows are kept as
they are and the extra orders are appended after them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from govex.contract.schema import FULFILMENT_OUTCOMES, FULFILMENT_TYPES, ORDER_STATUSES
from govex.datasets.synth.columns import Ids, Labels, id_array, label_array, to_arrow
from govex.datasets.synth.config import CURRENCIES, MARKET_CODES, VENDOR_IDS, SynthConfig
from govex.datasets.synth.orders import MARKET_CURRENCY, OrderSim
from govex.datasets.synth.service import ContactSim

COMPENSATION_STREAM = 19_001
FAILURE = "late_delivery"
WINDOW_DAYS = 30
RECENT_DAYS = 30  # the targeting looks at the orders of the month before the failed order
EXTRA_PURCHASE_SHARE = 0.35
# logit P(compensated) = BASE + PER_RECENT_ORDER * min(recent orders, RECENT_CAP)
BASE_LOGIT, PER_RECENT_ORDER_LOGIT, RECENT_CAP = -2.2, 1.1, 3
KINDS, KIND_SHARES = ("voucher", "credit", "refund_beyond_policy"), (0.6, 0.3, 0.1)
REASONS = ("proactive", "on_complaint")
# the segments the effect is reported by: orders in the RECENT_DAYS before the failed order
SEGMENTS = (("quiet", 0, 0), ("regular", 1, 2), ("frequent", 3, None))


@dataclass(frozen=True)
class CompensationSim:
    """One row per candidate (a customer's first late delivery with WINDOW_DAYS of follow-up)."""

    order: np.ndarray  # failed order index
    anchor_day: np.ndarray  # when the failure happened: the late delivery
    recent_orders: np.ndarray
    treated: np.ndarray
    granted_day: np.ndarray
    kind: np.ndarray
    amount: np.ndarray  # in the failed order's currency
    repurchase_untreated: np.ndarray  # potential outcome without compensation
    repurchase_treated: np.ndarray  # potential outcome with compensation
    extra_day: np.ndarray  # day of the order compensation brings (NaN when none is placed)

    @property
    def extra(self) -> np.ndarray:
        return np.isfinite(self.extra_day)


def _first_failures(orders: OrderSim, horizon: float) -> tuple[np.ndarray, np.ndarray]:
    """Each customer's first late order (by order time) whose delivery leaves WINDOW_DAYS of follow-up."""
    failed = np.flatnonzero(orders.delivered & (np.floor(orders.delivered_day) > orders.promised_day))
    by_time = failed[np.lexsort((orders.day[failed], orders.customer[failed]))]
    first = by_time[np.r_[True, orders.customer[by_time][1:] != orders.customer[by_time][:-1]]] if failed.size else failed
    anchor = orders.delivered_day[first]
    keep = anchor + WINDOW_DAYS <= horizon
    return first[keep], anchor[keep]


def _order_counts(orders: OrderSim, customer: np.ndarray, lo: np.ndarray, hi: np.ndarray, *, lo_open: bool) -> np.ndarray:
    """Orders of each `customer` placed in (lo, hi] (lo_open) or [lo, hi); days lie in [-1, span)."""
    span = float(np.nanmax(orders.day)) + 2 * WINDOW_DAYS + 10.0
    keys = np.sort(orders.customer * span + orders.day)
    base = customer * span
    side = "right" if lo_open else "left"
    return np.searchsorted(keys, base + hi, side=side) - np.searchsorted(keys, base + lo, side=side)


def simulate_compensation(cfg: SynthConfig, orders: OrderSim) -> CompensationSim:
    """Candidates, who was compensated, with what, and the order the compensation brought back."""
    rng = np.random.default_rng([cfg.seed, COMPENSATION_STREAM])
    horizon = float(cfg.horizon_days)
    order, anchor = _first_failures(orders, horizon)
    customer = orders.customer[order]
    recent = _order_counts(orders, customer, np.maximum(orders.day[order] - RECENT_DAYS, -1.0), orders.day[order],
                           lo_open=False)
    logit = BASE_LOGIT + PER_RECENT_ORDER_LOGIT * np.minimum(recent, RECENT_CAP)
    treated = rng.random(order.size) < 1.0 / (1.0 + np.exp(-logit))
    untreated_outcome = _order_counts(orders, customer, anchor, anchor + WINDOW_DAYS, lo_open=True) > 0
    brought_back = ~untreated_outcome & (rng.random(order.size) < EXTRA_PURCHASE_SHARE)
    extra_day = anchor + rng.uniform(0.5, WINDOW_DAYS, order.size)
    share = rng.uniform(0.10, 0.25, order.size)
    return CompensationSim(
        order=order, anchor_day=anchor, recent_orders=recent, treated=treated,
        granted_day=anchor + rng.uniform(0.05, 0.45, order.size),
        kind=rng.choice(len(KINDS), size=order.size, p=KIND_SHARES),
        amount=np.round(orders.amount[order] * share, 2),
        repurchase_untreated=untreated_outcome,
        repurchase_treated=untreated_outcome | brought_back,
        extra_day=np.where(treated & brought_back, extra_day, np.nan),
    )


def _complaints(sim: CompensationSim, rows: np.ndarray, contacts: ContactSim, kept: np.ndarray) -> np.ndarray:
    """The first kept contact about each row's failed order made before the compensation (-1: none)."""
    about = np.flatnonzero(kept & (contacts.order >= 0))
    about = about[np.lexsort((contacts.created_day[about], contacts.order[about]))]
    first = np.searchsorted(contacts.order[about], sim.order[rows])
    found = first < about.size
    contact = np.where(found, about[np.minimum(first, max(about.size - 1, 0))], -1) if about.size else np.full(rows.size, -1)
    made_before = (contact >= 0) & (contacts.order[np.maximum(contact, 0)] == sim.order[rows]) & (
        contacts.created_day[np.maximum(contact, 0)] < sim.granted_day[rows])
    return np.where(made_before, contact, -1)


def compensations_table(sim: CompensationSim, orders: OrderSim, contacts: ContactSim, kept: np.ndarray, clock: Any,
                        widths: dict[str, int]) -> pa.Table:
    """The compensations table: one row per compensated candidate; granted in the customer's contact
    about the order when there was one (by that contact's vendor), proactively otherwise."""
    rows = np.flatnonzero(sim.treated)
    order = sim.order[rows]
    market = orders.market[order]
    contact = _complaints(sim, rows, contacts, kept)
    return to_arrow("compensations", {
        "compensation_id": Ids("G", np.arange(rows.size), max(7, len(str(rows.size)))),
        "customer_id": Ids("C", orders.customer[order], widths["customer"]),
        "order_id": Ids("O", order, widths["order"]),
        "contact_id": Ids("T", contact, widths["contact"]),
        "market": Labels(market, MARKET_CODES),
        "granted_at": clock.ts(sim.granted_day[rows]),
        "kind": Labels(sim.kind[rows], KINDS),
        "failure": Labels(np.zeros(rows.size, dtype=np.int64), (FAILURE,)),
        "reason": Labels((contact >= 0).astype(np.int64), REASONS),
        "amount": sim.amount[rows],
        "currency": Labels(MARKET_CURRENCY[market], CURRENCIES),
        "vendor_id": Labels(np.where(contact >= 0, contacts.vendor[np.maximum(contact, 0)], -1), VENDOR_IDS),
    })


def with_extra_orders(table: pa.Table, sim: CompensationSim, clock: Any, horizon: float, order_width: int) -> pa.Table:
    """The orders table with the orders compensation brought back appended (clean, on-time orders).

    Each copies its failed order's customer, seller, market, amount, category, carrier, platform
    and fulfilment type; it is delivered (a voucher or appointment redeemed) 2.5 days later when
    that falls inside the window.
    """
    rows = np.flatnonzero(sim.extra)
    day = sim.extra_day[rows]
    extra = table.take(pa.array(sim.order[rows]))
    done = day + 2.5 < horizon
    shipped = np.asarray(extra.column("fulfilment_type").to_numpy(zero_copy_only=False)) == FULFILMENT_TYPES[0]
    replaced = {
        "order_id": id_array(Ids("O", table.num_rows + np.arange(rows.size), order_width)),
        "ordered_at": pa.array(clock.ts(day), pa.timestamp("us")),
        "status": label_array(Labels(np.where(done, ORDER_STATUSES.index("delivered"), ORDER_STATUSES.index("approved")),
                                     ORDER_STATUSES)),
        "promised_date": pa.array(clock.date(day + 5.0), pa.date32()),
        "delivered_at": pa.array(clock.ts(np.where(done, day + 2.5, np.nan)), pa.timestamp("us")),
        "fulfilment_outcome": label_array(Labels(np.where(done & ~shipped, FULFILMENT_OUTCOMES.index("redeemed"), -1),
                                                 FULFILMENT_OUTCOMES)),
        "redeemed_at": pa.array(clock.ts(np.where(done & ~shipped, day + 2.5, np.nan)), pa.timestamp("us")),
        "creator_id": pa.nulls(rows.size, pa.string()),
    }
    for name, array in replaced.items():
        extra = extra.set_column(extra.column_names.index(name), name, array.cast(table.schema.field(name).type))
    return pa.concat_tables([table, extra])


def extra_purchases(sim: CompensationSim, orders: OrderSim, n_customers: int) -> np.ndarray:
    """Orders compensation added, per customer (for the per-customer truth)."""
    return np.bincount(orders.customer[sim.order[sim.extra]], minlength=n_customers)


def segment_of(recent_orders: np.ndarray) -> np.ndarray:
    """Index into SEGMENTS of each candidate's count of recent orders."""
    return np.select([recent_orders <= SEGMENTS[0][2], recent_orders <= SEGMENTS[1][2]], [0, 1], 2)


def ground_truth_event(sim: CompensationSim) -> dict[str, Any]:
    effect = sim.repurchase_treated.astype(float) - sim.repurchase_untreated
    observed = np.where(sim.treated, sim.repurchase_treated, sim.repurchase_untreated).astype(float)
    segment = segment_of(sim.recent_orders)
    by_segment = {}
    for k, (name, lo, hi) in enumerate(SEGMENTS):
        inside = segment == k
        by_segment[name] = {
            "recent_orders": [lo, hi], "candidates": int(inside.sum()), "compensated": int((inside & sim.treated).sum()),
            "effect": round(float(effect[inside].mean()), 4) if inside.any() else None,
        }
    return {
        "type": "compensation_effect", "failure": FAILURE,
        "outcome": f"repurchase within {WINDOW_DAYS} days of the failure",
        "window_days": WINDOW_DAYS, "recent_days": RECENT_DAYS,
        "candidates": int(sim.order.size), "compensated": int(sim.treated.sum()),
        "orders_brought_back": int(sim.extra.sum()),
        "effect": round(float(effect.mean()), 4),
        "effect_on_compensated": round(float(effect[sim.treated].mean()), 4),
        "naive_difference": round(float(observed[sim.treated].mean() - observed[~sim.treated].mean()), 4),
        "by_segment": by_segment, "extra_purchase_share": EXTRA_PURCHASE_SHARE,
        "targeting": {"logit": f"{BASE_LOGIT} + {PER_RECENT_ORDER_LOGIT} * min(recent_orders, {RECENT_CAP})",
                      "randomised": False},
        "definition": "candidates: each customer's first late order (date(delivered_at) > promised_date; the "
                      f"earliest by ordered_at) whose failure time (delivered_at) is at least {WINDOW_DAYS} days "
                      f"before end_exclusive; recent_orders: the customer's orders placed in the {RECENT_DAYS} days "
                      "before the failed order was placed; "
                      f"outcome: an order placed in (failure time, failure time + {WINDOW_DAYS} days]; effect: the "
                      "mean over candidates of the outcome with compensation minus without (a sample average "
                      "treatment effect; both potential outcomes are simulated)",
        "csat": "not planted: CSAT after recovered and unrecovered failures is measured, with no known effect",
    }
