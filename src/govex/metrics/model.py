"""Pydantic models of a metric definition and of a loaded catalogue."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from govex.errors import Location
from govex.metrics.currency import reads_own_money
from govex.metrics.dimensions import SELLER_CARRIER, is_segment, is_seller_segment

Kind = Literal["count", "sum", "mean", "proportion", "ratio", "rate", "percentile", "distinct_count", "tree"]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]

# How each kind turns its measures into a value, and which interval it carries (see docs/metric-layer.md).
KIND_RULES: dict[str, str] = {
    "count": "rows matching the filters; CI exact Poisson (Garwood 1936)",
    "sum": "sum of an expression; CI normal with compound-Poisson variance sum(x^2)",
    "mean": "mean of an expression over rows where it is present; CI normal, s/sqrt(n)",
    "proportion": "share of denominator rows that also match the numerator filter; CI Wilson score (1927)",
    "ratio": "sum (or count) over sum (or count); CI delta method (paired when both sides share a table)",
    "rate": "ratio multiplied by `per` (events per N units); CI delta method",
    "percentile": "order statistic x(ceil(q n)) (Hyndman & Fan type 1); CI distribution-free order-statistic ranks",
    "distinct_count": "distinct values of an expression; CI exact Poisson (Garwood 1936)",
    "tree": "value combined from its children (product or sum); CI delta method assuming independent children",
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Measure(_Frozen):
    """One side of a metric: rows of a table (filtered), aggregated as the metric's kind says."""

    table: str | None = Field(None, description="canonical table; default: the metric's table")
    time: str | None = Field(None, description="date/timestamp column giving the period; default: the metric's time_column")
    expr: str | None = Field(None, description="value expression; omitted = count rows")
    where: str | None = Field(None, description="row condition, in addition to the metric's filters")
    distinct: bool = Field(False, description="count distinct values of `expr` instead of summing it")


class Metric(_Frozen):
    """A metric definition as written in catalogue YAML."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    description: str
    owner: str = "strategy"
    unit: str
    direction: Literal["higher", "lower"]
    role: Literal["input", "output"]
    category: Literal["trust", "experience", "efficiency", "growth"]
    kind: Kind
    table: str | None = None
    time_column: str | None = None
    filters: tuple[str, ...] = ()
    numerator: Measure | None = None
    denominator: Measure | None = None
    per: float = Field(1.0, gt=0, description="rate kind: events per this many denominator units")
    quantile: float | None = Field(None, gt=0, lt=1)
    dimensions: tuple[str, ...] | None = Field(None, description="allowed dimensions; omitted = every reachable one")
    parent: str | None = None
    relation: Literal["product", "sum"] | None = None
    broadcast: bool = Field(False, description="tree child: when the parent is cut by a dimension this metric "
                            "cannot reach, use its uncut value in every slice (e.g. a cost per hour)")
    business_unit: str | None = Field(None, description="what one numerator unit is (contacts, USD), for target gaps")
    matures_days: int = Field(0, ge=0, description="days after the time column until the outcome is known (a "
                              "delivery against its promised day); later periods are incomplete")


@dataclass(frozen=True)
class Origin:
    """Where a definition came from: file, line of the metric, and line of each of its fields."""

    file: str
    line: int
    field_lines: dict[str, int] = field(default_factory=dict)

    def at(self, field_name: str | None = None) -> str:
        return str(self.location(field_name))

    def location(self, field_name: str | None = None, subject: str | None = None) -> Location:
        """The file and line of the definition, or of one of its fields when it has its own line."""
        line = self.field_lines.get(field_name, self.line) if field_name else self.line
        return Location(file=self.file, line=line, subject=subject)


@dataclass(frozen=True)
class ResolvedMeasure:
    """A measure with its table, time column and full filter list filled in from its metric."""

    table: str
    time: str
    expr: str | None
    conditions: tuple[str, ...]
    distinct: bool
    money: bool = False  # the value is an amount in the row's currency, converted to the reporting currency


@dataclass(frozen=True)
class Catalogue:
    """Validated metric definitions by name, with where each came from and its allowed dimensions."""

    metrics: dict[str, Metric]
    origins: dict[str, Origin]
    allowed: dict[str, tuple[str, ...]]
    segment_ok: dict[str, bool]

    def __getitem__(self, name: str) -> Metric:
        return self.metrics[name]

    def __contains__(self, name: str) -> bool:
        return name in self.metrics

    def names(self) -> list[str]:
        return list(self.metrics)

    def children(self, name: str) -> list[Metric]:
        return [m for m in self.metrics.values() if m.parent == name]

    def allows(self, name: str, dimension: str) -> bool:
        if is_seller_segment(dimension):
            return SELLER_CARRIER in self.allowed[name]
        return self.segment_ok[name] if is_segment(dimension) else dimension in self.allowed[name]

    def measures(self, name: str) -> dict[str, ResolvedMeasure]:
        """The numerator (and denominator) of a non-tree metric, resolved against the metric."""
        metric = self.metrics[name]
        out: dict[str, ResolvedMeasure] = {}
        for side in ("numerator", "denominator"):
            measure: Measure | None = getattr(metric, side)
            if measure is None:
                continue
            table = measure.table or metric.table
            on_metric_table = table == metric.table
            time = measure.time or (metric.time_column if on_metric_table else None)
            conditions = tuple(metric.filters if on_metric_table else ()) + ((measure.where,) if measure.where else ())
            if metric.kind == "proportion" and side == "numerator" and metric.denominator and metric.denominator.where:
                conditions += (metric.denominator.where,)  # a proportion's numerator is a subset of its denominator
            counted = measure.distinct or metric.kind == "distinct_count"
            money = measure.expr is not None and not counted and reads_own_money(measure.expr, table or "")
            out[side] = ResolvedMeasure(table or "", time or "", measure.expr, conditions, measure.distinct, money)
        return out
