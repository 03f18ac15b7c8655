"""Seller frameworks: the same YAML rules, checks, risk scores and store as customers, per seller.

Seller frameworks declare `entity: seller` and live in their own folder (shipped defaults in
`frameworks/sellers/`), so a customer run never reads them. Every seller onboarded on or before
the as-of date gets exactly one row per framework in `segment_assignments` with
entity = 'seller' (checked before the write, like customers).
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import ibis
import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError
from govex.features.seller import SELLER_KEY, sellers_in_scope, seller_features
from govex.features.customer import FeatureSet
from govex.segments.assign import (
    Assignment,
    Assignments,
    build_assignments,
    check_frameworks,
    rules_rows,
    with_derived_features,
)
from govex.segments.loader import Framework, load_frameworks, shipped_framework_dir
from govex.segments.spec import RulesFramework, framework_version
from govex.segments.store import read_assignments, write_assignments

ENTITY = "seller"


def shipped_seller_framework_dir() -> Path:
    return shipped_framework_dir() / "sellers"


def load_seller_frameworks(directory: str | Path | None = None, *, names: tuple[str, ...] | None = None) -> list[Framework]:
    """The seller frameworks in `directory` (shipped defaults when None); a customer framework there is an error."""
    frameworks = load_frameworks(directory if directory is not None else shipped_seller_framework_dir(), names=names)
    wrong = [f"{fw.where('name')}: framework {fw.name!r} is for {fw.spec.entity}s; seller frameworks declare "
             "`entity: seller`" for fw in frameworks if fw.spec.entity != ENTITY]
    if wrong:
        raise ConfigError("\n".join(wrong))
    return frameworks


def _rules_assignment(warehouse: Warehouse, fw: Framework, features: ibis.Table, *, as_of: dt.date) -> Assignment:
    spec: RulesFramework = fw.spec  # type: ignore[assignment]
    table = with_derived_features(warehouse, spec, features, as_of=as_of)
    out = rules_rows(table, spec, entity=ENTITY, key=SELLER_KEY, as_of=as_of)
    return Assignment(spec.name, framework_version(spec), spec.segments, out, scope=sellers_in_scope(warehouse, as_of=as_of))


def assign_seller_frameworks(warehouse: Warehouse, frameworks: list[Framework], *, as_of: dt.date) -> Assignments:
    """Check every seller framework against this warehouse, then build each one's assignments.

    The checks and skips are the customer frameworks' (`check_frameworks`); every framework reads
    the same seller features, computed once.
    """
    features = seller_features(warehouse, as_of=as_of)

    def features_for(fw: Framework) -> FeatureSet:
        if fw.spec.rfm is not None or fw.spec.clv is not None:
            raise ConfigError(f"{fw.where('rfm' if fw.spec.rfm else 'clv')}: RFM and CLV are customer purchase "
                              "models; a seller framework uses seller features (e.g. gmv_percentile)")
        return features

    _, skipped = check_frameworks(frameworks, features_for, kind="seller framework")
    table = features.table.cache()  # every framework reads the same features: computed once
    return build_assignments(frameworks, skipped, lambda fw: _rules_assignment(warehouse, fw, table, as_of=as_of),
                             as_of=as_of)


def run_seller_segmentation(
    warehouse: Warehouse, *, as_of: dt.date, frameworks_dir: str | Path | None = None,
    names: tuple[str, ...] | None = None, write: bool = True,
) -> Assignments:
    """Load, check, assign and write the seller frameworks (nothing is written unless all pass)."""
    assignments = assign_seller_frameworks(warehouse, load_seller_frameworks(frameworks_dir, names=names), as_of=as_of)
    if write:
        write_assignments(warehouse, assignments)
    return assignments


def seller_segment_sizes(warehouse: Warehouse, assignments: Assignments, *, as_of: dt.date) -> pd.DataFrame:
    """framework, segment, sellers, share: counted on the rows written to segment_assignments."""
    rows = read_assignments(warehouse, as_of=as_of, entity=ENTITY)
    rows = rows.filter(rows.framework.isin([a.framework for a in assignments]))
    counted = rows.group_by(["framework", "segment"]).aggregate(sellers=rows.count()).execute()
    frames = []
    for a in assignments:
        counts = counted[counted.framework == a.framework].set_index("segment")[["sellers"]]
        counts = counts.reindex(list(a.segments), fill_value=0).rename_axis("segment").reset_index()
        counts.insert(0, "framework", a.framework)
        counts["share"] = counts.sellers / max(int(counts.sellers.sum()), 1)
        frames.append(counts)
    return pd.concat(frames, ignore_index=True)
