"""Dashboard moderation page: the transparency counts of the tiny marketplace, worked by hand."""
from __future__ import annotations

from pathlib import Path

import ibis
import yaml
from streamlit.testing.v1 import AppTest

from metrics.typed_frames import typed_frame

TINY = Path(__file__).resolve().parents[1] / "cases" / "metrics" / "tiny_tables.yaml"


def _moderation_page(db: str) -> None:
    from govex.dashboard.app import moderation

    moderation(db)


def test_page_shows_the_counts_by_hand(tmp_path):
    raw = yaml.safe_load(TINY.read_text())
    path = tmp_path / "tiny.duckdb"
    con = ibis.duckdb.connect(str(path))
    for name in ("moderation_cases", "vendors", "sellers", "customers"):
        con.create_table(name, typed_frame(name, raw[name]))
    con.disconnect()
    page = AppTest.from_function(_moderation_page, args=(str(path),), default_timeout=60).run()
    assert not page.exception
    # m1-m4: 4 cases; median of 31/60, 3 and 8 hours is 3; m1 and m3 appealed, m1 overturned of 2 decided
    assert [m.value for m in page.metric] == ["4", "3.0", "2", "50%"]
    by_policy, by_source, by_automated, overturns = (t.value for t in page.dataframe)
    assert by_policy.set_index("policy")["cases"].to_dict() == {"counterfeit": 2, "fraud": 1, "harassment": 1}
    assert by_automated["cases"].sum() == by_source["cases"].sum() == 4
    assert overturns[["vendor_id", "policy", "decided appeals"]].values.tolist() == [["V2", "counterfeit", 1.0],
                                                                                     ["V2", "harassment", 1.0]]
