"""The snapshot the API serves from: latest segments of every customer, one policy, and its decisions.

Stored as columns, not as Python objects per customer: a sorted array of customer ids, per
framework an array of segment codes, scores and reason codes, and per customer the index of its
segment combination. The policy is a function of the segments it reads, so decisions are made
once per (journey, combination), a few hundred rows, and a lookup is a binary search plus a dict
read. Columns make a snapshot cheap to build in another process and to hand over (numpy arrays
pickle as a copy of their bytes), so a rebuild does not compete with serving for the GIL.

Built completely before it is published, so a policy that does not load or a table of the wrong
shape is refused at build time and the service keeps the snapshot it had. A policy gap (current
customers no specific rule covers) does not stop the build: those customers get the policy's
catch-all or its `unknown_customer_tier`, and the gaps (`govex.policy.policy_gaps`) travel with
the snapshot so `/readyz` reports them.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import ibis
import numpy as np
import pandas as pd

from govex.contract.schema import JOURNEYS
from govex.engine.warehouse import Warehouse
from govex.errors import EngineError, GovexError, SnapshotError
from govex.policy import Decision, DecisionTable, LoadedPolicy, load_policy, policy_gaps
from govex.policy.gaps import gaps_of_combinations
from govex.segments import ASSIGNMENTS_TABLE, read_assignments

# The columns the service reads from segment_assignments, with the kind of type each must have.
REQUIRED_COLUMNS = {"entity": "string", "entity_id": "string", "framework": "string", "as_of": "temporal",
                    "segment": "string", "score": "numeric", "reasons": "string"}


@dataclass(frozen=True)
class FrameworkColumns:
    """One framework's segments for every customer of the snapshot, aligned with `Snapshot.ids`."""

    labels: tuple[str, ...]
    codes: np.ndarray            # int32 index into labels, -1: no segment in this framework
    scores: np.ndarray           # float64, NaN: no score
    reasons: tuple[tuple[str, ...], ...]
    reason_codes: np.ndarray     # int32 index into reasons, -1: none


class Customers(Protocol):
    """Where a snapshot finds customers: in-memory columns, or a memory-mapped store version."""

    customers: int

    def find(self, customer_id: str) -> int | None: ...   # a handle, or None for an unknown customer

    def combination(self, handle: int) -> int: ...

    def segments(self, handle: int) -> dict[str, tuple[str, float | None, tuple[str, ...]]]: ...


@dataclass(frozen=True)
class Snapshot:
    """Customers + policy + the decision of every segment combination; never changed after it is built."""

    snapshot_id: str
    policy: LoadedPolicy
    segments_as_of: str
    built_at: float              # time.time() when the build finished
    customers: Customers
    decisions: dict[tuple[str, int], Decision]
    unknown: dict[str, Decision]
    tier_json: dict[str, dict]
    gaps: tuple[dict, ...]       # policy_gaps() rows: journey, segments, customers, example, tier, served_by
    # Answers encoded once per (journey, combination), filled as they are first asked for (govex.api.lookup).
    encoded: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def policy_version(self) -> str:
        return self.policy.version

    @property
    def customer_count(self) -> int:
        return self.customers.customers

    def index(self, customer_id: str) -> int | None:
        """A handle on the customer for `segments`, or None when it is not in the snapshot."""
        return self.customers.find(customer_id)

    def combination_of(self, customer_id: str) -> int | None:
        """The index of the customer's segment combination, or None when it is not in the snapshot."""
        handle = self.customers.find(customer_id)
        return None if handle is None else self.customers.combination(handle)

    def decision(self, journey: str, combination: int | None) -> Decision:
        return self.unknown[journey] if combination is None else self.decisions[(journey, combination)]

    def treatment(self, customer_id: str, journey: str) -> Decision:
        return self.decision(journey, self.combination_of(customer_id))

    def segments(self, handle: int) -> dict[str, tuple[str, float | None, tuple[str, ...]]]:
        return self.customers.segments(handle)


@dataclass(frozen=True)
class ColumnCustomers:
    """Customers read from the warehouse into columns; a handle is a position."""

    ids: np.ndarray              # sorted customer ids, UTF-8 bytes
    frameworks: dict[str, FrameworkColumns]
    combination_of: np.ndarray   # int32 per customer: index into the decided combinations

    @property
    def customers(self) -> int:
        return len(self.ids)

    def find(self, customer_id: str) -> int | None:
        key = customer_id.encode()
        i = int(self.ids.searchsorted(key))
        return i if i < len(self.ids) and self.ids[i] == key else None

    def combination(self, handle: int) -> int:
        return int(self.combination_of[handle])

    def segments(self, i: int) -> dict[str, tuple[str, float | None, tuple[str, ...]]]:
        """framework -> (segment, score, reasons) of the customer at position `i`."""
        out = {}
        for name, col in self.frameworks.items():
            code = int(col.codes[i])
            if code < 0:
                continue
            score = float(col.scores[i])
            reason = int(col.reason_codes[i])
            out[name] = (col.labels[code], None if np.isnan(score) else score, col.reasons[reason] if reason >= 0 else ())
        return out


def _check_schema(table: ibis.Table, db: Path) -> None:
    schema = table.schema()
    problems = []
    for column, kind in REQUIRED_COLUMNS.items():
        if column not in schema:
            problems.append(f"missing column {column!r} ({kind})")
            continue
        dtype = schema[column]
        ok = {"string": dtype.is_string(), "numeric": dtype.is_numeric(),
              "temporal": dtype.is_date() or dtype.is_timestamp()}[kind]
        if not ok:
            problems.append(f"column {column!r} is {dtype}, expected {kind}")
    if problems:
        raise EngineError(f"{db}: table {ASSIGNMENTS_TABLE} does not have the expected shape: {'; '.join(problems)} "
                          f"(`govex segments assign` writes it)")


def _read_segments(db: Path, policy: LoadedPolicy) -> tuple[pd.DataFrame, str, tuple[dict, ...]]:
    if not db.exists():
        raise EngineError(f"{db}: no such DuckDB file")
    try:
        con = ibis.duckdb.connect(str(db), read_only=True)
    except Exception as exc:  # the driver's own error type varies
        raise EngineError(f"{db}: cannot open read-only: {exc}") from exc
    try:
        warehouse = Warehouse(con, url=f"duckdb:///{db}")
        if not warehouse.has(ASSIGNMENTS_TABLE):
            raise EngineError(f"{db}: no table {ASSIGNMENTS_TABLE}; run `govex segments assign` first")
        _check_schema(con.table(ASSIGNMENTS_TABLE), db)
        rows = read_assignments(warehouse).select("entity_id", "framework", "as_of", "segment", "score", "reasons")
        frame = rows.execute()
        gaps = tuple(policy_gaps(policy, warehouse).to_dict("records"))
    finally:
        con.disconnect()
    duplicated = frame.duplicated(["entity_id", "framework"])
    if duplicated.any():
        first = frame[duplicated].iloc[0]
        raise EngineError(f"{db}: {ASSIGNMENTS_TABLE} holds {int(duplicated.sum())} repeated (customer, framework) "
                          f"rows at the latest as-of, e.g. {first.entity_id!r} in {first.framework!r}; expected one")
    as_of = str(pd.Timestamp(frame.as_of.max()).date()) if len(frame) else "none"
    return frame, as_of, gaps


def _columns(frame: pd.DataFrame) -> tuple[np.ndarray, dict[str, FrameworkColumns]]:
    customer_codes, customers = pd.factorize(frame.entity_id, sort=True)
    ids = np.array([c.encode() for c in customers], dtype=bytes) if len(customers) else np.array([], dtype="S1")
    frameworks = {}
    for name in sorted(frame.framework.unique()):
        mask = (frame.framework == name).to_numpy()
        rows = frame[mask]
        where = customer_codes[mask]
        seg_codes, labels = pd.factorize(rows.segment, sort=True)
        reason_codes, reasons = pd.factorize(rows.reasons, sort=True)
        codes = np.full(len(ids), -1, dtype=np.int32)
        codes[where] = seg_codes
        scores = np.full(len(ids), np.nan)
        scores[where] = pd.to_numeric(rows.score, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        reason_col = np.full(len(ids), -1, dtype=np.int32)
        reason_col[where] = reason_codes
        frameworks[name] = FrameworkColumns(tuple(labels), codes, scores,
                                            tuple(tuple(r.split(";")) for r in reasons), reason_col)
    return ids, frameworks


def _decide(table: DecisionTable, frameworks: dict[str, FrameworkColumns], n: int):
    """Each customer's combination of the segments the policy reads, and every combination's decisions."""
    read = [f for f in table.frameworks if f in frameworks]
    if read:
        combos, combination = np.unique(np.stack([frameworks[f].codes for f in read], axis=1), axis=0,
                                        return_inverse=True)
    else:  # a policy that reads no segment: one combination for everybody
        combos, combination = np.zeros((1, 0), dtype=np.int32), np.zeros(n, dtype=np.int32)
    decisions: dict[tuple[str, int], Decision] = {}
    for index, codes in enumerate(combos):
        profile = {f: (frameworks[f].labels[c] if c >= 0 else None) for f, c in zip(read, codes)}
        for journey in JOURNEYS:
            decisions[(journey, index)] = table.decide(profile, journey)
    return np.asarray(combination, dtype=np.int32).reshape(-1), decisions


def build_snapshot(*, db: str | Path, policy: str | Path | None, serial: int = 1) -> Snapshot:
    """Read the latest segments and the policy, decide every segment combination in every journey.

    Raises (and publishes nothing) when the database or the policy cannot be read.
    """
    loaded = load_policy(policy)
    frame, as_of, gaps = _read_segments(Path(db), loaded)
    ids, frameworks = _columns(frame)
    table = DecisionTable(loaded.spec)
    combination, decisions = _decide(table, frameworks, len(ids))
    unknown = {journey: table.decide(None, journey) for journey in JOURNEYS}
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S")
    snapshot_id = f"{loaded.version}+{loaded.content_hash}@{as_of}#{serial}-{stamp}"
    tier_json = {name: tier.model_dump(mode="json") for name, tier in loaded.spec.tiers.items()}
    return Snapshot(snapshot_id, loaded, as_of, time.time(), ColumnCustomers(ids, frameworks, combination),
                    decisions, unknown, tier_json, gaps)


def _policy_combinations(loaded: LoadedPolicy, version) -> pd.DataFrame:
    """The version's combinations of the segments the policy reads, with customers and the smallest id, as
    `govex.policy.profiles.profile_combinations` gives them (customers with none of those segments left out)."""
    frameworks = DecisionTable(loaded.spec).frameworks
    merged: dict[tuple, list] = {}
    for segments, customers, example in zip(version.combinations, version.counts, version.examples):
        key = tuple(segments.get(f) for f in frameworks)
        if customers == 0 or all(v is None for v in key):
            continue
        if key in merged:
            merged[key][0] += customers
            merged[key][1] = min(merged[key][1], example)
        else:
            merged[key] = [customers, example]
    return pd.DataFrame([[*key, n, example] for key, (n, example) in merged.items()],
                        columns=[*frameworks, "customers", "example_customer"])


def build_store_snapshot(*, store: str | Path, policy: str | Path | None, serial: int = 1) -> Snapshot:
    """The current version of a published store, mapped read-only, with the policy's decision per combination.

    Cheap whatever the customer count (the arrays are mapped, not read), so it runs in the serving
    process. The policy gaps come from the version's combinations, counts and example customers.
    """
    from govex.api.store import open_version

    loaded = load_policy(policy)
    version = open_version(store)
    gaps = tuple(gaps_of_combinations(loaded, _policy_combinations(loaded, version)).to_dict("records"))
    table = DecisionTable(loaded.spec)
    decisions = {(journey, code): table.decide(profile, journey)
                 for code, profile in enumerate(version.combinations) for journey in JOURNEYS}
    unknown = {journey: table.decide(None, journey) for journey in JOURNEYS}
    snapshot_id = f"{loaded.version}+{loaded.content_hash}@{version.as_of}#{serial}-v{version.name}"
    tier_json = {name: tier.model_dump(mode="json") for name, tier in loaded.spec.tiers.items()}
    return Snapshot(snapshot_id, loaded, version.as_of, time.time(), version, decisions, unknown, tier_json, gaps)


def build_snapshot_isolated(db: str | Path, policy: str | Path | None, serial: int,
                            store: str | Path | None = None) -> Snapshot:
    """A snapshot from the warehouse (or from `store` when given) where every failure is a SnapshotError with its reason.

    Fit for another process: the error crosses the boundary as text, never as driver objects.
    """
    try:
        if store is not None:
            return build_store_snapshot(store=store, policy=policy, serial=serial)
        return build_snapshot(db=db, policy=policy, serial=serial)
    except GovexError as exc:
        raise SnapshotError(str(exc)) from None
    except Exception as exc:  # an engine or driver error: keep its type and text, never its traceback objects
        raise SnapshotError(f"{db}: {type(exc).__name__}: {exc}") from None
