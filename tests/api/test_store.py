"""The memory-mapped serving store: publish, incremental publish, atomic switch, and answers equal to
`decide` on the table's own segments after each publish (also through a real server)."""
from __future__ import annotations

import datetime as dt
import functools
import json
import os

import httpx
import ibis
import numpy as np
import pandas as pd
import pytest

from govex.api import ServiceSettings, create_app, new_api_key, write_keys_file
from govex.api.snapshot import build_store_snapshot
from govex.api.store import current_version, open_version, publish
from govex.contract.schema import JOURNEYS
from govex.engine.warehouse import Warehouse
from govex.policy import decide, load_policy, policy_gaps

LABELS = {"lifecycle": ["new", "active", "at_risk", "dormant"], "value": ["high", "medium", "low"],
          "risk": ["low", "normal", "elevated", "high"]}


def _customers(n: int, seed: int) -> pd.DataFrame:
    """One row per customer, segments drawn at random (one column per framework), each with a score and reasons."""
    rng = np.random.default_rng(seed)
    wide = pd.DataFrame({"entity_id": [f"C{i:06d}" for i in range(n)]})
    for framework, labels in LABELS.items():
        wide[framework] = rng.choice(labels, n)
        wide[f"{framework}_score"] = rng.integers(0, 1000, n) / 8  # exact in binary: compared with ==
        wide[f"{framework}_reasons"] = [f"{framework}_rule={k};margin={m}" for k, m in rng.integers(0, 4, (n, 2))]
    return wide


def _long(wide: pd.DataFrame) -> pd.DataFrame:
    """segment_assignments rows; a missing segment (None) means no row for that framework."""
    parts = [pd.DataFrame({"entity_id": wide.entity_id, "framework": f, "segment": wide[f],
                           "score": wide[f"{f}_score"], "reasons": wide[f"{f}_reasons"]}) for f in LABELS]
    long = pd.concat(parts, ignore_index=True)
    return long[long.segment.notna()]


def _write(db, wide: pd.DataFrame, as_of=dt.date(2025, 6, 1)) -> None:
    long = _long(wide).assign(entity="customer", as_of=as_of, framework_version="1")
    con = ibis.duckdb.connect(str(db))
    con.create_table("segment_assignments", long, overwrite=True)
    con.disconnect()


@functools.cache
def _policy():
    return load_policy(None).spec


def _expected(wide: pd.DataFrame, customer_id: str, journey: str) -> str:
    """The policy's own decide on the customer's segments as written to the table (None: unknown customer)."""
    row = wide[wide.entity_id == customer_id]
    profile = None if row.empty else {f: row.iloc[0][f] for f in LABELS}
    return decide(_policy(), profile=profile, journey=journey, on_gap="fallback").tier


def _check(store, wide: pd.DataFrame, ids: list[str]) -> None:
    """Tiers equal `decide` on the table's segments; segments, scores and reasons equal the table's rows."""
    snap = build_store_snapshot(store=store, policy=None)
    got = [(c, j, snap.treatment(c, j).tier) for c in ids for j in JOURNEYS]
    assert got == [(c, j, _expected(wide, c, j)) for c in ids for j in JOURNEYS]
    rows = _long(wide).set_index("entity_id")
    for customer in ids:
        handle = snap.index(customer)
        if customer not in rows.index:
            assert handle is None
            continue
        mine = rows.loc[[customer]]
        assert snap.segments(handle) == {r.framework: (r.segment, r.score, tuple(r.reasons.split(";")))
                                         for r in mine.itertuples()}


def test_publish_then_incremental_publish_answers_like_decide(tmp_path):
    db, store = tmp_path / "seg.duckdb", tmp_path / "store"
    first = _customers(3000, seed=1)
    _write(db, first)
    v1 = publish(db, store)
    assert (v1["version"], v1["customers"], v1["written"], v1["fresh_base"]) == ("000001", 3000, 3000, True)
    sample = list(first.entity_id.sample(150, random_state=0)) + ["C999999", "X1"]
    _check(store, first, sample)

    # 1% change value segment, 4 only their score and 3 their reasons, 5 arrive, 3 leave: exactly those 45
    # are written, the base is shared.
    second = first.copy()
    moved = second.sample(30, random_state=2).index
    second.loc[moved, "value"] = second.loc[moved, "value"].map({"high": "low", "medium": "high", "low": "medium"})
    rescored = second.drop(index=moved).sample(7, random_state=5).index
    second.loc[rescored[:4], "risk_score"] += 0.5
    second.loc[rescored[4:], "lifecycle_reasons"] = "lifecycle_rule=9"
    arrivals = _customers(5, seed=3).assign(entity_id=[f"N{i}" for i in range(5)])
    leavers = list(second.entity_id.drop(index=moved).iloc[[10, 20, 30]])
    second = pd.concat([second[~second.entity_id.isin(leavers)], arrivals], ignore_index=True)
    _write(db, second)
    v2 = publish(db, store)
    assert (v2["version"], v2["customers"], v2["written"], v2["fresh_base"]) == ("000002", 3002, 45, False)
    one, two = open_version(store, "000001"), open_version(store, "000002")
    assert os.stat(one.path / "base_ids.npy").st_ino == os.stat(two.path / "base_ids.npy").st_ino
    assert current_version(store) == "000002"
    _check(store, second, list(second.entity_id.loc[moved]) + list(second.entity_id.loc[rescored]) + leavers
           + list(arrivals.entity_id) + sample)
    assert build_store_snapshot(store=store, policy=None).treatment(leavers[0], "return").known_customer is False

    # Past the compaction ratio the version gets a fresh base and an empty delta.
    third = _customers(3002, seed=9).assign(entity_id=second.entity_id.to_numpy())
    _write(db, third)
    v3 = publish(db, store, compact_ratio=0.2)
    assert (v3["written"], v3["fresh_base"]) == (3002, True)
    _check(store, third, sample)
    assert len(open_version(store, "000001").base["ids"]) == 3000  # older versions stay readable


def test_server_on_a_store_switches_versions_without_restart(tmp_path, api_kit):
    db, store, keys = tmp_path / "seg.duckdb", tmp_path / "store", tmp_path / "keys.yaml"
    first = _customers(500, seed=4)
    _write(db, first)
    publish(db, store)
    token, entry = new_api_key("ops", ("read", "decide", "admin"))
    write_keys_file(keys, [entry])
    app = create_app(ServiceSettings(db=db, policy=None, keys=keys, audit_log=tmp_path / "audit.jsonl",
                                     store=store, watch_interval_s=0.2))
    flipped = first.assign(value=first.value.map({"high": "low", "medium": "low", "low": "high"}))
    customer = "C000007"
    with api_kit.running(app) as base, httpx.Client(base_url=base, headers={"X-API-Key": token}, timeout=60) as client:
        def tiers() -> list[str]:
            return [client.get(f"/v1/customers/{customer}/treatment", params={"journey": j}).json()["tier"]
                    for j in JOURNEYS]

        assert tiers() == [_expected(first, customer, j) for j in JOURNEYS]
        segments = client.get(f"/v1/customers/{customer}").json()["segments"]
        assert {f: s["segment"] for f, s in segments.items()} == {f: first.iloc[7][f] for f in LABELS}
        _write(db, flipped)
        publish(db, store)
        want = [_expected(flipped, customer, j) for j in JOURNEYS]
        deadline = dt.datetime.now() + dt.timedelta(seconds=30)
        while tiers() != want and dt.datetime.now() < deadline:
            pass
        assert tiers() == want
        assert client.get("/readyz").json()["snapshot"].endswith("-v000002")


def test_serving_an_unpublished_store_says_what_to_run(tmp_path):
    from govex.errors import ConfigError

    with pytest.raises(ConfigError, match="govex api-publish"):
        build_store_snapshot(store=tmp_path / "empty", policy=None)


def test_a_store_server_answers_like_a_warehouse_server(tmp_path, api_kit):
    """Same segments with scores and reasons, same treatments, same policy gaps in /readyz, same audit fields."""
    db, store, keys = tmp_path / "seg.duckdb", tmp_path / "store", tmp_path / "keys.yaml"
    wide = _customers(400, seed=6)
    wide.loc[:39, "risk"] = None  # 40 customers without a risk segment: the shipped policy's gaps
    _write(db, wide)
    publish(db, store)
    token, entry = new_api_key("ops", ("read", "decide", "admin"))
    write_keys_file(keys, [entry])
    answers = {}
    for mode, source in {"warehouse": {}, "store": {"store": store}}.items():
        audit = tmp_path / f"audit_{mode}.jsonl"
        app = create_app(ServiceSettings(db=db, policy=None, keys=keys, audit_log=audit, watch_interval_s=0,
                                         isolated_builds=False, **source))
        with api_kit.running(app) as base, httpx.Client(base_url=base, headers={"X-API-Key": token}) as client:
            customers = [client.get(f"/v1/customers/{c}").json() for c in ["C000000", "C000007", "C000399", "X9"]]
            treatments = [client.get(f"/v1/customers/{c}/treatment", params={"journey": j}).json()
                          for c in ["C000000", "C000050", "X9"] for j in JOURNEYS]
            gaps = client.get("/readyz").json()["policy_gaps"]
        lines = [json.loads(line) for line in audit.read_text().splitlines()]
        answers[mode] = (customers, treatments, gaps, lines)

    def same(item: dict) -> dict:  # what may differ between the two: ids of snapshot and request, time
        return {k: v for k, v in item.items() if k not in ("snapshot", "request_id", "ts")}

    (w_customers, w_treatments, w_gaps, w_lines), (s_customers, s_treatments, s_gaps, s_lines) = answers.values()
    assert [same(c) for c in s_customers] == [same(c) for c in w_customers]
    assert s_customers[0]["segments"]["value"]["reasons"] == wide.value_reasons[0].split(";")
    assert [same(t) for t in s_treatments] == [same(t) for t in w_treatments]
    assert [t["tier"] for t in s_treatments] == [_expected(wide, c, j) for c in ["C000000", "C000050", "X9"]
                                                 for j in JOURNEYS]
    expected_gaps = policy_gaps(load_policy(None), Warehouse.open(f"duckdb:///{db}")).to_dict("records")
    assert w_gaps == expected_gaps and s_gaps == expected_gaps and len(expected_gaps) > 0
    assert [same(line) for line in s_lines] == [same(line) for line in w_lines]


def test_incremental_publishes_pass_only_the_changed_customers_through_python(tmp_path, monkeypatch):
    """Changes are found in the engine: Python reads and writes the delta's rows, never the 3,000 customers."""
    from govex.api import store as store_module

    seen = []

    def counting(reader, *args):
        for batch in real(reader, *args):
            seen.append(len(batch["ids"]))
            yield batch

    real = store_module._batches
    monkeypatch.setattr(store_module, "_batches", counting)
    db, store = tmp_path / "seg.duckdb", tmp_path / "store"
    first = _customers(3000, seed=11)
    _write(db, first)
    assert publish(db, store)["written"] == sum(seen) == 3000

    # 12 move; then 5 others move, one of the 12 leaves and comes back unchanged, one of the 12 leaves for good.
    second = first.copy()
    second.loc[:11, "lifecycle"] = "dormant"
    second.loc[:11, "lifecycle_reasons"] = "lifecycle_rule=moved"
    _write(db, second)
    seen.clear()
    v2 = publish(db, store)
    assert (v2["changed"], v2["written"], v2["fresh_base"], sum(seen)) == (12, 12, False, 12)
    third = second.copy()
    third.loc[100:104, "risk"] = "high"
    third.loc[100:104, "risk_score"] = -1.0
    third = third.drop(index=[0])
    _write(db, third)
    seen.clear()
    v3 = publish(db, store)
    assert (v3["changed"], v3["written"], sum(seen)) == (6, 17, 17)  # 5 moved + 1 gone; delta: 12 + 5 since the base
    _check(store, third, ["C000000", "C000001", "C000011", "C000100", "C000104", "C000105", "C002999"])
    fourth = pd.concat([third, second.iloc[[0]]], ignore_index=True)
    _write(db, fourth)
    seen.clear()
    v4 = publish(db, store)
    assert (v4["changed"], v4["written"], sum(seen)) == (1, 17, 17)
    _check(store, fourth, ["C000000", "C000001", "C000100", "C002000"])
