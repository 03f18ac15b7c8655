"""Apply one policy, or several side by side, to the current segments and the recent workload.

Tiers are decided once per distinct segment combination (in Python, with the same `decide` the
API uses); everything per customer or per event runs in the engine: the decisions go in as a
small table keyed by combination and journey, are joined to contacts, disputes and returns of
the window, and come back aggregated per policy, journey and tier.

Outputs (one frame each, long, with a `policy` column so policies sit side by side):

- ``tiers``: customers and volume (contacts, disputes, returns) per journey and tier.
- ``queues``: the live-agent load per queue with its SLA targets. ``hours_week`` =
  live contacts x mean handle time / 3600 / weeks in the window, the weekly workload the
  planning module staffs (`govex.planning.QueueWorkload` takes queue, hours_week, handle_time_s).
- ``exposure``: refund requests and the amount auto-approved without review (amount at or
  under the tier's limit, tier without a verification step), and the auto-approved amount later
  confirmed as abuse (returns' abuse_flag, disputes with outcome fraud_confirmed).
- ``cost``: service cost (contacts x the tier's cost per contact) plus the abuse leakage.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd

from govex.contract.schema import JOURNEYS
from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError
from govex.metrics.currency import in_reporting_currency
from govex.models.summary import DAYS_PER_UNIT
from govex.policy.decide import DecisionTable
from govex.policy.loader import LoadedPolicy
from govex.policy.profiles import KEY, customer_profiles, profile_combinations
from govex.segments import ASSIGNMENTS_TABLE

UNKNOWN = "<unknown customer>"
MISSING = "<no segment>"
SEP = "\t"


@dataclass(frozen=True)
class PolicySimulation:
    """The frames of one simulation run (see the module docstring) and its window."""

    tiers: pd.DataFrame
    queues: pd.DataFrame
    exposure: pd.DataFrame
    cost: pd.DataFrame
    as_of: dt.date
    window_days: int

    def side_by_side(self, value: str = "volume") -> pd.DataFrame:
        """`tiers[value]` with one column per policy, by journey and tier."""
        return self.tiers.pivot_table(index=["journey", "tier"], columns="policy", values=value,
                                      aggfunc="sum", fill_value=0)


def combo_key(values: Sequence[str | None]) -> str:
    """The key of one segment combination, as `combo_column` builds it in the engine."""
    return SEP.join(MISSING if v is None else str(v) for v in values)


def combo_column(profiles: ir.Table, frameworks: tuple[str, ...]) -> ir.StringValue:
    """Each profile row's segment combination as one string key (see `combo_key`)."""
    return ibis.literal(SEP).join([profiles[f].fill_null(MISSING) for f in frameworks])


def _decisions(policies: Sequence[LoadedPolicy], combos: pd.DataFrame, frameworks: tuple[str, ...]) -> pd.DataFrame:
    rows = []
    for policy in policies:
        table = DecisionTable(policy.spec)
        keyed = [(combo_key([r[f] for f in frameworks]), {f: r[f] for f in frameworks}, int(r["customers"]))
                 for r in combos.to_dict("records")]
        keyed.append((UNKNOWN, None, 0))
        for key, profile, customers in keyed:
            for journey in JOURNEYS:
                d = table.decide(profile, journey)
                rows.append({"policy": policy.spec.name, "combo": key, "journey": journey, "tier": d.tier,
                             "customers": customers, "queue": f"{journey}_{d.treatment.queue}",
                             "auto_approve_limit": float(d.treatment.auto_approve_limit),
                             "auto_ok": d.treatment.verification == "none"})
    return pd.DataFrame(rows)


def _events(warehouse: Warehouse, start: dt.date, end: dt.date, reporting_currency: str | None) -> ir.Table:
    """Contacts, disputes and returns of customers in [start, end), one schema, money in one currency.

    Amounts go through the metric layer's conversion (`in_reporting_currency`): the rate valid on
    the event day, and an error for a row without one.
    """
    def window(t: ir.Table, ts: str) -> ir.Table:
        day = t[ts].date()
        return t.filter(t.customer_id.notnull(), day >= ibis.date(start), day < ibis.date(end)).mutate(day=day)

    parts = []
    money = {"amount": ibis.null("float64"), "currency": ibis.null("string"), "abuse": ibis.null("boolean")}
    if warehouse.has("contacts"):
        c = window(warehouse.table("contacts"), "created_at")
        parts.append(c.select(KEY, "journey", "day", kind=ibis.literal("contact"), live=~c.automated,
                              handle_time_s=c.handle_time_s.cast("float64"), **money))
    money_rows = []
    if warehouse.has("disputes"):
        d = in_reporting_currency(warehouse, window(warehouse.table("disputes"), "opened_at"), source="disputes",
                                  time_column="opened_at", reporting_currency=reporting_currency)
        money_rows.append(d.select(KEY, "day", journey=ibis.literal("dispute"), kind=ibis.literal("dispute"),
                                   live=ibis.literal(False), handle_time_s=ibis.null("float64"),
                                   amount=d.amount.cast("float64"), currency=d.currency,
                                   abuse=d.outcome == "fraud_confirmed"))
    if warehouse.has("returns"):
        r = in_reporting_currency(warehouse, window(warehouse.table("returns"), "requested_at"), source="returns",
                                  time_column="requested_at", reporting_currency=reporting_currency)
        money_rows.append(r.select(KEY, "day", journey=ibis.literal("return"), kind=ibis.literal("return"),
                                   live=ibis.literal(False), handle_time_s=ibis.null("float64"),
                                   amount=r.refund_amount.cast("float64"), currency=r.currency,
                                   abuse=r.abuse_flag.fill_null(False)))
    if money_rows:
        parts.append(ibis.union(*money_rows))
    if not parts:
        raise ConfigError("policy simulation needs at least one of the tables contacts, disputes, returns")
    columns = [KEY, "journey", "day", "kind", "live", "handle_time_s", "amount", "currency", "abuse"]
    return ibis.union(*[p.select(*columns) for p in parts])


def _latest_as_of(warehouse: Warehouse) -> dt.date:
    t = warehouse.table(ASSIGNMENTS_TABLE, purpose="policy simulation")
    latest = t.filter(t.entity == "customer").as_of.max().execute()
    if latest is None or pd.isna(latest):
        raise ConfigError(f"{ASSIGNMENTS_TABLE} has no customer rows; run `govex segments assign` first")
    return pd.Timestamp(latest).date()


def simulate_policies(
    warehouse: Warehouse, policies: Sequence[LoadedPolicy], *, as_of: dt.date | None = None, window_days: int = 90,
    reporting_currency: str | None = None,
) -> PolicySimulation:
    """Apply `policies` to the segments of `as_of` (latest when None) and the `window_days` before it.

    Amounts are in `reporting_currency` (None: see `govex.metrics.currency.in_reporting_currency`).
    """
    if not policies:
        raise ConfigError("give at least one policy to simulate")
    names = [p.spec.name for p in policies]
    if len(set(names)) != len(names):
        raise ConfigError(f"policies to compare need distinct names; got {names}")
    if window_days < 1:
        raise ConfigError(f"window_days must be at least 1; got {window_days}")
    as_of = as_of or _latest_as_of(warehouse)
    frameworks = tuple(sorted({f for p in policies for rule in p.spec.rules for f in rule.when}))
    combos = profile_combinations(warehouse, frameworks=frameworks, as_of=as_of)
    decisions = _decisions(policies, combos, frameworks)

    profiles = customer_profiles(warehouse, frameworks=frameworks, as_of=as_of)
    profiles = profiles.select(KEY, combo=combo_column(profiles, frameworks))
    events = _events(warehouse, as_of - dt.timedelta(days=window_days), as_of, reporting_currency)
    joined = events.left_join(profiles, KEY).drop(f"{KEY}_right")
    joined = joined.mutate(combo=joined.combo.fill_null(UNKNOWN))
    table = ibis.memtable(decisions.drop(columns="customers"))
    decided = joined.join(table, ["combo", "journey"])
    auto = decided.amount.notnull() & decided.auto_ok & (decided.amount <= decided.auto_approve_limit)
    grouped = decided.group_by(["policy", "journey", "tier", "queue"]).aggregate(
        contacts=decided.count(where=decided.kind == "contact"),
        disputes=decided.count(where=decided.kind == "dispute"),
        returns=decided.count(where=decided.kind == "return"),
        live_contacts=decided.count(where=decided.live),
        handle_s=decided.handle_time_s.sum(where=decided.live),
        refund_amount=decided.amount.sum(),
        auto_approved_amount=decided.amount.sum(where=auto),
        auto_approved_abuse_amount=decided.amount.sum(where=auto & decided.abuse),
    ).execute()
    _check_conserved(events, grouped)
    return _frames(policies, decisions, grouped, as_of=as_of, window_days=window_days)


def _check_conserved(events: ir.Table, grouped: pd.DataFrame) -> None:
    """Every event of the window is counted once per policy, or the simulation stops and says which were lost.

    Events are joined to the decisions on (combination, journey); an event whose journey is not
    one of the contract's journeys would otherwise drop out of every total silently.
    """
    n_events = int(events.count().execute())
    counted = grouped.groupby("policy")[["contacts", "disputes", "returns"]].sum().sum(axis=1)
    lost = {policy: n_events - int(n) for policy, n in counted.items() if int(n) != n_events}
    if lost:
        odd = events.filter(events.journey.isnull() | ~events.journey.isin(list(JOURNEYS)))
        examples = odd.select("kind", "journey").distinct().limit(5).execute().to_dict("records")
        raise ConfigError(f"policy simulation lost events: {lost} of {n_events:,} event(s) in the window were not "
                          f"counted (events whose journey is not one of {', '.join(JOURNEYS)}, e.g. {examples})")


def _frames(policies, decisions: pd.DataFrame, grouped: pd.DataFrame, *, as_of: dt.date, window_days: int):
    tiers_of = {p.spec.name: p.spec.tiers for p in policies}
    keys = ["policy", "journey", "tier"]
    customers = decisions.groupby(keys, as_index=False)["customers"].sum()
    volume = grouped.groupby(keys, as_index=False)[["contacts", "disputes", "returns"]].sum()
    tiers = customers.merge(volume, on=keys, how="outer").fillna(0)
    tiers = tiers[(tiers.customers > 0) | (tiers.contacts + tiers.disputes + tiers.returns > 0)].copy()
    for column in ("customers", "contacts", "disputes", "returns"):
        tiers[column] = tiers[column].astype("int64")
    tiers["volume"] = tiers.contacts + tiers.disputes + tiers.returns
    tiers["rank"] = [tiers_of[p][t].rank for p, t in zip(tiers.policy, tiers.tier)]
    tiers["lane"] = [tiers_of[p][t].lane for p, t in zip(tiers.policy, tiers.tier)]
    tiers = tiers.sort_values(["policy", "journey", "rank", "tier"]).reset_index(drop=True)

    weeks = window_days / DAYS_PER_UNIT["week"]
    live = grouped[grouped.live_contacts > 0]
    queues = live.groupby(["policy", "queue", "journey", "tier"], as_index=False)[["live_contacts", "handle_s"]].sum()
    queues["handle_time_s"] = queues.handle_s / queues.live_contacts
    queues["contacts_per_week"] = queues.live_contacts / weeks
    queues["hours_week"] = queues.handle_s / 3600.0 / weeks
    for field_name in ("queue_priority", "first_response_s", "resolution_h"):
        queues[field_name] = [getattr(tiers_of[p][t], field_name) for p, t in zip(queues.policy, queues.tier)]
    queues = queues.drop(columns="handle_s").sort_values(["policy", "queue_priority", "queue"]).reset_index(drop=True)

    money = grouped[grouped.disputes + grouped.returns > 0]
    exposure = money.groupby(keys, as_index=False).agg(
        requests=("disputes", "sum"), returns=("returns", "sum"), refund_amount=("refund_amount", "sum"),
        auto_approved_amount=("auto_approved_amount", "sum"),
        auto_approved_abuse_amount=("auto_approved_abuse_amount", "sum"))
    exposure["requests"] = exposure.requests + exposure.pop("returns")
    exposure = exposure.fillna(0.0).sort_values(keys).reset_index(drop=True)

    service = tiers.assign(service_cost=[n * tiers_of[p][t].cost_per_contact
                                         for p, t, n in zip(tiers.policy, tiers.tier, tiers.contacts)])
    cost = service.groupby("policy", as_index=False).agg(contacts=("contacts", "sum"), service_cost=("service_cost", "sum"))
    leakage = exposure.groupby("policy", as_index=False).agg(abuse_leakage=("auto_approved_abuse_amount", "sum"),
                                                           auto_approved_amount=("auto_approved_amount", "sum"))
    cost = cost.merge(leakage, on="policy", how="left").fillna(0.0)
    cost["expected_cost"] = cost.service_cost + cost.abuse_leakage
    order = {p.spec.name: i for i, p in enumerate(policies)}
    cost = cost.sort_values("policy", key=lambda s: s.map(order)).reset_index(drop=True)
    return PolicySimulation(tiers, queues, exposure, cost, as_of, window_days)
