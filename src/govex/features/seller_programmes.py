"""Units for measuring the seller academy (the `education` table), built in the engine.

An enrolment-window design: a baseline [data start, opens), an enrolment window [opens, closes)
and an outcome window [closes, as_of). A unit is a seller onboarded before the window opens who
did not enrol before it, nor after it closed (those are neither clearly treated nor untreated);
treated: the first enrolment falls inside the window. Covariates are the seller's record over
the baseline (`govex.features.seller.seller_features` as of the day before the window opens):
orders, the share of them returned, violations, seller type and market. Outcome: violations
(enforcement_actions by violation_at) in the outcome window per seller-year.
"""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError
from govex.features.seller import SELLER_KEY, seller_features

DAYS_PER_YEAR = 365.0


def first_order_day(warehouse: Warehouse) -> dt.date:
    """The first day with an order: where the baseline starts."""
    orders = warehouse.table("orders", purpose="seller education effect")
    return pd.Timestamp(orders.ordered_at.min().execute()).date()


def academy_windows(first_day: dt.date, as_of: dt.date) -> tuple[dt.date, dt.date]:
    """Default enrolment window: from a quarter to half-way through [first_day, as_of), whole days."""
    span = (as_of - first_day).days
    return first_day + dt.timedelta(days=span // 4), first_day + dt.timedelta(days=span // 2)


def academy_units(warehouse: Warehouse, *, opens: dt.date, closes: dt.date, as_of: dt.date,
                  programme: str | None = None) -> pd.DataFrame:
    """One row per unit seller: baseline record, treated (0/1), violations per seller-year after `closes`."""
    if not opens < closes < as_of:
        raise ConfigError(f"seller education: the enrolment window [{opens}, {closes}) must close before the end of "
                          f"the data ({as_of}) and open before it closes")
    for name in ("sellers", "orders", "education", "enforcement_actions"):
        if not warehouse.has(name):
            raise ConfigError(f"the seller education effect needs the {name} table; it is not in the warehouse")
    education = warehouse.table("education", purpose="seller education effect")
    if programme is not None:
        education = education.filter(education.programme == programme)
    first = education.group_by(SELLER_KEY).aggregate(enrolled_at=education.enrolled_at.min()).to_pandas()
    actions = warehouse.table("enforcement_actions", purpose="seller education effect")
    after = actions.filter((actions.violation_at.date() >= closes) & (actions.violation_at.date() < as_of))
    outcome = after.group_by(SELLER_KEY).aggregate(violations_after=after.count()).to_pandas()
    base = seller_features(warehouse, as_of=opens - dt.timedelta(days=1))
    columns = [SELLER_KEY, "seller_type", "market", "n_orders", "n_violations",
               *(["n_returned_orders"] if "n_returned_orders" in base.table.columns else [])]
    frame = (base.table.select(*columns).to_pandas()
             .merge(first, on=SELLER_KEY, how="left").merge(outcome, on=SELLER_KEY, how="left"))
    enrolled = pd.to_datetime(frame.enrolled_at).dt.date
    inside = enrolled.notna() & (enrolled >= opens) & (enrolled < closes)
    frame = frame[inside | enrolled.isna()].sort_values(SELLER_KEY).reset_index(drop=True)
    frame["treated"] = frame.enrolled_at.notna().astype(int)
    frame["violations_after"] = frame.violations_after.fillna(0).astype(int)
    frame["violations_per_year"] = frame.violations_after * DAYS_PER_YEAR / (as_of - closes).days
    frame["log_orders"] = np.log1p(frame.n_orders)
    if "n_returned_orders" in frame.columns:
        frame["return_share"] = frame.n_returned_orders / frame.n_orders.clip(lower=1)
    return frame
