"""Warehouse-driven planning and the `govex plan` commands on a tiny DuckDB warehouse built here."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from govex.cli.main import app
from govex.engine import Warehouse
from govex.planning import plan_from_warehouse
from govex.planning.history import contacts_by_interval

DAYS = 42
FIRST = pd.Timestamp("2025-03-03")  # Monday
WEEKLY = np.array([1.2, 1.1, 1.0, 1.0, 0.9, 0.7, 0.6])


def _contacts(rng) -> pd.DataFrame:
    rows = []
    for queue, channel, level, vendor in (("fulfilment_phone", "phone", 60, "V1"), ("fulfilment_chat", "chat", 40, "V1"),
                                          ("return_email", "email", 25, "V2")):
        for d in range(DAYS):
            n = rng.poisson(level * WEEKLY[d % 7])
            seconds = pd.to_timedelta(rng.uniform(8 * 3600, 20 * 3600, n), unit="s")
            created = (FIRST + pd.Timedelta(days=d) + seconds).floor("s")
            rows.append(pd.DataFrame({
                "queue": queue, "channel": channel, "created_at": created,
                "reason": rng.choice(["where_is_my_order", "refund_status"], n, p=[0.6, 0.4]),
                "handle_time_s": rng.gamma(4.0, 75.0, n), "vendor_id": vendor, "market": "GB", "automated": False,
            }))
    frame = pd.concat(rows, ignore_index=True)
    frame["contact_id"] = [f"c{i}" for i in range(len(frame))]
    return frame


@pytest.fixture(scope="module")
def frames():
    rng = np.random.default_rng(11)
    contacts = _contacts(rng)
    n_cases = 600
    cases = pd.DataFrame({
        "case_id": [f"m{i}" for i in range(n_cases)], "policy": "counterfeit", "market": "GB", "automated": False,
        "created_at": (FIRST + pd.to_timedelta(rng.uniform(0, DAYS * 86400, n_cases), unit="s")).floor("s"),
        "handle_time_s": rng.gamma(3.0, 60.0, n_cases), "vendor_id": "V3",
    })
    vendors = pd.DataFrame({
        "vendor_id": ["V1", "V2", "V3"], "vendor_name": ["A", "B", "C"],
        "function": ["customer_service", "customer_service", "moderation"], "site": ["x", "y", "z"],
        "languages": ["en", "en,de", "en"], "pricing_model": ["per_hour", "per_fte_month", "per_transaction"],
        "rate": [20.0, 3000.0, 0.5], "currency": ["EUR", "USD", "USD"],
        "capacity_hours_week": [5000.0, 5000.0, 5000.0], "min_commit_hours_week": [0.0, 0.0, 0.0],
        "ramp_up_weeks": [2.0, 2.0, 2.0], "qa_target": [0.95, 0.95, 0.95],
    })
    fx = pd.DataFrame({"currency": ["EUR", "USD"], "valid_from": pd.to_datetime(["2020-01-01"] * 2).date,
                       "rate_to_reporting": [1.0, 0.9]})
    staffing = pd.DataFrame({
        "date": [pd.Timestamp("2025-03-03").date()] * 2, "queue": ["fulfilment_phone", "return_email"],
        "vendor_id": ["V1", "V2"], "planned_hours": [100.0, 50.0], "actual_hours": [110.0, 50.0],
        "productive_hours": [80.0, 40.0], "planned_cost": [2000.0, 1000.0], "currency": ["EUR", "USD"],
        "actual_cost": [2310.0, 1100.0],
    })
    orders = pd.DataFrame({"order_id": ["o1"], "ordered_at": [FIRST]})
    return {"contacts": contacts, "moderation_cases": cases, "vendors": vendors, "fx_rates": fx,
            "staffing": staffing, "orders": orders}


@pytest.fixture(scope="module")
def db(frames, tmp_path_factory):
    path = tmp_path_factory.mktemp("wh") / "plan.duckdb"
    wh = Warehouse.open(f"duckdb:///{path}")
    for name, frame in frames.items():
        wh.con.create_table(name, frame, overwrite=True)
    wh.con.disconnect()
    return path


def test_contacts_by_interval_matches_pandas(frames):
    # independent: floor to 30 minutes and count in pandas
    c = frames["contacts"]
    expected = (c.assign(period_start=c.created_at.dt.floor("30min"))
                .groupby(["queue", "reason", "period_start"]).size().rename("contacts").reset_index())
    got = contacts_by_interval(Warehouse.from_frames({"contacts": c}))
    merged = expected.merge(got, on=["queue", "reason", "period_start"], how="outer", suffixes=("", "_got"))
    assert len(merged) == len(expected) and (merged.contacts == merged.contacts_got).all()


def test_plan_from_warehouse(frames):
    result = plan_from_warehouse(Warehouse.from_frames(frames))
    q = result.plan.queues.set_index("queue")
    assert set(q.index) == {"fulfilment_phone", "fulfilment_chat", "return_email", "moderation_counterfeit"}
    assert result.plan.settings.currency == "EUR"
    # per-transaction moderation vendor: 0.5 USD x 0.9 EUR per case
    mod = q.loc["moderation_counterfeit"]
    assert mod.cost_week == pytest.approx(0.45 * mod.contacts_week)
    # the plan week's phone volume is near the weekly mean of the planted process (60 x sum(WEEKLY))
    assert q.loc["fulfilment_phone", "contacts_week"] == pytest.approx(60 * WEEKLY.sum(), rel=0.15)
    assert "holdout accuracy" in result.summary()


def test_plan_staffs_the_50th_and_90th_percentile_and_states_its_assumptions(frames):
    result = plan_from_warehouse(Warehouse.from_frames(frames))
    pct = result.percentiles.set_index("queue")
    assert set(pct.index) == set(result.plan.queues.queue)
    assert (pct.fte_p90 >= pct.fte_p50).all() and (pct.peak_agents_p90 >= pct.peak_agents_p50).all()
    # Poisson-scale noise at least: the live phone queue needs more agents at p90 than at p50
    assert pct.loc["fulfilment_phone", "fte_p90"] > pct.loc["fulfilment_phone", "fte_p50"]
    text = result.summary()
    assert "50th / 90th percentile" in text and "shrinkage 30%" in text and "costs in EUR" in text
    assert result.assumptions["shrinkage"] == 0.3


def test_plan_without_vendors_prices_in_the_reporting_currency(frames):
    # no vendors: in-house rate, in the reporting currency (USD by default; the fx_rates unit when loaded)
    bare = plan_from_warehouse(Warehouse.from_frames({"contacts": frames["contacts"]}), include_moderation=False)
    assert bare.plan.settings.currency == "USD"
    assert "priced at the assumed in-house rate of 30.00 USD per paid hour" in bare.summary()
    with_fx = plan_from_warehouse(Warehouse.from_frames({"contacts": frames["contacts"], "fx_rates": frames["fx_rates"]}))
    assert with_fx.plan.settings.currency == "EUR"


runner = CliRunner()


def test_cli_staff_json_contract():
    out = runner.invoke(app, ["plan", "staff", "--calls", "100", "--interval-s", "1800", "--aht-s", "180",
                              "--answer-s", "20", "--target-sl", "0.8", "--shrinkage", "0.3", "--max-occupancy", "0.85",
                              "--json"])
    assert out.exit_code == 0, out.output
    payload = json.loads(out.output)
    # Call Centre Helper worked example: 14 agents, 20 with 30 % shrinkage
    assert payload["agents"] == 14 and payload["agents_with_shrinkage"] == 20
    assert set(payload) >= {"agents", "agents_with_shrinkage", "service_level", "asa_s", "p_wait", "occupancy",
                            "p_abandon"}


def test_cli_staff_evaluates_agents():
    out = runner.invoke(app, ["plan", "staff", "--calls", "60", "--interval-s", "3600", "--aht-s", "60",
                              "--answer-s", "60", "--agents", "2", "--json"])
    # hand case: A = 1, N = 2 -> P(wait) = 1/3, ASA = 20 s
    payload = json.loads(out.output)
    assert payload["p_wait"] == pytest.approx(1 / 3) and payload["asa_s"] == pytest.approx(20)


def test_cli_staff_db(db):
    out = runner.invoke(app, ["plan", "staff", "--db", str(db)])
    assert out.exit_code == 0, out.output
    assert "fulfilment_phone" in out.output and "FTE" in out.output


def test_cli_forecast(db):
    out = runner.invoke(app, ["plan", "forecast", "--db", str(db), "--json", "--horizon-days", "7"])
    assert out.exit_code == 0, out.output
    acc = pd.DataFrame(json.loads(out.output)["accuracy"])
    assert set(acc.queue) == {"fulfilment_phone", "fulfilment_chat", "return_email"}
    assert {"wape", "mase", "baseline_wape"} <= set(acc.columns)


def test_cli_forecast_model_choice_and_windows(db):
    out = runner.invoke(app, ["plan", "forecast", "--db", str(db), "--model", "seasonal_naive", "--json",
                              "--horizon-days", "7", "--holdout-days", "7"])
    assert out.exit_code == 0, out.output
    payload = json.loads(out.output)
    acc = pd.DataFrame(payload["accuracy"])
    assert set(acc.model) == {"seasonal_naive"} and payload["skipped"] == {}
    # 42 days from Monday 2025-03-03: the holdout is the last 7, training the 35 before
    assert set(acc.holdout_start) == {"2025-04-07"} and set(acc.train_end) == {"2025-04-06"}
    rows = pd.DataFrame(payload["forecast"])
    assert (rows.p10 <= rows.forecast).all() and (rows.forecast <= rows.p90).all()
    text = runner.invoke(app, ["plan", "forecast", "--db", str(db), "--horizon-days", "7", "--holdout-days", "7"])
    assert text.exit_code == 0, text.output
    assert "fulfilment_phone: trained 2025-03-03 to 2025-04-06" in text.output
    assert "holdout 2025-04-07 to 2025-04-13" in text.output and "verdict" in text.output
    assert "the busiest day with its p10-p90 band" in " ".join(text.output.split())
    bad = runner.invoke(app, ["plan", "forecast", "--db", str(db), "--model", "prophet"])
    assert bad.exit_code != 0 and "--model: expected auto or one of seasonal_naive" in str(bad.exception)


def test_cli_cost(db):
    out = runner.invoke(app, ["plan", "cost", "--db", str(db), "--json"])
    assert out.exit_code == 0, out.output
    rows = pd.DataFrame(json.loads(out.output)["rows"]).set_index("queue")
    # USD row converted at 0.9: planned 900, actual 990; hours effect 0, rate effect 90
    assert rows.loc["return_email", "planned_cost"] == pytest.approx(900)
    assert rows.loc["return_email", "rate_effect"] == pytest.approx(90)
    # EUR row: 10 more hours at the planned 20/h = 200, then 110 h x (21 - 20) = 110
    assert rows.loc["fulfilment_phone", "hours_effect"] == pytest.approx(200)
    assert rows.loc["fulfilment_phone", "rate_effect"] == pytest.approx(110)
    assert rows.loc["fulfilment_phone", "utilisation"] == pytest.approx(80 / 110)


def test_cli_allocate_problem_file(tmp_path):
    spec = tmp_path / "p.yaml"
    spec.write_text(
        "vendors:\n"
        "  - {vendor_id: V1, rate: 20, capacity_hours_week: 60, languages: en}\n"
        "  - {vendor_id: V2, rate: 30, capacity_hours_week: 100, languages: en}\n"
        "queues:\n  - {queue: Q, hours_week: 100, handle_time_s: 300}\n"
        "budget:\n  budget: 30\n  step: 1\n  cells:\n"
        "    - {domain: moderation, market: DE, scale: 100, saturation: 10}\n"
        "    - {domain: customer_service, market: FR, scale: 100, saturation: 10}\n")
    out = runner.invoke(app, ["plan", "allocate", "--problem", str(spec), "--json"])
    assert out.exit_code == 0, out.output
    payload = json.loads(out.output)
    assert payload["routing"]["total_cost_week"] == pytest.approx(2400)  # 60 x 20 + 40 x 30
    assert [c["spend"] for c in payload["budget"]["allocation"]] == pytest.approx([15, 15])  # identical curves


def test_cli_allocate_infeasible_is_explained(tmp_path):
    spec = tmp_path / "p.yaml"
    spec.write_text("vendors:\n  - {vendor_id: V1, rate: 20, capacity_hours_week: 60, languages: en}\n"
                    "queues:\n  - {queue: Q, hours_week: 100, handle_time_s: 300}\n")
    out = runner.invoke(app, ["plan", "allocate", "--problem", str(spec)])
    assert out.exit_code != 0
    assert "binding constraint group is capacity" in str(out.exception)


def test_cli_allocate_from_warehouse(db):
    out = runner.invoke(app, ["plan", "allocate", "--db", str(db), "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["routing"]["currency"] == "EUR"


def test_cli_scenario(db, tmp_path):
    spec = tmp_path / "s.yaml"
    spec.write_text("name: wismo-bot\nchanges:\n  - kind: deflect\n    reason: where_is_my_order\n    share: 0.35\n")
    out = runner.invoke(app, ["plan", "scenario", str(spec), "--db", str(db), "--json"])
    assert out.exit_code == 0, out.output
    comp = pd.DataFrame(json.loads(out.output)["comparison"]).set_index("queue")
    # 35 % of the where_is_my_order share (about 60 %) of every contact queue is removed
    phone = comp.loc["fulfilment_phone"]
    assert phone.contacts_delta / phone.contacts_base == pytest.approx(-0.35 * 0.6, abs=0.05)
    assert comp.loc["moderation_counterfeit", "contacts_delta"] == 0
    assert comp.loc["TOTAL", "fte_delta"] < 0


def test_cli_vendor_without_capacity(frames, tmp_path):
    import subprocess
    import sys

    broken = dict(frames)
    broken["vendors"] = frames["vendors"].assign(capacity_hours_week=[0.0, 5000.0, 5000.0])
    path = tmp_path / "broken.duckdb"
    wh = Warehouse.open(f"duckdb:///{path}")
    for name, frame in broken.items():
        wh.con.create_table(name, frame, overwrite=True)
    wh.con.disconnect()
    proc = subprocess.run([sys.executable, "-m", "govex", "plan", "staff", "--db", str(path)], capture_output=True,
                          text=True)
    assert proc.returncode == 1
    assert "V1" in proc.stderr and "no capacity" in proc.stderr and "Traceback" not in proc.stderr


def test_plan_vs_actual_with_plan_drivers(frames):
    from govex.planning import plan_vs_actual

    # volumes are counted on the staffing day only (2025-03-03), independently here
    c = frames["contacts"]
    day = c[c.created_at.dt.normalize() == FIRST]
    phone = day[day.queue == "fulfilment_phone"]
    drivers = pd.DataFrame({"queue": ["fulfilment_phone", "return_email"], "vendor_id": ["V1", "V2"],
                            "contacts": [60.0, 25.0], "handle_time_s": [300.0, 300.0],
                            "utilisation": [0.8, 0.8], "shrinkage": [0.3, 0.3]})
    report = plan_vs_actual(Warehouse.from_frames(frames), plan_drivers=drivers)
    row = report.table.set_index("queue").loc["fulfilment_phone"]
    assert row.contacts == len(phone)
    assert row.handle_time_s == pytest.approx(phone.handle_time_s.mean())
    # volume effect: (actual - planned contacts) x 300 s / 3600 / 0.8 / 0.7 x planned rate 20 per paid hour
    assert row.volume_effect == pytest.approx((len(phone) - 60) * 300 / 3600 / 0.8 / 0.7 * 20)
    effects = row[["volume_effect", "handle_time_effect", "utilisation_effect", "shrinkage_effect", "rate_effect"]]
    plan_cost = 60 * 300 / 3600 / 0.8 / 0.7 * 20
    # actual driver cost: actual contacts x AHT / actual utilisation / (1 - planned shrinkage) x actual rate,
    # with utilisation = productive / (paid x (1 - shrinkage)) = 80 / (110 x 0.7) and rate 2310 / 110
    actual_util = min(80 / (110 * 0.7), 1.0)
    actual_cost = len(phone) * phone.handle_time_s.mean() / 3600 / actual_util / 0.7 * (2310 / 110)
    assert effects.sum() == pytest.approx(actual_cost - plan_cost)
