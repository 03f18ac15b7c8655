"""Dashboard service-standards page: the promises missed, as service_standards reads them."""
from __future__ import annotations

import ibis
from streamlit.testing.v1 import AppTest

from govex.engine import Warehouse
from govex.policy import parse_policy
from govex.policy.promises import write_service_promises

from policy.policy_texts import CONSISTENT_RULES, TIERS
from policy.test_promises import _frames


def _standards_page(db: str) -> None:
    from govex.dashboard.app import standards

    standards(db)


def test_page_lists_the_missed_promises(tmp_path):
    before = tmp_path / "before.duckdb"  # a separate file: the page opens its own read-only connection
    Warehouse.from_frames(_frames(), con=ibis.duckdb.connect(str(before))).con.disconnect()
    empty = AppTest.from_function(_standards_page, args=(str(before),), default_timeout=30).run()
    assert not empty.exception and "govex policy promises" in empty.info[0].value
    path = tmp_path / "govex.duckdb"
    wh = Warehouse.from_frames(_frames(), con=ibis.duckdb.connect(str(path)))
    write_service_promises(wh, parse_policy(f"name: A\nversion: v1\n{TIERS}{CONSISTENT_RULES}", source="a.yaml"))
    wh.con.disconnect()
    page = AppTest.from_function(_standards_page, args=(str(path),), default_timeout=30).run()
    assert not page.exception
    missed, _ = (t.value for t in page.dataframe)
    # the data end in February 2025: the last whole quarter is Q4 2024, where K01 (eco, fulfilment) met both
    # promises (100 s <= 3600 s, 10 h <= 96 h), so nothing is missed
    assert missed.empty
    assert page.metric[0].value == "0 of 1"
