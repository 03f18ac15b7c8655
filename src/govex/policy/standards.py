"""Service standards, promised vs delivered, per tier and journey, and what a miss costs.

Every delivered figure comes from the metric layer (catalogue/service.yaml over the
`service_promises` table, see `govex.policy.promises`); this module only lays them side by side
with the promise and prices the gap. A cell misses its promise when fewer than `target` of its
answered contacts got their first response within the tier's promise (or fewer than `target` of
its contacts were resolved within it).

What a miss costs is read as satisfaction: the mean CSAT (1-5) of the contact surveys of
contacts that missed a promise (first response or resolution) against those that met both, in the
same tier and journey. Below MIN_SURVEYS surveys on either side the gap is left empty (not enough
data). Planning's Erlang model is not used to price the misses: most of them are asynchronous
channels (e-mail, messaging) whose waits are backlog, not the queueing Erlang C describes, and a
tier x journey cell is too thin a queue for its staffing to mean anything on its own.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError
from govex.metrics import compute_metrics
from govex.policy.promises import PROMISES_TABLE

DELIVERED = ("sla_attainment_first_response", "sla_attainment_resolution", "average_speed_of_answer_s",
             "first_response_time_p90_s")
DEFAULT_TARGET = 0.8  # share of contacts a promise should hold for (the 80/x service-level convention)
MIN_SURVEYS = 30  # surveys on each side of a CSAT gap before it is shown


@dataclass(frozen=True)
class ServiceStandards:
    """Promised vs delivered per tier and journey over one calendar quarter (see the module docstring).

    `table` columns: tier, journey, first_response_s and resolution_h (promised), answered,
    first_response_met (share), asa_s, p90_wait_s, contacts, resolution_met (share),
    missed_first_response and missed_resolution (contacts), misses (which promise: first response,
    resolution, both or ''), csat_met, csat_missed, csat_gap (missed - met), surveys_met, surveys_missed.
    `csat_by_tier` has the same CSAT columns per tier, all journeys pooled (more surveys per cell).
    """

    table: pd.DataFrame
    csat_by_tier: pd.DataFrame
    start: dt.date
    end: dt.date
    target: float

    def misses(self) -> pd.DataFrame:
        """The cells that miss a promise, largest number of missed contacts first."""
        missed = self.table[self.table.misses != ""].copy()
        missed["missed"] = missed.missed_first_response + missed.missed_resolution
        return missed.sort_values(["missed", "tier", "journey"], ascending=[False, True, True]).drop(columns="missed")


def latest_quarter(warehouse: Warehouse) -> tuple[dt.date, dt.date]:
    """First and last day of the last whole calendar quarter with promises."""
    promises = warehouse.table(PROMISES_TABLE, purpose="service standards")
    last = promises.created_at.max().execute()
    if last is None or pd.isna(last):
        raise ConfigError(f"{PROMISES_TABLE} is empty; run `govex policy promises` on a warehouse with contacts")
    quarter = pd.Timestamp(last).to_period("Q")
    if (pd.Timestamp(last) + pd.Timedelta(days=1)).to_period("Q") == quarter:  # last day not reached: a part quarter
        quarter -= 1
    return quarter.start_time.date(), quarter.end_time.date()


def service_standards(
    warehouse: Warehouse, *, quarter: tuple[dt.date, dt.date] | None = None, target: float = DEFAULT_TARGET,
) -> ServiceStandards:
    """Promised vs delivered per tier and journey over `quarter` (default: the last whole one)."""
    if not 0 < target < 1:
        raise ConfigError(f"target must be a share between 0 and 1 (exclusive); got {target}")
    start, end = quarter or latest_quarter(warehouse)
    if pd.Timestamp(start).to_period("Q") != pd.Timestamp(end).to_period("Q"):
        raise ConfigError(f"standards are read over one calendar quarter; {start}..{end} spans more (percentiles "
                          "of different quarters do not combine)")
    cube = compute_metrics(warehouse, metrics=list(DELIVERED), by=["tier", "journey"], period="quarter",
                           start=start, end=end)
    table = _promised(warehouse, start, end).merge(_delivered(cube), on=["tier", "journey"], how="left")
    first_miss, res_miss = table.first_response_met < target, table.resolution_met < target
    table["misses"] = np.select([first_miss & res_miss, first_miss, res_miss], ["both", "first response", "resolution"], "")
    table = table.merge(_csat_gap(warehouse, start, end, ["tier", "journey"]), on=["tier", "journey"], how="left")
    table = table.fillna({"surveys_met": 0, "surveys_missed": 0}).astype({"surveys_met": "int64", "surveys_missed": "int64"})
    by_tier = _csat_gap(warehouse, start, end, ["tier"]).sort_values("tier").reset_index(drop=True)
    return ServiceStandards(table.sort_values(["tier", "journey"]).reset_index(drop=True), by_tier, start, end, target)


def _promises_in(warehouse: Warehouse, start: dt.date, end: dt.date) -> ir.Table:
    """The promises of contacts that arrived in [start, end], with the contact's journey."""
    promises = warehouse.table(PROMISES_TABLE, purpose="service standards")
    day = promises.created_at.date()
    contacts = warehouse.table("contacts", purpose="service standards")
    return promises.filter(day >= start, day <= end).join(contacts.select("contact_id", "journey"), "contact_id")


def _promised(warehouse: Warehouse, start: dt.date, end: dt.date) -> pd.DataFrame:
    joined = _promises_in(warehouse, start, end)
    promised = joined.group_by(["tier", "journey"]).aggregate(
        first_response_s=joined.first_response_s.max(), resolution_h=joined.resolution_h.max(),
        policies=joined.policy.nunique())
    frame = promised.execute()
    if (frame.policies > 1).any():
        raise ConfigError(f"{PROMISES_TABLE} mixes policies in {start}..{end}; rebuild it with one policy")
    return frame.drop(columns="policies")


def _delivered(cube: pd.DataFrame) -> pd.DataFrame:
    pooled = cube.groupby(["metric", "tier", "journey"], as_index=False)[["numerator", "denominator", "value"]].sum()
    wide = {name: rows.set_index(["tier", "journey"]) for name, rows in pooled.groupby("metric")}
    first, resolution = wide["sla_attainment_first_response"], wide["sla_attainment_resolution"]
    out = pd.DataFrame({
        "answered": first.denominator, "first_response_met": first.value,
        "missed_first_response": first.denominator - first.numerator,
        "contacts": resolution.denominator, "resolution_met": resolution.value,
        "missed_resolution": resolution.denominator - resolution.numerator,
    })
    out["asa_s"] = wide["average_speed_of_answer_s"].value
    out["p90_wait_s"] = wide["first_response_time_p90_s"].value
    counts = ["answered", "missed_first_response", "contacts", "missed_resolution"]
    return out.fillna({c: 0 for c in counts}).astype({c: "int64" for c in counts}).reset_index()


def _csat_gap(warehouse: Warehouse, start: dt.date, end: dt.date, by: list[str]) -> pd.DataFrame:
    """Mean CSAT of contact surveys after a missed promise vs after met ones, per `by` cell."""
    columns = [*by, "csat_met", "csat_missed", "csat_gap", "surveys_met", "surveys_missed"]
    if not warehouse.has("surveys"):
        return pd.DataFrame(columns=columns)
    surveys = warehouse.table("surveys", purpose="the CSAT gap of missed promises")
    surveys = surveys.filter(surveys.contact_id.notnull(), surveys.csat.notnull())
    rows = _promises_in(warehouse, start, end)
    # met = every promise the contact was owed held (service_promises decides each, once)
    met = rows.first_response_met.fill_null(True) & rows.resolution_met
    rows = rows.select("contact_id", "tier", "journey", met=met)
    scored = rows.join(surveys.select("contact_id", score=surveys.csat.cast("float64")), "contact_id")
    frame = scored.group_by(by).aggregate(
        csat_met=scored.score.mean(where=scored.met), csat_missed=scored.score.mean(where=~scored.met),
        surveys_met=scored.met.sum(), surveys_missed=(~scored.met).sum()).execute()
    frame["csat_gap"] = frame.csat_missed - frame.csat_met
    thin = (frame.surveys_met < MIN_SURVEYS) | (frame.surveys_missed < MIN_SURVEYS)
    frame.loc[thin, "csat_gap"] = np.nan
    return frame[columns]
