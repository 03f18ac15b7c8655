"""CSAT and NPS answers driven by known effects, so a driver analysis has a true ranking.

A respondent's latent satisfaction is a linear sum of binary drivers plus normal noise; CSAT is
that latent score rounded and clipped to 1-5, NPS a scaled version rounded and clipped to
0-10. Every driver can be computed from the canonical tables (see `DRIVERS`), and the effect
sizes are written to the ground truth.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from govex.datasets.synth.aftercare import ReturnSim
from govex.datasets.synth.customers import CustomerSim
from govex.datasets.synth.orders import OrderSim
from govex.datasets.synth.service import ContactSim
from govex.datasets.synth.texts import COMMENT_TEXTS

CSAT_INTERCEPT = 4.45
CSAT_NOISE_SD = 0.55
NPS_INTERCEPT = 8.3
NPS_PER_CSAT_POINT = 2.0
NPS_NOISE_SD = 1.3
SLOW_RESOLUTION_DAYS = 2.0

# Effect on the latent CSAT (1-5 scale) of each binary driver, and how to compute it from the tables.
DRIVERS: dict[str, tuple[float, str]] = {
    "late_delivery": (-1.10, "the surveyed order (or the contact's order) has delivered_at date > promised_date"),
    "refund_rejected": (-0.90, "that order has a return with status 'rejected'"),
    "unresolved": (-0.70, "contact surveys: the surveyed contact's resolved_at is null"),
    "item_problem": (-0.60, "that order has a return with reason 'damaged' or 'not_as_described'"),
    "repeat_contact": (-0.45, "contact surveys: 2+ contacts share the surveyed contact's customer_id, order_id and reason"),
    "slow_resolution": (-0.30, "contact surveys: resolved_at is more than 2 days after the first of those contacts"),
}
ORDER_SURVEY_RATE = 0.06
CONTACT_SURVEY_RATE = 0.22
RELATIONSHIP_SURVEY_RATE = 0.03
RELATIONSHIP_LATE_EFFECT = -1.5
COMMENT_RATE = 0.35
TOUCHPOINTS = ("order", "contact", "relationship")


@dataclass(frozen=True)
class SurveySim:
    customer: np.ndarray
    order: np.ndarray  # -1 when none
    contact: np.ndarray  # -1 when none
    responded_day: np.ndarray
    touchpoint: np.ndarray
    csat: np.ndarray  # -1 when not asked
    nps: np.ndarray  # -1 when not asked
    comment: np.ndarray  # code into COMMENT_TEXTS.labels, -1 when none


def _order_flags(orders: OrderSim, returns: ReturnSim) -> tuple[np.ndarray, np.ndarray]:
    n = orders.day.size
    item_problem = np.zeros(n, dtype=bool)
    item_problem[returns.order[returns.reason <= 1]] = True
    rejected = np.zeros(n, dtype=bool)
    rejected[returns.order[returns.status == 2]] = True
    return item_problem, rejected


def _scores(rng: np.random.Generator, features: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    effect = sum(DRIVERS[name][0] * features[name].astype(np.float64) for name in DRIVERS)
    size = effect.size
    csat = np.clip(np.rint(CSAT_INTERCEPT + effect + rng.normal(0.0, CSAT_NOISE_SD, size)), 1, 5)
    nps = np.clip(np.rint(NPS_INTERCEPT + NPS_PER_CSAT_POINT * effect + rng.normal(0.0, NPS_NOISE_SD, size)), 0, 10)
    return csat.astype(np.int64), nps.astype(np.int64)


def _comments(rng: np.random.Generator, features: dict[str, np.ndarray], csat: np.ndarray) -> np.ndarray:
    names = COMMENT_TEXTS.names
    group = np.select(
        [features["late_delivery"], features["refund_rejected"], features["item_problem"],
         features["repeat_contact"] | features["unresolved"], csat >= 4],
        [names.index("late"), names.index("refund"), names.index("item_problem"), names.index("service"),
         names.index("positive")],
        default=names.index("neutral"),
    )
    code = COMMENT_TEXTS.draw(rng, group)
    return np.where(rng.random(csat.size) < COMMENT_RATE, code, -1)


def simulate_surveys(
    rng: np.random.Generator,
    horizon: float,
    customers: CustomerSim,
    orders: OrderSim,
    returns: ReturnSim,
    contacts: ContactSim,
) -> SurveySim:
    item_problem, rejected = _order_flags(orders, returns)

    surveyed = np.flatnonzero(orders.delivered & (rng.random(orders.day.size) < ORDER_SURVEY_RATE))
    order_day = orders.delivered_day[surveyed] + 0.5 + rng.exponential(3.0, surveyed.size)
    no = np.zeros(surveyed.size, dtype=bool)
    order_features = {
        "late_delivery": orders.late[surveyed], "refund_rejected": rejected[surveyed], "unresolved": no,
        "item_problem": item_problem[surveyed], "repeat_contact": no, "slow_resolution": no,
    }

    asked = np.flatnonzero(contacts.is_last & (rng.random(contacts.issue.size) < CONTACT_SURVEY_RATE))
    after = np.where(np.isfinite(contacts.resolved_day[asked]), contacts.resolved_day[asked], contacts.created_day[asked])
    contact_day = after + 0.05 + rng.exponential(1.0, asked.size)
    c_order = contacts.order[asked]
    has_order = c_order >= 0
    safe = np.maximum(c_order, 0)
    resolved = contacts.resolved_day[asked]
    contact_features = {
        "late_delivery": has_order & orders.late[safe],
        "refund_rejected": has_order & rejected[safe],
        "unresolved": ~np.isfinite(resolved),
        "item_problem": has_order & item_problem[safe],
        "repeat_contact": contacts.issue_contacts[asked] >= 2,
        "slow_resolution": np.isfinite(resolved) & (resolved - contacts.issue_first_day[asked] > SLOW_RESOLUTION_DAYS),
    }

    features = {k: np.concatenate((order_features[k], contact_features[k])) for k in DRIVERS}
    csat, nps = _scores(rng, features)
    comment = _comments(rng, features, csat)
    n_order = surveyed.size
    nps_asked = rng.random(csat.size) < np.where(np.arange(csat.size) < n_order, 0.7, 0.5)
    nps = np.where(nps_asked, nps, -1)

    # Relationship NPS: a sample of customers asked once, at a random time after sign-up.
    n_customers = customers.first_day.size
    panel = np.flatnonzero(rng.random(n_customers) < RELATIONSHIP_SURVEY_RATE)
    panel_day = customers.first_day[panel] + rng.random(panel.size) * customers.exposure_days[panel]
    first_late = np.full(n_customers, np.inf)
    late = np.flatnonzero(orders.late)
    np.minimum.at(first_late, orders.customer[late], orders.delivered_day[late])
    had_late = first_late[panel] < panel_day
    panel_nps = np.clip(np.rint(NPS_INTERCEPT + RELATIONSHIP_LATE_EFFECT * had_late
                                + rng.normal(0.0, NPS_NOISE_SD, panel.size)), 0, 10).astype(np.int64)

    customer = np.concatenate((orders.customer[surveyed], contacts.customer[asked], panel))
    responded = np.concatenate((order_day, contact_day, panel_day))
    keep = responded < horizon
    s = np.argsort(np.where(keep, responded, np.inf))[: int(keep.sum())]
    none_panel = np.full(panel.size, -1)
    return SurveySim(
        customer=customer[s],
        order=np.concatenate((surveyed, np.where(has_order, c_order, -1), none_panel))[s],
        contact=np.concatenate((np.full(n_order, -1), asked, none_panel))[s],
        responded_day=responded[s],
        touchpoint=np.concatenate((np.zeros(n_order), np.ones(asked.size), np.full(panel.size, 2))).astype(np.int8)[s],
        csat=np.concatenate((csat, none_panel))[s],
        nps=np.concatenate((nps, panel_nps))[s],
        comment=np.concatenate((comment, none_panel))[s],
    )
