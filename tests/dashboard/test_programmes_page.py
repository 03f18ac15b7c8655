"""Dashboard 'Recovery and education' page without a browser: each programme's figures as the analysis
computes them, CSAT after recovery among them, and segment tables whose unit is in the column header."""
from __future__ import annotations

import ibis
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from govex.analysis.materiality import NOT_ENOUGH_DATA
from govex.analysis.recovery import compensation_effect, csat_effect
from govex.dashboard import TABLES
from govex.dashboard.precompute import PARTS
from govex.datasets import small_marketplace
from govex.engine import Warehouse


def _programmes_page(db: str) -> None:
    from govex.dashboard.app import programmes

    programmes(db)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    path = tmp_path_factory.mktemp("programmes") / "govex.duckdb"
    wh = Warehouse.from_frames(small_marketplace().tables, con=ibis.duckdb.connect(str(path)))
    wh.replace_all({TABLES[key]: frame for key, frame in PARTS["programmes"](wh).items()})
    comp = compensation_effect(wh)
    expected = {"compensation": comp.effect, "CSAT after recovery": csat_effect(comp.units).effect}
    wh.con.disconnect()
    return AppTest.from_function(_programmes_page, args=(str(path),), default_timeout=60).run(), expected


def _points(value: float) -> str:
    """A CSAT change as the report writes it, by hand: three decimals below one point, two above."""
    return f"{value:+.3f}".rstrip("0") if abs(value) < 1 else f"{value:+.2f}"


def _pp(share: float) -> str:
    """A change of a share in percentage points, by hand: one decimal, no sign when it rounds to zero."""
    return "0.0" if round(100 * share, 1) == 0 else f"{100 * share:+.1f}"


def test_csat_after_recovery_has_its_card_unit_and_sample(page):
    app, expected = page
    assert not app.exception
    assert "CSAT after recovery" in [h.value for h in app.subheader]
    e = expected["CSAT after recovery"]
    card = next(m for m in app.metric if m.label == "Adjusted effect, CSAT points (1-5)")
    assert card.value == _points(e.estimate)
    assert any(f"**{e.treated:,} of {e.units:,} surveyed customers** got it" in m.value for m in app.markdown)


def test_segment_tables_carry_the_unit_in_the_header_only(page):
    app, expected = page
    repurchase = next(t.value for t in app.dataframe if "customers" in t.value.columns)  # compensation comes first
    effect = "adjusted effect, pp [90% interval]"
    assert list(repurchase.columns) == ["segment", "customers", "treated", effect, "naive difference, pp"]
    by_segment = expected["compensation"].by_segment
    for row, cell in zip(by_segment.itertuples(), repurchase[effect]):
        in_points = f"{_pp(row.estimate)} [{_pp(row.ci_low)} to {_pp(row.ci_high)}]"
        assert cell == (in_points if pd.notna(row.estimate) else NOT_ENOUGH_DATA)
    assert not any("pp" in cell for cell in repurchase[effect]) and not any("pp" in c for c in repurchase["naive difference, pp"])
