"""Check source tables against the data contract inside the engine, before anything is written.

Every check runs as an Ibis expression in the engine. Each table is checked in one aggregate
query: the row checks, whether a primary key repeats (rows with a key against distinct keys) and
the orphans of each foreign key (a NOT IN subquery) are counted in the same pass; only a check that
fails costs more queries (its example rows, the duplicates by key). On Spark every query costs jobs
and seconds whatever the data size, so this keeps validation near one query per table. All
findings are collected, then raised once as a ContractError, each with its Location (source
file, table, column, rows).

Fatal checks (never downgraded) are the ones after which the data cannot be loaded or joined
safely: a required column is missing, a value cannot be cast to the contract type, a primary key
is null or duplicated. The other checks (null in a non-key column that must not be null, a value
outside the allowed set or range, dates out of order (within a row, or against the row a foreign
key points at), a value that another column rules out, orphan foreign keys) become warnings with
``warn_only=True``.
"""
from __future__ import annotations

import operator
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

import ibis
import ibis.expr.types as ir
import pandas as pd

from govex.contract.schema import LOAD_ORDER, Column, ForeignKey, Table, table
from govex.contract.types import cast_value, conform, ibis_type
from govex.dialect import count_where, is_before
from govex._renamed import renamed_names
from govex.errors import ContractError, Issue, IssueLevel, Location

MAX_EXAMPLES = 5
_RAW = "__raw__"


class Check(str, Enum):
    """The checks validation runs; see FATAL_CHECKS for the ones warn-only cannot downgrade."""

    MISSING_COLUMN = "missing_column"
    ABSENT_OPTIONAL_COLUMN = "absent_optional_column"
    UNCASTABLE = "uncastable"
    NULL_KEY = "null_key"
    DUPLICATE_KEY = "duplicate_key"
    NULL = "null"
    NOT_ALLOWED = "not_allowed"
    OUT_OF_RANGE = "out_of_range"
    ORDER = "order"
    INCONSISTENT = "inconsistent"
    ORPHAN = "orphan_foreign_key"


FATAL_CHECKS = frozenset({Check.MISSING_COLUMN, Check.UNCASTABLE, Check.NULL_KEY, Check.DUPLICATE_KEY})

__getattr__ = renamed_names(__name__, {"Rule": "Check", "FATAL_RULES": "FATAL_CHECKS"}, globals())

# Attributes of ContractIssue before its place became a Location, answered for one release.
_MOVED = {"rule": "check", "table": "where.table", "column": "where.column", "rows": "where.rows",
          "source": "where.file"}


@dataclass(frozen=True)
class ContractIssue(Issue):
    """An Issue that also names the check that failed; `where` has its source file, table, column and rows."""

    check: Check = Check.NULL

    def __getattr__(self, name: str):
        if name not in _MOVED:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        warnings.warn(f"ContractIssue.{name} is deprecated and goes in the next release; use .{_MOVED[name]}",
                      DeprecationWarning, stacklevel=2)
        return operator.attrgetter(_MOVED[name])(self)


@dataclass(frozen=True)
class _RowCheck:
    check: Check
    column: str
    condition: ir.BooleanValue
    shown: tuple[str, ...]
    message: str


def validate_tables(
    tables: Mapping[str, ir.Table],
    *,
    sources: Mapping[str, str] | None = None,
    references: Mapping[str, ir.Table] | None = None,
    warn_only: bool = False,
) -> list[ContractIssue]:
    """Validate raw source tables (canonical column names, any types) against the contract.

    Parameters
    ----------
    tables
        Canonical table name -> raw Ibis table, columns already renamed to contract names.
    sources
        Canonical table name -> where the data came from (file path), used in messages.
    references
        Canonical tables already in the warehouse that foreign keys may point at (tables in
        `tables` take precedence). Foreign keys to tables in neither are not checked.
    warn_only
        Downgrade the non-fatal checks to warnings.

    Returns
    -------
    The warnings found. Raises ContractError listing every issue if any is an error.
    """
    sources = dict(sources or {})
    names = sorted(tables, key=_load_rank)
    column_issues = {name: _column_issues(tables[name], table(name), sources.get(name)) for name in names}
    typed = {name: conform(tables[name], table(name)) for name in names
             if not any(i.check is Check.MISSING_COLUMN for i in column_issues[name])}
    parents = {**dict(references or {}), **typed}
    issues: list[ContractIssue] = []
    orphans: dict[str, list[ContractIssue]] = {}
    for name in names:
        issues.extend(column_issues[name])
        if name in typed:
            found, orphans[name] = _table_issues(tables[name], typed[name], table(name), parents,
                                                 sources.get(name), warn_only)
            issues.extend(found)
    for name, child in typed.items():
        issues.extend(orphans[name])
        issues.extend(_after_parent_issues(child, table(name), parents, sources.get(name), warn_only))
    if any(i.level is IssueLevel.ERROR for i in issues):
        raise ContractError(issues, summary=f"{_count_errors(issues)} contract error(s); nothing was written")
    return issues


def absent_tables(present: set[str] | list[str]) -> dict[str, tuple[str, ...]]:
    """Canonical tables not in `present`, each with the features that cannot run without it."""
    return {name: table(name).needed_by for name in LOAD_ORDER if name not in set(present)}


def _load_rank(name: str) -> int:
    table(name)  # unknown names raise KeyError listing the known tables
    return LOAD_ORDER.index(name)


def _count_errors(issues: list[ContractIssue]) -> int:
    return sum(i.level is IssueLevel.ERROR for i in issues)


def _level(check: Check, warn_only: bool) -> IssueLevel:
    return IssueLevel.WARNING if warn_only and check not in FATAL_CHECKS else IssueLevel.ERROR


def _where(source: str | None, contract: Table, column: str, rows: int | None = None) -> Location:
    return Location(file=source, table=contract.name, column=column, rows=rows)


def _column_issues(raw: ir.Table, contract: Table, source: str | None) -> list[ContractIssue]:
    found = ", ".join(raw.columns)
    issues = []
    for col in contract.columns:
        if col.name in raw.columns:
            continue
        if col.default is not None:
            issues.append(
                ContractIssue(
                    IssueLevel.WARNING,
                    f"column is absent; every row gets the default {col.default!r}",
                    _where(source, contract, col.name),
                    check=Check.ABSENT_OPTIONAL_COLUMN,
                )
            )
        elif col.nullable:
            issues.append(
                ContractIssue(
                    IssueLevel.WARNING,
                    "optional column is absent; it is loaded as null",
                    _where(source, contract, col.name),
                    check=Check.ABSENT_OPTIONAL_COLUMN,
                )
            )
        else:
            issues.append(
                ContractIssue(
                    IssueLevel.ERROR,
                    f"required column is missing ({col.dtype}: {col.meaning}); found columns: {found}. "
                    f"Fix: add it, or map a source column onto it with `rename` in govex.yaml",
                    _where(source, contract, col.name),
                    check=Check.MISSING_COLUMN,
                )
            )
    return issues


def _row_checks(wide: ir.Table, contract: Table) -> list[_RowCheck]:
    """Every row-level check of one table, as a boolean condition on the raw+typed table."""
    key = contract.primary_key
    checks: list[_RowCheck] = []
    for col in contract.columns:
        if col.name not in wide.columns:
            continue
        value, raw = wide[col.name], wide[_RAW + col.name]
        if raw.type() != ibis_type(col):
            checks.append(_RowCheck(
                Check.UNCASTABLE, col.name, raw.notnull() & value.isnull(), (*key, _RAW + col.name),
                f"cannot be read as {col.dtype}; fix the values or map another column",
            ))
        if not col.nullable:
            check = Check.NULL_KEY if col.name in key else Check.NULL
            checks.append(_RowCheck(
                check, col.name, raw.isnull(), key,
                f"are null, but {col.name} may not be null ({col.meaning})",
            ))
        if col.allowed is not None:
            checks.append(_RowCheck(
                Check.NOT_ALLOWED, col.name, value.notnull() & ~value.isin(col.allowed), (*key, col.name),
                f"have a value outside the allowed set: {col.rule()}",
            ))
        if col.min is not None or col.max is not None:
            checks.append(_RowCheck(
                Check.OUT_OF_RANGE, col.name, value.notnull() & _outside(value, col), (*key, col.name),
                f"are outside the allowed range {col.rule()}" + (" (negative values)" if col.min == 0 else ""),
            ))
    for order in contract.order_checks:
        if order.earlier in wide.columns and order.later in wide.columns:
            earlier, later = wide[order.earlier], wide[order.later]
            checks.append(_RowCheck(
                Check.ORDER, order.later, earlier.notnull() & later.notnull() & is_before(later, earlier),
                (*key, order.earlier, order.later),
                f"have {order.later} before {order.earlier} (expected {order.describe()})",
            ))
    for requires in contract.requires_checks:
        if requires.column in wide.columns and requires.other in wide.columns:
            other = wide[requires.other]
            checks.append(_RowCheck(
                Check.INCONSISTENT, requires.column,
                wide[requires.column].notnull() & (other.isnull() | (other != requires.value)),
                (*key, requires.other, requires.column),
                f"have a {requires.column} but {requires.other} is not {requires.shown_value} "
                f"(expected {requires.describe()})",
            ))
    return checks


def _outside(value: ir.NumericValue, col: Column) -> ir.BooleanValue:
    below = value < col.min if col.min is not None else ibis.literal(False)
    above = value > col.max if col.max is not None else ibis.literal(False)
    return below | above


def _table_issues(
    raw: ir.Table, typed: ir.Table, contract: Table, parents: Mapping[str, ir.Table], source: str | None, warn_only: bool
) -> tuple[list[ContractIssue], list[ContractIssue]]:
    """The row and key issues of one table, and its orphan foreign keys, counted in one aggregate query."""
    present = [c for c in contract.columns if c.name in raw.columns]
    wide = raw.select(
        *[raw[c.name].name(_RAW + c.name) for c in present],
        **{c.name: cast_value(raw[c.name], c) for c in present},
    )
    checks = _row_checks(wide, contract)
    links = [fk for fk in contract.foreign_keys if fk.table in parents and fk.column in wide.columns]
    keyed = ibis.and_(*[wide[k].notnull() for k in contract.primary_key])
    counts = wide.aggregate(
        keyed_rows=count_where(keyed),
        distinct_keys=_distinct(wide, contract.primary_key, keyed),
        **{f"check_{i}": count_where(c.condition) for i, c in enumerate(checks)},
        **{f"orphan_{i}": count_where(_orphaned(wide, fk, parents[fk.table])) for i, fk in enumerate(links)},
    ).execute().iloc[0]
    issues = []
    for i, check in enumerate(checks):
        rows = int(counts[f"check_{i}"])
        if rows == 0:
            continue
        examples = _examples(wide.filter(check.condition), check.shown, contract.primary_key)
        issues.append(
            ContractIssue(
                _level(check.check, warn_only),
                f"{rows} row(s) {check.message}",
                _where(source, contract, check.column, rows=rows),
                examples,
                check=check.check,
            )
        )
    if int(counts["keyed_rows"]) > int(counts["distinct_keys"]):
        issues.extend(_duplicate_key_issues(typed, contract, source))
    orphans = [_orphan_issue(typed, contract, fk, parents[fk.table], rows, source, warn_only)
               for i, fk in enumerate(links) if (rows := int(counts[f"orphan_{i}"]))]
    return issues, orphans


def _distinct(rows: ir.Table, key: tuple[str, ...], where: ir.BooleanValue) -> ir.IntegerScalar:
    """Number of distinct values of `key` among rows `where` holds (a struct of the columns for a compound key)."""
    value = rows[key[0]] if len(key) == 1 else ibis.struct({k: rows[k] for k in key})
    return value.nunique(where=where)


def _orphaned(child: ir.Table, fk: ForeignKey, parent: ir.Table) -> ir.BooleanValue:
    """Rows whose foreign key is set but is none of the parent's (non-null) keys."""
    keys = parent.filter(parent[fk.ref_column].notnull())[fk.ref_column]
    return child[fk.column].notnull() & ~child[fk.column].isin(keys)


def _duplicate_key_issues(typed: ir.Table, contract: Table, source: str | None) -> list[ContractIssue]:
    key = list(contract.primary_key)
    keyed = typed.filter(*[typed[k].notnull() for k in key])
    dupes = keyed.group_by(key).aggregate(rows=keyed.count()).filter(lambda t: t.rows > 1)
    stats = dupes.aggregate(keys=dupes.count(), rows=dupes.rows.sum()).execute()
    n_keys = int(stats["keys"].iloc[0])
    if n_keys == 0:
        return []
    rows = int(stats["rows"].iloc[0])
    return [
        ContractIssue(
            IssueLevel.ERROR,
            f"{n_keys} primary-key value(s) appear more than once, in {rows} row(s); "
            f"({', '.join(key)}) must be unique. Fix: deduplicate the source or map a unique id",
            _where(source, contract, ", ".join(key), rows=rows),
            _examples(dupes, (*key, "rows"), key),
            check=Check.DUPLICATE_KEY,
        )
    ]


def _orphan_issue(
    child: ir.Table, contract: Table, fk: ForeignKey, parent: ir.Table, rows: int, source: str | None, warn_only: bool
) -> ContractIssue:
    linked = child.filter(child[fk.column].notnull())
    orphans = linked.anti_join(parent, linked[fk.column] == parent[fk.ref_column])
    return ContractIssue(
        _level(Check.ORPHAN, warn_only),
        f"{rows} row(s) refer to a {fk.table}.{fk.ref_column} that does not exist",
        _where(source, contract, fk.column, rows=rows),
        _examples(orphans, (*contract.primary_key, fk.column), contract.primary_key),
        check=Check.ORPHAN,
    )


def _after_parent_issues(
    child: ir.Table, contract: Table, parents: Mapping[str, ir.Table], source: str | None, warn_only: bool
) -> list[ContractIssue]:
    """Rows dated before the row they refer to in another table (e.g. granted before the order was placed)."""
    issues = []
    for check in contract.after_parent_checks:
        if check.table not in parents:
            continue
        parent = parents[check.table]
        earlier = f"{check.table}_{check.earlier}"
        ref = parent.select(__ref=parent[check.ref_column], **{earlier: parent[check.earlier]})
        joined = child.inner_join(ref, child[check.column] == ref.__ref)
        bad = joined.filter(joined[check.later].notnull() & joined[earlier].notnull()
                            & is_before(joined[check.later], joined[earlier]))
        rows = int(bad.count().execute())
        if rows == 0:
            continue
        issues.append(
            ContractIssue(
                _level(Check.ORDER, warn_only),
                f"{rows} row(s) have {check.later} before the {check.earlier} of their {check.table} row "
                f"(expected {check.describe()})",
                _where(source, contract, check.later, rows=rows),
                _examples(bad, (*contract.primary_key, check.column, check.later, earlier), contract.primary_key),
                check=Check.ORDER,
            )
        )
    return issues


def _examples(rows: ir.Table, shown: tuple[str, ...], key: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Up to MAX_EXAMPLES offending rows, ordered by key so every engine shows the same ones."""
    columns = list(dict.fromkeys(shown))
    frame = rows.select(*columns).order_by(list(key)).limit(MAX_EXAMPLES).execute()
    for name, dtype in rows.select(*columns).schema().items():
        if dtype.is_date():  # engines hand dates back as midnight timestamps; show the date
            frame[name] = pd.to_datetime(frame[name]).dt.date
    return tuple(
        ", ".join(f"{name.removeprefix(_RAW)}={_plain(record[name])!r}" for name in columns)
        for record in frame.to_dict("records")
    )


def _plain(value: object) -> object:
    """A value as a plain Python scalar for messages (no numpy or pandas types, NaT/NaN as None)."""
    if value is None or pd.isna(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value
