"""The Olist adapter on the 3,000-order sample, checked against the dataset README's published figures."""
from __future__ import annotations

import ibis
import pandas as pd
import pytest

from govex.dialect import days_between
from govex.errors import ConfigError
from govex.ingest.olist import ingest_olist

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def olist(shared_data, tmp_path_factory):
    """The sample ingested once: (report, ibis connection, sample folder)."""
    folder = shared_data / "olist" / "sample_3000_orders"
    database = tmp_path_factory.mktemp("olist") / "govex.duckdb"
    report = ingest_olist(folder, database=database)
    con = ibis.duckdb.connect(str(database))
    yield report, con, folder
    con.disconnect()


def test_row_counts_match_the_readme(olist):
    report, _, folder = olist
    # README, section 2: 3,000 orders, 2,993 reviews, 938 sellers
    assert report.rows("orders") == 3000
    assert report.rows("surveys") == 2993
    assert report.rows("sellers") == 938
    # customers are real people: distinct customer_unique_id, counted here with pandas
    people = pd.read_csv(folder / "olist_customers_dataset.csv.gz", dtype=str).customer_unique_id.nunique()
    assert report.rows("customers") == people


def test_tables_olist_lacks_are_reported_with_the_features_they_disable(olist):
    report, _, _ = olist
    assert set(report.absent) == {"contacts", "disputes", "returns", "moderation_cases", "vendors", "staffing", "fx_rates",
                                  "enforcement_actions", "education", "compensations", "customer_education"}
    assert "trust metrics" in report.absent["disputes"]


def test_status_counts_match_the_readme(olist):
    _, con, _ = olist
    counts = con.table("orders").status.value_counts().to_pandas().set_index("status")["status_count"].to_dict()
    # README: delivered 2,904; shipped 38; canceled 24; unavailable 17; invoiced 9 + processing 8 -> approved
    assert counts == {"delivered": 2904, "shipped": 38, "cancelled": 24, "unavailable": 17, "approved": 17}


def test_review_scores_become_csat_with_the_readme_shares(olist):
    _, con, _ = olist
    surveys = con.table("surveys").to_pandas()
    shares = surveys.csat.value_counts(normalize=True)
    # README: 5 -> 57.4%, 4 -> 19.2%, 3 -> 8.3%, 2 -> 3.3%, 1 -> 11.9%; 41.8% have a comment
    for score, share in {5: 0.574, 4: 0.192, 3: 0.083, 2: 0.033, 1: 0.119}.items():
        assert shares[score] == pytest.approx(share, abs=0.0005)
    assert surveys.comment.notna().mean() == pytest.approx(0.418, abs=0.0005)


def test_late_delivery_drives_csat_as_the_readme_says(olist):
    _, con, _ = olist
    orders, surveys = con.table("orders"), con.table("surveys")
    delivered = orders.filter(orders.status == "delivered")
    late = delivered.mutate(late=days_between(delivered.promised_date, delivered.delivered_at) > 0)
    assert late.late.mean().to_pandas() == pytest.approx(0.066, abs=0.0005)  # README: 6.6% late
    joined = late.join(surveys, late.order_id == surveys.order_id)
    by_late = joined.group_by("late").aggregate(mean_csat=joined.csat.mean(), n=joined.count()).to_pandas()
    by_late = by_late.set_index("late")
    # README: late orders mean score 2.28 (n = 193) against 4.27 for on-time orders (n = 2,710)
    assert by_late.loc[True, "n"] == 193 and by_late.loc[False, "n"] == 2710
    assert by_late.loc[True, "mean_csat"] == pytest.approx(2.28, abs=0.005)
    assert by_late.loc[False, "mean_csat"] == pytest.approx(4.27, abs=0.005)


def test_order_amount_is_the_sum_of_item_prices(olist):
    _, con, folder = olist
    items = pd.read_csv(folder / "olist_order_items_dataset.csv.gz", dtype={"order_id": str})
    expected = items.groupby("order_id").price.sum()
    loaded = con.table("orders").to_pandas().set_index("order_id").amount
    pd.testing.assert_series_equal(loaded.loc[expected.index], expected, check_names=False, rtol=1e-9)


def test_partial_layout_is_refused_with_the_missing_files(shared_data, tmp_path):
    # the top-level folder holds only payments, products and sellers (README, section 1)
    with pytest.raises(ConfigError, match="olist_orders_dataset.csv"):
        ingest_olist(shared_data / "olist", database=tmp_path / "govex.duckdb")
    assert not (tmp_path / "govex.duckdb").exists()


def test_olist_sellers_are_shop_sellers_with_vertical_and_region(olist):
    _, con, folder = olist
    sellers = con.table("sellers").to_pandas().set_index("seller_id")
    raw = pd.read_csv(folder / "olist_sellers_dataset.csv.gz", dtype=str).set_index("seller_id")
    assert (sellers.seller_type == "shop_seller").all()
    assert (sellers.vertical.fillna("") == sellers.category.fillna("")).all()
    assert (sellers.region == raw.loc[sellers.index, "seller_city"]).all()
    assert sellers.kyc_status.isna().all() and sellers.payout_account_id.isna().all()
    orders = con.table("orders").to_pandas()
    assert (orders.fulfilment_type == "shipped").all() and orders.creator_id.isna().all()
