"""Customer-service contacts, driven by what happened to customers and their orders.

A late or lost order makes "where is my order" contacts likely, a damaged item brings
damaged-item contacts, returns bring refund-status contacts, new customers ask for onboarding
help, and so on. Each issue becomes a thread of one to four contacts (the first-contact
resolution rate depends on reason, channel and vendor). Contacts arrive with an hour-of-day
profile and fewer at weekends (part of the weekend demand waits until Monday).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from govex.contract.schema import CHANNELS
from govex.datasets.synth.aftercare import DisputeSim, ReturnSim
from govex.datasets.synth.config import (
    CONTACT_HOUR_WEIGHTS,
    CS_VENDOR_SPLIT,
    MARKETS,
    VENDOR_IDS,
    VENDORS,
    WEEKEND_DEFERRAL,
    SynthConfig,
)
from govex.datasets.synth.customers import CustomerSim
from govex.datasets.synth.draws import choose_rows, hours_of_day
from govex.datasets.synth.events import ReasonSurge
from govex.datasets.synth.orders import OrderSim
from govex.datasets.synth.texts import CONTACT_TEXTS, VAGUE_SHARE


@dataclass(frozen=True)
class Reason:
    code: str
    journey: str
    channel_weights: tuple[float, float, float, float, float]  # phone, chat, email, messaging, self_service
    bot_share: float  # share of chat contacts fully handled by a bot
    handle_factor: float
    resolution_days: float  # mean time from the last contact to resolution
    first_contact_resolution: float


REASONS: tuple[Reason, ...] = (
    Reason("where_is_my_order", "fulfilment", (0.25, 0.35, 0.10, 0.15, 0.15), 0.30, 0.8, 0.6, 0.70),
    Reason("delivery_address_change", "fulfilment", (0.35, 0.35, 0.10, 0.15, 0.05), 0.10, 0.9, 0.2, 0.85),
    Reason("damaged_item", "return", (0.30, 0.30, 0.25, 0.15, 0.00), 0.00, 1.3, 2.0, 0.60),
    Reason("item_not_as_described", "dispute", (0.30, 0.30, 0.25, 0.15, 0.00), 0.00, 1.4, 2.5, 0.55),
    Reason("return_request", "return", (0.15, 0.30, 0.15, 0.10, 0.30), 0.20, 1.0, 1.0, 0.80),
    Reason("refund_status", "return", (0.25, 0.30, 0.15, 0.10, 0.20), 0.25, 0.9, 2.0, 0.62),
    Reason("cancel_order", "cancellation", (0.25, 0.35, 0.10, 0.10, 0.20), 0.20, 0.8, 0.3, 0.82),
    Reason("dispute_status", "dispute", (0.35, 0.25, 0.30, 0.10, 0.00), 0.00, 1.2, 4.0, 0.55),
    Reason("chargeback_query", "dispute", (0.45, 0.20, 0.30, 0.05, 0.00), 0.00, 1.5, 5.0, 0.50),
    Reason("payment_issue", "purchase", (0.40, 0.35, 0.10, 0.15, 0.00), 0.05, 1.1, 0.5, 0.72),
    Reason("product_question", "purchase", (0.10, 0.45, 0.15, 0.20, 0.10), 0.25, 0.7, 0.2, 0.85),
    Reason("account_setup", "onboarding", (0.10, 0.30, 0.15, 0.10, 0.35), 0.30, 0.7, 0.2, 0.85),
    Reason("how_to_buy", "onboarding", (0.10, 0.30, 0.10, 0.10, 0.40), 0.40, 0.6, 0.1, 0.90),
    Reason("account_access", "account_safety", (0.40, 0.30, 0.15, 0.05, 0.10), 0.05, 1.0, 0.4, 0.75),
    Reason("suspicious_activity", "account_safety", (0.60, 0.20, 0.15, 0.05, 0.00), 0.00, 1.6, 1.5, 0.65),
)
REASON_INDEX = {r.code: i for i, r in enumerate(REASONS)}
CHANNEL_HANDLE_MEDIAN_S = np.array([380.0, 540.0, 260.0, 420.0, 0.0])
CHANNEL_WAIT_MEAN_S = np.array([75.0, 40.0, 5 * 3600.0, 600.0, 0.0])
SELF_SERVICE = CHANNELS.index("self_service")
CHAT = CHANNELS.index("chat")
PHONE = CHANNELS.index("phone")
FOLLOW_UP_RESOLUTION = 0.7
MAX_CONTACTS_PER_ISSUE = 4
ABANDONED_SHARE = 0.04


@dataclass(frozen=True)
class ContactSim:
    issue: np.ndarray  # issue (thread) index of each contact
    position: np.ndarray  # 0 for the first contact of an issue
    is_last: np.ndarray
    customer: np.ndarray
    order: np.ndarray  # -1 when not about an order
    market: np.ndarray
    created_day: np.ndarray
    channel: np.ndarray
    reason: np.ndarray
    automated: np.ndarray
    vendor: np.ndarray  # index into VENDORS, -1 for automated
    wait_s: np.ndarray
    handle_s: np.ndarray
    first_contact_resolution: np.ndarray
    fcr_known: np.ndarray
    resolved_day: np.ndarray
    text: np.ndarray  # codes into CONTACT_TEXTS.labels
    issue_contacts: np.ndarray  # contacts in the issue (per contact)
    issue_first_day: np.ndarray  # created day of the issue's first contact (per contact)


@dataclass
class _Issues:
    customer: list[np.ndarray]
    order: list[np.ndarray]
    earliest: list[np.ndarray]
    reason: list[np.ndarray]

    def add(self, reason: str, customer: np.ndarray, order: np.ndarray, earliest: np.ndarray) -> None:
        self.customer.append(np.asarray(customer, dtype=np.int64))
        self.order.append(np.asarray(order, dtype=np.int64))
        self.earliest.append(np.asarray(earliest, dtype=np.float64))
        self.reason.append(np.full(len(customer), REASON_INDEX[reason], dtype=np.int8))


def _issue_triggers(
    rng: np.random.Generator,
    cfg: SynthConfig,
    customers: CustomerSim,
    orders: OrderSim,
    returns: ReturnSim,
    disputes: DisputeSim,
    surge: ReasonSurge,
) -> _Issues:
    issues = _Issues([], [], [], [])
    n_orders = orders.day.size
    horizon = float(cfg.horizon_days)

    def from_orders(reason: str, probability: np.ndarray | float, earliest: np.ndarray) -> None:
        hit = np.flatnonzero(rng.random(n_orders) < probability)
        issues.add(reason, orders.customer[hit], hit, earliest[hit])

    delivered = orders.delivered
    promised = orders.promised_day.astype(np.float64)

    def between(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        return lo + rng.random(n_orders) * np.maximum(hi - lo, 0.1)

    wismo_late = between(promised + 0.5, np.where(delivered, orders.delivered_day, promised + 4.0))
    wismo_early = between(orders.day + 1.0, np.where(delivered, orders.delivered_day, promised))
    waiting = orders.lost | ((orders.status == 2) & (promised < horizon))  # shipped, past promise
    from_orders("where_is_my_order", np.where(orders.late, 0.35, 0.0), wismo_late)
    from_orders("where_is_my_order", np.where(delivered & ~orders.late, 0.02, 0.0), wismo_early)
    from_orders("where_is_my_order", np.where(waiting, 0.5, 0.0), promised + 1.0 + rng.exponential(3.0, n_orders))
    after_delivery = np.where(delivered, orders.delivered_day, np.nan)
    from_orders("damaged_item", np.where(orders.damaged, 0.55, 0.0), after_delivery + rng.exponential(1.0, n_orders))
    from_orders("item_not_as_described", np.where(orders.not_as_described, 0.45, 0.0),
                after_delivery + rng.exponential(2.0, n_orders))
    from_orders("cancel_order", np.where(orders.status == 4, 0.4, 0.0), orders.day + rng.exponential(0.3, n_orders))
    from_orders("delivery_address_change", np.where(orders.status != 4, 0.006, 0.0),
                orders.day + rng.exponential(0.5, n_orders))
    from_orders("product_question", 0.012, orders.day + rng.exponential(0.5, n_orders))
    surge_market = [m.code for m in MARKETS].index(surge.market)
    order_day_int = np.floor(orders.day)
    in_surge = (orders.market == surge_market) & (order_day_int >= surge.window.start_day) & (
        order_day_int < surge.window.end_day)
    from_orders("payment_issue", np.where(in_surge, 0.01 * surge.multiplier, 0.01),
                orders.day + rng.exponential(0.1, n_orders))

    changed_mind = returns.reason == 2
    pick = np.flatnonzero(changed_mind & (rng.random(returns.order.size) < 0.3))
    issues.add("return_request", orders.customer[returns.order[pick]], returns.order[pick],
               returns.requested_day[pick] - 0.05)
    decided = returns.status > 0
    pick = np.flatnonzero(decided & (rng.random(returns.order.size) < np.where(returns.status == 2, 0.5, 0.22)))
    issues.add("refund_status", orders.customer[returns.order[pick]], returns.order[pick],
               returns.requested_day[pick] + 3.0 + rng.exponential(4.0, pick.size))
    for kind, reason, probability in ((0, "dispute_status", 0.35), (1, "chargeback_query", 0.5)):
        pick = np.flatnonzero((disputes.kind == kind) & (rng.random(disputes.order.size) < probability))
        issues.add(reason, orders.customer[disputes.order[pick]], disputes.order[pick],
                   disputes.opened_day[pick] + 2.0 + rng.exponential(5.0, pick.size))

    n_customers = customers.first_day.size
    everyone = np.arange(n_customers)
    years = customers.exposure_days / 365.0
    for reason, probability, lag in (("account_setup", 0.06, 3.0), ("how_to_buy", 0.03, 1.0)):
        pick = everyone[rng.random(n_customers) < probability]
        issues.add(reason, pick, np.full(pick.size, -1), customers.first_day[pick] + rng.exponential(lag, pick.size))
    for reason, yearly in (("account_access", 0.03), ("suspicious_activity", 0.008)):
        pick = everyone[rng.random(n_customers) < np.minimum(yearly * years, 1.0)]
        when = customers.first_day[pick] + rng.random(pick.size) * customers.exposure_days[pick]
        issues.add(reason, pick, np.full(pick.size, -1), when)
    return issues


def _arrival_days(rng: np.random.Generator, cfg: SynthConfig, earliest: np.ndarray) -> np.ndarray:
    """Move each wanted arrival onto the contact-centre pattern: weekend deferral, hour profile."""
    day = np.floor(earliest)
    weekday = (cfg.start.weekday() + day.astype(np.int64)) % 7
    defer = (weekday >= 5) & (rng.random(day.size) < WEEKEND_DEFERRAL)
    day = day + np.where(defer, 7 - weekday, 0)
    created = day + hours_of_day(rng, CONTACT_HOUR_WEIGHTS, day.size) / 24.0
    return np.where(created < earliest, created + 1.0, created)  # that hour had passed: next day, same hour


def _vendor_choice(rng: np.random.Generator, market: np.ndarray) -> np.ndarray:
    table = np.zeros((len(MARKETS), len(VENDORS)))
    for m, spec in enumerate(MARKETS):
        for vendor_id, share in CS_VENDOR_SPLIT[spec.code]:
            table[m, VENDOR_IDS.index(vendor_id)] = share
    return choose_rows(rng, table, market).astype(np.int64)


def simulate_contacts(
    rng: np.random.Generator,
    cfg: SynthConfig,
    customers: CustomerSim,
    orders: OrderSim,
    returns: ReturnSim,
    disputes: DisputeSim,
    surge: ReasonSurge,
) -> ContactSim:
    horizon = float(cfg.horizon_days)
    raw = _issue_triggers(rng, cfg, customers, orders, returns, disputes, surge)
    earliest = np.concatenate(raw.earliest)
    first_created = _arrival_days(rng, cfg, earliest)
    keep = np.isfinite(first_created) & (first_created < horizon)
    customer = np.concatenate(raw.customer)[keep]
    order = np.concatenate(raw.order)[keep]
    reason = np.concatenate(raw.reason)[keep]
    first_created = first_created[keep]
    chronological = np.argsort(first_created)
    customer, order, reason, first_created = (a[chronological] for a in (customer, order, reason, first_created))
    n_issues = customer.size
    market = customers.market[customer]

    reason_fcr = np.array([r.first_contact_resolution for r in REASONS])[reason]
    vendor_fcr = np.array([v.fcr_rate for v in VENDORS])
    first_vendor = _vendor_choice(rng, market)
    first_resolves = rng.random(n_issues) < np.clip(reason_fcr * vendor_fcr[first_vendor] / 0.74, 0.05, 0.98)
    extra = np.minimum(rng.geometric(FOLLOW_UP_RESOLUTION, n_issues), MAX_CONTACTS_PER_ISSUE - 1)
    count = np.where(first_resolves, 1, 1 + extra)

    issue = np.repeat(np.arange(n_issues), count)
    starts = np.cumsum(count) - count
    position = np.arange(issue.size) - starts[issue]
    gaps = np.where(position > 0, 0.1 + rng.exponential(1.2, issue.size), 0.0)
    offset = np.cumsum(gaps)
    offset -= np.repeat(offset[starts], count)
    created = np.where(position > 0, _arrival_days(rng, cfg, first_created[issue] + offset), first_created[issue])
    for later in range(1, MAX_CONTACTS_PER_ISSUE):  # keep each thread in time order
        rows = np.flatnonzero(position == later)
        created[rows] = np.maximum(created[rows], created[rows - 1] + 1.0 / 24.0)
    inside = created < horizon
    issue, position, created = issue[inside], position[inside], created[inside]
    count = np.bincount(issue, minlength=n_issues)
    is_last = position == count[issue] - 1

    n = issue.size
    c_reason = reason[issue]
    c_market = market[issue]
    channel_table = np.array([r.channel_weights for r in REASONS])
    channel = choose_rows(rng, channel_table, c_reason)
    follow_up_phone = (position > 0) & (rng.random(n) < 0.4)
    channel[follow_up_phone] = PHONE
    bot = (channel == CHAT) & (rng.random(n) < np.array([r.bot_share for r in REASONS])[c_reason])
    automated = (channel == SELF_SERVICE) | bot
    vendor = np.where(position == 0, first_vendor[issue], _vendor_choice(rng, c_market))
    vendor = np.where(automated, -1, vendor)

    vendor_handle = np.array([v.handle_time_factor for v in VENDORS])
    reason_handle = np.array([r.handle_factor for r in REASONS])
    median = CHANNEL_HANDLE_MEDIAN_S[channel] * reason_handle[c_reason] * vendor_handle[np.maximum(vendor, 0)]
    handle = np.where(automated, np.nan, np.round(median * rng.lognormal(0.0, 0.45, n), 1))
    hour = (created - np.floor(created)) * 24.0
    load = np.asarray(CONTACT_HOUR_WEIGHTS)[hour.astype(np.int64)] / np.mean(CONTACT_HOUR_WEIGHTS)
    wait = np.where(automated, np.nan, np.round(rng.exponential(CHANNEL_WAIT_MEAN_S[channel] * load), 1))

    last_created = np.full(n_issues, np.nan)
    last_created[issue[is_last]] = created[is_last]
    lag = rng.exponential(np.array([r.resolution_days for r in REASONS])[reason]) + 0.01
    issue_resolved = last_created + lag
    issue_resolved[(rng.random(n_issues) < ABANDONED_SHARE) | (issue_resolved >= horizon)] = np.nan
    resolved = issue_resolved[issue]
    resolved_known = np.isfinite(resolved)
    fcr = is_last & resolved_known
    fcr_known = ~is_last | resolved_known

    vague = rng.random(n) < VAGUE_SHARE
    text_group = np.where(vague, CONTACT_TEXTS.names.index("vague"), c_reason)
    text = CONTACT_TEXTS.draw(rng, text_group)
    s = np.argsort(created)  # contact ids follow arrival order
    return ContactSim(
        issue=issue[s],
        position=position[s],
        is_last=is_last[s],
        customer=customer[issue][s],
        order=order[issue][s],
        market=c_market[s],
        created_day=created[s],
        channel=channel[s],
        reason=c_reason[s],
        automated=automated[s],
        vendor=vendor[s],
        wait_s=wait[s],
        handle_s=handle[s],
        first_contact_resolution=fcr[s],
        fcr_known=fcr_known[s],
        resolved_day=resolved[s],
        text=text[s],
        issue_contacts=count[issue][s],
        issue_first_day=first_created[issue][s],
    )
