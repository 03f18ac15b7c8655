"""Dashboard benchmarks page: each KPI named with its unit, values in the report's scale."""
from __future__ import annotations

import ibis
import pandas as pd
from streamlit.testing.v1 import AppTest

from govex.dashboard import TABLES
from govex.dashboard.precompute import PARTS
from govex.datasets import small_marketplace
from govex.engine import Warehouse
from govex.reports import ILLUSTRATIVE_BENCHMARKS


def _benchmarks_page(db: str) -> None:
    from govex.dashboard.app import benchmarks

    benchmarks(db)


def test_kpis_carry_their_unit_and_rates_read_per_1000_orders(tmp_path):
    path = tmp_path / "govex.duckdb"
    wh = Warehouse.from_frames(small_marketplace().tables, con=ibis.duckdb.connect(str(path)))
    wh.replace_all({TABLES[key]: frame for key, frame in PARTS["benchmarks"](wh).items()})
    wh.con.disconnect()
    page = AppTest.from_function(_benchmarks_page, args=(str(path),), default_timeout=60).run()
    assert not page.exception
    shown = page.dataframe[0].value.set_index("KPI")
    # by hand from the illustrative file: the dispute-rate peers' median, per 1,000 orders, two decimals below 100
    peers = pd.read_csv(ILLUSTRATIVE_BENCHMARKS, comment="#")
    median = 1000 * peers.loc[peers["metric"] == "dispute_rate", "value"].median()
    assert shown.loc["Dispute rate (disputes per 1,000 orders)", "Peer median"] == f"{median:.2f}"
    assert "Contact rate (contacts per 1,000 orders)" in shown.index and "CSAT (points 1-5)" in shown.index
