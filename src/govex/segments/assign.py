"""Assign every customer a segment per framework as of a date, as unexecuted Ibis expressions.

All frameworks are checked (fields, features, tables, overlaps and gaps) before any model is
fitted or anything is written, so a bad framework stops the run with every problem listed.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir

from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError
from govex.features import FeatureOptions, FeatureSet, customer_features
from govex.features.customer import KEY
from govex.segments.conservation import customers_in_scope
from govex.segments.latent_risk import add_risk_posterior, fit_from_table
from govex.segments.loader import Framework, check_framework, table_features
from govex.segments.rfm import add_rfm_scores
from govex.segments.risk import add_risk_scores, fit_priors
from govex.segments.rules import parse_condition
from govex.segments.spec import CompositeFramework, Rule, RulesFramework, framework_version

ASSIGNMENT_COLUMNS = ("entity", "entity_id", "framework", "as_of", "segment", "score", "reasons", "framework_version")


@dataclass(frozen=True)
class Assignment:
    """One framework's assignments (columns of `segment_assignments`) and what was skipped.

    `scope` holds the entity_id of every entity that must get exactly one row (checked before
    the write, see `govex.segments.conservation`).
    """

    framework: str
    version: str
    segments: tuple[str, ...]
    table: ir.Table
    skipped: tuple[str, ...] = ()
    scope: ir.Table | None = None


def feature_options(spec: RulesFramework) -> FeatureOptions:
    return FeatureOptions(recent_window_days=spec.features.recent_window_days, reason_groups=spec.features.reason_groups)


def rule_condition(table: ir.Table, rule: Rule) -> ir.BooleanValue:
    """The boolean expression of one rule's box over a feature table."""
    result = ibis.literal(True)
    for feature, text in rule.when.items():
        interval, column = parse_condition(text), table[feature]
        if interval.lo == interval.hi:
            result &= column == interval.lo
            continue
        if interval.lo != -float("inf"):
            result &= (column >= interval.lo) if interval.lo_closed else (column > interval.lo)
        if interval.hi != float("inf"):
            result &= (column <= interval.hi) if interval.hi_closed else (column < interval.hi)
    return result


def _rule_reason(rule: Rule) -> str:
    if rule.reason:
        return rule.reason
    return ";".join(f"{feature} {text}" if isinstance(text, str) else f"{feature} == {text}" for feature, text in rule.when.items())


def with_derived_features(warehouse: Warehouse, spec: RulesFramework, features: ir.Table, *, as_of: dt.date) -> ir.Table:
    """Add the rfm, clv and risk features a framework declares to its customer features.

    The feature table is cached (materialised once in the engine) when derived features need
    it more than once: ranks, whole-table counts and prior moments would each recompute it. A
    table already in the engine (the seller features, cached once for every framework) is not
    copied again.
    """
    in_engine = isinstance(features.op(), ops.DatabaseTable)
    table = features.cache() if (spec.rfm or spec.clv or spec.risk) and not in_engine else features
    counts = table  # the priors read count columns only: fitted here, not over the RFM scores and CLV join
    if spec.rfm is not None:
        table = add_rfm_scores(table, spec.rfm)
    if spec.clv is not None:
        from govex.segments.clv import add_clv_percentile, clv_features

        clv = clv_features(warehouse, as_of=as_of, spec=spec.clv, options=feature_options(spec))
        # a left join: a customer without a CLV row keeps its row (null CLV), which the write refuses
        joined = table.left_join(clv, KEY).drop(f"{KEY}_right")
        table = add_clv_percentile(joined)
    if spec.risk is not None:
        table = add_risk_scores(table, spec.risk, fit_priors(counts, spec.risk))
        if spec.risk.latent_class is not None:
            table = add_risk_posterior(table, fit_from_table(counts, spec.risk.latent_class))
    return table


def rules_rows(table: ir.Table, spec: RulesFramework, *, entity: str, key: str, as_of: dt.date) -> ir.Table:
    """The segment_assignments rows of a rules framework over a feature table (the first matching rule wins).

    The reasons are the risk score's leading signals, else the matching rule's reason; RFM scores
    are appended when the framework has them.
    """
    conditions = [(rule_condition(table, rule), rule) for rule in spec.rules]
    segment = ibis.cases(*[(c, ibis.literal(rule.segment)) for c, rule in conditions], else_=ibis.null("string"))
    if spec.risk is not None:
        reasons = table.risk_reasons
    else:
        reasons = ibis.cases(*[(c, ibis.literal(_rule_reason(rule))) for c, rule in conditions], else_=ibis.null("string"))
    if spec.rfm is not None:
        rfm = table.r_score.cast("string").concat(table.f_score.cast("string"), table.m_score.cast("string"))
        reasons = reasons.concat(";rfm=", rfm)
    score = table[spec.score].cast("float64") if spec.score else ibis.null("float64")
    return table.select(
        entity=ibis.literal(entity), entity_id=table[key].cast("string"), framework=ibis.literal(spec.name),
        as_of=ibis.date(as_of), segment=segment, score=score, reasons=reasons.cast("string"),
        framework_version=ibis.literal(framework_version(spec)),
    )


def _rules_assignment(warehouse: Warehouse, fw: Framework, features: FeatureSet, *, as_of: dt.date) -> Assignment:
    spec: RulesFramework = fw.spec  # type: ignore[assignment]
    table = with_derived_features(warehouse, spec, features.table, as_of=as_of)
    out = rules_rows(table, spec, entity="customer", key=KEY, as_of=as_of)
    scope = customers_in_scope(warehouse, as_of=as_of, options=feature_options(spec))
    return Assignment(spec.name, framework_version(spec), spec.segments, out, features.skipped, scope)


def _composite_assignment(fw: Framework, parts: dict[str, Assignment], *, as_of: dt.date) -> Assignment:
    spec: CompositeFramework = fw.spec  # type: ignore[assignment]
    first, *rest = (parts[name] for name in spec.of)
    table = first.table.select("entity", "entity_id", segment=first.table.segment)
    labels = list(first.segments)
    for part in rest:
        other = part.table.select(other_id=part.table.entity_id, other_segment=part.table.segment)
        # a left join: an entity missing from a part keeps its row (null segment), which the write refuses
        joined = table.left_join(other, table.entity_id == other.other_id)
        table = joined.select("entity", "entity_id", segment=joined.segment.concat(spec.separator, joined.other_segment))
        labels = [f"{a}{spec.separator}{b}" for a in labels for b in part.segments]
    version = framework_version(spec, parts=tuple(parts[name].version for name in spec.of))
    out = table.select(
        "entity", "entity_id", framework=ibis.literal(spec.name), as_of=ibis.date(as_of),
        segment=table.segment, score=ibis.null("float64"), reasons=ibis.null("string"),
        framework_version=ibis.literal(version),
    )
    return Assignment(spec.name, version, tuple(labels), out, scope=first.scope)


class Assignments(list):
    """The assignments of one run (a list of Assignment) and one line per framework skipped.

    A framework is skipped when the warehouse lacks a table its features need (a partial
    warehouse, e.g. one without contacts or disputes), or when it crosses a skipped framework.
    """

    def __init__(self, items=(), skipped: tuple[str, ...] = ()):
        super().__init__(items)
        self.skipped = skipped


def _lacking_tables(fw: Framework, features: FeatureSet) -> dict[str, list[str]]:
    """Missing table -> the features of `fw` that need it (empty when the warehouse supports `fw`)."""
    lacking: dict[str, list[str]] = {}
    for feature in sorted(table_features(fw)):
        for table in features.missing_tables.get(feature, ()):
            lacking.setdefault(table, []).append(feature)
    return lacking


def check_frameworks(
    frameworks: list[Framework], features_for: Callable[[Framework], FeatureSet], *, kind: str = "framework",
) -> tuple[dict[str, FeatureSet], dict[str, str]]:
    """Check every framework against its features; the feature set of each one that runs, and the skipped ones.

    Raises ConfigError listing the problems of every framework before anything is computed.
    Frameworks whose tables the warehouse lacks are skipped (one line each saying which table),
    unless every framework is: then nothing can run and that is an error. `features_for` may raise
    ConfigError for a framework its entity cannot run (a problem like any other).
    """
    names = {fw.name for fw in frameworks}
    feature_sets: dict[str, FeatureSet] = {}
    problems: list[str] = []
    skipped: dict[str, str] = {}
    for fw in frameworks:
        try:
            if isinstance(fw.spec, RulesFramework):
                features = features_for(fw)
                lacking = _lacking_tables(fw, features)
                if lacking:
                    check_framework(fw, frameworks=names)  # the file itself must still be right
                    tables = "; ".join(f"table {t!r} (needed by {', '.join(f)})" for t, f in lacking.items())
                    skipped[fw.name] = f"framework {fw.name!r} skipped: the warehouse has no {tables}"
                    continue
                feature_sets[fw.name] = features
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
        raise ConfigError(f"no {kind} can run on this warehouse:\n  " + "\n  ".join(skipped.values()))
    return feature_sets, skipped


def build_assignments(frameworks: list[Framework], skipped: dict[str, str],
                      rules_assignment: Callable[[Framework], Assignment], *, as_of: dt.date) -> Assignments:
    """Each checked framework's assignments, in file order (a composite after the frameworks it crosses)."""
    built: dict[str, Assignment] = {}
    for fw in frameworks:
        if fw.name in skipped:
            continue
        if isinstance(fw.spec, RulesFramework):
            built[fw.name] = rules_assignment(fw)
        else:
            built[fw.name] = _composite_assignment(fw, built, as_of=as_of)
    return Assignments(built.values(), skipped=tuple(skipped.values()))


def assign_frameworks(warehouse: Warehouse, frameworks: list[Framework], *, as_of: dt.date) -> Assignments:
    """Check every framework against this warehouse (`check_frameworks`), then build each one's assignments.

    Frameworks with the same feature options (three of the four shipped ones) read one feature
    table, materialised once in the engine: built per framework, the same features were computed
    once for each framework that reads them.
    """
    by_options: dict[str, FeatureSet] = {}

    def features_for(fw: Framework) -> FeatureSet:
        options = feature_options(fw.spec)
        key = options.model_dump_json()  # the options hold a dict: not hashable themselves
        if key not in by_options:
            by_options[key] = customer_features(warehouse, as_of=as_of, options=options)
        return by_options[key]

    feature_sets, skipped = check_frameworks(frameworks, features_for)
    feature_sets = _shared_once(feature_sets)
    return build_assignments(
        frameworks, skipped, lambda fw: _rules_assignment(warehouse, fw, feature_sets[fw.name], as_of=as_of), as_of=as_of)


def _shared_once(feature_sets: dict[str, FeatureSet]) -> dict[str, FeatureSet]:
    """Each framework's feature set; one read by several frameworks is cached in the engine once for all."""
    readers = Counter(id(features) for features in feature_sets.values())
    cached: dict[int, FeatureSet] = {}
    out = {}
    for name, features in feature_sets.items():
        if readers[id(features)] > 1 and id(features) not in cached:
            cached[id(features)] = replace(features, table=features.table.cache())
        out[name] = cached.get(id(features), features)
    return out
