"""Check a policy against the segment frameworks and the customers of a warehouse, in one call."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from govex.engine.warehouse import Warehouse
from govex.policy.checks import PolicyCheckResult, check_policy
from govex.policy.loader import LoadedPolicy
from govex.policy.profiles import profile_combinations
from govex.policy.space import SegmentSpace
from govex.segments import ASSIGNMENTS_TABLE
from govex.segments.seller import shipped_seller_framework_dir


def check_policy_in_warehouse(
    policy: LoadedPolicy, warehouse: Warehouse | None = None, *, frameworks_dir: str | Path | None = None,
    as_of: dt.date | None = None,
) -> list[PolicyCheckResult]:
    """Findings over every segment combination and, when the warehouse has segments, its current customers.

    A seller policy is checked against the seller frameworks (shipped ones unless `frameworks_dir`).
    """
    if frameworks_dir is None and policy.spec.entity == "seller":
        frameworks_dir = shipped_seller_framework_dir()
    space = SegmentSpace.from_frameworks(frameworks_dir)
    customers = None
    if warehouse is not None and warehouse.has(ASSIGNMENTS_TABLE):
        read = {f for rule in policy.spec.rules for f in rule.when} | set(policy.spec.orderings)
        frameworks = tuple(sorted(f for f in read if space.knows(f)))
        if frameworks:
            customers = profile_combinations(warehouse, frameworks=frameworks, as_of=as_of, entity=policy.spec.entity)
    return check_policy(policy, space=space, customers=customers)
