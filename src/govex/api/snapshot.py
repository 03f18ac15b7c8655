"""The in-memory snapshot the API serves from: latest segments of every customer plus one policy.

Built completely (segments read, every customer's tier decided for every journey) before it is
published, so a policy with a gap on the current customers is refused at build time and the
service keeps the snapshot it had. Lookups then touch only Python dicts, never the database.
"""
from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from pathlib import Path

import ibis
import pandas as pd

from govex.contract.schema import JOURNEYS
from govex.engine.warehouse import Warehouse
from govex.errors import EngineError
from govex.policy import Decision, DecisionTable, LoadedPolicy, load_policy
from govex.segments import ASSIGNMENTS_TABLE, read_assignments

_SERIAL = itertools.count(1)


@dataclass(frozen=True)
class CustomerSegments:
    """One customer's segments: framework -> (segment, score, reasons)."""

    segments: dict[str, tuple[str, float | None, tuple[str, ...]]]
    profile: dict[str, str]


@dataclass(frozen=True)
class Snapshot:
    """Segments + policy + their decisions; never changed after it is built."""

    snapshot_id: str
    policy: LoadedPolicy
    segments_as_of: str
    customers: dict[str, CustomerSegments]
    decisions: dict[tuple[str, tuple], Decision]
    table: DecisionTable
    tier_json: dict[str, dict]

    @property
    def policy_version(self) -> str:
        return self.policy.version

    def treatment(self, customer_id: str, journey: str) -> Decision:
        customer = self.customers.get(customer_id)
        if customer is None:
            return self.table.decide(None, journey)
        return self.decisions[(journey, self.table.key(customer.profile))]


def _read_segments(db: Path) -> tuple[pd.DataFrame, str]:
    if not db.exists():
        raise EngineError(f"{db}: no such DuckDB file")
    try:
        con = ibis.duckdb.connect(str(db), read_only=True)
    except Exception as exc:  # the driver's own error type varies
        raise EngineError(f"{db}: cannot open read-only: {exc}") from exc
    try:
        warehouse = Warehouse(con, url=f"duckdb:///{db}")
        if not warehouse.has(ASSIGNMENTS_TABLE):
            raise EngineError(f"{db}: no table {ASSIGNMENTS_TABLE}; run `govex segment` first")
        rows = read_assignments(warehouse).select("entity_id", "framework", "as_of", "segment", "score", "reasons")
        frame = rows.execute()
    finally:
        con.disconnect()
    as_of = str(pd.Timestamp(frame.as_of.max()).date()) if len(frame) else "none"
    return frame, as_of


def _customers(frame: pd.DataFrame) -> dict[str, CustomerSegments]:
    grouped: dict[str, dict] = {}
    scores = frame.score.astype(object).where(frame.score.notna(), None)
    reasons = frame.reasons.astype(object).where(frame.reasons.notna(), None)
    for cid, framework, segment, score, reason in zip(frame.entity_id, frame.framework, frame.segment, scores, reasons):
        grouped.setdefault(cid, {})[framework] = (segment, score, tuple(reason.split(";")) if reason else ())
    return {cid: CustomerSegments(segments, {f: v[0] for f, v in segments.items()}) for cid, segments in grouped.items()}


def build_snapshot(*, db: str | Path, policy: str | Path | None) -> Snapshot:
    """Read the latest segments and the policy, decide every customer in every journey, return the snapshot.

    Raises (and publishes nothing) when the database or the policy cannot be read, or when the
    policy leaves a current customer without a tier.
    """
    loaded = load_policy(policy)
    frame, as_of = _read_segments(Path(db))
    customers = _customers(frame)
    table = DecisionTable(loaded.spec)
    decisions: dict[tuple[str, tuple], Decision] = {}
    for customer in customers.values():
        key = table.key(customer.profile)
        if (JOURNEYS[0], key) not in decisions:
            for journey in JOURNEYS:
                decisions[(journey, key)] = table.decide(customer.profile, journey)
    for journey in JOURNEYS:
        table.decide(None, journey)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S")
    snapshot_id = f"{loaded.version}+{loaded.content_hash}@{as_of}#{next(_SERIAL)}-{stamp}"
    tier_json = {name: tier.model_dump(mode="json") for name, tier in loaded.spec.tiers.items()}
    return Snapshot(snapshot_id, loaded, as_of, customers, decisions, table, tier_json)
