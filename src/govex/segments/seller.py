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
from govex.segments.assign import (
    Assignment,
    Assignments,
    _composite_assignment,
    _rule_reason,
    rule_condition,
    with_derived_features,
)
from govex.segments.loader import Framework, check_framework, load_frameworks, shipped_framework_dir, table_features
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
    conditions = [(rule_condition(table, rule), rule) for rule in spec.rules]
    segment = ibis.cases(*[(c, ibis.literal(rule.segment)) for c, rule in conditions], else_=ibis.null("string"))
    if spec.risk is not None:
        reasons = table.risk_reasons
    else:
        reasons = ibis.cases(*[(c, ibis.literal(_rule_reason(rule))) for c, rule in conditions], else_=ibis.null("string"))
    score = table[spec.score].cast("float64") if spec.score else ibis.null("float64")
    version = framework_version(spec)
    out = table.select(
        entity=ibis.literal(ENTITY), entity_id=table[SELLER_KEY].cast("string"), framework=ibis.literal(spec.name),
        as_of=ibis.date(as_of), segment=segment, score=score, reasons=reasons.cast("string"),
        framework_version=ibis.literal(version),
    )
    return Assignment(spec.name, version, spec.segments, out, scope=sellers_in_scope(warehouse, as_of=as_of))


def assign_seller_frameworks(warehouse: Warehouse, frameworks: list[Framework], *, as_of: dt.date) -> Assignments:
    """Check every seller framework against this warehouse, then build each one's assignments.

    Raises ConfigError listing every problem before anything is computed; a framework whose
    tables the warehouse lacks is skipped with a line saying which.
    """
    features = seller_features(warehouse, as_of=as_of)
    names = {fw.name for fw in frameworks}
    problems: list[str] = []
    skipped: dict[str, str] = {}
    for fw in frameworks:
        try:
            if isinstance(fw.spec, RulesFramework):
                if fw.spec.rfm is not None or fw.spec.clv is not None:
                    raise ConfigError(f"{fw.where('rfm' if fw.spec.rfm else 'clv')}: RFM and CLV are customer purchase "
                                      "models; a seller framework uses seller features (e.g. gmv_percentile)")
                lacking = sorted({t for f in table_features(fw) for t in features.missing_tables.get(f, ())})
                check_framework(fw, frameworks=names)
                if lacking:
                    skipped[fw.name] = f"framework {fw.name!r} skipped: the warehouse has no table {', '.join(lacking)}"
                    continue
                check_framework(fw, available=set(features.available), frameworks=names)
            else:
                check_framework(fw, frameworks=names)
                parts = [part for part in fw.spec.of if part in skipped]
                if parts:
                    skipped[fw.name] = f"framework {fw.name!r} skipped: it crosses {', '.join(map(repr, parts))}, skipped"
        except ConfigError as exc:
            problems.append(str(exc))
    if problems:
        raise ConfigError("\n".join(problems))
    if frameworks and len(skipped) == len(frameworks):
        raise ConfigError("no seller framework can run on this warehouse:\n  " + "\n  ".join(skipped.values()))
    table = features.table.cache()  # every framework reads the same features: computed once
    built: dict[str, Assignment] = {}
    for fw in frameworks:
        if fw.name in skipped:
            continue
        if isinstance(fw.spec, RulesFramework):
            built[fw.name] = _rules_assignment(warehouse, fw, table, as_of=as_of)
        else:
            built[fw.name] = _composite_assignment(fw, built, as_of=as_of)
    return Assignments(built.values(), skipped=tuple(skipped.values()))


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
