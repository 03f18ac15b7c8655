"""Seller features by hand on the tiny canonical marketplace, and seller frameworks end to end:
`govex synth` -> `govex ingest folder` -> `govex segments assign --entity seller` on several seeds, with
the planted fraud ring found in seller_risk=high."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from contract.canonical_frames import valid_frames, write_parquets
from govex.cli.main import app
from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError
from govex.features.seller import seller_features
from govex.ingest import ingest_folder
from govex.segments.seller import load_seller_frameworks, run_seller_segmentation
from govex.segments.store import read_assignments

AS_OF = dt.date(2024, 3, 31)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Warehouse:
    folder = tmp_path_factory.mktemp("tiny")
    write_parquets(valid_frames(), folder)
    ingest_folder(folder, database=folder / "govex.duckdb")
    return Warehouse.open(f"duckdb:///{folder / 'govex.duckdb'}")


def test_seller_features_by_hand(tiny):
    """Every value worked out from canonical_frames.py by hand (see the comments)."""
    f = seller_features(tiny, as_of=AS_OF).table.execute().set_index("seller_id")
    s1, s2 = f.loc["s1"], f.loc["s2"]
    assert (s1.tenure_days, s2.tenure_days) == (304, 274)  # 2023-06-01 and 2023-07-01 to 2024-03-31
    assert (s1.kyc_verified, s2.kyc_verified) == (1, 0)  # s2 is pending
    assert (s1.linked_sellers, s2.linked_sellers) == (0, 0)  # payout accounts p1, p2
    assert (s1.n_orders, s2.n_orders) == (2, 1)  # o1, o3 / o2 (o4 has no seller)
    assert (s1.n_shipped_delivered, s1.n_late_shipments) == (1, 0)  # o1 delivered 03-04, promised 03-05
    assert (s2.n_shipped_delivered, s2.n_redeemable, s2.n_redeemed) == (0, 1, 1)  # o2 is a redeemed voucher
    assert (s1.n_disputed_orders, s2.n_disputed_orders) == (0, 1)  # d1 is on o2
    assert (s1.n_returned_orders, s2.n_returned_orders) == (1, 0)  # r1 is on o1
    assert (s1.n_low_rated_orders, s2.n_low_rated_orders) == (0, 1)  # CSAT 2 on o2
    assert s2.n_defect_orders == 1  # o2: a dispute and a low rating, counted once
    assert (s1.mean_rating, s2.mean_rating) == (5.0, 2.0)
    assert (s1.n_violations, s1.top_rung, s2.n_violations, s2.top_rung) == (1, 1, 2, 3)  # warning; payout_hold
    assert (s1.enrolled, s2.enrolled) == (1, 1)
    assert (s1.recency_days, s2.recency_days) == (28, 29)  # last orders 03-03 and 03-02
    assert s1.gmv == pytest.approx(37.0) and s2.gmv == pytest.approx(40.5)  # o1 + o3 (EUR, rate 1); o2
    assert (s1.gmv_percentile, s2.gmv_percentile) == (0.0, 1.0)


def test_seller_features_without_surveys_and_returns(tmp_path):
    """The incident features of the tables present stay (by hand, as above); the others are reported missing."""
    frames = {name: frame for name, frame in valid_frames().items() if name not in ("surveys", "returns")}
    write_parquets(frames, tmp_path)
    ingest_folder(tmp_path, database=tmp_path / "govex.duckdb")
    features = seller_features(Warehouse.open(f"duckdb:///{tmp_path / 'govex.duckdb'}"), as_of=AS_OF)
    f = features.table.execute().set_index("seller_id")
    assert (f.loc["s1", "n_defect_orders"], f.loc["s2", "n_defect_orders"]) == (0, 1)  # d1 on o2; no low rating now
    assert (f.loc["s1", "n_disputed_orders"], f.loc["s2", "n_disputed_orders"]) == (0, 1)
    assert not {"n_returned_orders", "n_rated_orders", "mean_rating"} & set(f.columns)
    assert features.missing_tables["n_rated_orders"] == ("surveys",)
    assert features.missing_tables["n_returned_orders"] == ("returns",)


def test_customer_frameworks_are_refused_as_seller_frameworks(tmp_path):
    (tmp_path / "lifecycle.yaml").write_text(
        "name: lifecycle\nsegments: [a]\nrules:\n  - segment: a\n    when: {tenure_days: '>= 0'}\n")
    with pytest.raises(ConfigError, match="lifecycle.yaml:1: framework 'lifecycle' is for customers"):
        load_seller_frameworks(tmp_path)


def _warehouse(tmp_path, seed: int, customers: int = 5_000) -> tuple[Warehouse, set[str]]:
    market = tmp_path / f"synth{seed}"
    runner = CliRunner()
    result = runner.invoke(app, ["synth", "--out", str(market), "--customers", str(customers), "--seed", str(seed)])
    assert result.exit_code == 0, result.output
    ingest_folder(market, database=tmp_path / f"s{seed}.duckdb")
    truth = json.loads((market / "ground_truth.json").read_text())
    ring = next(e for e in truth["events"] if e["type"] == "seller_fraud_ring")["seller_ids"]
    return Warehouse.open(f"duckdb:///{tmp_path / f's{seed}.duckdb'}"), set(ring)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_planted_ring_is_seller_risk_high(tmp_path, seed):
    warehouse, ring = _warehouse(tmp_path, seed)
    as_of = dt.date(2026, 1, 1)
    run_seller_segmentation(warehouse, as_of=as_of)
    rows = read_assignments(warehouse, entity="seller").execute()
    sellers = warehouse.table("sellers").execute()
    # one row per seller and framework, every one of them an entity 'seller'
    for name in ("seller_lifecycle", "seller_performance", "seller_risk", "seller_value"):
        assert sorted(rows.entity_id[rows.framework == name]) == sorted(sellers.seller_id)
    risk = rows[rows.framework == "seller_risk"]
    high = set(risk.entity_id[risk.segment == "high"])
    found = len(high & ring)
    assert found / len(high) >= 0.9 and found / len(ring) >= 0.9, (len(ring), len(high), found)
    assert risk[risk.entity_id.isin(ring)].reasons.str.startswith("fake_redemptions").all()


def test_cli_writes_sellers_beside_customers(tmp_path):
    warehouse, _ = _warehouse(tmp_path, seed=5, customers=3000)
    database = tmp_path / "s5.duckdb"
    runner = CliRunner()
    customers = runner.invoke(app, ["segments", "assign", "--db", str(database), "--framework", "lifecycle"])
    assert customers.exit_code == 0, customers.output
    result = runner.invoke(app, ["segments", "assign", "--db", str(database), "--entity", "seller", "--json"])
    assert result.exit_code == 0, result.output
    sizes = json.loads(result.output)["sizes"]
    n_sellers = int(Warehouse.open(f"duckdb:///{database}").table("sellers").count().execute())
    for name in ("seller_lifecycle", "seller_risk"):
        assert sum(r["sellers"] for r in sizes if r["framework"] == name) == n_sellers
    warehouse = Warehouse.open(f"duckdb:///{database}")
    customer_rows = read_assignments(warehouse, framework="lifecycle").execute()
    assert len(customer_rows) > n_sellers and (customer_rows.entity == "customer").all()
