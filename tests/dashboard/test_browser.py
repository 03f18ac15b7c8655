"""The dashboard in a real browser: each page loads without an exception box and shows its key figures.

Starts `govex dashboard`'s Streamlit command on a free loopback port over a small synthetic
warehouse (precomputed), drives Debian's Chromium through Playwright, and saves one screenshot
per page under test-artifacts/dashboard/.
"""
from __future__ import annotations

import datetime as dt
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import ibis
import pytest
import yaml

from govex.dashboard import dashboard_command, precompute_dashboard
from govex.datasets import small_marketplace
from govex.engine import Warehouse
from govex.metrics import load_targets, target_status
from govex.planning import load_scenario, plan_from_warehouse, run_scenario
from govex.reports.formatting import format_number
from govex.segments import assign_all

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]
# page url path -> texts that must be on it (headings, and figures computed in this test where noted)
PAGES = {
    "overview": ["Overview: KPIs against targets", "CSAT"],
    "segments": ["Segments (value framework)", "Sizes and profiles", "Transitions"],
    "explorer": ["Metric explorer", "95% confidence interval"],
    "moved": ["What moved and why", "Contact rate: mix vs rate by market"],
    "planning": ["Planning: staffing and cost", "FTE (base plan)", "Scenario new-market-launch side by side with the "
                 "base plan"],
    "benchmarks": ["Benchmarks", "ILLUSTRATIVE"],
}

# the planning page's scenario, written by the test so the page does not depend on whether automation pays
SCENARIO = {"name": "new-market-launch", "description": "four times the contacts, handle time 20% longer",
            "changes": [{"kind": "volume_growth", "share": 3.0}, {"kind": "handle_time_change", "share": 0.2}]}

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "growth.yaml"
    path.write_text(yaml.safe_dump(SCENARIO, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def database(tmp_path_factory, scenario_file) -> Path:
    path = tmp_path_factory.mktemp("dash") / "govex.duckdb"
    con = ibis.duckdb.connect(str(path))
    wh = Warehouse.from_frames(small_marketplace().tables, con=con)
    assign_all(wh, as_of=dt.date(2025, 12, 31))
    precompute_dashboard(wh, scenario=scenario_file)
    con.disconnect()
    return path


@pytest.fixture(scope="module")
def server(database):
    if not CHROMIUM.exists() and shutil.which("chromium") is None:
        pytest.skip("Debian chromium is not installed (apt-get install chromium); the browser test needs it")
    port = _free_port()
    process = subprocess.Popen(dashboard_command(database, port=port), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=1).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail(f"the dashboard did not start: {process.stdout.read().decode()[-2000:]}")
    yield url
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


def _wait_for_render(page, texts: list[str]) -> None:
    """Wait until every expected text is on the page and no element is still a loading skeleton."""
    for text in texts:
        page.wait_for_function("t => document.body.innerText.includes(t)", arg=text, timeout=90_000)
    page.wait_for_function("() => document.querySelectorAll('[data-testid=\"stSkeleton\"]').length === 0",
                           timeout=90_000)
    page.wait_for_timeout(1500)  # let charts finish drawing before the screenshot


@pytest.mark.parametrize("path", list(PAGES))
def test_page_renders_without_exception(server, browser, path):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/{'' if path == 'overview' else path}")  # the default page lives at the root
    _wait_for_render(page, PAGES[path])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{path}.png"), full_page=True)
    text = page.inner_text("body")
    assert page.locator('[data-testid="stException"]').count() == 0, text[:2000]
    assert "Page not found" not in text
    for expected in PAGES[path]:
        assert expected in text, f"{expected!r} missing on /{path}"
    page.close()


def test_overview_shows_csat_from_the_metric_layer(server, browser, database):
    # expected value: target_status on a fresh read-only connection to the same data, formatted as the page does
    wh = Warehouse(ibis.duckdb.connect(str(database), read_only=True))
    csat = target_status(wh, targets=[t for t in load_targets() if t.metric == "csat"]).iloc[0]
    expected = format_number(csat["value_to_date"], "")  # the card shows the bare figure; the unit is in its label
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(server)
    _wait_for_render(page, PAGES["overview"])
    assert expected in page.inner_text("body")
    page.close()


def test_planning_shows_the_scenario_fte_change(server, browser, scenario_file):
    # expected value: the planning module run on the same data and scenario, independently of the precomputed
    # tables, formatted as the page's metric card (signed, one decimal)
    built = plan_from_warehouse(Warehouse.from_frames(small_marketplace().tables))
    result = run_scenario(built.inputs, load_scenario(scenario_file), built.plan.settings)
    fte_delta = result.comparison.set_index("queue").loc["TOTAL", "fte_delta"]
    assert abs(fte_delta) >= 0.05, "the test scenario must move staffing, or the card check below proves nothing"
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/planning")
    _wait_for_render(page, PAGES["planning"])
    card = page.locator('[data-testid="stMetric"]', has_text="FTE change").inner_text()
    assert f"{fte_delta:+,.1f}" in card, card
    page.close()
