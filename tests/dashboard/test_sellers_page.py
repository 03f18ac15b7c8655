"""Dashboard sellers page: seller segment sizes and the high-risk sellers, as segment_assignments holds them."""
from __future__ import annotations

import datetime as dt

import ibis
from streamlit.testing.v1 import AppTest

from govex.datasets import generate
from govex.engine import Warehouse
from govex.segments.seller import run_seller_segmentation


def _sellers_page(db: str) -> None:
    from govex.dashboard.app import sellers

    sellers(db)


def test_page_shows_seller_segments_and_the_ring(tmp_path):
    generated = generate(customers=3000, seed=6)
    before = tmp_path / "before.duckdb"  # a separate file: the page opens its own read-only connection
    Warehouse.from_frames({"sellers": generated.tables["sellers"]}, con=ibis.duckdb.connect(str(before))).con.disconnect()
    empty = AppTest.from_function(_sellers_page, args=(str(before),), default_timeout=30).run()
    assert not empty.exception and "govex segment --entity seller" in empty.info[0].value
    path = tmp_path / "govex.duckdb"
    wh = Warehouse.from_frames(generated.tables, con=ibis.duckdb.connect(str(path)))
    run_seller_segmentation(wh, as_of=dt.date(2026, 1, 1))
    wh.con.disconnect()
    page = AppTest.from_function(_sellers_page, args=(str(path),), default_timeout=30).run()
    assert not page.exception
    sizes, high = (t.value for t in page.dataframe)
    n_sellers = len(generated.tables["sellers"])
    assert (sizes.groupby("framework")["sellers"].sum() == n_sellers).all()
    assert set(high["seller"]) == set(generated.event("seller_fraud_ring")["seller_ids"])
