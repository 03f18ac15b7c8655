"""Targets and pacing, segment health and tree attribution, on hand-worked inputs."""
from __future__ import annotations

import math
import textwrap

import pandas as pd
import pytest

from govex.metrics import (
    CatalogueError,
    HealthConfig,
    attribute_change,
    attribute_tree,
    load_catalogue,
    load_targets,
    segment_health,
    target_status,
)
from govex.metrics.health import Component


def _targets(tmp_path, body: str):
    path = tmp_path / "targets.yaml"
    path.write_text("targets:\n" + textwrap.dedent(body))
    return path


def test_target_status_by_hand(tiny_wh, tmp_path):
    path = _targets(tmp_path, """\
      - {metric: csat, period: month, start: 2024-01-01, slice: {market: BR}, target: 3.3}
      - {metric: orders, period: month, start: 2024-01-01, slice: {market: BR}, target: 6}
      - {metric: contact_rate, period: month, start: 2024-01-01, slice: {market: BR}, change: -0.5, baseline_start: 2024-01-01}
    """)
    status = target_status(tiny_wh, targets=load_targets(path), as_of="2024-01-15").set_index("metric")
    # csat BR to 15 Jan: sv1 2, sv2 5, sv5 3 -> 10/3 over 3 responses. Last 7 days (9-15 Jan): sv5 alone, level 3,
    # 1 response per 7 days -> 16 more days add 16/7 responses at 3: forecast (10 + 48/7) / (3 + 16/7) = 118/37;
    # miss (3.3 - 118/37) / 3.3 = 3.4% <= 5% tolerance -> at risk; business gap = gap x 37/7 responses
    csat = status.loc["csat"]
    assert csat["value_to_date"] == pytest.approx(10 / 3)
    assert csat["forecast"] == pytest.approx(118 / 37)
    assert csat["status"] == "at risk"
    assert csat["gap_business"] == pytest.approx((118 / 37 - 3.3) * 37 / 7)
    # orders BR by 15 Jan: o1 o2 o3 = 3 in 15 of 31 days -> run rate 3 x 31 / 15 = 6.2 >= 6 -> on track
    orders = status.loc["orders"]
    assert orders["forecast"] == pytest.approx(6.2) and orders["status"] == "on track"
    assert orders["gap"] == pytest.approx(0.2) and orders["gap_business"] == pytest.approx(0.2)
    # contact rate BR: baseline = the whole of January, 3 contacts / 3 orders = 1; target 1 x (1 - 0.5) = 0.5;
    # to 15 Jan: 3 contacts / 3 orders = 1; last 7 days k3 over o3 = 1, so the forecast stays 1 -> off track
    contact = status.loc["contact_rate"]
    assert contact["baseline"] == pytest.approx(1.0) and contact["target"] == pytest.approx(0.5)
    assert contact["status"] == "off track"


def test_bad_targets_are_all_reported(tmp_path):
    path = _targets(tmp_path, """\
      - {metric: csat, period: month, start: 2024-01-01}
      - {metric: nope, period: month, start: 2024-01-01, target: 1}
      - {metric: late_delivery_rate, period: month, start: 2024-01-01, slice: {journey: fulfilment}, target: 0.1}
      - {metric: csat, period: month, start: 2024-01-01, change: 0.1}
    """)
    with pytest.raises(CatalogueError) as info:
        load_targets(path)
    text = str(info.value)
    assert f"{path}:2" in text and "exactly one of `target`" in text
    assert "unknown metric 'nope'" in text
    assert "cannot be cut by 'journey'" in text
    assert "needs `baseline_start`" in text


def test_segment_health_by_hand(tiny_wh):
    config = HealthConfig(framework="value", period="month",
                          components=(Component(metric="csat", weight=0.6), Component(metric="contact_rate", weight=0.4)))
    report = segment_health(tiny_wh, config=config, start="2024-01-01", end="2024-01-31")
    scores = report.scores.set_index("segment")["health"]
    # csat by segment: high 4, low 3, medium 7/2 -> mean 3.5, population sd sqrt(1/6): z = +1.2247, -1.2247, 0
    # contact rate: high 1/1, low 1/1, medium 3/4 -> mean 11/12, sd 0.11785; lower is better: z = -0.7071, -0.7071, +1.4142
    # health = 50 + 10 x (0.6 z_csat + 0.4 z_contact)
    z_csat = {"high": math.sqrt(1.5), "low": -math.sqrt(1.5), "medium": 0.0}
    z_contact = {"high": -math.sqrt(0.5), "low": -math.sqrt(0.5), "medium": math.sqrt(2)}
    for segment in ("high", "low", "medium"):
        assert scores[segment] == pytest.approx(50 + 10 * (0.6 * z_csat[segment] + 0.4 * z_contact[segment]), abs=1e-9)
    assert set(report.components["metric"]) == {"csat", "contact_rate"}
    # the orders behind each score, from the contact-rate denominators above: high 1, low 1, medium 4
    assert report.scores.set_index("segment")["orders"].to_dict() == {"high": 1.0, "low": 1.0, "medium": 4.0}
    assert report.movers.empty  # one period only


def test_health_movers_are_ranked_by_change(synth_wh):
    report = segment_health(synth_wh, start="2025-10-01", end="2025-12-31")
    movers = report.movers
    assert list(movers["change"].abs()) == sorted(movers["change"].abs(), reverse=True)
    last = report.scores[report.scores["period_start"] == report.scores["period_start"].max()].set_index("segment")
    assert movers.iloc[0]["health_after"] == pytest.approx(last.loc[movers.iloc[0]["segment"], "health"])
    assert set(movers["main_component"]) <= {c.metric for c in HealthConfig.model_validate(
        {"components": [{"metric": "csat", "weight": 1}]}).components} | set(report.components["metric"])


def test_product_attribution_is_exact_log_mean_divisia():
    catalogue = load_catalogue()
    # cs_cost_per_order = contacts/order x hours/contact x cost/hour: 0.2 x 0.1 x 50 = 1.0 -> 0.25 x 0.1 x 40 = 1.0
    before = {"cs_cost_per_order": 1.0, "assisted_contacts_per_order": 0.2, "handle_hours_per_contact": 0.1, "cs_cost_per_productive_hour": 50.0}
    after = {"cs_cost_per_order": 1.0, "assisted_contacts_per_order": 0.25, "handle_hours_per_contact": 0.1, "cs_cost_per_productive_hour": 40.0}
    parts = attribute_tree(catalogue, "cs_cost_per_order", before, after).set_index("metric")["contribution"]
    # L(1, 1) = 1: contributions ln(1.25) and ln(0.8) = -ln(1.25), handle time 0
    assert parts["assisted_contacts_per_order"] == pytest.approx(math.log(1.25))
    assert parts["cs_cost_per_productive_hour"] == pytest.approx(math.log(0.8))
    assert parts["handle_hours_per_contact"] == 0


def test_tree_attribution_on_synth_adds_up_exactly(synth_wh):
    result = attribute_change(synth_wh, metric="cost_to_serve_per_customer", before="2025-06-01", after="2025-07-01")
    from govex.metrics import compute_metrics

    values = compute_metrics(synth_wh, metrics=["cost_to_serve_per_customer"], period="month",
                             start="2025-06-01", end="2025-07-31")["value"].to_numpy()
    total = values[1] - values[0]
    for parent, rows in result.groupby("parent"):
        if parent == "cost_to_serve_per_customer":
            assert rows["contribution"].sum() == pytest.approx(total, rel=1e-9)
    leaves = result[~result["metric"].isin(result["parent"])]
    assert leaves["contribution"].sum() == pytest.approx(total, rel=1e-9)


def test_cube_write_back_is_whole_or_nothing(tiny_wh):
    from govex.errors import ConfigError
    from govex.metrics import compute_metrics, write_metric_cube

    cube = compute_metrics(tiny_wh, metrics=["csat", "orders"], by=["market"], start="2024-01-01", end="2024-01-31")
    write_metric_cube(tiny_wh, cube)
    stored = tiny_wh.con.table("metric_cube").to_pandas()
    assert len(stored) == 4 and set(stored["slice"]) == {"market=BR", "market=MX"}
    with pytest.raises(ConfigError, match="missing column"):
        write_metric_cube(tiny_wh, pd.DataFrame({"metric": ["x"]}))
    assert len(tiny_wh.con.table("metric_cube").to_pandas()) == 4  # the previous cube is untouched


def test_kpi_summary_reads_the_demo_targets(synth_wh):
    from govex.metrics import kpi_summary

    summary = kpi_summary(synth_wh)
    # the demo file holds ten targets; every status is one of the four documented states
    assert len(summary) == 10
    assert set(summary["status"]) <= {"on track", "at risk", "off track", "no data"}
