"""Money in one reporting currency: each money amount times the rate valid on its row's date.

Money columns carry a currency (the row's `currency` column); a report adds amounts only after
converting them with `fx_rates` (currency, valid_from, rate_to_reporting). The rate of a row is
the one with the latest `valid_from` on or before the row's date, an as-of join. It runs in the
engine in two plain steps that DuckDB and Spark both plan well: the distinct (currency, day) pairs
of the table are range-joined to validity intervals ``[valid_from, next valid_from)`` built with a
``lead()`` window (a few thousand rows, materialised), and the rows then take their rate by an
equi-join on (currency, day).

Without `fx_rates`, amounts are used as stored only when every money row is already in the
reporting currency; anything else is an error that names the currencies found and the fix.

References
----------
.. [1] ISO 4217, Codes for the representation of currencies (three-letter codes).
.. [2] IAS 21, The Effects of Changes in Foreign Exchange Rates, para. 21-22: a foreign-currency
   transaction is translated at the spot rate of the transaction date; an average rate for a
   period is an approximation when rates do not move much.
"""
from __future__ import annotations

import datetime
import re

import ibis
import ibis.expr.types as ir
import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError, CurrencyError
from govex.metrics.expressions import column_refs

FX_TABLE = "fx_rates"
CURRENCY_COLUMN = "currency"
DEFAULT_REPORTING_CURRENCY = "USD"
RATE_COLUMN = "__rate"
OPEN_END = datetime.date(9999, 12, 31)  # end of the last rate's validity

# The contract's amounts: each of these tables also has `currency`, the code of its money columns.
MONEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "orders": ("amount",),
    "disputes": ("amount",),
    "returns": ("refund_amount",),
    "staffing": ("planned_cost", "actual_cost"),
    "vendors": ("rate",),
    "compensations": ("amount",),
}

UNCONVERTIBLE = "__unconvertible_n"  # per-cell count of money rows without a rate (see `money_check`)
_UNIT_WORD = re.compile(r"\bmoney\b")


def money_columns(table: str) -> tuple[str, ...]:
    return MONEY_COLUMNS.get(table, ())


def money_refs(text: str, table: str) -> list[str]:
    """The money columns an expression on `table` reads, as `table.column` labels (any table)."""
    labels = []
    for ref in column_refs(text):
        home = ref.table or table
        if ref.column in money_columns(home):
            labels.append(f"{home}.{ref.column}")
    return labels


def reads_own_money(text: str, table: str) -> bool:
    """Whether the expression reads a money column of its own table (the one the row's currency describes)."""
    return any(label.startswith(f"{table}.") for label in money_refs(text, table))


def in_currency(unit: str, code: str) -> str:
    """A unit with the word `money` replaced by the reporting currency code: 'money per order' -> 'USD per order'."""
    return _UNIT_WORD.sub(code, unit)


def check_code(code: str) -> str:
    if not re.fullmatch(r"[A-Z]{3}", code or ""):
        raise ConfigError(f"reporting currency {code!r} is not an ISO 4217 code; expected three capital letters such as USD")
    return code


def rate_intervals(warehouse: Warehouse) -> ir.Table:
    """fx_rates as disjoint validity intervals per currency: [__fx_from, __fx_to), open-ended last row."""
    fx = warehouse.table(FX_TABLE, purpose="reporting-currency conversion")
    following = fx.valid_from.lead().over(ibis.window(group_by=fx.currency, order_by=fx.valid_from))
    # a closed end date keeps the join condition a plain conjunction, which engines run as a hash join
    # with a range filter (an `OR end IS NULL` turns it into a nested loop)
    valid_to = ibis.coalesce(following, ibis.date(OPEN_END))
    return fx.select(__fx_currency=fx.currency, __fx_from=fx.valid_from, __fx_to=valid_to,
                     __fx_rate=fx.rate_to_reporting.cast("float64"))


def _day(table: ir.Table, time_column: str) -> ir.Value:
    value = table[time_column]
    return value if value.type().is_date() else value.date()


def day_rates(warehouse: Warehouse, source: str, time_column: str) -> ir.Table:
    """The rate of every (currency, day) the source table has rows on: __fx_code, __fx_on, __fx_rate.

    The range join runs on the few distinct (currency, day) pairs, not on every row, so its cost
    does not grow with the number of rate rows per currency (daily rates stay cheap).
    """
    rows = warehouse.table(source)
    days = rows.select(__fx_code=rows[CURRENCY_COLUMN], __fx_on=_day(rows, time_column)).distinct()
    fx = rate_intervals(warehouse)
    on, start, stop = days["__fx_on"], fx["__fx_from"], fx["__fx_to"]
    rated = days.join(fx, [days["__fx_code"] == fx["__fx_currency"], on >= start, on < stop])
    return rated.select("__fx_code", "__fx_on", "__fx_rate")


def attach_rate(warehouse: Warehouse, table: ir.Table, source: str, time_column: str, reporting_currency: str) -> ir.Table:
    """`table` (rows of `source`, maybe with joined columns) with `__rate`, the rate valid on each row's date.

    A row already in the reporting currency has rate 1 unless fx_rates says otherwise. A row whose
    currency has no rate valid on its date (or any other currency, when there is no fx_rates)
    gets a null rate: `money_check` counts those rows and `verify` explains them.
    """
    if not warehouse.has(FX_TABLE):
        return table.mutate(**{RATE_COLUMN: _rate_if_reporting(table, reporting_currency)})
    # materialised: a few thousand rows, and the engine then knows which side of the join is small
    rates = ibis.memtable(day_rates(warehouse, source, time_column).to_pyarrow())
    keyed = table.mutate(__fx_day=_day(table, time_column))
    joined = keyed.left_join(rates, [keyed[CURRENCY_COLUMN] == rates["__fx_code"], keyed["__fx_day"] == rates["__fx_on"]])
    rate = ibis.coalesce(joined["__fx_rate"], _rate_if_reporting(joined, reporting_currency))
    return joined.mutate(**{RATE_COLUMN: rate}).drop("__fx_day", "__fx_code", "__fx_on", "__fx_rate")


def _rate_if_reporting(table: ir.Table, reporting_currency: str) -> ir.Value:
    """1 for a row in the reporting currency, else null (no rate)."""
    return ibis.ifelse(table[CURRENCY_COLUMN] == reporting_currency, ibis.literal(1.0, type="float64"), ibis.null("float64"))


def money_check(table: ir.Table, money_row: ir.BooleanValue) -> ir.Value:
    """Per-cell count of rows a money measure uses whose amount has no rate into the reporting currency."""
    return ibis.ifelse(money_row & table[RATE_COLUMN].isnull(), 1, 0)


def verify(warehouse: Warehouse, frame: pd.DataFrame, table: str, time_column: str, reporting_currency: str) -> None:
    """Raise CurrencyError, naming currencies and dates, when a group's money could not all be converted."""
    if UNCONVERTIBLE not in frame or not frame[UNCONVERTIBLE].sum():
        return
    if warehouse.has(FX_TABLE):
        rows = attach_rate(warehouse, warehouse.table(table), table, time_column, reporting_currency)
        day = _day(rows, time_column)
        unrated = rows.filter(rows[RATE_COLUMN].isnull()).group_by(code=rows[CURRENCY_COLUMN].fill_null("(none)")) \
            .aggregate(n=ibis._.count(), first_day=day.min()).order_by("code").to_pandas()
        listed = "; ".join(f"{r.code} ({r.n:,} row(s), first on {pd.Timestamp(r.first_day).date()})" for r in unrated.itertuples())
        raise CurrencyError(
            f"money rows of {table} have no rate into {reporting_currency} on their date: {listed}. Add {FX_TABLE} rows "
            f"(currency, valid_from, rate_to_reporting) with a valid_from on or before each such date")
    found = _currencies(warehouse, table)
    if len(found) > 1:
        raise CurrencyError(
            f"money rows of {table} are in {len(found)} currencies ({', '.join(found)}) and the warehouse has no "
            f"{FX_TABLE} table: load {FX_TABLE} (currency, valid_from, rate_to_reporting into {reporting_currency}) "
            "so amounts can be converted before they are added")
    only = found[0] if found else "(none)"
    raise CurrencyError(
        f"money rows of {table} are all in {only} but the reporting currency is {reporting_currency} and the "
        f"warehouse has no {FX_TABLE} table: set `reporting_currency: {only}` in govex.yaml (or --currency "
        f"{only}), or load {FX_TABLE} to convert into {reporting_currency}")


def _currencies(warehouse: Warehouse, table: str) -> list[str]:
    """Every currency code on the table's rows (only run to word an error)."""
    rows = warehouse.table(table)
    codes = rows.filter(rows[CURRENCY_COLUMN].notnull()).select(code=rows[CURRENCY_COLUMN]).distinct()
    return sorted(codes.to_pandas()["code"].tolist())


def to_cents(amount: ir.NumericValue) -> ir.IntegerValue:
    """An amount as whole cents (int64), rounded half away from zero on every engine.

    Money is added up in integer cents: integer sums are exact in any order, so a parallel
    engine gives the same total on every run, which a sum of floats does not (a total on a
    half-cent then rounds either way).
    """
    return (amount.cast("float64") * 100.0).round().cast("int64")


def in_reporting_currency(
    warehouse: Warehouse, table: ir.Table, *, source: str, time_column: str, reporting_currency: str | None = None,
) -> ir.Table:
    """`table` (rows of `source`) with its money columns converted at the rate of each row's date.

    The one conversion path of per-entity features and simulations, the same as-of rate as the
    metric layer (`attach_rate`). A row without a rate is an error naming its currency and first
    date, never a silent rate of 1. `reporting_currency` None means the default reporting currency
    when the warehouse has fx_rates and, without fx_rates, amounts as stored provided they are all
    in one currency (an order history in one currency needs no conversion to be ranked).
    """
    columns = [c for c in money_columns(source) if c in table.columns]
    if reporting_currency is None:
        if not warehouse.has(FX_TABLE):
            found = _currencies(warehouse, source)
            if len(found) <= 1:
                return table
            raise CurrencyError(
                f"money rows of {source} are in {len(found)} currencies ({', '.join(found)}) and the warehouse has "
                f"no {FX_TABLE} table: load {FX_TABLE} (currency, valid_from, rate_to_reporting) so amounts can be "
                "converted before they are added")
        reporting_currency = DEFAULT_REPORTING_CURRENCY
    rated = attach_rate(warehouse, table, source, time_column, reporting_currency)
    unrated = rated.filter(rated[RATE_COLUMN].isnull())
    if int(unrated.count().execute()):
        day = _day(unrated, time_column)
        listed = unrated.group_by(code=unrated[CURRENCY_COLUMN].fill_null("(none)")) \
            .aggregate(n=ibis._.count(), first_day=day.min()).order_by("code").to_pandas()
        shown = "; ".join(f"{r.code} ({r.n:,} row(s), first on {pd.Timestamp(r.first_day).date()})"
                          for r in listed.itertuples())
        raise CurrencyError(
            f"money rows of {source} have no rate into {reporting_currency} on their date: {shown}. Add {FX_TABLE} "
            "rows (currency, valid_from, rate_to_reporting) with a valid_from on or before each such date")
    converted = rated.mutate(**{c: rated[c].cast("float64") * rated[RATE_COLUMN] for c in columns})
    return converted.drop(RATE_COLUMN)
