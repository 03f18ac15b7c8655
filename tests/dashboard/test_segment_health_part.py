"""Dashboard segment health: months on too few orders are left out, and a page with none left says so."""
from __future__ import annotations

import ibis
import pandas as pd
from streamlit.testing.v1 import AppTest

from govex.dashboard import TABLES
from govex.engine import Warehouse


def _health_part(db: str) -> None:
    from govex.dashboard.app import _segment_health

    _segment_health(db, "value", "")


def _page(tmp_path, rows):
    path = tmp_path / "govex.duckdb"
    scores = pd.DataFrame(rows, columns=["period_start", "segment", "health", "orders"]).assign(
        period_start=lambda f: pd.to_datetime(f["period_start"]), components=2, framework="value")
    Warehouse.from_frames({TABLES["segment_health"]: scores}, con=ibis.duckdb.connect(str(path))).con.disconnect()
    return AppTest.from_function(_health_part, args=(str(path),), default_timeout=60).run()


def test_a_page_with_no_month_on_enough_orders_says_so(tmp_path):
    page = _page(tmp_path, [("2025-10-01", "high", 55.0, 3), ("2025-11-01", "low", 41.0, 2)])
    assert not page.exception
    assert [i.value for i in page.info] == ["Every segment's monthly score rests on fewer than 30 orders, too few to show."]


def test_months_on_enough_orders_are_drawn(tmp_path):
    page = _page(tmp_path, [("2025-10-01", "high", 55.0, 300), ("2025-11-01", "high", 52.0, 12)])
    assert not page.exception and not page.info
    assert "is left out, as in the report" in page.caption[0].value
