"""Seller policies applied to the current sellers: how many sellers each journey sends to each tier.

The customer simulation (`govex.policy.simulate`) weighs tiers by contact, dispute and return
volumes; the seller journeys have no such volumes in the contract yet, so a seller policy is shown
as sellers per journey and tier, side by side for two policies, from the latest seller segments.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError
from govex.policy.decide import DecisionTable
from govex.policy.loader import LoadedPolicy
from govex.policy.profiles import profile_combinations
from govex.segments import ASSIGNMENTS_TABLE


def seller_policy_tiers(warehouse: Warehouse, policies: Sequence[LoadedPolicy], *,
                        as_of: dt.date | None = None) -> pd.DataFrame:
    """journey, tier, then one column of sellers per policy (named after it); every seller counted once per journey."""
    wrong = [p.source for p in policies if p.spec.entity != "seller"]
    if wrong:
        raise ConfigError(f"{', '.join(wrong)}: not seller policies (`entity: seller`); compare policies of one entity")
    if not warehouse.has(ASSIGNMENTS_TABLE):
        raise ConfigError("no segment_assignments: run `govex segments assign --entity seller` first")
    tables = [DecisionTable(p.spec, on_gap="fallback") for p in policies]
    frameworks = tuple(sorted({f for t in tables for f in t.frameworks}))
    combos = profile_combinations(warehouse, frameworks=frameworks, as_of=as_of, entity="seller")
    if combos.empty:
        raise ConfigError(f"no seller has a segment of {', '.join(frameworks)}: run `govex segments assign --entity seller`")
    frames = []
    for policy, table in zip(policies, tables):
        rows = [{"journey": journey, "tier": table.decide({f: combo[f] for f in table.frameworks}, journey).tier,
                 "sellers": int(combo["customers"])}
                for combo in combos.to_dict("records") for journey in policy.spec.journeys()]
        counted = pd.DataFrame(rows).groupby(["journey", "tier"])["sellers"].sum()
        frames.append(counted.rename(f"{policy.spec.name} {policy.version}"))
    out = pd.concat(frames, axis=1).fillna(0).astype("int64").reset_index()
    order = {j: i for i, j in enumerate(policies[0].spec.journeys())}
    return out.sort_values(["journey", "tier"], key=lambda c: c.map(order) if c.name == "journey" else c,
                           ignore_index=True)
