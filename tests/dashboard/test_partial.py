"""The dashboard on a partial warehouse (orders, customers, sellers and surveys only, as on the public
Olist data): pages show what the tables support and say in one line what is absent."""
from __future__ import annotations

import ibis
import pytest
from streamlit.testing.v1 import AppTest

from govex.datasets import small_marketplace
from govex.engine import Warehouse

KEPT = ("customers", "sellers", "orders", "surveys", "fx_rates")


@pytest.fixture(scope="module")
def partial_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("partial") / "govex.duckdb"
    tables = small_marketplace().tables
    con = ibis.duckdb.connect(str(path))
    Warehouse.from_frames({name: tables[name] for name in KEPT if name in tables}, con=con)
    con.disconnect()
    return str(path)


def _page(name: str, db: str) -> None:
    from govex.dashboard import app

    getattr(app, name)(db)


def _run(name: str, db: str) -> AppTest:
    page = AppTest.from_function(_page, args=(name, db), default_timeout=120).run()
    assert not page.exception, page.exception
    return page


def test_overview_shows_the_kpis_present_and_lists_the_rest_in_one_line(partial_db):
    page = _run("overview", partial_db)
    labels = [m.label for m in page.metric]
    assert any(label.startswith("CSAT") for label in labels)
    assert "Late delivery rate" in labels and "Orders" in labels
    assert not any(label.startswith("Contact rate") for label in labels)  # no contacts table: no card
    [absent] = [i.value for i in page.info if i.value.startswith("Not in this warehouse")]
    for name in ("Contact rate", "First-contact resolution", "Dispute rate", "Moderation decision accuracy"):
        assert name in absent


def test_pages_without_their_tables_say_so(partial_db):
    segments = _run("segments", partial_db)
    assert any("Segment data is absent" in i.value for i in segments.info)
    planning = _run("planning", partial_db)
    assert any("The staffing plan is absent" in i.value for i in planning.info)
    moved = _run("moved", partial_db)  # CSAT by journey or channel would need contacts: those cuts are skipped
    assert [m for m in moved.selectbox if m.label == "KPI"][0].options[0].startswith("CSAT")
    assert any("Not split by journey" in c.value and "contacts" in c.value for c in moved.caption)
