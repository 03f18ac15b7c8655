"""Enforcement-ladder what-if against pandas on the raw synthetic tables, and its command by hand."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from contract.canonical_frames import valid_frames, write_parquets
from govex.cli.main import app
from govex.datasets import generate
from govex.engine.warehouse import Warehouse
from govex.errors import ConfigError
from govex.ingest import ingest_folder
from govex.segments.seller import run_seller_segmentation
from govex.segments.seller_whatif import enforcement_whatif

AS_OF = dt.date(2025, 9, 30)


@pytest.fixture(scope="module")
def market():
    generated = generate(customers=4000, seed=4)
    return generated.tables, Warehouse.from_frames(generated.tables)


def test_stricter_threshold_equals_pandas(market):
    t, warehouse = market
    result = enforcement_whatif(warehouse, as_of=AS_OF, current=0.02, proposed=0.01, by="seller_type", min_orders=20,
                                review_minutes=30, appeal_minutes=60)
    ours = result.table.set_index("seller_type")
    until = lambda frame, column: frame[pd.to_datetime(frame[column]).dt.date <= AS_OF]  # noqa: E731
    sellers = t["sellers"][pd.to_datetime(t["sellers"].onboarded_date).dt.date <= AS_OF].set_index("seller_id")
    orders = until(t["orders"], "ordered_at")
    surveys = until(t["surveys"], "responded_at").dropna(subset=["order_id", "csat"])
    defect = orders.order_id.isin(set(until(t["disputes"], "opened_at").order_id) | set(surveys.order_id[surveys.csat <= 2]))
    per = orders.assign(defect=defect).groupby("seller_id").agg(n=("order_id", "size"), d=("defect", "sum"))
    per = per.reindex(sellers.index, fill_value=0)
    rate = (per.d / per.n).where(per.n >= 20)
    newly = (rate >= 0.01) & ~(rate >= 0.02)
    expected = newly.groupby(sellers.seller_type).sum()
    assert ours.newly_actioned.to_dict() == expected.to_dict()
    assert ours.no_longer_actioned.sum() == 0  # a stricter threshold only adds sellers
    assert (ours.actioned_proposed - ours.actioned_now == ours.newly_actioned).all()
    actions = until(t["enforcement_actions"], "action_at")
    assert result.appeal_rate == pytest.approx(actions.appeal_filed.mean(), rel=1e-12)
    assert result.review_hours == pytest.approx(newly.sum() * 0.5)
    assert result.appeal_hours == pytest.approx(newly.sum() * actions.appeal_filed.mean())


def test_threshold_outside_a_rate_is_refused(market):
    _, warehouse = market
    with pytest.raises(ConfigError, match="proposed threshold 5"):
        enforcement_whatif(warehouse, as_of=AS_OF, current=0.02, proposed=5)


def test_cli_what_if_by_hand(tmp_path):
    """`govex sellers what-if` on the tiny canonical marketplace plus a dispute on o1, worked by hand.

    s1 (shop_seller): o1 (disputed), o3 -> defect rate 1/2, GMV 25 + 12 = 37. s2 (local_merchant): o2
    (disputed, CSAT 2) -> 1/1. At 60% only s2 is actioned; at 50% s1 joins: one more seller, GMV 37.
    Appeals: e2 and e3 of e1-e3 -> 2/3; review 30 min x 1 = 0.5 h; appeals 45 min x 1 x 2/3 = 0.5 h.
    """
    frames = valid_frames()
    extra = frames["disputes"].assign(dispute_id="d2", order_id="o1", opened_at=pd.Timestamp("2024-03-09 10:00"))
    frames["disputes"] = pd.concat([frames["disputes"], extra], ignore_index=True)
    write_parquets(frames, tmp_path)
    ingest_folder(tmp_path, database=tmp_path / "govex.duckdb")
    result = CliRunner().invoke(app, ["sellers", "what-if", "--db", str(tmp_path / "govex.duckdb"), "--as-of", "2024-03-31",
                                      "--current", "0.6", "--proposed", "0.5", "--min-orders", "1", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    cuts = {row["seller_type"]: row for row in out["cuts"]}
    assert (cuts["shop_seller"]["actioned_now"], cuts["shop_seller"]["actioned_proposed"]) == (0, 1)
    assert (cuts["local_merchant"]["actioned_now"], cuts["local_merchant"]["actioned_proposed"]) == (1, 1)
    assert (out["newly_actioned"], out["no_longer_actioned"]) == (1, 0)
    assert out["gmv_newly_actioned"] == pytest.approx(37.0)
    assert out["appeal_rate"] == pytest.approx(2 / 3)
    assert out["review_hours"] == pytest.approx(0.5) and out["appeal_hours"] == pytest.approx(0.5)
    # the table, cut by a seller segment: seller_value puts s1 (GMV 37) low and s2 (40.5) high
    run_seller_segmentation(Warehouse.open(f"duckdb:///{tmp_path / 'govex.duckdb'}"), as_of=dt.date(2024, 3, 31))
    table = CliRunner().invoke(app, ["sellers", "what-if", "--db", str(tmp_path / "govex.duckdb"), "--as-of", "2024-03-31",
                                     "--current", "0.6", "--proposed", "0.5", "--min-orders", "1",
                                     "--by", "seller_segment:seller_value"])
    assert table.exit_code == 0 and "1 more sellers actioned" in table.output, table.output
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in table.output.splitlines() if "│" in line]
    newly = {row[0]: row[5] for row in rows if row and row[0] in ("low", "high")}  # segment, ..., newly_actioned
    assert newly == {"low": "1", "high": "0"}, table.output
