"""What-if on the enforcement ladder: a different order-defect threshold for action, in sellers,
GMV and the review and appeal work it creates, by seller segment, type, vertical or region.

A seller is actioned when their order defect rate (orders with a dispute, chargeback or CSAT <= 2,
over orders; as of a date) reaches the threshold, among sellers with at least `min_orders`
orders. The newly actioned sellers each need a review; a share of them appeal, at the appeal
rate the warehouse's enforcement actions show. The hours are queues that planning staffs and costs.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError
from govex.features.seller import seller_features
from govex.segments.seller_scorecard import seller_cut


@dataclass(frozen=True)
class LadderWhatIf:
    """Sellers and GMV over each threshold by cut, and the review and appeal hours of the change."""

    table: pd.DataFrame
    current: float
    proposed: float
    appeal_rate: float
    review_hours: float
    appeal_hours: float


def enforcement_whatif(
    warehouse: Warehouse, *, as_of: dt.date, proposed: float, current: float, by: str = "seller_type",
    min_orders: int = 20, review_minutes: float = 30.0, appeal_minutes: float = 45.0,
) -> LadderWhatIf:
    """Sellers actioned at the `current` and the `proposed` order-defect threshold, and what changes."""
    for name, value in (("current", current), ("proposed", proposed)):
        if not 0.0 < value <= 1.0:
            raise ConfigError(f"{name} threshold {value!r}: expected an order defect rate in (0, 1]")
    table = seller_cut(warehouse, seller_features(warehouse, as_of=as_of).table, by)
    eligible = table.n_orders >= min_orders
    # integer counts against the threshold: no division, the same verdict on every engine
    over = {name: eligible & (table.n_defect_orders >= value * table.n_orders)
            for name, value in (("current", current), ("proposed", proposed))}
    added = over["proposed"] & ~over["current"]
    dropped = over["current"] & ~over["proposed"]
    frame = table.group_by("cut").aggregate(
        sellers=table.count(),
        eligible=eligible.cast("int64").sum(),
        actioned_now=over["current"].cast("int64").sum(),
        actioned_proposed=over["proposed"].cast("int64").sum(),
        newly_actioned=added.cast("int64").sum(),
        no_longer_actioned=dropped.cast("int64").sum(),
        gmv_cents_newly_actioned=ibis.ifelse(added, table.gmv_cents, 0).sum(),
    ).order_by("cut").execute()
    frame = frame.rename(columns={"cut": by})
    frame["gmv_newly_actioned"] = frame.pop("gmv_cents_newly_actioned").astype("float64") / 100.0
    actions = warehouse.table("enforcement_actions", purpose="the appeal rate of the what-if")
    actions = actions.filter(actions.action_at.date() <= ibis.date(as_of))
    counts = actions.aggregate(n=actions.count(), appealed=actions.appeal_filed.cast("int64").sum()).execute().iloc[0]
    appeal_rate = float(counts["appealed"]) / float(counts["n"]) if counts["n"] else 0.0
    newly = float(frame["newly_actioned"].sum())
    return LadderWhatIf(frame, current, proposed, appeal_rate, review_hours=newly * review_minutes / 60.0,
                        appeal_hours=newly * appeal_rate * appeal_minutes / 60.0)
