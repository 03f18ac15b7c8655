"""Turn a metric request into one Ibis aggregation per table group.

Measures that read the same table with the same time column and the same cuts share one query:
the table is joined (many-to-one, along foreign keys) to whatever its dimensions and `table.column`
references need, each measure becomes a filtered aggregate in a single `group_by().aggregate()`, and
percentiles take their order statistics from windows in the same statement. Expressions are
returned unexecuted; `govex.metrics.compute` runs them.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import ibis
import ibis.expr.types as ir
import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError
from govex.metrics.currency import DEFAULT_REPORTING_CURRENCY, RATE_COLUMN, UNCONVERTIBLE, attach_rate, money_check
from govex.metrics.dimensions import (
    MISSING_LABEL,
    SEGMENT_TABLE,
    Path,
    column_path,
    dimension_path,
    is_segment,
    segment_entity,
)
from govex.metrics.expressions import ColumnRef, column_refs, compile_expr
from govex.metrics.model import ResolvedMeasure

PERIODS = {"day": "D", "week": "W", "month": "M", "quarter": "Q"}
WHOLE_RANGE = "all"  # one cell per cut over the whole range: ratios of totals, never a sum of months
PERIOD_COLUMN = "period_start"
FIRST_DAY = "first_day"  # a whole-range cell's earliest day, aggregated in the same query
DAY_COLUMN = "__day"


@dataclass(frozen=True)
class MeasureJob:
    """One aggregate over a group's table: rows counted, values summed, distinct values or a quantile."""

    key: str
    measure: ResolvedMeasure
    mode: str  # rows | sum | distinct | quantile
    quantile: float | None = None

    @property
    def counts(self) -> bool:
        """Rows and distinct values are counted alone: each counts 1, so the count is also its sum and sum of squares."""
        return self.mode in ("rows", "distinct")


@dataclass(frozen=True)
class PairJob:
    """Cross-products of a same-table ratio's two sides, for the paired delta method."""

    key: str
    numerator: MeasureJob
    denominator: MeasureJob
    conditions: tuple[str, ...]


@dataclass
class Group:
    """Everything computed from one table, time column and set of cuts: one query."""

    table: str
    time: str
    dims: tuple[str, ...]
    jobs: list[MeasureJob] = field(default_factory=list)
    pairs: list[PairJob] = field(default_factory=list)

    def label(self) -> str:
        cuts = ", ".join(self.dims) or "no cuts"
        return f"{self.table} by {self.time} ({cuts})"


class QueryPlan:
    """Collects measure jobs into groups, reusing an identical job wherever it appears."""

    def __init__(self) -> None:
        self.groups: dict[tuple[str, str, tuple[str, ...]], Group] = {}
        self._jobs: dict[tuple, MeasureJob] = {}

    def job(self, measure: ResolvedMeasure, mode: str, dims: tuple[str, ...], quantile: float | None = None) -> tuple[Group, MeasureJob]:
        group = self.groups.setdefault((measure.table, measure.time, dims), Group(measure.table, measure.time, dims))
        ident = (measure, mode, quantile, dims)
        if ident not in self._jobs:
            self._jobs[ident] = MeasureJob(f"j{len(self._jobs)}", measure, mode, quantile)
            group.jobs.append(self._jobs[ident])
        return group, self._jobs[ident]

    def pair(self, group: Group, numerator: MeasureJob, denominator: MeasureJob, conditions: tuple[str, ...]) -> PairJob:
        for existing in group.pairs:
            if (existing.numerator, existing.denominator, existing.conditions) == (numerator, denominator, conditions):
                return existing
        pair = PairJob(f"p{len(group.pairs)}", numerator, denominator, conditions)
        group.pairs.append(pair)
        return pair


def dim_column(index: int) -> str:
    return f"d{index}"


def build_query(
    warehouse: Warehouse,
    group: Group,
    *,
    period: str,
    start: dt.date | None,
    end: dt.date | None,
    z: float,
    segment_as_of: dt.date | None = None,
    reporting_currency: str = DEFAULT_REPORTING_CURRENCY,
) -> ir.Table:
    """The single aggregation for one group (unexecuted): period, cut columns d0.., aggregates.

    A group with money measures also joins each row's fx rate (`govex.metrics.currency`), multiplies
    those measures' values by it, and adds per-cell check aggregates. For the whole range
    (``period="all"``) the period column is ``start`` (null without one) and `FIRST_DAY` holds each
    cell's earliest day, so the caller can date every group's cells alike.

    A week, month or quarter of counts and sums is aggregated by day first and the days' totals
    summed into periods (`_roll_up`): truncating every row's date to its period costs more than the
    rest of a large scan's aggregation, truncating a few thousand daily cells costs nothing. Sums
    stay exact decimals until the last step, so both ways give the same totals to the bit.
    """
    joined = _joined_rows(warehouse, group, segment_as_of, reporting_currency)
    daily_first = period in ROLLED_UP and all(job.mode in ADDITIVE for job in group.jobs)
    keys, in_range, day = _cell_keys(joined, group, "day" if daily_first else period, start, end)
    first_day = {DAY_COLUMN: day} if period == WHOLE_RANGE else {}
    columns = {**keys, **_row_values(joined, group), **first_day}
    # filter after the select, so that windows in expressions (previous()) still see earlier rows
    table = joined.select(**columns, __in_range=in_range).filter(ibis._["__in_range"]).drop("__in_range")
    table = _rank_quantiles(table, group, list(keys), z)
    aggregates = _aggregates(table, group)
    if first_day:
        aggregates[FIRST_DAY] = table[DAY_COLUMN].min()
    cells = table.group_by(list(keys)).aggregate(**aggregates)
    if daily_first:
        cells = _roll_up(cells, period, [k for k in keys if k != PERIOD_COLUMN])
    exact_sums = {c: cells[c].cast("float64") for c in cells.columns if cells[c].type().is_decimal()}
    return cells.mutate(**exact_sums) if exact_sums else cells


ROLLED_UP = ("week", "month", "quarter")
ADDITIVE = ("rows", "sum")  # job modes whose cell aggregates are all counts and sums


def _roll_up(daily: ir.Table, period: str, cuts: list[str]) -> ir.Table:
    """Daily cells summed into the period's cells: every aggregate of `ADDITIVE` jobs adds up."""
    period_start = daily[PERIOD_COLUMN].truncate(PERIODS[period]).cast("date")
    totals = {c: daily[c].sum() for c in daily.columns if c != PERIOD_COLUMN and c not in cuts}
    return daily.group_by([period_start.name(PERIOD_COLUMN), *cuts]).aggregate(**totals)


def _money_jobs(group: Group) -> list[MeasureJob]:
    return [job for job in group.jobs if job.measure.money]


def _joined_rows(warehouse: Warehouse, group: Group, segment_as_of: dt.date | None, reporting_currency: str) -> ir.Table:
    """The group's table with every column its measures, conditions and cuts read elsewhere attached.

    Columns of other tables come along foreign keys (`_attach`), segments from the assignments of
    `segment_as_of` (else the latest), and, when the group has money measures, each row's fx rate.
    """
    base = warehouse.table(group.table, purpose="metrics")
    refs = {ref for job in group.jobs for ref in _refs(job.measure)}
    refs |= {ref for pair in group.pairs for text in pair.conditions for ref in column_refs(text)}
    needs: list[tuple[Path, str, str]] = []
    for ref in sorted(refs, key=lambda r: r.label()):
        if ref.table not in (None, group.table):
            needs.append((column_path(group.table, ref.table), ref.column, _ref_name(ref)))
    segments: dict[str, str] = {}
    for i, dim in enumerate(group.dims):
        path, column = dimension_path(group.table, dim)
        if is_segment(dim):
            segments[dim] = f"__c{i}"
            needs.append((path, column, segments[dim]))
        else:
            needs.append((path, column, f"__v{i}"))
    joined = _attach(warehouse, base, needs)
    for dim, key in segments.items():
        joined = _join_segment(warehouse, joined, dim, key, segment_as_of)
    if _money_jobs(group):
        joined = attach_rate(warehouse, joined, group.table, group.time, reporting_currency)
    return joined


def _cell_keys(joined: ir.Table, group: Group, period: str, start: dt.date | None,
               end: dt.date | None) -> tuple[dict[str, ir.Value], ir.BooleanValue, ir.DateValue]:
    """Each row's cell (period start, cut columns d0..), whether its day is in range, and the day."""
    time_value = joined[group.time]
    day = time_value if time_value.type().is_date() else time_value.date()
    if period == WHOLE_RANGE:
        period_start = ibis.literal(start, type="date")
    else:
        period_start = day if period == "day" else day.truncate(PERIODS[period])
    in_range = ibis.literal(True)
    if start is not None:
        in_range &= day >= start
    if end is not None:
        in_range &= day <= end
    cuts = {dim_column(i): joined[_cut_source(i, dim)].cast("string").fill_null(MISSING_LABEL)
            for i, dim in enumerate(group.dims)}
    return {PERIOD_COLUMN: period_start.cast("date"), **cuts}, in_range, day


def _row_values(joined: ir.Table, group: Group) -> dict[str, ir.Value]:
    """Per row: each job's and pair's condition (`_f`), each job's value (`_v`, money converted), the money check."""

    def resolve(ref: ColumnRef) -> ir.Value:
        return joined[ref.column] if ref.table in (None, group.table) else joined[_ref_name(ref)]

    values: dict[str, ir.Value] = {}
    flags: dict[str, ir.BooleanValue] = {}
    checks: dict[str, ir.Value] = {}
    for job in group.jobs:
        flags[job.key] = _condition(job.measure.conditions, resolve)
        if job.measure.expr is not None:
            value = compile_expr(job.measure.expr, resolve)
            # summed integers stay integers (exact_sum adds them exactly); everything else is a float
            whole = job.mode == "sum" and value.type().is_integer() and not job.measure.money
            values[job.key] = value if job.mode == "distinct" or whole else value.cast("float64")
    money_jobs = _money_jobs(group)
    if money_jobs:
        money_row = ibis.or_(*(flags[job.key] & values[job.key].notnull() for job in money_jobs))
        checks = {"__unconvertible": money_check(joined, money_row)}
        values.update({job.key: values[job.key] * joined[RATE_COLUMN] for job in money_jobs})
    for pair in group.pairs:
        flags[pair.key] = _condition(pair.conditions, resolve)
    return {**{f"{k}_f": f for k, f in flags.items()}, **{f"{k}_v": v for k, v in values.items()}, **checks}


def _aggregates(table: ir.Table, group: Group) -> dict[str, ir.Value]:
    """Every job's and pair's cell aggregates, and the count of money rows without a rate."""
    aggregates: dict[str, ir.Value] = {}
    for job in group.jobs:
        aggregates.update(_aggregate(table, job))
    for pair in group.pairs:
        aggregates.update(_aggregate_pair(table, pair))
    if _money_jobs(group):
        aggregates[UNCONVERTIBLE] = table["__unconvertible"].sum()
    return aggregates


def _refs(measure: ResolvedMeasure) -> set[ColumnRef]:
    texts = list(measure.conditions) + ([measure.expr] if measure.expr else [])
    return {ref for text in texts for ref in column_refs(text)}


def _ref_name(ref: ColumnRef) -> str:
    return f"__r_{ref.table}_{ref.column}"


def _cut_source(index: int, dim: str) -> str:
    return f"__s{index}" if is_segment(dim) else f"__v{index}"


def _condition(conditions: tuple[str, ...], resolve) -> ir.BooleanValue:
    """All conditions hold; null where one is null and none is false.

    Every use counts null as false (CASE WHEN, FILTER, AND; quantile ranks coalesce it), so no
    per-row coalesce is spent on it: one per condition cost ~10 % of the CPU of a large scan.
    """
    out = ibis.literal(True)
    for text in conditions:
        out &= compile_expr(text, resolve)
    return out


def _attach(warehouse: Warehouse, base: ir.Table, needs: list[tuple[Path, str, str]]) -> ir.Table:
    """`base` with each need's column attached as `name`, joining along the path's foreign keys."""
    direct = {name: base[column] for path, column, name in needs if not path}
    out = base.mutate(**direct) if direct else base
    by_edge: dict = defaultdict(list)
    for path, column, name in needs:
        if path:
            by_edge[path[0]].append((path[1:], column, name))
    for n, (edge, rest) in enumerate(by_edge.items()):
        ref = _attach(warehouse, warehouse.table(edge.ref_table, purpose="metrics"), rest)
        key = f"__k{n}_{edge.column}"
        lookup = ref.select(**{key: ref[edge.ref_column]}, **{name: ref[name] for _, _, name in rest})
        out = out.left_join(lookup, out[edge.column] == lookup[key]).drop(key)
    return out


def _join_segment(warehouse: Warehouse, table: ir.Table, dim: str, key: str, as_of: dt.date | None) -> ir.Table:
    """Attach each customer's (seller's) segment of one framework: the latest as-of (or the given one)."""
    entity, _, _, framework = segment_entity(dim)
    seg = warehouse.table(SEGMENT_TABLE, purpose=f"the {dim!r} dimension")
    seg = seg.filter((seg.entity == entity) & (seg.framework == framework))
    seg = seg.filter(seg.as_of == (ibis.literal(as_of) if as_of else seg.as_of.max().as_scalar()))
    index = key[len("__c"):]
    lookup = seg.select(**{f"__e{index}": seg.entity_id, f"__s{index}": seg.segment})
    joined = table.left_join(lookup, table[key].cast("string") == lookup[f"__e{index}"])
    return joined.drop(f"__e{index}")


def _rank_quantiles(table: ir.Table, group: Group, keys: list[str], z: float) -> ir.Table:
    """Add, per quantile job, each row's rank within its cell and the ranks of the estimate and CI."""
    quantile_jobs = [j for j in group.jobs if j.mode == "quantile"]
    if not quantile_jobs:
        return table
    # coalesced: `usable` partitions the ranks, where null would be a cell of its own
    table = table.mutate(**{f"{j.key}_u": (table[f"{j.key}_f"] & table[f"{j.key}_v"].notnull()).fill_null(False)
                            for j in quantile_jobs})
    ranks: dict[str, ir.Value] = {}
    for job in quantile_jobs:
        value, usable = table[f"{job.key}_v"], table[f"{job.key}_u"]
        cell = [table[k] for k in keys] + [usable]
        window = ibis.window(group_by=cell, order_by=[value])
        n = ibis.ifelse(usable, 1, 0).sum().over(ibis.window(group_by=cell))
        nq = n.cast("float64") * job.quantile
        spread = z * (nq * (1 - job.quantile)).sqrt()
        ranks[f"{job.key}_rank"] = ibis.row_number().over(window) + 1
        ranks[f"{job.key}_k"] = (nq - 1e-9).ceil().cast("int64")
        ranks[f"{job.key}_lo"] = ibis.greatest((nq - spread + 1e-9).floor().cast("int64"), 1)
        ranks[f"{job.key}_hi"] = ibis.least((nq + spread - 1e-9).ceil().cast("int64"), n.cast("int64"))
    return table.mutate(**ranks)


EXACT = "decimal(38, 12)"
WHOLE = "decimal(19, 0)"  # holds every int64; the product of two holds every square


def exact_sum(value: ir.NumericValue, *, where: ir.BooleanValue | None = None, squared: bool = False) -> ir.DecimalValue:
    """A sum (of squares) that is the same on every run, thread count and engine.

    Float addition is not associative, so a parallel engine's float sum changes in its last bits
    with the threads; each value is rounded to 1e-12 instead and added as a decimal (exact integer
    arithmetic), and only the total becomes a float (`build_query` casts it, after any roll-up).
    26 integer digits leave room for sums of squared amounts over billions of rows. Integers are
    added (and squared) as whole decimals: exact at any size, with no round trip through a float
    or a rounded decimal.
    """
    if value.type().is_integer():
        whole = value.cast(WHOLE)
        return (whole * whole if squared else whole).sum(where=where)
    return (value * value if squared else value).cast(EXACT).sum(where=where)


def _aggregate(table: ir.Table, job: MeasureJob) -> dict[str, ir.Value]:
    k, flag = job.key, table[f"{job.key}_f"]
    if job.mode == "rows":
        return {f"{k}_n": table.count(where=flag)}
    value = table[f"{k}_v"]
    if job.mode == "distinct":
        return {f"{k}_n": value.nunique(where=flag)}
    out = {f"{k}_n": value.count(where=flag), f"{k}_s1": exact_sum(value, where=flag),
           f"{k}_s2": exact_sum(value, where=flag, squared=True)}
    if job.mode == "quantile":
        usable, rank = table[f"{k}_u"], table[f"{k}_rank"]
        out[f"{k}_q"] = value.max(where=usable & (rank == table[f"{k}_k"]))
        out[f"{k}_qlo"] = value.max(where=usable & (rank == table[f"{k}_lo"]))
        out[f"{k}_qhi"] = value.max(where=usable & (rank == table[f"{k}_hi"]))
    return out


def _aggregate_pair(table: ir.Table, pair: PairJob) -> dict[str, ir.Value]:
    def side(job: MeasureJob) -> ir.Value:
        one = table[f"{job.key}_v"].cast("float64").fill_null(0.0) if job.measure.expr is not None else ibis.literal(1.0)
        return ibis.ifelse(table[f"{job.key}_f"], one, 0.0)

    product = side(pair.numerator) * side(pair.denominator)
    return {f"{pair.key}_n": ibis.ifelse(table[f"{pair.key}_f"], 1, 0).sum(), f"{pair.key}_sxy": exact_sum(product)}


def period_end(start: dt.date, period: str) -> dt.date:
    """Last day of the period that starts on `start`."""
    offsets = {"day": pd.DateOffset(days=1), "week": pd.DateOffset(weeks=1),
               "month": pd.DateOffset(months=1), "quarter": pd.DateOffset(months=3)}
    return (pd.Timestamp(start) + offsets[period] - pd.Timedelta(days=1)).date()


def check_period(period: str) -> str:
    if period not in PERIODS and period != WHOLE_RANGE:
        raise ConfigError(f"unknown period {period!r}; use one of {', '.join(PERIODS)} or {WHOLE_RANGE} (the whole range)")
    return period
