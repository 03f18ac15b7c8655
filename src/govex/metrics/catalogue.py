"""Load metric YAML (shipped defaults plus user files), keep file:line, validate everything at once.

Validation follows MetricFlow's habit: small rules each return issues with their location, and the
loader raises one CatalogueError listing them all, so a user fixes a file in one pass.
"""
from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import ibis
import ibis.expr.types as ir
import yaml
from pydantic import ValidationError

from govex.contract.schema import DATE, TIMESTAMP
from govex.contract.schema import METRIC_TABLES as TABLES  # canonical and derived tables (service_promises)
from govex.errors import CatalogueError, Issue, IssueLevel, Location
from govex.metrics import disk_cache
from govex.metrics.currency import money_refs
from govex.metrics.dimensions import (
    DIMENSIONS,
    column_path,
    is_segment,
    known_dimension,
    reachable_dimensions,
    reaches_segments,
)
from govex.metrics.expressions import ColumnRef, ExpressionError, column_refs, compile_expr
from govex.metrics.model import Catalogue, Metric, Origin
from govex.metrics.yaml_source import LOADER, read_items

SHIPPED_DIR = Path(__file__).parent / "catalogue"
SEGMENT_ENTRY = "segment"  # in a metric's `dimensions`: may be cut by the segment of any framework
SINGLE_SIDED = ("count", "sum", "mean", "percentile", "distinct_count")
NEEDS_EXPR = ("sum", "mean", "percentile", "distinct_count")


def load_catalogue(*paths: str | Path, include_shipped: bool = True) -> Catalogue:
    """Load and validate metric definitions.

    Parameters
    ----------
    paths
        User YAML files, or directories of ``*.yaml`` files. A user metric with the name of a
        shipped one replaces it.
    include_shipped
        Start from the shipped catalogue (``govex/metrics/catalogue/*.yaml``).
    """
    issues: list[Issue] = []
    shipped_files = sorted(SHIPPED_DIR.glob("*.yaml")) if include_shipped else []
    sources = shipped_files + _expand(paths, issues)
    key = None if issues else disk_cache.catalogue_key(((_display(s), s) for s in sources), include_shipped)
    cached = disk_cache.read(key) if key else None
    if isinstance(cached, Catalogue):
        return cached
    catalogue = _validate(sources, set(shipped_files), issues)
    if key:
        disk_cache.write(key, catalogue)
    return catalogue


def _validate(sources: list[Path], shipped: set[Path], issues: list[Issue]) -> Catalogue:
    """Read and check every metric of `sources`; raise one CatalogueError listing every problem."""
    raw: dict[str, tuple[dict, Origin]] = {}
    seen_in_user: dict[str, Origin] = {}
    for source in sources:
        for body, origin in _read_file(source, issues):
            name = body.get("name") if isinstance(body.get("name"), str) else f"#{origin.line}"
            if source not in shipped:
                if name in seen_in_user:
                    issues.append(_issue(f"metric {name!r} is defined twice (first at {seen_in_user[name].at()})", origin, name))
                    continue
                seen_in_user[name] = origin
            elif name in raw:
                issues.append(_issue(f"shipped metric {name!r} is defined twice", origin, name))
                continue
            raw[name] = (body, origin)
    metrics: dict[str, Metric] = {}
    origins: dict[str, Origin] = {}
    for name, (body, origin) in raw.items():
        try:
            metrics[name] = Metric.model_validate(body)
            origins[name] = origin
        except ValidationError as exc:
            for err in exc.errors():
                field_name = str(err["loc"][0]) if err["loc"] else None
                where = ".".join(str(p) for p in err["loc"])
                issues.append(_issue(f"{where}: {err['msg']}", origin, name, field_name))
    for metric in metrics.values():
        issues.extend(_check_metric(metric, origins[metric.name]))
    issues.extend(_check_tree(metrics, origins))
    allowed, segment_ok = _allowed_dimensions(metrics, origins, issues)
    errors = [i for i in issues if i.level == IssueLevel.ERROR]
    if errors:
        raise CatalogueError(errors)
    return Catalogue(metrics=metrics, origins=origins, allowed=allowed, segment_ok=segment_ok)


def _expand(paths: Iterable[str | Path], issues: list[Issue]) -> list[Path]:
    files: list[Path] = []
    for entry in paths:
        path = Path(entry)
        if path.is_dir():
            files.extend(sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml")))
        elif path.is_file():
            files.append(path)
        else:
            issues.append(Issue(IssueLevel.ERROR, "metric file not found; give a YAML file or a folder of them",
                                Location(file=str(path))))
    return files


def _read_file(path: Path, issues: list[Issue]) -> list[tuple[dict, Origin]]:
    """Each metric mapping of a file with its Origin; a file must hold only `metrics:`."""
    items = read_items(path, "metrics", _display(path), issues)
    extra = set(yaml.load(path.read_text(encoding="utf-8"), Loader=LOADER) or {}) - {"metrics"} if items else set()
    if extra:
        issues.append(Issue(IssueLevel.ERROR, f"unknown top-level key(s) {', '.join(sorted(map(str, extra)))}; "
                            "a metric file holds only `metrics:`", Location(file=_display(path))))
    return items


def _display(path: Path) -> str:
    """A shipped file relative to src/, a user file as given."""
    try:
        return str(path.resolve().relative_to(SHIPPED_DIR.parents[2]))
    except ValueError:
        return str(path)


def _issue(message: str, origin: Origin, metric: str, field_name: str | None = None) -> Issue:
    return Issue(IssueLevel.ERROR, message, origin.location(field_name, subject=f"metric {metric!r}"))


@lru_cache(maxsize=None)  # an unbound table is immutable; building one per expression cost 1 s per catalogue load
def _unbound(table: str) -> ir.Table:
    return ibis.table({c.name: c.dtype for c in TABLES[table].columns}, name=table)


def _check_expression(text: str, table: str, want: str, origin: Origin, metric: str, field_name: str) -> list[Issue]:
    """Parse, check every column against the contract, then type-check on an unbound table."""
    try:
        refs = column_refs(text)
    except ExpressionError as exc:
        return [_issue(str(exc), origin, metric, field_name)]
    issues = []
    for ref in refs:
        target = ref.table or table
        if target not in TABLES:
            issues.append(_issue(f"{ref.label()!r} in {text!r}: unknown table {target!r}", origin, metric, field_name))
        elif column_path(table, ref.table) is None:
            issues.append(_issue(f"{ref.label()!r} in {text!r}: table {target!r} is not reachable from {table!r} by a foreign key", origin, metric, field_name))
        elif ref.column not in TABLES[target].column_names:
            issues.append(_issue(f"{ref.label()!r} in {text!r}: table {target!r} has no column {ref.column!r}; columns: {', '.join(TABLES[target].column_names)}", origin, metric, field_name))
    if issues:
        return issues
    base = _unbound(table)

    def resolve(ref: ColumnRef) -> ir.Value:
        if ref.table in (None, table):
            return base[ref.column]
        return ibis.null().cast(TABLES[ref.table].column(ref.column).dtype)

    try:
        value = compile_expr(text, resolve)
    except ExpressionError as exc:
        return [_issue(str(exc), origin, metric, field_name)]
    except Exception as exc:  # ibis signals type errors with several exception types
        return [_issue(f"{text!r} does not type-check on {table!r}: {exc}", origin, metric, field_name)]
    ok = isinstance(value, ir.BooleanValue) if want == "condition" else (
        isinstance(value, ir.NumericValue) if want == "number" else isinstance(value, ir.Value))
    if not ok:
        return [_issue(f"{text!r} must be a {want}", origin, metric, field_name)]
    return []


def _check_metric(metric: Metric, origin: Origin) -> list[Issue]:
    name, kind = metric.name, metric.kind
    issues: list[Issue] = []

    def bad(message: str, field_name: str | None = None) -> None:
        issues.append(_issue(message, origin, name, field_name))

    if kind == "tree":
        for key in ("numerator", "denominator", "table", "time_column"):
            if getattr(metric, key) is not None:
                bad(f"a tree metric takes its value from its children; remove `{key}`", key)
        return issues
    if metric.numerator is None:
        bad(f"kind {kind!r} needs a `numerator`", "kind")
    if kind in SINGLE_SIDED and metric.denominator is not None:
        bad(f"kind {kind!r} has no denominator; use kind ratio, rate or proportion", "denominator")
    if kind not in SINGLE_SIDED and metric.denominator is None:
        bad(f"kind {kind!r} needs a `denominator`", "kind")
    if kind == "percentile" and metric.quantile is None:
        bad("kind 'percentile' needs `quantile` (e.g. 0.9)", "kind")
    if kind != "percentile" and metric.quantile is not None:
        bad("`quantile` applies only to kind 'percentile'", "quantile")
    if metric.table is not None and metric.table not in TABLES:
        bad(f"unknown table {metric.table!r}; known: {', '.join(TABLES)}", "table")
        return issues
    for cond in metric.filters:
        if metric.table is None:
            bad("`filters` need the metric's `table`", "filters")
        else:
            issues.extend(_check_expression(cond, metric.table, "condition", origin, name, "filters"))
    for side in ("numerator", "denominator"):
        measure = getattr(metric, side)
        if measure is None:
            continue
        table = measure.table or metric.table
        if table is None:
            bad(f"{side} has no table: set the metric's `table` or `{side}.table`", side)
            continue
        if table not in TABLES:
            bad(f"{side}: unknown table {table!r}; known: {', '.join(TABLES)}", side)
            continue
        time = measure.time or (metric.time_column if table == metric.table else None)
        if time is None:
            bad(f"{side} on {table!r} has no time column: set `{side}.time`", side)
        elif time not in TABLES[table].column_names:
            bad(f"{side}: time column {time!r} is not a column of {table!r}", side)
        elif TABLES[table].column(time).dtype not in (DATE, TIMESTAMP):
            bad(f"{side}: time column {table}.{time} is {TABLES[table].column(time).dtype}, expected a date or timestamp", side)
        if measure.where:
            issues.extend(_check_expression(measure.where, table, "condition", origin, name, side))
        if measure.expr:
            want = "value" if measure.distinct or kind == "distinct_count" else "number"
            issues.extend(_check_expression(measure.expr, table, want, origin, name, side))
            issues.extend(_check_money(measure.expr, table, origin, name, side))
        elif side == "numerator" and kind in NEEDS_EXPR:
            bad(f"kind {kind!r} needs `numerator.expr`", side)
        if measure.distinct and measure.expr is None:
            bad(f"{side}: `distinct: true` needs `expr` (the values to count)", side)
        if kind == "proportion" and (measure.expr or measure.distinct):
            bad(f"a proportion counts rows; remove `{side}.expr`/`distinct`", side)
    if kind == "proportion" and metric.numerator and metric.denominator:
        if (metric.numerator.table or metric.table) != (metric.denominator.table or metric.table):
            bad("a proportion's numerator and denominator must count rows of the same table; use kind 'rate'", "numerator")
    return issues


def _check_money(text: str, table: str, origin: Origin, metric: str, field_name: str) -> list[Issue]:
    """A money amount is converted with its own row's currency, so it must sit on the measure's table."""
    try:
        foreign = [label for label in money_refs(text, table) if not label.startswith(f"{table}.")]
    except ExpressionError:
        return []  # reported by _check_expression
    if not foreign:
        return []
    return [_issue(f"{text!r} reads money column(s) {', '.join(foreign)} of another table; amounts are converted to "
                   f"the reporting currency with their own row's currency, so measure them on that table "
                   f"(set `{field_name}.table`)", origin, metric, field_name)]


def _check_tree(metrics: dict[str, Metric], origins: dict[str, Origin]) -> list[Issue]:
    issues: list[Issue] = []
    for metric in metrics.values():
        origin = origins[metric.name]
        if metric.parent is None:
            for key in ("relation", "broadcast"):
                if getattr(metric, key):
                    issues.append(_issue(f"`{key}` needs a `parent`", origin, metric.name, key))
            continue
        if metric.parent not in metrics:
            issues.append(_issue(f"unknown parent {metric.parent!r}", origin, metric.name, "parent"))
        if metric.relation is None:
            issues.append(_issue("a metric with a `parent` needs `relation: product` or `relation: sum`", origin, metric.name, "parent"))
    for name in metrics:
        seen, current = [name], metrics[name].parent
        while current in metrics:
            if current in seen:
                if current == name:
                    cycle = " -> ".join(seen + [current])
                    issues.append(_issue(f"the metric tree has a cycle: {cycle}", origins[name], name, "parent"))
                break
            seen.append(current)
            current = metrics[current].parent
    for metric in metrics.values():
        kids = [m for m in metrics.values() if m.parent == metric.name]
        relations = {m.relation for m in kids}
        if len(relations) > 1:
            issues.append(_issue(f"children disagree on the relation ({', '.join(sorted(map(str, relations)))}): "
                                 f"{', '.join(m.name + '=' + str(m.relation) for m in kids)}", origins[metric.name], metric.name))
        if metric.kind == "tree" and not kids:
            issues.append(_issue("a tree metric needs children (metrics naming it as `parent`)", origins[metric.name], metric.name, "kind"))
    return issues


def _allowed_dimensions(metrics: dict[str, Metric], origins: dict[str, Origin], issues: list[Issue]):
    """Dimensions each metric may be cut by; a declared dimension its tables cannot reach is an error."""
    allowed: dict[str, tuple[str, ...]] = {}
    segment_ok: dict[str, bool] = {}
    reach_of = {t: set(reachable_dimensions(t)) for t in TABLES}  # once per table: each call walks every path
    segments_of = {t: reaches_segments(t) for t in TABLES}

    def visit(name: str, stack: tuple[str, ...] = ()) -> None:
        if name in allowed or name in stack:
            return
        metric = metrics[name]
        if metric.kind == "tree":
            kids = [m.name for m in metrics.values() if m.parent == name]
            for kid in kids:
                visit(kid, stack + (name,))
            # broadcast children (e.g. a cost per hour) do not limit the cuts; the others must all allow it
            cutting = [k for k in kids if not metrics[k].broadcast] or kids
            reach = [d for d in DIMENSIONS if all(d in allowed.get(k, ()) for k in cutting)]
            segments = all(segment_ok.get(k, False) for k in cutting)
            why = "one of its (non-broadcast) children cannot be cut by it"
            why_segment = "one of its (non-broadcast) children cannot reach customers"
        else:
            tables = {(getattr(metric, s).table or metric.table) for s in ("numerator", "denominator") if getattr(metric, s)}
            tables = {t for t in tables if t in TABLES}
            reach = [d for d in DIMENSIONS if all(d in reach_of[t] for t in tables)]
            segments = bool(tables) and all(segments_of[t] for t in tables)
            why = f"its tables ({', '.join(sorted(tables))}) cannot reach it"
            why_segment = f"its tables ({', '.join(sorted(tables))}) cannot reach customers"
        declared = metric.dimensions
        if declared is None:
            allowed[name], segment_ok[name] = tuple(reach), segments
            return
        for dim in declared:
            if dim == SEGMENT_ENTRY or is_segment(dim):
                if not segments:
                    issues.append(_issue(f"cannot be cut by {dim!r}: {why_segment}", origins[name], name, "dimensions"))
            elif not known_dimension(dim):
                issues.append(_issue(f"unknown dimension {dim!r}; known: {', '.join(DIMENSIONS)}, segment", origins[name], name, "dimensions"))
            elif dim not in reach:
                issues.append(_issue(f"cannot be cut by {dim!r}: {why}", origins[name], name, "dimensions"))
        allowed[name] = tuple(d for d in declared if d in reach)
        segment_ok[name] = segments and any(d == SEGMENT_ENTRY or is_segment(d) for d in declared)

    for name in metrics:
        visit(name)
    return allowed, segment_ok
