"""Run every simulation step in order and assemble the canonical tables and the ground truth."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from govex.contract.schema import CHANNELS, JOURNEYS, ORDER_STATUSES
from govex.datasets.synth import aftercare, compensation, moderation, moderation_ops, onboarding_help, sellers_supply, service, surveys, workforce
from govex.datasets.synth.columns import Ids, Labels, Masked, day_to_date, day_to_timestamp_us, id_array, to_arrow
from govex.datasets.synth.config import (
    ACQUISITION_CHANNELS,
    CARRIERS,
    CATEGORIES,
    CURRENCIES,
    MARKET_CODES,
    MARKETS,
    PLATFORMS,
    SELLER_TIERS,
    VENDOR_IDS,
    VENDORS,
    SynthConfig,
)
from govex.datasets.synth.customers import CustomerSim, simulate_customers
from govex.datasets.synth.events import PlantedEvents, Window, planted_events
from govex.datasets.synth.fx import REPORTING_CURRENCY, fx_columns, simulate_fx
from govex.datasets.synth.help_flow import launch_help_flow
from govex.datasets.synth.orders import MARKET_CURRENCY, OrderSim, simulate_orders, simulate_sellers
from govex.datasets.synth.promise_miss import plant_promise_miss
from govex.datasets.synth.texts import COMMENT_TEXTS, CONTACT_TEXTS

STEPS = ("customers", "sellers", "fx", "orders", "ring", "returns", "disputes", "contacts", "surveys",
         "moderation", "staffing")
GROUND_TRUTH_VERSION = 1
AGENTS_PER_VENDOR = 40


@dataclass(frozen=True)
class ArrowMarketplace:
    """The canonical tables as Arrow tables, the per-customer truth and the ground-truth document."""

    tables: dict[str, pa.Table]
    truth_customers: pa.Table
    ground_truth: dict[str, Any]


class _Clock:
    """Converts simulation days (float, since the window start) to contract dates and timestamps."""

    def __init__(self, start: dt.date):
        self.start = start
        self.start_day = (start - dt.date(1970, 1, 1)).days
        self.start_us = self.start_day * 86_400_000_000

    def ts(self, days: np.ndarray) -> np.ndarray:
        return day_to_timestamp_us(self.start_us, days)

    def date(self, days: np.ndarray) -> np.ndarray:
        return day_to_date(self.start_day, days)

    def iso(self, day: int) -> str:
        return (self.start + dt.timedelta(days=int(day))).isoformat()

    def window(self, window: Window) -> dict[str, str]:
        return {"start": self.iso(window.start_day), "end_exclusive": self.iso(window.end_day)}


def _width(count: int) -> int:
    return max(7, len(str(max(count, 1))))


def _choose_ring(rng: np.random.Generator, customers: CustomerSim, size: int, horizon: float) -> np.ndarray:
    """Ring members: established customers with a few orders, so their behaviour is visible."""
    orders_made = 1 + customers.repeat_purchases
    eligible = np.flatnonzero((orders_made >= 3) & (customers.first_day < 0.6 * horizon))
    if eligible.size < size:
        eligible = np.flatnonzero(customers.first_day < 0.6 * horizon)
    members = np.sort(rng.choice(eligible, size=min(size, eligible.size), replace=False))
    flag = np.zeros(customers.first_day.size, dtype=bool)
    flag[members] = True
    return flag


def build_marketplace(cfg: SynthConfig) -> ArrowMarketplace:
    """Simulate one marketplace from its config (deterministic for cfg.seed)."""
    rngs = dict(zip(STEPS, (np.random.default_rng(s) for s in np.random.SeedSequence(cfg.seed).spawn(len(STEPS)))))
    horizon = float(cfg.horizon_days)
    events = planted_events(cfg)
    clock = _Clock(cfg.start)

    cust = simulate_customers(rngs["customers"], cfg)
    sellers = simulate_sellers(rngs["sellers"], cfg)
    fx = simulate_fx(rngs["fx"], cfg)
    orders = simulate_orders(rngs["orders"], cfg, cust, sellers, fx, events.late_delivery_spike)
    ring = _choose_ring(rngs["ring"], cust, events.abuse_ring.size, horizon)
    rets = aftercare.simulate_returns(rngs["returns"], orders, ring, events.abuse_ring, horizon)
    disp = aftercare.simulate_disputes(rngs["disputes"], orders, rets, ring, events.abuse_ring, horizon)
    cont = service.simulate_contacts(rngs["contacts"], cfg, cust, orders, rets, disp, events.reason_surge)
    surv = surveys.simulate_surveys(rngs["surveys"], horizon, cust, orders, rets, cont)
    launch = launch_help_flow(cfg, cont)  # its own stream: contacts it prevents are dropped below
    promise_miss = plant_promise_miss(cfg, cont, orders, cust.market)  # no draws: only contact waits change
    mod = moderation.simulate_moderation(rngs["moderation"], cfg, orders.day, sellers.market, cust.market,
                                         events.vendor_qa_drop)
    supply = sellers_supply.simulate_supply(cfg, sellers, orders, disp.order, rets)  # its own streams
    recovery = compensation.simulate_compensation(cfg, orders)  # its own stream
    onboarding = onboarding_help.simulate_onboarding(  # its own stream: contacts it prevents are dropped below
        cfg, cust.first_day, cust.market, cont, launch.deflected,
        np.concatenate((orders.customer, orders.customer[recovery.order[recovery.extra]])),
        np.concatenate((orders.day, recovery.extra_day[recovery.extra])))
    removed = launch.deflected | onboarding.prevented

    journey_of_reason = np.array([JOURNEYS.index(r.journey) for r in service.REASONS])
    contact_queue = journey_of_reason[cont.reason].astype(np.int64) * len(CHANNELS) + cont.channel
    human_contact = ~cont.automated
    human_case = (mod.vendor >= 0) & np.isfinite(mod.handle_s)
    staffing = workforce.simulate_staffing(
        rngs["staffing"],
        np.concatenate((np.floor(cont.created_day[human_contact]), np.floor(mod.decided_day[human_case]))),
        np.concatenate((contact_queue[human_contact], workforce.MODERATION_QUEUE_OFFSET + mod.policy[human_case])),
        np.concatenate((cont.vendor[human_contact], mod.vendor[human_case])),
        # contacts the help flow prevented keep their (day, queue, vendor) rows at zero work: other rows' draws unchanged
        np.concatenate((np.where(removed, 0.0, cont.handle_s)[human_contact], mod.handle_s[human_case])),
        np.concatenate(((~removed)[human_contact], np.ones(human_case.sum()))).astype(np.float64),
    )

    n_cust, n_sell, n_ord = cust.first_day.size, sellers.market.size, orders.day.size
    w_c, w_s, w_o = _width(n_cust), _width(n_sell), _width(n_ord)
    customer_id = partial(Ids, "C", width=w_c)
    seller_id = partial(Ids, "S", width=w_s)
    order_id = partial(Ids, "O", width=w_o)
    market = partial(Labels, labels=MARKET_CODES)

    def currency(market_codes: np.ndarray) -> Labels:
        return Labels(MARKET_CURRENCY[market_codes], CURRENCIES)

    order_market = orders.market

    tables: dict[str, pa.Table] = {}
    tables["customers"] = to_arrow("customers", {
        "customer_id": customer_id(np.arange(n_cust)),
        "signup_date": clock.date(cust.first_day),
        "market": market(cust.market),
        "acquisition_channel": Labels(cust.acquisition, ACQUISITION_CHANNELS),
    })
    tables["sellers"] = to_arrow("sellers", {
        "seller_id": seller_id(np.arange(n_sell)),
        "onboarded_date": clock.date(sellers.onboarded_day),
        "market": market(sellers.market),
        "category": Labels(sellers.category, CATEGORIES),
        "seller_tier": Labels(sellers.tier, SELLER_TIERS),
        **sellers_supply.seller_columns(supply, clock, w_s),
    })
    tables["orders"] = to_arrow("orders", {
        "order_id": order_id(np.arange(n_ord)),
        "customer_id": customer_id(orders.customer),
        "seller_id": seller_id(orders.seller),
        "market": market(order_market),
        "ordered_at": clock.ts(orders.day),
        "amount": orders.amount,
        "currency": currency(order_market),
        "status": Labels(orders.status, ORDER_STATUSES),
        "category": Labels(orders.category, CATEGORIES),
        "carrier": Labels(orders.carrier, CARRIERS),
        "platform": Labels(orders.platform, PLATFORMS),
        "promised_date": clock.date(orders.promised_day),
        "delivered_at": clock.ts(orders.delivered_day),
        **sellers_supply.order_columns(supply, clock),
    })
    n_cont = cont.issue.size
    queue_labels = workforce.QUEUES
    tables["contacts"] = to_arrow("contacts", {
        "contact_id": Ids("T", np.arange(n_cont), _width(n_cont)),
        "customer_id": customer_id(cont.customer),
        "seller_id": seller_id(np.where(cont.order >= 0, orders.seller[np.maximum(cont.order, 0)], -1)),
        "order_id": order_id(cont.order),
        "market": market(cont.market),
        "created_at": clock.ts(cont.created_day),
        "channel": Labels(cont.channel, CHANNELS),
        "queue": Labels(contact_queue, queue_labels),
        "journey": Labels(journey_of_reason[cont.reason], JOURNEYS),
        "reason": Labels(cont.reason, tuple(r.code for r in service.REASONS)),
        "automated": cont.automated,
        "wait_time_s": promise_miss.wait_s,
        "handle_time_s": cont.handle_s,
        "first_contact_resolution": Masked(cont.first_contact_resolution, cont.fcr_known),
        "resolved_at": clock.ts(cont.resolved_day),
        "vendor_id": Labels(cont.vendor, VENDOR_IDS),
        # the simulation has no individual agents: human-handled contacts go round-robin to a
        # vendor's AGENTS_PER_VENDOR agents (ids like V01-07), so agent counts have something to count
        "agent_id": Labels(np.where((cont.vendor >= 0) & ~cont.automated,
                                    cont.vendor * AGENTS_PER_VENDOR + np.arange(n_cont) % AGENTS_PER_VENDOR, -1),
                           tuple(f"{v}-{k:02d}" for v in VENDOR_IDS for k in range(AGENTS_PER_VENDOR))),
        "text": Labels(cont.text, CONTACT_TEXTS.labels),
    })
    tables["surveys"] = to_arrow("surveys", {
        "survey_id": Ids("Y", np.arange(surv.customer.size), _width(surv.customer.size)),
        "customer_id": customer_id(surv.customer),
        "order_id": order_id(surv.order),
        "contact_id": Ids("T", surv.contact, _width(n_cont)),
        "market": market(cust.market[surv.customer]),
        "responded_at": clock.ts(surv.responded_day),
        "touchpoint": Labels(surv.touchpoint, surveys.TOUCHPOINTS),
        "csat": Masked(np.maximum(surv.csat, 1), surv.csat >= 0),
        "nps": Masked(np.maximum(surv.nps, 0), surv.nps >= 0),
        "comment": Labels(surv.comment, COMMENT_TEXTS.labels),
    })
    tables["disputes"] = to_arrow("disputes", {
        "dispute_id": Ids("D", np.arange(disp.order.size), _width(disp.order.size)),
        "order_id": order_id(disp.order),
        "customer_id": customer_id(orders.customer[disp.order]),
        "market": market(order_market[disp.order]),
        "opened_at": clock.ts(disp.opened_day),
        "kind": Labels(disp.kind, aftercare.DISPUTE_KINDS),
        "reason": Labels(disp.reason, aftercare.DISPUTE_REASONS),
        "amount": orders.amount[disp.order],
        "currency": currency(order_market[disp.order]),
        "outcome": Labels(disp.outcome, aftercare.DISPUTE_OUTCOMES),
        "resolved_at": clock.ts(disp.resolved_day),
    })
    tables["returns"] = to_arrow("returns", {
        "return_id": Ids("R", np.arange(rets.order.size), _width(rets.order.size)),
        "order_id": order_id(rets.order),
        "customer_id": customer_id(orders.customer[rets.order]),
        "market": market(order_market[rets.order]),
        "requested_at": clock.ts(rets.requested_day),
        "reason": Labels(rets.reason, aftercare.RETURN_REASONS),
        "refund_amount": rets.refund_amount,
        "currency": currency(order_market[rets.order]),
        "status": Labels(rets.status, aftercare.RETURN_STATUSES),
        "abuse_flag": Masked(rets.abuse_flag, rets.investigated),
    })
    mod_ops = moderation_ops.simulate_operations(cfg, mod)  # its own stream
    tables["moderation_cases"] = _moderation_table(mod, clock, w_s, w_c, moderation_ops.case_columns(mod_ops, clock))
    tables["staffing"] = to_arrow("staffing", {
        "date": clock.date(staffing.day.astype(np.float64)),
        "queue": Labels(staffing.queue, queue_labels),
        "vendor_id": Labels(staffing.vendor, VENDOR_IDS),
        "planned_hours": staffing.planned_hours,
        "actual_hours": staffing.actual_hours,
        "productive_hours": staffing.productive_hours,
        "planned_cost": staffing.planned_cost,
        "currency": Labels(np.array([CURRENCIES.index(v.currency) for v in VENDORS])[staffing.vendor], CURRENCIES),
        "actual_cost": staffing.actual_cost,
    })
    tables["vendors"] = to_arrow("vendors", workforce.vendor_columns(staffing, cfg.horizon_days))
    tables["fx_rates"] = to_arrow("fx_rates", fx_columns(fx))
    tables.update(sellers_supply.supply_tables(supply, clock, sellers.market, w_s))

    tables["orders"] = compensation.with_extra_orders(tables["orders"], recovery, clock, horizon, w_o)
    tables["compensations"] = compensation.compensations_table(
        recovery, orders, cont, ~removed, clock, {"customer": w_c, "order": w_o, "contact": _width(n_cont)})
    tables["customer_education"] = onboarding_help.customer_education_table(onboarding, clock, w_c)

    tables["contacts"] = tables["contacts"].filter(pa.array(~removed))
    tables["surveys"] = tables["surveys"].filter(pa.array(~((surv.contact >= 0) & removed[np.maximum(surv.contact, 0)])))
    truth = _truth_customers(cfg, cust, ring, clock, w_c, compensation.extra_purchases(recovery, orders, n_cust))
    ground_truth = _ground_truth(cfg, events, clock, orders, ring, tables, w_c)
    ground_truth["events"].extend(sellers_supply.ground_truth_events(supply, clock, w_s))
    ground_truth["events"].append(launch.truth(clock.iso(launch.start_day), cfg.end.isoformat()))
    ground_truth["events"].append(compensation.ground_truth_event(recovery))
    ground_truth["events"].append(onboarding_help.ground_truth_event(onboarding))
    ground_truth["events"].append(promise_miss.truth(clock.iso(promise_miss.start_day), cfg.end.isoformat()))
    ground_truth["events"].append(moderation_ops.ground_truth_event(mod_ops, clock, cfg.end.isoformat()))
    return ArrowMarketplace(tables=tables, truth_customers=truth, ground_truth=ground_truth)


def _moderation_table(mod: moderation.ModerationSim, clock: _Clock, seller_width: int, customer_width: int,
                      operations: dict[str, object]) -> pa.Table:
    n = mod.policy.size
    width = _width(n)
    per_type = [id_array(Ids(prefix, mod.object_number, width)) for prefix in ("L", "RV", "M")]
    per_type.append(id_array(Ids("S", mod.object_number, seller_width)))
    per_type.append(id_array(Ids("C", mod.object_number, customer_width)))
    object_id = pc.choose(pa.array(mod.object_type.astype(np.int8)), *per_type)
    table = to_arrow("moderation_cases", {
        "case_id": Ids("MC", np.arange(n), width),
        "object_type": Labels(mod.object_type, moderation.OBJECT_TYPES),
        "object_id": Labels(np.zeros(n, dtype=np.int64), ("",)),
        "seller_id": Ids("S", mod.seller, seller_width),
        "customer_id": Ids("C", mod.customer, customer_width),
        "market": Labels(mod.market, MARKET_CODES),
        "policy": Labels(mod.policy, moderation.POLICY_NAMES),
        "created_at": clock.ts(mod.created_day),
        "decided_at": clock.ts(mod.decided_day),
        "decision": Labels(mod.decision, moderation.DECISIONS),
        "automated": mod.automated,
        "handle_time_s": mod.handle_s,
        "vendor_id": Labels(mod.vendor, VENDOR_IDS),
        "qa_result": Labels(mod.qa, ("correct", "incorrect")),
        **operations,
    })
    return table.set_column(table.column_names.index("object_id"), "object_id", object_id)


def _truth_customers(cfg: SynthConfig, cust: CustomerSim, ring: np.ndarray, clock: _Clock, width: int,
                     extra_purchases: np.ndarray) -> pa.Table:
    """Per-customer truth; repeat_purchases include the orders planted programmes brought back."""
    n = cust.first_day.size
    return pa.table({
        "customer_id": id_array(Ids("C", np.arange(n), width)),
        "market": pa.array(np.asarray(MARKET_CODES, dtype=object)[cust.market], pa.string()),
        "first_purchase_at": pa.array(clock.ts(cust.first_day), pa.timestamp("us")),
        "exposure_days": pa.array(cust.exposure_days),
        "purchase_rate_per_day": pa.array(cust.purchase_rate),
        "dropout_probability": pa.array(cust.dropout_prob),
        "dropout_at": pa.array(clock.ts(cust.dropout_day), pa.timestamp("us")),
        "alive_at_end": pa.array(cust.alive_at_end),
        "repeat_purchases": pa.array((cust.repeat_purchases + extra_purchases).astype(np.int64)),
        "spend_nu": pa.array(cust.spend_nu),
        "expected_order_value_usd": pa.array(cfg.spend_p / cust.spend_nu),
        "abuser": pa.array(ring),
    })


def _ground_truth(
    cfg: SynthConfig,
    events: PlantedEvents,
    clock: _Clock,
    orders: OrderSim,
    ring: np.ndarray,
    tables: dict[str, pa.Table],
    width: int,
) -> dict[str, Any]:
    spike = events.late_delivery_spike
    slice_ = (orders.market == MARKET_CODES.index(spike.market)) & (orders.carrier == CARRIERS.index(spike.carrier))
    day = np.floor(orders.day)
    outside = slice_ & orders.delivered & ((day < spike.window.start_day) | (day >= spike.window.end_day))
    qa = events.vendor_qa_drop
    qa_vendor = next(v for v in VENDORS if v.vendor_id == qa.vendor_id)
    ring_ids = pc.binary_join_element_wise("C", pc.utf8_lpad(pc.cast(pa.array(np.flatnonzero(ring)), pa.string()),
                                                             width=width, padding="0"), "").to_pylist()
    surge = events.reason_surge
    return {
        "version": GROUND_TRUTH_VERSION,
        "generator": {
            "customers": cfg.customers, "seed": cfg.seed, "months": cfg.months,
            "start": cfg.start.isoformat(), "end_exclusive": cfg.end.isoformat(),
        },
        "reporting_currency": REPORTING_CURRENCY,
        "row_counts": {name: table.num_rows for name, table in tables.items()},
        "bgnbd": {
            "r": cfg.r, "alpha": cfg.alpha, "a": cfg.a, "b": cfg.b, "time_unit": "day",
            "note": "every order row (any status) is a purchase; a customer's first order is at sign-up (time 0); "
                    "T runs to generator.end_exclusive",
        },
        "gamma_gamma": {
            "p": cfg.spend_p, "q": cfg.spend_q, "v": cfg.spend_v, "currency": REPORTING_CURRENCY,
            "note": "order amount converted to USD with fx_rates (rate valid on the order date) follows Gamma(p, nu), "
                    "nu ~ Gamma(q, v) per customer",
        },
        "csat_drivers": {
            "model": "csat = clip(round(intercept + sum(effect * driver) + Normal(0, noise_sd)), 1, 5); "
                     "nps = clip(round(nps_intercept + nps_per_csat_point * sum(effect * driver) + Normal(0, nps_noise_sd)), 0, 10)",
            "intercept": surveys.CSAT_INTERCEPT, "noise_sd": surveys.CSAT_NOISE_SD,
            "nps_intercept": surveys.NPS_INTERCEPT, "nps_per_csat_point": surveys.NPS_PER_CSAT_POINT,
            "nps_noise_sd": surveys.NPS_NOISE_SD,
            "effects": {name: effect for name, (effect, _) in surveys.DRIVERS.items()},
            "definitions": {name: meaning for name, (_, meaning) in surveys.DRIVERS.items()},
            "ranking": sorted(surveys.DRIVERS, key=lambda name: surveys.DRIVERS[name][0]),
            "applies_to": "touchpoint 'order' (contact drivers are 0 there) and 'contact'; relationship surveys "
                          f"carry NPS only, {surveys.RELATIONSHIP_LATE_EFFECT} NPS points after a late delivery",
        },
        "vendors": {v.vendor_id: {"handle_time_factor": v.handle_time_factor, "fcr_rate": v.fcr_rate,
                                  "qa_accuracy": v.qa_accuracy} for v in VENDORS},
        "carriers": {c: rate for m in MARKETS for c, rate in zip(m.carriers, m.carrier_late_rates)},
        "events": [
            {
                "type": "late_delivery_spike", "market": spike.market, "carrier": spike.carrier,
                **clock.window(spike.window),
                "late_rate_baseline": round(float(orders.late_prob[outside].mean()), 4) if outside.any() else None,
                "late_rate_during": spike.late_rate_during,
                "definition": "share of delivered orders with date(delivered_at) > promised_date, by order date",
                "also_affects": ["where_is_my_order contacts", "csat (late_delivery driver)"],
            },
            {
                "type": "abuse_ring", "customer_ids": ring_ids,
                "dispute_rate": events.abuse_ring.dispute_rate, "return_rate": events.abuse_ring.return_rate,
                "chargeback_share": events.abuse_ring.chargeback_share,
                "definition": "dispute_rate: disputes per order that was delivered or lost (at least); return_rate: "
                              "returns per delivered order (at least)",
            },
            {
                "type": "vendor_qa_drop", "vendor_id": qa.vendor_id, **clock.window(qa.window),
                "accuracy_baseline": qa_vendor.qa_accuracy, "accuracy_during": qa.accuracy_during,
                "definition": "share of QA-sampled cases with qa_result 'correct', by date of decided_at",
            },
            {
                "type": "contact_reason_surge", "reason": surge.reason, "market": surge.market,
                **clock.window(surge.window), "multiplier": surge.multiplier,
                "baseline_issues_per_order": 0.01,
                "definition": "new issues of this reason per order placed on the same day in the market",
            },
        ],
    }
