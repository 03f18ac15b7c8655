"""Benchmarks file: checks with line numbers, and gap/position/freshness computed by hand."""
from __future__ import annotations

import datetime as dt

import pytest

from govex.reports import ILLUSTRATIVE_BENCHMARKS, BenchmarkError, benchmark_position, load_benchmarks
from govex.reports.formatting import format_number

HEADER = "source,metric,value,unit,period,date,url,notes\n"


def test_shipped_example_is_illustrative_and_valid():
    text = ILLUSTRATIVE_BENCHMARKS.read_text()
    assert text.startswith("# ILLUSTRATIVE")
    frame = load_benchmarks()
    assert frame["source"].str.contains("(illustrative)", regex=False).all()


def test_gap_position_and_freshness_by_hand(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text(HEADER + "P1,csat,4.0,points (1-5),2025,2025-06-30,,\nP2,csat,4.4,points (1-5),2025,2025-06-30,,\n"
                    "P3,csat,4.2,points (1-5),2023,2023-12-31,,\n"
                    "P1,contact_rate,0.10,contacts per order,2025,2025-06-30,,\nP2,contact_rate,0.30,contacts per order,2025,2025-06-30,,\n")
    out = benchmark_position(load_benchmarks(path), {"csat": 4.1, "contact_rate": 0.2}, as_of=dt.date(2025, 12, 31))
    csat = out.set_index("metric").loc["csat"]
    # by hand: median(4.0, 4.4, 4.2) = 4.2; 4.1 - 4.2 = -0.1; higher is better, peers above 4.1: 4.4 and 4.2 -> position 3 of 4
    assert csat["peer_median"] == pytest.approx(4.2)
    assert csat["gap_to_median"] == pytest.approx(-0.1)
    assert (csat["position"], csat["ranked"], bool(csat["ahead"])) == (3, 4, False)
    assert csat["best_source"] == "P2"
    # 2023-12-31 to 2025-12-31 is 731 days: stale beyond 365
    assert csat["oldest_age_days"] == 731 and csat["stale_sources"] == "P3"
    rate = out.set_index("metric").loc["contact_rate"]
    # lower is better: median 0.2, one peer below 0.2 -> position 2 of 3, not ahead (equal to median)
    assert (rate["position"], rate["ranked"], bool(rate["ahead"])) == (2, 3, False)


def test_bad_rows_listed_with_lines(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("# comment\n" + HEADER + "P1,csat,abc,points (1-5),2025,2025-06-30,,\n"
                    "P2,no_such_metric,1,x,2025,2025-06-30,,\nP3,csat,4.1,percent,2025,30/06/2025,,\n")
    with pytest.raises(BenchmarkError) as err:
        load_benchmarks(path)
    message = str(err.value)
    assert f"{path}:3" in message and "not a number" in message
    assert f"{path}:4" in message and "unknown metric 'no_such_metric'" in message
    assert f"{path}:5" in message and "does not match" in message and "not YYYY-MM-DD" in message


def test_formatting_never_prints_nan():
    assert format_number(float("nan"), "share of contacts") == "n/a"
    assert format_number(None, "seconds") == "n/a"
    assert format_number(0.1234, "share of contacts") == "12.3%"
    assert format_number(-0.012, "share of contacts", signed=True) == "-1.2 pp"
    assert format_number(24.9205, "money per order", currency="USD") == "24.92 USD per order"
