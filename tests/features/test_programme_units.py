"""The units the programme effects are estimated on, by hand on a tiny warehouse."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from govex.features.programmes import compensation_units, onboarding_units
from govex.engine import Warehouse
from govex.errors import ConfigError

ts = pd.Timestamp
day = lambda text: dt.date.fromisoformat(text)  # noqa: E731


def _frames() -> dict[str, pd.DataFrame]:
    return {
        "customers": pd.DataFrame({
            "customer_id": ["c1", "c2", "c3"], "signup_date": [day("2024-01-01"), day("2024-01-10"), day("2024-03-01")],
            "market": ["DE", "FR", "DE"], "acquisition_channel": ["organic", None, "paid"],
        }),
        "orders": pd.DataFrame({
            "order_id": ["o1", "o2", "o3", "o4", "o5", "o6", "o7"],
            "customer_id": ["c1", "c1", "c1", "c2", "c2", "c2", "c3"],
            "market": ["DE", "DE", "DE", "FR", "FR", "FR", "DE"],
            "ordered_at": [ts("2024-01-01 09:00"), ts("2024-02-01 09:00"), ts("2024-02-20 12:00"), ts("2024-01-10 08:00"),
                           ts("2024-01-20 08:00"), ts("2024-02-01 10:00"), ts("2024-03-01 10:00")],
            "promised_date": [day("2024-01-05"), day("2024-02-05"), day("2024-02-25"), day("2024-01-15"),
                              day("2024-01-25"), day("2024-02-04"), day("2024-03-05")],
            "delivered_at": [ts("2024-01-04 10:00"), ts("2024-02-07 10:00"), ts("2024-02-23 10:00"), ts("2024-01-14 10:00"),
                             ts("2024-01-24 10:00"), ts("2024-02-06 18:00"), ts("2024-03-10 10:00")],
            "fulfilment_outcome": pd.Series([None] * 7, dtype="string"),
        }),
        "compensations": pd.DataFrame({
            "compensation_id": ["g1"], "customer_id": ["c1"], "order_id": ["o2"], "granted_at": [ts("2024-02-07 12:00")],
            "failure": ["late_delivery"], "amount": [5.0], "currency": ["EUR"],
        }),
        "fx_rates": pd.DataFrame({"currency": ["EUR"], "valid_from": [day("2023-01-01")], "rate_to_reporting": [1.1]}),
        "contacts": pd.DataFrame({
            "contact_id": ["k1", "k2", "k3", "k4"], "customer_id": ["c1", "c1", "c2", "c2"],
            "created_at": [ts("2024-01-02 10:00"), ts("2024-01-20 10:00"), ts("2024-01-25 10:00"), ts("2024-03-20 10:00")],
        }),
        "surveys": pd.DataFrame({
            "survey_id": ["v1", "v2", "v3", "v4", "v5"], "customer_id": ["c1", "c1", "c1", "c2", "c2"],
            "responded_at": [ts("2024-02-01 10:00"), ts("2024-02-12 10:00"), ts("2024-02-10 10:00"),
                             ts("2024-02-06 20:00"), ts("2024-03-10 10:00")],
            "csat": pd.Series([1, 2, 4, None, 5], dtype="Int64"),
        }),
        "customer_education": pd.DataFrame({
            "enrolment_id": ["e1"], "customer_id": ["c1"], "programme": ["first_purchase_guide"],
            "enrolled_at": [ts("2024-01-04 09:00")], "completed_at": [ts("2024-01-05 09:00")],
        }),
    }


def test_compensation_candidates_by_hand():
    units = compensation_units(Warehouse.from_frames(_frames()), as_of=day("2024-04-01")).set_index("order_id")
    # c1: first late order o2 (delivered 7 Feb after the 5 Feb promise), compensated 5 EUR = 5.5 USD; o3 on 20 Feb
    # is a repurchase within 30 days; o1 is 31 days before o2, so not a recent order
    # c2: first late order o6 (delivered 6 Feb, promised 4 Feb), o4 and o5 are recent, no repurchase
    # c3: o7 delivered 10 Mar + 30 days is after the 1 Apr end: no full window, no candidate
    assert list(units.index) == ["o2", "o6"]
    assert units.loc["o2", ["treated", "repurchased", "recent_orders", "past_orders"]].tolist() == [1, 1, 0, 1]
    assert units.loc["o6", ["treated", "repurchased", "recent_orders", "past_orders"]].tolist() == [0, 0, 2, 2]
    assert units.loc["o2", "amount"] == pytest.approx(5.5)
    assert units.loc["o2", "failure_at"] == ts("2024-02-07 10:00")
    assert units.loc["o2", "tenure_days"] == pytest.approx(37 + 10 / 24)
    assert str(units.loc["o6", "segment"]) == "regular (1-2)"
    # next CSAT after the failure, within 30 days: c1's v1 (1 Feb) precedes the failure, v3 (10 Feb, 4) comes
    # before v2 (12 Feb, 2); c2's v4 has no CSAT answer and v5 (10 Mar) is after the window (to 7 Mar 18:00)
    assert units.loc["o2", "next_csat"] == 4
    assert pd.isna(units.loc["o6", "next_csat"])


def test_without_surveys_there_is_no_csat_outcome():
    frames = {name: frame for name, frame in _frames().items() if name != "surveys"}
    units = compensation_units(Warehouse.from_frames(frames), as_of=day("2024-04-01"))
    assert len(units) == 2 and units.next_csat.isna().all()


def test_onboarding_units_by_hand():
    units = onboarding_units(Warehouse.from_frames(_frames()), as_of=day("2024-04-01")).set_index("customer_id")
    # c1: first order 1 Jan 09:00, decision 4 Jan 09:00, window to 4 Mar 09:00: enrolled on the decision day;
    #     k1 (2 Jan) is an early contact, k2 (20 Jan) is in the window; orders o1, o2, o3 -> 1/3 contacts per order
    # c2: first order 10 Jan, decision 13 Jan, window to 13 Mar: k3 in it, k4 (20 Mar) not; o4-o6 -> 1/3
    # c3: first order 1 Mar: its window ends after the 1 Apr end
    assert list(units.index) == ["c1", "c2"]
    assert units.loc["c1", ["treated", "contacted_early", "contacts", "orders", "completed"]].tolist() == [1, 1, 1, 3, 1]
    assert units.loc["c2", ["treated", "contacted_early", "contacts", "orders"]].tolist() == [0, 0, 1, 3]
    assert units.contacts_per_order.tolist() == pytest.approx([1 / 3, 1 / 3])
    assert units.loc["c2", "acquisition_channel"] == "unknown"


def test_compensations_that_answer_no_failure_the_orders_show_are_an_error():
    frames = _frames()
    frames["compensations"]["failure"] = ["bad_contact"]
    with pytest.raises(ConfigError, match="compensations answer none of the failures"):
        compensation_units(Warehouse.from_frames(frames), as_of=day("2024-04-01"))
