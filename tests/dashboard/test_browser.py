"""The dashboard in a real browser: each page loads without an exception box and shows its key figures,
and each filter change shows the metric layer's figures for the new slice, with the state in the URL.

Starts `govex dashboard`'s Streamlit command on a free loopback port over a small synthetic
warehouse (precomputed), drives Debian's Chromium through Playwright, and saves one screenshot
per page and filter state under test-artifacts/dashboard/.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import ibis
import pandas as pd
import pytest
import yaml

from govex.dashboard import dashboard_command, precompute_dashboard
from govex.datasets import small_marketplace
from govex.engine import Warehouse
from govex.metrics import compute_metrics
from govex.metrics.compute import shipped_catalogue
from govex.planning import load_scenario, plan_from_warehouse, run_scenario
from govex.reports.formatting import format_number
from govex.segments import assign_and_count

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
               "--disable-sync", "--no-first-run"]
# page url path -> texts that must be on it (headings, and figures computed in this test where noted)
PAGES = {
    "overview": ["KPIs for 2025-Q4: all customers", "CSAT", "On track"],
    "segments": ["Segments (value framework)", "size and service by segment", "Transitions"],
    "explorer": ["Metric explorer", "95% confidence interval"],
    "moved": ["What moved: all customers", "By carrier"],
    "planning": ["Planning: staffing and cost", "FTE (base plan)", "Scenario new-market-launch side by side with the "
                 "base plan"],
    "benchmarks": ["Benchmarks", "ILLUSTRATIVE"],
    "programmes": ["Service recovery and education", "Compensation", "CSAT after recovery", "Onboarding help",
                   "Seller education"],
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
    assign_and_count(wh, as_of=dt.date(2025, 12, 31))
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


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _no_exception(page) -> None:
    text = page.inner_text("body")
    assert page.locator('[data-testid="stException"]').count() == 0, text[:2000]
    assert "Page not found" not in text


@pytest.mark.parametrize("path", [*PAGES, ""])
def test_page_renders_without_exception(server, browser, path):
    page = browser.new_page(viewport={"width": 1400, "height": 2000})
    page.goto(f"{server}/{path}")  # "" is the root, which opens the overview as /overview does
    expected = PAGES[path or "overview"]
    _wait_for_render(page, expected)
    _shot(page, path or "root")
    _no_exception(page)
    text = page.inner_text("body")
    for words in expected:
        assert words in text, f"{words!r} missing on /{path}"
    page.close()


@pytest.fixture(scope="module")
def reader(database):
    """A second read-only connection to the same file, for the expected values."""
    con = ibis.duckdb.connect(str(database), read_only=True)
    yield Warehouse(con)
    con.disconnect()


def _expected_card(metric: str, value: float) -> str:
    """How a KPI card prints a value (shares in %, money with the currency, counts per order per 1,000
    orders as the report reads them, counts whole)."""
    definition = shipped_catalogue()[metric]
    if definition.unit.startswith("share"):
        return f"{100 * value:.1f}%"
    if definition.unit.startswith("money"):
        return format_number(value, "money", currency="USD")
    if definition.unit in ("contacts per order", "disputes per order"):  # by hand: 1 decimal from 100 up, else 2
        return f"{1000 * value:.1f}" if 1000 * value >= 100 else f"{1000 * value:.2f}"
    return f"{value:,.0f}" if definition.kind == "count" else format_number(value, "")


def _cards(page) -> dict[str, str]:
    """KPI card title -> the value it shows."""
    out = {}
    for card in page.locator('[data-testid="stMetric"]').all():
        label = card.locator('[data-testid="stMetricLabel"]').inner_text().strip()
        out[label] = card.locator('[data-testid="stMetricValue"]').inner_text().strip()
    return out


def _pick(page, box: str, option: str) -> None:
    """Choose an option of a sidebar select box, as a user does."""
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]', has_text=box).click()
    page.get_by_role("option", name=option, exact=True).click()


def _title_of(metric: str) -> str:
    return shipped_catalogue()[metric].label


def test_market_filter_drives_every_card_and_the_url(server, browser, reader):
    # expected: `govex metrics compute --by market --period quarter`'s rows, market BR, 2025-Q4, one KPI at a time
    kpis = ["csat", "late_delivery_rate", "contact_rate", "first_contact_resolution", "dispute_rate",
            "moderation_accuracy", "aht_s", "orders", "cost_to_serve_per_order"]
    cube = compute_metrics(reader, metrics=kpis, by=["market"], period="quarter")
    q4 = cube[pd.to_datetime(cube["period_start"]) == pd.Timestamp("2025-10-01")].set_index(["market", "metric"])["value"]
    page = browser.new_page(viewport={"width": 1400, "height": 2000})
    page.goto(server)
    _wait_for_render(page, PAGES["overview"])
    before = _cards(page)
    _pick(page, "Market", "BR")
    _wait_for_render(page, ["KPIs for 2025-Q4: market BR"])
    _shot(page, "overview-market-BR")
    _no_exception(page)
    after = _cards(page)
    assert "market=BR" in page.url
    for metric in kpis:
        [title] = [t for t in after if t.startswith(_title_of(metric))]
        assert after[title] == _expected_card(metric, q4[("BR", metric)]), metric
    assert after != before  # the filter changed what the cards say
    # the shared link opens the same view in a new session
    fresh = browser.new_page(viewport={"width": 1400, "height": 2000})
    fresh.goto(page.url)
    _wait_for_render(fresh, ["KPIs for 2025-Q4: market BR"])
    assert _cards(fresh) == after
    fresh.close()
    page.close()


def test_card_clicks_through_to_what_moved_for_the_slice(server, browser, reader):
    page = browser.new_page(viewport={"width": 1400, "height": 2000})
    page.goto(f"{server}/overview?market=MX")
    _wait_for_render(page, ["KPIs for 2025-Q4: market MX"])
    page.locator('a[href*="metric=late_delivery_rate"]', has_text="What moved").click()  # the card's link
    _wait_for_render(page, ["What moved: market MX", "Late delivery rate:", "By carrier"])
    _shot(page, "moved-market-MX")
    _no_exception(page)
    assert "/moved" in page.url and "market=MX" in page.url and "metric=late_delivery_rate" in page.url
    # the headline equals the metric layer's MX late delivery rate in 2025-Q3 and 2025-Q4
    cube = compute_metrics(reader, metrics=["late_delivery_rate"], by=["market"], period="quarter")
    mx = cube[cube["market"] == "MX"].set_index(pd.to_datetime(cube.loc[cube["market"] == "MX", "period_start"]))["value"]
    headline = (f"Late delivery rate: {100 * mx[pd.Timestamp('2025-07-01')]:.1f}% in 2025-Q3, "
                f"{100 * mx[pd.Timestamp('2025-10-01')]:.1f}% in 2025-Q4")
    assert headline in page.inner_text("body")
    page.close()


def test_explorer_lists_only_the_filtered_markets_carriers(server, browser, reader):
    orders = reader.table("orders").select("market", "carrier").distinct().to_pandas()
    mine = set(orders.loc[orders["market"] == "BR", "carrier"].dropna())
    others = set(orders["carrier"].dropna()) - mine
    assert mine and others, "the check needs carriers that only other markets use"
    page = browser.new_page(viewport={"width": 1400, "height": 2000})
    page.goto(f"{server}/explorer?market=BR")
    _wait_for_render(page, ["Metric explorer: market BR"])
    page.locator('[data-testid="stSelectbox"]', has_text="Cut by").click()
    page.get_by_role("option", name="carrier", exact=True).click()
    _wait_for_render(page, ["Metric explorer: market BR", "Carrier in this slice, largest first: "])
    _shot(page, "explorer-market-BR-carrier")
    _no_exception(page)
    listed = page.get_by_text("Carrier in this slice, largest first: ").inner_text()
    listed = listed.split(": ", 1)[1].split(".")[0].split(", ")
    carriers = set(listed) - {"(none)"}  # '(none)': responses not about an order
    assert carriers and carriers <= mine, f"carriers listed {listed}, BR's {sorted(mine)}"
    page.close()


def test_journey_filter_says_which_kpis_it_cannot_cut(server, browser):
    page = browser.new_page(viewport={"width": 1400, "height": 2000})
    page.goto(f"{server}/overview?journey=dispute")
    _wait_for_render(page, ["KPIs for 2025-Q4: journey dispute"])
    _no_exception(page)
    assert "Not shown: not measured by journey." in page.inner_text("body")
    assert "journey=dispute" in page.url
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


def _in_units(value: float, programme: str) -> str:
    """The effect as an executive reads it, by hand: points of repurchase, CSAT points, contacts per 1,000
    orders, violations per seller-year (three significant figures)."""
    if programme == "compensation":
        return f"{100 * value:+.1f} pp"
    if programme == "csat":  # two decimals from one point up, else three without trailing zeros
        return (f"{value:+.2f}" if abs(value) >= 1 else f"{value:+.3f}".rstrip("0")) + " points (1-5)"
    if programme == "onboarding":
        assert 1 <= abs(1000 * value) < 100, value  # two decimals in this range
        return f"{1000 * value:+.2f} contacts per 1,000 orders"
    assert 0.001 <= abs(value) < 1, value  # three decimals, trailing zeros dropped
    return f"{value:+.3f}".rstrip("0") + " violations per seller-year"


def test_programmes_page_shows_the_analysis_figures(server, browser, reader):
    # expected: the analysis functions run again on a second connection, written out by hand in their units
    from govex.analysis.recovery import compensation_effect, csat_effect, onboarding_effect
    from govex.analysis.seller_education import seller_education_effect
    from govex.errors import GovexError

    page = browser.new_page(viewport={"width": 1400, "height": 2400})
    page.goto(f"{server}/programmes")
    _wait_for_render(page, PAGES["programmes"])
    _shot(page, "programmes")
    _no_exception(page)
    body = page.inner_text("body")
    tables = " ".join(page.locator('[data-testid="stDataFrame"]').all_text_contents())
    measured, small = 0, 0
    for name, measure, who in (("compensation", compensation_effect, "customers"),
                               ("csat", lambda wh: csat_effect(compensation_effect(wh).units), "surveyed customers"),
                               ("onboarding", onboarding_effect, "customers"),
                               ("seller", seller_education_effect, "sellers")):
        try:
            e = measure(reader).effect
        except GovexError as exc:  # the page says why instead
            assert f"Not measured: {exc}" in body
            continue
        measured += 1
        for label, value in (("Adjusted effect", e.estimate), ("Naive difference", e.naive)):
            figure, unit = _in_units(value, name).split(" ", 1)
            card = page.locator('[data-testid="stMetric"]', has_text=label).nth(measured - 1)
            assert card.locator('[data-testid="stMetricValue"]').inner_text().strip() == figure, card.inner_text()
            assert (unit if name != "compensation" else "percentage points") in card.inner_text()
        low, high = _in_units(e.ci_low, name), _in_units(e.ci_high, name)
        assert f"90% interval {low.split(' ')[0]} to {high}" in body, (low, high)
        assert f"{e.treated:,} of {e.units:,} {who}" in body
        assert all(str(s).replace("_", " ") in tables for s in e.by_segment["segment"]), tables  # names as words
        note = f"Small sample: {e.treated:,} treated, read with care"
        if min(e.treated, e.units - e.treated) < 30:  # fewer than 30 on one side: the report's sample rule
            small += 1
            assert note in body
        else:
            assert note not in body
    assert "_" not in tables  # no snake_case names
    assert not re.search(r"\d (pp|contacts per|violations per|points \()", tables), tables  # units in the headers only
    assert measured >= 2  # compensation and onboarding help are planted even in the small marketplace
    assert small >= 1  # the academy enrols few sellers here: without one small sample the note goes unchecked
    page.close()
