"""The promise each customer contact was owed: the policy's tier for its customer and journey, at the time.

Service standards compare what a contact got (wait, resolution) with what the customer's tier
promises in that journey. The tier is decided on the segments that were valid when the contact
arrived: the latest segment snapshot on or before the contact's day; contacts before the first
snapshot use the first one (there was no earlier decision to use). A customer missing from that
snapshot gets the policy's `unknown_customer_tier`, as the decision API would give them.

Tiers are decided once per distinct segment combination with the same `DecisionTable` the API and
the simulation use; the per-contact join runs in the engine. Whether each promise was met is
decided here too, once (`first_response_met`: wait within the promise, null when no agent
answered; `resolution_met`: resolved within the promised hours, false while open). The result is written once as the
derived table `service_promises` (`govex.contract.schema.SERVICE_PROMISES`), which the metric
layer reads for every standards metric, so promised vs delivered is computed in one place.
Scope: contacts with a customer in one of the policy journeys (seller contacts and journey
`other` have no customer tier).
"""
from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import pandas as pd

from govex.contract.schema import JOURNEYS, SERVICE_PROMISES
from govex.dialect import whole_seconds
from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError
from govex.policy.decide import DecisionTable
from govex.policy.loader import LoadedPolicy
from govex.policy.profiles import KEY
from govex.policy.simulate import UNKNOWN, combo_column, combo_key
from govex.segments import ASSIGNMENTS_TABLE

PROMISES_TABLE = SERVICE_PROMISES.name
_BEFORE_ALL, _AFTER_ALL = dt.date(1900, 1, 1), dt.date(9999, 12, 31)


def contacts_in_scope(warehouse: Warehouse) -> ir.Table:
    """Contacts that are owed a tier's promise: a customer's, in one of the policy journeys."""
    contacts = warehouse.table("contacts", purpose="service promises")
    return contacts.filter(contacts[KEY].notnull(), contacts.journey.isin(list(JOURNEYS)))


def _snapshots(warehouse: Warehouse, frameworks: tuple[str, ...]) -> tuple[ir.Table, ir.Table]:
    """Each customer's profile per snapshot date, and the days each snapshot stands for."""
    seg = warehouse.table(ASSIGNMENTS_TABLE, purpose="service promises (customers' tiers at the time)")
    seg = seg.filter(seg.entity == "customer")
    dates = sorted(pd.Timestamp(d).date() for d in seg.select("as_of").distinct().execute()["as_of"].dropna())
    if not dates:
        raise ConfigError(f"{ASSIGNMENTS_TABLE} has no customer rows; run `govex segments assign` before building promises")
    starts = [_BEFORE_ALL, *dates[1:]]
    ends = [*dates[1:], _AFTER_ALL]
    windows = ibis.memtable(pd.DataFrame({"as_of": dates, "valid_from": starts, "valid_to": ends}))
    seg = seg.filter(seg.framework.isin(list(frameworks))) if frameworks else seg
    if not frameworks:  # a policy that reads no segments: every snapshot's customers are simply known
        return seg.select(seg.entity_id.name(KEY), "as_of").distinct(), windows
    profiles = seg.group_by([seg.entity_id.name(KEY), "as_of"]).aggregate(
        **{f: seg.segment.max(where=seg.framework == f) for f in frameworks})
    return profiles, windows


def _decisions(policy: LoadedPolicy, profiles: ir.Table, frameworks: tuple[str, ...]) -> pd.DataFrame:
    combos = profiles.select(*frameworks).distinct().execute() if frameworks else pd.DataFrame([{}])
    combos = combos.astype(object).where(combos.notna(), None)
    table = DecisionTable(policy.spec)
    keyed = [(combo_key([r[f] for f in frameworks]), {f: r[f] for f in frameworks}) for r in combos.to_dict("records")]
    keyed.append((UNKNOWN, None))
    rows = []
    for key, profile in keyed:
        for journey in JOURNEYS:
            d = table.decide(profile, journey)
            rows.append({"combo": key, "journey": journey, "tier": d.tier,
                         "first_response_s": float(d.treatment.first_response_s),
                         "resolution_h": float(d.treatment.resolution_h)})
    return pd.DataFrame(rows)


def service_promises(warehouse: Warehouse, policy: LoadedPolicy) -> ir.Table:
    """One row per contact in scope with its tier and promise (unexecuted; see the module docstring)."""
    frameworks = tuple(sorted({f for rule in policy.spec.rules for f in rule.when}))
    profiles, windows = _snapshots(warehouse, frameworks)
    decisions = ibis.memtable(_decisions(policy, profiles, frameworks))
    profiles = profiles.select(KEY, "as_of", combo=combo_column(profiles, frameworks))
    scope = contacts_in_scope(warehouse)
    scope = scope.select("contact_id", KEY, "journey", "created_at", "wait_time_s", "resolved_at",
                         __day=scope.created_at.date())
    dated = scope.join(windows, (scope.__day >= windows.valid_from) & (scope.__day < windows.valid_to))
    dated = dated.select("contact_id", KEY, "journey", "created_at", "wait_time_s", "resolved_at", "as_of")
    known = dated.left_join(profiles, [KEY, "as_of"]).drop(f"{KEY}_right", "as_of_right")
    known = known.mutate(combo=known.combo.fill_null(UNKNOWN))
    promised = known.join(decisions, ["combo", "journey"])
    first_response_s, resolution_h = promised.first_response_s.cast("float64"), promised.resolution_h.cast("float64")
    return promised.select(
        "contact_id", "created_at", "tier", policy=ibis.literal(f"{policy.spec.name} {policy.version}"),
        segments_as_of=promised.as_of.cast("date"), first_response_s=first_response_s, resolution_h=resolution_h,
        first_response_met=promised.wait_time_s <= first_response_s,
        resolution_met=promised.resolved_at.notnull()
        & (whole_seconds(promised.resolved_at) - whole_seconds(promised.created_at) <= resolution_h * 3600.0))


def check_promises(warehouse: Warehouse, promises: ir.Table) -> int:
    """Every contact in scope has exactly one promise, and every promise a contact in scope; else ConfigError.

    Returns the number of contacts covered. A promise table that lost contacts would make every
    standard read better or worse than it is, silently; this names what is wrong, with examples.
    """
    scope = contacts_in_scope(warehouse).select("contact_id")
    counts = promises.group_by("contact_id").aggregate(__n=promises.count())
    problems = []
    missing = scope.anti_join(counts, "contact_id")
    extra = counts.anti_join(scope, "contact_id")
    twice = counts.filter(counts.__n > 1)
    for what, rows in (("contacts in scope without a promise", missing),
                       ("promises for a contact that is not in scope (no such contact, no customer, or journey "
                        "outside the policy)", extra),
                       ("contacts with more than one promise", twice)):
        n = int(rows.count().execute())
        if n:
            examples = sorted(rows.contact_id.execute().head(5))
            problems.append(f"{n:,} {what}, e.g. {', '.join(map(str, examples))}")
    if problems:
        raise ConfigError(f"{PROMISES_TABLE} does not cover contacts one to one (table {PROMISES_TABLE}, column "
                          f"contact_id): " + "; ".join(problems))
    return int(scope.count().execute())


def write_service_promises(warehouse: Warehouse, policy: LoadedPolicy) -> int:
    """Build, check and write `service_promises` (all or nothing); returns the contacts covered."""
    promises = service_promises(warehouse, policy)
    covered = check_promises(warehouse, promises)
    warehouse.replace(PROMISES_TABLE, promises)
    return covered
