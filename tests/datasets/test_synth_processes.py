"""The simulated processes behave as their recorded parameters say (checked from the tables)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import hyp2f1


def _bgnbd_expected_repeats(t: np.ndarray, r: float, alpha: float, a: float, b: float) -> np.ndarray:
    """E[X(t)] for a new customer: Fader, Hardie & Lee (2005), equation (7)."""
    z = t / (alpha + t)
    return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))


def test_mean_repeat_purchases_match_bgnbd_expectation(market):
    params = market.ground_truth["bgnbd"]
    end = pd.Timestamp(market.ground_truth["generator"]["end_exclusive"])
    per_customer = market.tables["orders"].groupby("customer_id")["ordered_at"].agg(["min", "count"])
    exposure_days = (end - per_customer["min"]).dt.total_seconds().to_numpy() / 86400.0
    expected = _bgnbd_expected_repeats(exposure_days, params["r"], params["alpha"], params["a"], params["b"])
    observed = per_customer["count"].to_numpy() - 1
    standard_error = observed.std() / np.sqrt(observed.size)
    assert abs(observed.mean() - expected.mean()) < 4 * standard_error
    assert len(per_customer) == len(market.tables["customers"])  # every customer bought at sign-up


def test_truth_customers_agree_with_orders(market):
    truth = market.truth_customers.set_index("customer_id")
    counts = market.tables["orders"].groupby("customer_id").size()
    assert (counts.reindex(truth.index) == truth["repeat_purchases"] + 1).all()
    dropped = truth["dropout_at"].notna()
    assert not (dropped & truth["alive_at_end"]).any()
    # the mean dropout probability is a / (a + b) (Beta mean)
    params = market.ground_truth["bgnbd"]
    assert abs(truth["dropout_probability"].mean() - params["a"] / (params["a"] + params["b"])) < 0.005


def test_order_values_in_usd_follow_gamma_gamma_mean(market):
    # E[z] = p * v / (q - 1) for Gamma(p, nu) spend with nu ~ Gamma(q, v) (Fader, Hardie & Lee 2005b)
    spend = market.ground_truth["gamma_gamma"]
    fx = market.tables["fx_rates"].assign(valid_from=lambda f: pd.to_datetime(f["valid_from"]).astype("datetime64[us]"))
    orders = market.tables["orders"].sort_values("ordered_at")
    converted = pd.merge_asof(orders, fx.sort_values("valid_from"), left_on="ordered_at", right_on="valid_from",
                              by="currency")
    usd = converted["amount"] * converted["rate_to_reporting"]
    expected = spend["p"] * spend["v"] / (spend["q"] - 1)
    assert abs(usd.mean() / expected - 1) < 0.04


def _contact_survey_drivers(market) -> pd.DataFrame:
    """The six drivers of contact surveys, built from the tables by the ground-truth definitions."""
    tables = market.tables
    orders, returns, contacts = tables["orders"], tables["returns"], tables["contacts"]
    late = set(orders.loc[orders["delivered_at"].dt.normalize() > pd.to_datetime(orders["promised_date"]), "order_id"])
    rejected = set(returns.loc[returns["status"] == "rejected", "order_id"])
    problem = set(returns.loc[returns["reason"].isin(["damaged", "not_as_described"]), "order_id"])
    key = ["customer_id", "order_id", "reason"]
    threads = contacts.fillna({"order_id": "-"}).groupby(key).agg(n=("contact_id", "size"), first=("created_at", "min"))
    rated = tables["surveys"][tables["surveys"]["touchpoint"] == "contact"][["contact_id", "csat"]].dropna()
    rated = rated.merge(contacts, on="contact_id").fillna({"order_id": "-"}).merge(threads, on=key)
    return pd.DataFrame({
        "csat": rated["csat"].astype(float),
        "late_delivery": rated["order_id"].isin(late),
        "refund_rejected": rated["order_id"].isin(rejected),
        "unresolved": rated["resolved_at"].isna(),
        "item_problem": rated["order_id"].isin(problem),
        "repeat_contact": rated["n"] >= 2,
        "slow_resolution": (rated["resolved_at"] - rated["first"]).dt.total_seconds() > 2 * 86400,
    })


def test_csat_driver_effects_are_recoverable(market):
    truth = market.ground_truth["csat_drivers"]
    data = _contact_survey_drivers(market)
    names = list(truth["effects"])
    design = np.column_stack([np.ones(len(data))] + [data[n].astype(float) for n in names])
    coef, *_ = np.linalg.lstsq(design, data["csat"].to_numpy(), rcond=None)
    fitted = dict(zip(names, coef[1:]))
    # rounding and clipping to 1-5 shrink effects a little; signs and sizes stay close
    for name in names:
        assert abs(fitted[name] - truth["effects"][name]) < 0.25, (name, fitted[name])
    assert sorted(names, key=fitted.get)[:2] == truth["ranking"][:2]


def test_late_orders_drive_where_is_my_order_contacts(market):
    orders, contacts = market.tables["orders"], market.tables["contacts"]
    delivered = orders[orders["delivered_at"].notna()]
    late = delivered["delivered_at"].dt.normalize() > pd.to_datetime(delivered["promised_date"])
    asked = delivered["order_id"].isin(set(contacts.loc[contacts["reason"] == "where_is_my_order", "order_id"]))
    assert asked[late].mean() > 8 * asked[~late].mean()


def test_contacts_follow_intraday_and_weekly_seasonality(market):
    created = market.tables["contacts"]["created_at"]
    by_hour = created.dt.hour.value_counts()
    assert by_hour.loc[[10, 11]].sum() > 10 * by_hour.loc[[3, 4]].sum()
    days = created.dt.normalize()
    per_weekday = days.groupby(days.dt.dayofweek).size() / days.drop_duplicates().dt.dayofweek.value_counts().sort_index()
    assert per_weekday[0] > per_weekday[6] * 1.3  # Monday carries deferred weekend demand


def test_moderation_cases_peak_at_weekends_and_evenings(market):
    created = market.tables["moderation_cases"]["created_at"]
    by_hour = created.dt.hour.value_counts()
    assert by_hour.loc[19] > 3 * by_hour.loc[3]
    days = created.dt.normalize()
    per_weekday = days.groupby(days.dt.dayofweek).size() / days.drop_duplicates().dt.dayofweek.value_counts().sort_index()
    assert per_weekday[5] > per_weekday[1] * 1.15


def test_staffing_hours_match_handled_work(market):
    contacts, cases, staffing = (market.tables[n] for n in ("contacts", "moderation_cases", "staffing"))
    human = contacts[~contacts["automated"]]
    contact_hours = human.assign(date=human["created_at"].dt.date).groupby(["date", "queue", "vendor_id"])[
        "handle_time_s"].sum() / 3600
    reviewed = cases[cases["vendor_id"].notna() & cases["handle_time_s"].notna()]
    case_hours = reviewed.assign(date=reviewed["decided_at"].dt.date, queue="moderation_" + reviewed["policy"]).groupby(
        ["date", "queue", "vendor_id"])["handle_time_s"].sum() / 3600
    work = pd.concat([contact_hours, case_hours]).groupby(level=[0, 1, 2]).sum()
    staffed = staffing.set_index(["date", "queue", "vendor_id"])
    assert len(staffed) == len(work)
    assert np.allclose(staffed["productive_hours"].reindex(work.index).to_numpy(), work.to_numpy(), atol=1e-3)
    assert (staffed["actual_hours"] >= staffed["productive_hours"]).all()
    vendors = market.tables["vendors"].set_index("vendor_id")
    hourly = staffing[staffing["vendor_id"].map(vendors["pricing_model"]) == "per_hour"]
    assert np.allclose(hourly["actual_cost"], hourly["actual_hours"] * hourly["vendor_id"].map(vendors["rate"]), atol=0.01)
