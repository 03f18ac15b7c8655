"""A planted customer-education programme: onboarding help for first-time buyers, with a known effect.

DECISION_DAYS after a customer's first order, the onboarding guide is offered. Enrolment is not
random: it was rolled out in the markets where buyers contact customer service most (BR, MX)
first, and buyers who already contacted customer service in those first days are offered it far
more often (a logistic in those two pre-enrolment facts). Both groups contact more whatever the
guide does, so a comparison of enrolled and not-enrolled buyers is biased against the guide;
adjusting for the market and early contacts removes the bias.

The effect: of the issues an enrolled buyer starts in the OUTCOME_DAYS after enrolment for a
reason the guide covers (HOW_TO_REASONS), a share PREVENTED_SHARE never becomes a contact
(EARLY_CONTACT_PREVENTED_SHARE for a buyer who had already contacted: the guide teaches them
less). The effect is smaller where enrolment is likelier, so the effect on the enrolled is not
the effect on everyone; the estimate targets the average over all eligible buyers. The
outcome is contacts per order: contacts created in [enrolment, enrolment + OUTCOME_DAYS) over
orders placed from the first order to the end of that window. Both potential outcomes are known
for every eligible buyer, so the ground truth records the sample average effect.

One uniform per contact issue from its own stream (seed, ONBOARDING_STREAM), so every other
draw is as before; the prevented contacts (and the surveys sent after them) are removed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from govex.datasets.synth.columns import Ids, Labels, to_arrow
from govex.datasets.synth.config import MARKET_CODES, SynthConfig
from govex.datasets.synth.service import REASON_INDEX, ContactSim

ONBOARDING_STREAM = 19_002
PROGRAMME = "first_purchase_guide"
DECISION_DAYS = 3.0
OUTCOME_DAYS = 60.0
PREVENTED_SHARE = 0.5
EARLY_CONTACT_PREVENTED_SHARE = 0.1  # buyers who already asked for help have less left to learn from the guide
HOW_TO_REASONS = ("how_to_buy", "account_setup", "product_question", "payment_issue", "where_is_my_order",
                  "delivery_address_change", "cancel_order", "return_request", "refund_status")
# logit P(enrolled) = BASE + EARLY_CONTACT * (contacted before the decision day) + the market's rollout
BASE_LOGIT, EARLY_CONTACT_LOGIT = -1.6, 2.2
MARKET_LOGIT = {"BR": 1.4, "MX": 0.7, "US": 0.0, "GB": -0.6, "DE": -0.9}  # rolled out in BR and MX first
COMPLETION_SHARE = 0.6


@dataclass(frozen=True)
class OnboardingSim:
    customer: np.ndarray  # eligible first-time buyers
    early_contact: np.ndarray
    enrolled: np.ndarray
    completed_day: np.ndarray  # NaN when not completed or not enrolled
    decision_day: np.ndarray
    outcome_untreated: np.ndarray  # contacts per order without the guide
    outcome_treated: np.ndarray  # with it
    prevented: np.ndarray  # bool per contact: the contact does not happen


def _window_counts(owner: np.ndarray, day: np.ndarray, customer: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                   n_customers: int) -> np.ndarray:
    """Events of each `customer` with lo <= day < hi (owner and day are per event)."""
    inside = np.zeros(n_customers, dtype=bool)
    inside[customer] = True
    lo_of, hi_of = np.full(n_customers, np.inf), np.full(n_customers, -np.inf)
    lo_of[customer], hi_of[customer] = lo, hi
    valid = owner >= 0
    own = np.where(valid, owner, 0)
    hit = valid & inside[own] & (day >= lo_of[own]) & (day < hi_of[own])
    return np.bincount(own[hit], minlength=n_customers)[customer]


def simulate_onboarding(cfg: SynthConfig, first_day: np.ndarray, market: np.ndarray, contacts: ContactSim,
                        removed: np.ndarray, order_customer: np.ndarray, order_day: np.ndarray) -> OnboardingSim:
    """Who enrols, and which of the remaining contacts (not `removed`) the guide prevents."""
    rng = np.random.default_rng([cfg.seed, ONBOARDING_STREAM])
    horizon = float(cfg.horizon_days)
    n_customers = first_day.size
    issues = int(contacts.issue.max()) + 1 if contacts.issue.size else 0
    u_issue = rng.random(issues)
    u_enrol, u_complete, completion_lag = rng.random(n_customers), rng.random(n_customers), rng.uniform(0.5, 10.0, n_customers)

    decision = first_day + DECISION_DAYS
    customer = np.flatnonzero(decision + OUTCOME_DAYS <= horizon)
    owner = np.where(removed, -1, contacts.customer)
    early = _window_counts(owner, contacts.created_day, customer, first_day[customer], decision[customer], n_customers) > 0
    rollout = np.array([MARKET_LOGIT[code] for code in MARKET_CODES])
    logit = BASE_LOGIT + EARLY_CONTACT_LOGIT * early + rollout[market[customer]]
    enrolled = u_enrol[customer] < 1.0 / (1.0 + np.exp(-logit))

    how_to = np.isin(contacts.reason, [REASON_INDEX[r] for r in HOW_TO_REASONS])
    share = np.full(n_customers, PREVENTED_SHARE)
    share[customer[early]] = EARLY_CONTACT_PREVENTED_SHARE
    answered = u_issue[contacts.issue] < share[contacts.customer]
    enrolled_flag = np.zeros(n_customers, dtype=bool)
    enrolled_flag[customer[enrolled]] = True
    decision_of = np.full(n_customers, np.inf)
    decision_of[customer] = decision[customer]
    preventable = (~removed & how_to & answered
                   & (contacts.issue_first_day >= decision_of[contacts.customer])
                   & (contacts.issue_first_day < decision_of[contacts.customer] + OUTCOME_DAYS))
    lo, hi = decision[customer], decision[customer] + OUTCOME_DAYS
    orders = _window_counts(order_customer, order_day, customer, first_day[customer], hi, n_customers)
    contacts_before = _window_counts(owner, contacts.created_day, customer, lo, hi, n_customers)
    stopped = _window_counts(np.where(preventable, contacts.customer, -1), contacts.created_day, customer, lo, hi,
                             n_customers)
    completes = enrolled & (u_complete[customer] < COMPLETION_SHARE) & (decision[customer] + completion_lag[customer] < horizon)
    return OnboardingSim(
        customer=customer, early_contact=early, enrolled=enrolled,
        completed_day=np.where(completes, decision[customer] + completion_lag[customer], np.nan),
        decision_day=decision[customer],
        outcome_untreated=contacts_before / orders,
        outcome_treated=(contacts_before - stopped) / orders,
        prevented=preventable & enrolled_flag[contacts.customer],
    )


def customer_education_table(sim: OnboardingSim, clock: Any, customer_width: int) -> pa.Table:
    rows = np.flatnonzero(sim.enrolled)
    return to_arrow("customer_education", {
        "enrolment_id": Ids("CE", np.arange(rows.size), max(7, len(str(rows.size)))),
        "customer_id": Ids("C", sim.customer[rows], customer_width),
        "programme": Labels(np.zeros(rows.size, dtype=np.int64), (PROGRAMME,)),
        "enrolled_at": clock.ts(sim.decision_day[rows]),
        "completed_at": clock.ts(sim.completed_day[rows]),
    })


def ground_truth_event(sim: OnboardingSim) -> dict[str, Any]:
    effect = sim.outcome_treated - sim.outcome_untreated
    observed = np.where(sim.enrolled, sim.outcome_treated, sim.outcome_untreated)
    return {
        "type": "onboarding_help_effect", "programme": PROGRAMME, "audience": "first-time buyers",
        "outcome": f"contacts per order in the first {OUTCOME_DAYS:g} days after enrolment",
        "eligible": int(sim.customer.size), "enrolled": int(sim.enrolled.sum()),
        "completed": int(np.isfinite(sim.completed_day).sum()),
        "effect": round(float(effect.mean()), 4),
        "effect_on_enrolled": round(float(effect[sim.enrolled].mean()), 4),
        "naive_difference": round(float(observed[sim.enrolled].mean() - observed[~sim.enrolled].mean()), 4),
        "prevented_share": PREVENTED_SHARE, "prevented_share_after_an_early_contact": EARLY_CONTACT_PREVENTED_SHARE,
        "reasons": list(HOW_TO_REASONS),
        "enrolment": {"logit": f"{BASE_LOGIT} + {EARLY_CONTACT_LOGIT} * (a contact before enrolment) "
                               "+ market_logit[customer market]", "market_logit": MARKET_LOGIT, "randomised": False},
        "definition": f"eligible: customers whose first order (sign-up) is at least {DECISION_DAYS + OUTCOME_DAYS:g} days "
                      f"before end_exclusive; enrolment (enrolled_at) {DECISION_DAYS:g} days after the first order, the "
                      "same decision point for the not enrolled; early contact: a contact created between the first "
                      f"order and that point; outcome: contacts created in [decision, decision + {OUTCOME_DAYS:g} days) "
                      "divided by orders placed in [first order, decision + "
                      f"{OUTCOME_DAYS:g} days); effect: the mean over eligible customers of the outcome with the guide "
                      "minus without (both simulated)",
    }
