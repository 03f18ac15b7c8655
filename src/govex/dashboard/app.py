"""The govex Streamlit dashboard over one DuckDB file.

Run through `govex dashboard --db FILE`, which starts `streamlit run` on this file with the
database path after `--`. The sidebar filters (market, journey, segment, period) drive the KPI
cards, the segment table, the explorer and what moved: those are queried live from the metric
layer (`govex.dashboard.slices`) on a read-only connection per browser session, each distinct
query cached for every session. Segment health, transitions, the anomaly scan, the plan and
benchmarks are precomputed `dash_*` tables (whole base), and say so when a filter is on.
The filter state lives in the URL, so a view can be shared.
"""
from __future__ import annotations

import argparse
import math
import sys

import altair as alt
import pandas as pd
import streamlit as st

from govex.analysis.materiality import EvidenceRules, judge
from govex.dashboard.precompute import TABLES
from govex.dashboard.slices import (GRAINS, KPI_METRICS, NOT_IN_WAREHOUSE, Filters, kpi_cards, periods_with_data,
                                    segment_date, selected_period, slice_change, slice_cube, tables_present)
from govex.errors import GovexError
from govex.metrics import DEFAULT_REPORTING_CURRENCY
from govex.reports.charts import OKABE_ITO, STATUS_COLOURS
from govex.reports.formatting import (MISSING, bare_number, counted, display_scale, format_interval, format_number,
                                      is_money, is_share, per_order_count, per_thousand, readable)
from govex.reports.moved import cause_level, explains
from govex.reports.recovery import CONTACTS, CSAT_POINTS, REPURCHASE, VIOLATIONS, bare, effect_cell, unit_after
from govex.reports.segments import drawable_health

CURRENCY = DEFAULT_REPORTING_CURRENCY  # compute_metrics' default, so the cards equal `govex metrics compute`
SMALL_SAMPLE = 100  # below this many units behind a card, its interval is printed on the card
TOP_SERIES = 6  # lines drawn in a cut; the rest are pooled as "other"
BADGE = {"on track": "green", "at risk": "orange", "off track": "red", "no target": "gray"}
BETTER, WORSE = OKABE_ITO[2], OKABE_ITO[3]  # bluish green, vermillion: read by colour-blind eyes too
ALL = "(all)"


def _db_path() -> str:
    parser = argparse.ArgumentParser(prog="govex dashboard")
    parser.add_argument("--db", required=True)
    return parser.parse_args(sys.argv[1:]).db


def _warehouse(db: str):
    """This browser session's read-only connection (DuckDB connections are not shared across threads)."""
    if "warehouse" not in st.session_state:
        import ibis

        from govex.engine import Warehouse

        st.session_state["warehouse"] = Warehouse(ibis.duckdb.connect(db, read_only=True), url=f"duckdb:///{db}")
    return st.session_state["warehouse"]


@st.cache_data
def _read(db: str, key: str) -> pd.DataFrame | None:
    wh = _warehouse(db)
    name = TABLES[key]
    return wh.table(name).to_pandas() if wh.has(name) else None


@st.cache_data
def _status(db: str) -> dict[str, str]:
    frame = _read(db, "status")
    return {} if frame is None else dict(zip(frame["part"], frame["reason"]))


@st.cache_data
def _catalogue_info() -> pd.DataFrame:
    from govex.metrics.compute import shipped_catalogue

    cat = shipped_catalogue()
    return pd.DataFrame([{"metric": n, "label": cat[n].label, "unit": cat[n].unit, "direction": cat[n].direction,
                          "kind": cat[n].kind, "description": cat[n].description,
                          "dimensions": list(cat.allowed[n]) + (["segment:value", "segment:lifecycle", "segment:risk"]
                                                                  if cat.segment_ok[n] else [])}
                         for n in cat.names()]).set_index("metric")


@st.cache_data
def _targets():
    from govex.metrics import load_targets

    return load_targets()


@st.cache_data(show_spinner="Computing the KPIs for this slice from the metric layer ...")
def _cards(db: str, state: tuple) -> pd.DataFrame:
    return kpi_cards(_warehouse(db), Filters(*state), _targets())


@st.cache_data(show_spinner=False)
def _periods(db: str, grain: str) -> list:
    return periods_with_data(_warehouse(db), grain)


@st.cache_data(show_spinner="Computing from the metric layer ...")
def _cube(db: str, state: tuple, metrics: tuple, by: tuple, grain: str, end) -> tuple[pd.DataFrame, dict]:
    return slice_cube(_warehouse(db), list(metrics), Filters(*state), by=list(by), period=grain, end=end)


@st.cache_data(show_spinner="Splitting the change over its cells ...")
def _change(db: str, state: tuple, metric: str):
    try:
        return slice_change(_warehouse(db), Filters(*state), metric)
    except GovexError as exc:
        return str(exc)


@st.cache_data(show_spinner=False)
def _options(db: str) -> dict[str, list[str]]:
    """Values the filters offer: markets and journeys present, segments of each framework."""
    from govex.segments import ASSIGNMENTS_TABLE

    wh = _warehouse(db)
    out = {"market": [], "journey": [], "framework": []}
    if wh.has("orders"):
        out["market"] = sorted(wh.table("orders").select("market").distinct().to_pandas()["market"].dropna())
    if wh.has("contacts"):
        out["journey"] = sorted(wh.table("contacts").select("journey").distinct().to_pandas()["journey"].dropna())
    if wh.has(ASSIGNMENTS_TABLE):
        t = wh.table(ASSIGNMENTS_TABLE)
        frame = t.filter(t.entity == "customer").select("framework", "segment").distinct().to_pandas()
        for framework, rows in frame.groupby("framework"):
            out["framework"].append(framework)
            out[f"segments:{framework}"] = sorted(rows["segment"])
    return out


def _absent(db: str, part: str, what: str, *, fix: str = "after loading the data") -> None:
    reason = (_status(db).get(part) or "the dashboard tables have not been precomputed").split(";")[0].rstrip(".")
    st.info(f"{what} is absent: {reason}. Run `govex dashboard --db FILE --precompute` {fix}.")


def _read_or_absent(db: str, key: str, what: str, *, part: str | None = None,
                    fix: str = "after loading the data") -> pd.DataFrame | None:
    """A page's precomputed table, or None after saying why it is absent (`part` defaults to `key`)."""
    frame = _read(db, key)
    if frame is None:
        _absent(db, part or key, what, fix=fix)
    return frame


def _signed(value: float, *, digits: int) -> str:
    """A change with its sign, never '-0.0' for a change that rounds to nothing."""
    return f"{round(float(value), digits) + 0.0:+,.{digits}f}"


def _label(metric: str) -> str:
    info = _catalogue_info()
    return info.loc[metric, "label"] if metric in info.index else metric


def _unit(metric: str) -> str:
    info = _catalogue_info()
    return info.loc[metric, "unit"] if metric in info.index else ""


def _unit_words(unit: str) -> str:
    """A unit as a heading reads it: '% of contacts', 'USD per order', 'points 1-5'."""
    if is_share(unit):
        return unit.replace("share of", "% of", 1)
    if is_money(unit):
        return f"{CURRENCY} {unit.split(' ', 1)[1]}" if " " in unit else CURRENCY
    if per_order_count(unit):  # as the report reads it: contacts per 1,000 orders
        return per_thousand(unit)
    return unit.replace("(", "").replace(")", "")


def _titled(metric: str) -> str:
    """'Contact rate (contacts per order)', 'Orders' (never 'Orders, orders'), 'Late delivery rate'."""
    label, unit = _label(metric), _unit(metric)
    words = "" if is_share(unit) else _unit_words(unit)  # a share reads as a % already
    return label if not words or words.lower() in label.lower() else f"{label} ({words})"


def _figure(metric: str, value: float, *, signed: bool = False) -> str:
    """A value in the metric's unit, its unit already in the title: 71.2%, 5.68 USD, 9,438."""
    unit = _unit(metric)
    if value is None or pd.isna(value):
        return MISSING
    if is_share(unit):
        return format_number(value, unit, signed=signed)
    if is_money(unit):
        return format_number(value, "money", currency=CURRENCY, signed=signed)
    if per_order_count(unit):
        return bare_number(value, unit, signed=signed)
    is_count = _catalogue_info().loc[metric, "kind"] in ("count", "distinct_count")
    return format_number(value, "count" if is_count else "", signed=signed)


def _change_figure(metric: str, change: float, level: float) -> str:
    """A change with as many decimals as its level shows (4.13 -> +0.06; 0.00718 -> +0.00001), never 1e-05."""
    unit = _unit(metric)
    if is_share(unit) or is_money(unit) or _catalogue_info().loc[metric, "kind"] in ("count", "distinct_count") \
            or pd.isna(level) or level == 0:
        text = _figure(metric, change, signed=True)
    else:
        scale = display_scale(unit)[0]  # per-order counts read per 1,000 orders
        change, size = change * scale, abs(level) * scale
        decimals = 0 if size >= 1000 else 1 if size >= 100 else max(2, 2 - math.floor(math.log10(size)))
        text = f"{round(change, decimals) + 0.0:+,.{decimals}f}"
    return text if any(digit in text for digit in "123456789") else text.lstrip("+-")  # never '-0.0 pp'


def _plot_scale(metric: str) -> float:
    """Charts read as the figures: shares in %, per-order counts per 1,000 orders."""
    return display_scale(_unit(metric))[0]


# ---------------------------------------------------------------- filters and the URL

def _filters(db: str) -> Filters:
    """Sidebar controls, seeded from the URL when a session opens, and written back to it on each run."""
    options = _options(db)
    params = st.query_params
    if "filters_loaded" not in st.session_state:  # a shared link opens on the view it names
        st.session_state["filters_loaded"] = True
        for key in ("market", "journey", "segment", "period", "framework", "grain"):
            if key in params:
                st.session_state[key] = params[key]
    for key, allowed in (("market", options["market"]), ("journey", options["journey"])):
        if st.session_state.get(key) not in [ALL, *allowed]:
            st.session_state[key] = ALL
    if st.session_state.get("grain") not in GRAINS:
        st.session_state["grain"] = GRAINS[0]
    frameworks = options["framework"] or ["value"]
    if st.session_state.get("framework") not in frameworks:
        st.session_state["framework"] = "value" if "value" in frameworks else frameworks[0]
    side = st.sidebar
    side.selectbox("Market", [ALL, *options["market"]], key="market", format_func=lambda v: "All markets" if v == ALL else v)
    side.selectbox("Journey", [ALL, *options["journey"]], key="journey",
                   format_func=lambda v: "All journeys" if v == ALL else v.replace("_", " "))
    side.selectbox("Segment framework", frameworks, key="framework")
    segments = options.get(f"segments:{st.session_state['framework']}", [])
    if st.session_state.get("segment") not in [ALL, *segments]:
        st.session_state["segment"] = ALL
    side.selectbox("Segment", [ALL, *segments], key="segment", format_func=lambda v: "All segments" if v == ALL else v)
    side.radio("Period length", GRAINS, key="grain", horizontal=True)
    periods = [p.label for p in _periods(db, st.session_state["grain"])] if options["market"] else []
    if periods and st.session_state.get("period") not in periods:
        st.session_state["period"] = periods[-1]
    if periods:
        side.selectbox("Period", periods[::-1], key="period")
    pick = {k: (None if st.session_state.get(k) in (ALL, None) else st.session_state[k])
            for k in ("market", "journey", "segment")}
    filters = Filters(**pick, framework=st.session_state["framework"], period=st.session_state.get("period"),
                      grain=st.session_state["grain"])
    shared = {k: v for k, v in params.to_dict().items() if k == "metric"}  # a page's own choice stays in the link
    if params.to_dict() != {**filters.query(), **shared}:
        st.query_params.from_dict({**filters.query(), **shared})
    st.sidebar.caption("The link in the address bar opens this view.")
    return filters


def _current() -> Filters:
    """The filters the sidebar set on this run (all, when a page runs on its own, as in tests)."""
    return st.session_state.get("filters", Filters())


def _state(filters: Filters) -> tuple:
    """The filters as a cache key (positional, in the dataclass's field order)."""
    return (filters.market, filters.journey, filters.framework, filters.segment, filters.period, filters.grain)


def _no_orders(db: str) -> bool:
    if not _warehouse(db).has("orders"):
        st.info("This warehouse has no orders table, which every KPI and period here is measured against.")
        return True
    return False


# ---------------------------------------------------------------- charts

def _trend_chart(frame: pd.DataFrame, metric: str, *, target: float | None = None, target_label: str = "") -> alt.Chart:
    """A metric over periods: the value line, its 95% interval as a band, the target as a dashed rule;
    the axis fits the data (and the target), not zero."""
    scale = _plot_scale(metric)
    data = frame.assign(value=frame["value"] * scale, ci_low=frame["ci_low"] * scale, ci_high=frame["ci_high"] * scale)
    axis = alt.Axis(title=_unit_words(_unit(metric)))
    x = alt.X("period:O", title=None, sort=list(data["period"]), axis=alt.Axis(labelAngle=0))
    band = alt.Chart(data).mark_area(opacity=0.2, color=OKABE_ITO[0]).encode(
        x=x, y=alt.Y("ci_low:Q", scale=alt.Scale(zero=False), axis=axis), y2="ci_high:Q")
    line = alt.Chart(data).mark_line(point=True, color=OKABE_ITO[0]).encode(
        x=x, y=alt.Y("value:Q", scale=alt.Scale(zero=False)),
        tooltip=["period", alt.Tooltip("value:Q", format=",.3~f"), alt.Tooltip("n:Q", format=",.0f", title="sample")])
    layers = [band, line]
    if target is not None and pd.notna(target):
        rule = pd.DataFrame({"target": [target * scale], "label": [target_label]})
        layers.append(alt.Chart(rule).mark_rule(strokeDash=[6, 4], color=WORSE).encode(y="target:Q", tooltip=["label"]))
        layers.append(alt.Chart(rule).mark_text(align="left", dx=4, dy=-6, color=WORSE).encode(
            y="target:Q", x=alt.value(0), text="label"))
    return alt.layer(*layers).properties(height=320)


def _lines_chart(wide: pd.DataFrame, metric: str, dimension: str) -> alt.Chart:
    long = wide.reset_index().melt(id_vars="period", var_name="series", value_name="value")
    long["value"] *= _plot_scale(metric) if metric else 1.0
    names = [str(n) for n in wide.columns]
    title = _dimension_words(dimension)  # a field name with ':' would read as an encoding type
    return alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("period:O", title=None, sort=list(wide.index), axis=alt.Axis(labelAngle=0, labelOverlap=True)),
        y=alt.Y("value:Q", scale=alt.Scale(zero=False), title=_unit_words(_unit(metric)) if metric else "score"),
        color=alt.Color("series:N", sort=names, title=title,
                        scale=alt.Scale(domain=names, range=[OKABE_ITO[i % len(OKABE_ITO)] for i in range(len(names))])),
        tooltip=[alt.Tooltip("series:N", title=title), "period", alt.Tooltip("value:Q", format=",.3~f")]
    ).properties(height=360)


def _signed_bars(frame: pd.DataFrame, *, category: str, value: str, better: pd.Series, title: str) -> alt.Chart:
    """Horizontal bars coloured by whether each one is good news (direction-aware), labels never cut off."""
    data = frame.assign(reading=better.map({True: "better", False: "worse"}))
    return alt.Chart(data).mark_bar().encode(
        y=alt.Y(f"{category}:N", sort=list(data[category]), title=None, axis=alt.Axis(labelLimit=320)),
        x=alt.X(f"{value}:Q", title=title),
        color=alt.Color("reading:N", scale=alt.Scale(domain=["better", "worse"], range=[BETTER, WORSE]),
                        legend=alt.Legend(title=None, orient="bottom")),
        tooltip=[category, alt.Tooltip(f"{value}:Q", format=",.3~f")]).properties(height=alt.Step(26))


# ---------------------------------------------------------------- pages

def _legend() -> None:
    st.markdown("Status against target: :green-badge[On track] :orange-badge[At risk: misses by 5% or less] "
                ":red-badge[Off track] :gray-badge[No target for this slice and period] · the arrow shows the change "
                "against the previous period, green when it is an improvement and red when it is a deterioration.")


def _card(column, row, filters: Filters) -> None:
    metric = row.metric
    with column.container(border=True):
        if row.absent:
            st.metric(_titled(metric), MISSING, help=_catalogue_info().loc[metric, "description"])
            st.caption(f"Not shown: {row.absent}.")
            return
        history = [v * _plot_scale(metric) for _, v in row.history]
        shift = _change_figure(metric, row.change, row.value) if pd.notna(row.change) else ""
        flat = bool(shift) and not any(digit in shift for digit in "123456789")  # rounds to nothing: no arrow
        change = f"{shift} vs {row.previous_period}" if shift else None
        direction = _catalogue_info().loc[metric, "direction"]
        st.metric(_titled(metric), _figure(metric, row.value), change,
                  delta_color="off" if flat else "normal" if direction == "higher" else "inverse",
                  delta_arrow="off" if flat else "auto", chart_data=history or None,
                  help=f"{_catalogue_info().loc[metric, 'description']} 95% interval "
                       f"{_figure(metric, row.ci_low)} to {_figure(metric, row.ci_high)}; sample {row.n:,.0f}.")
        target = (f"target {_figure(metric, row.target)} ({row.target_source})" if pd.notna(row.target)
                  else f"compared with {row.previous_period} only")
        st.markdown(f":{BADGE[row.status]}-badge[{row.status.capitalize()}] {target}")
        if row.n < SMALL_SAMPLE:
            st.caption(f"Small sample ({row.n:,.0f}): the 95% interval runs from {_figure(metric, row.ci_low)} to "
                       f"{_figure(metric, row.ci_high)}.")
        if "moved" in _PAGES:  # a page run on its own (tests) has no navigation to link to
            st.page_link(_PAGES["moved"], label="What moved", icon=":material/arrow_forward:",
                         query_params={**filters.query(), "metric": metric})


def _kpi_table(cards: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for r in cards.itertuples():
        rows.append({"KPI": _titled(r.metric), r.period: _figure(r.metric, r.value),
                     "95% interval": MISSING if pd.isna(r.ci_low) else f"{_figure(r.metric, r.ci_low)} to {_figure(r.metric, r.ci_high)}",
                     "Target": _figure(r.metric, r.target), "Status": r.status if not r.absent else r.absent,
                     r.previous_period: _figure(r.metric, r.previous),
                     "Change": _change_figure(r.metric, r.change, r.value),
                     "Sample": MISSING if pd.isna(r.n) else f"{r.n:,.0f}"})
    return pd.DataFrame(rows)


def overview(db: str) -> None:
    filters = _current()
    if _no_orders(db):
        return
    cards = _cards(db, _state(filters))
    period = cards["period"].iloc[0]
    st.title(f"KPIs for {period}: {filters.describe()}")
    through = cards["through"].iloc[0]
    if through < selected_period(filters, _periods(db, filters.grain)).end:
        st.warning(f"{period} is not over: the data end on {through}, so counts cover part of the period.")
    _legend()
    if filters.segment:
        st.caption(f"Segment membership as of {segment_date(_warehouse(db), filters.framework)} (the latest assignment).")
    missing = cards[cards["absent"] == NOT_IN_WAREHOUSE]
    if len(missing):
        st.info(f"Not in this warehouse (their tables are absent): {', '.join(map(_label, missing['metric']))}.")
    cards = cards[cards["absent"] != NOT_IN_WAREHOUSE]
    columns = st.columns(3)
    for i, row in enumerate(cards.itertuples()):
        _card(columns[i % 3], row, filters)
    st.subheader("KPI table")
    st.dataframe(_kpi_table(cards), hide_index=True, width="stretch")
    shown = [m for m in cards.loc[cards["absent"] == "", "metric"]]
    if not shown:
        return
    metric = st.selectbox("Trend of", shown, format_func=_label, key="trend_metric")
    ends = {p.label: p for p in _periods(db, filters.grain)}
    cube, _ = _cube(db, _state(filters), (metric,), (), filters.grain, ends[period].end)
    cube = cube.assign(period=[p.label for p in map(_period_of(filters.grain), cube["period_start"])])
    card = cards.set_index("metric").loc[metric]
    st.subheader(f"{_titled(metric)} by {filters.grain}, {filters.describe()}")
    st.caption("Shaded: 95% confidence interval." + (f" Dashed: the {period} target ({card['target_source']})."
                                                     if pd.notna(card["target"]) else ""))
    st.altair_chart(_trend_chart(cube, metric, target=card["target"] if pd.notna(card["target"]) else None,
                                 target_label=f"target {_figure(metric, card['target'])}"), width="stretch")


def _period_of(grain: str):
    from govex.reports.period import period_containing

    return lambda start: period_containing(pd.Timestamp(start).date(), grain=grain)


def segments(db: str) -> None:
    filters = _current()
    framework = filters.framework
    st.title(f"Segments ({framework} framework): {filters.describe()}")
    if _no_orders(db):
        return
    if f"segments:{framework}" not in _options(db):
        _absent(db, "segments", "Segment data", fix="after `govex segment`")
        return
    period = selected_period(filters, _periods(db, filters.grain))
    whole = Filters(filters.market, filters.journey, framework, None, filters.period, filters.grain)
    metrics = ("active_customers", "orders", "gmv", "csat", "contact_rate", "dispute_rate")
    cube, left_out = _cube(db, _state(whole), metrics, (f"segment:{framework}",), filters.grain, period.end)
    total, _ = _cube(db, _state(whole), metrics, (), filters.grain, period.end)
    day = pd.Timestamp(period.start)
    cube, total = cube[pd.to_datetime(cube["period_start"]) == day], total[pd.to_datetime(total["period_start"]) == day]
    wide = cube.pivot_table(index=f"segment:{framework}", columns="metric", values="value", aggfunc="first")
    wide.loc[f"Total ({filters.describe()})"] = total.set_index("metric")["value"]
    if filters.segment:
        wide = wide.loc[[s for s in wide.index if s == filters.segment or s.startswith("Total")]]
    st.subheader(f"{period.label}: size and service by segment")
    st.caption(f"Membership as of {segment_date(_warehouse(db), framework)}; figures from the metric layer for the slice "
               "and period. Active customers placed an order in the period.")
    if left_out:
        st.caption("Not shown: " + "; ".join(f"{_label(m)} ({why})" for m, why in left_out.items()) + ".")
    table = pd.DataFrame({"Segment": wide.index})
    for metric in [m for m in metrics if m in wide.columns]:
        table[_titled(metric)] = [_figure(metric, v) for v in wide[metric]]
    st.dataframe(table, hide_index=True, width="stretch")
    if "active_customers" in wide.columns:
        bars = wide.drop(index=[i for i in wide.index if i.startswith("Total")])["active_customers"].reset_index()
        bars.columns = ["segment", "customers"]
        st.altair_chart(alt.Chart(bars).mark_bar(color=OKABE_ITO[0]).encode(
            x=alt.X("segment:N", sort="-y", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("customers:Q", title="active customers"),
            tooltip=["segment", alt.Tooltip("customers:Q", format=",.0f")]).properties(height=260),
            width="stretch")
    note = " (whole base: not filtered by market, journey or segment)" if filters.cuts() else ""
    _segment_health(db, framework, note)
    st.subheader(f"Transitions{note}")
    transitions = _read(db, "transitions")
    if transitions is None or not (transitions["framework"] == framework).any():
        _absent(db, "transitions", "A transition matrix")
    else:
        t = transitions[transitions["framework"] == framework]
        st.caption(f"Customers by segment at {pd.Timestamp(t['from_date'].iloc[0]).date()} (rows) and "
                   f"{pd.Timestamp(t['to_date'].iloc[0]).date()} (columns)")
        matrix = t.pivot(index="from_segment", columns="to_segment", values="customers")
        st.dataframe(matrix.map(lambda v: f"{v:,.0f}"), width="stretch")


def _segment_health(db: str, framework: str, note: str) -> None:
    """The precomputed health by month, a month on too few orders left out as in the report."""
    health = _read(db, "segment_health")
    if health is None or not (health["framework"] == framework).any():
        st.info(f"Segment health is precomputed for the value, lifecycle and risk frameworks, not {framework}.")
        return
    st.subheader(f"Health by month, 50 = average{note}")
    wide_health = drawable_health(health[health["framework"] == framework])
    wide_health.index = pd.Index(wide_health.index.strftime("%Y-%m"), name="period")
    thin = f"fewer than {EvidenceRules().min_sample} orders"
    if wide_health.empty:
        st.info(f"Every segment's monthly score rests on {thin}, too few to show.")
        return
    st.caption(f"A month whose score rests on {thin} is left out, as in the report.")
    st.altair_chart(_lines_chart(wide_health, "", "segment"), width="stretch")


def explorer(db: str) -> None:
    filters = _current()
    st.title(f"Metric explorer: {filters.describe()}")
    if _no_orders(db):
        return
    info = _catalogue_info()
    names = list(info.index)
    metric = st.selectbox("Metric", names, index=names.index(KPI_METRICS[0]), format_func=_titled, key="explore_metric")
    frameworks = _options(db)["framework"]
    dims = ["(none)"] + [d for d in info.loc[metric, "dimensions"] if d not in filters.cuts()
                         and (not d.startswith("segment:") or d.split(":", 1)[1] in frameworks)]
    default = dims.index(f"segment:{filters.framework}") if f"segment:{filters.framework}" in dims else 0
    dimension = st.selectbox("Cut by", dims, index=default, key="explore_cut", format_func=_dimension_words)
    grain = st.radio("Period", ["month", "week", "quarter"], horizontal=True, key="explore_grain")
    period = selected_period(filters, _periods(db, filters.grain))
    cube, left_out = _cube(db, _state(filters), (metric,), () if dimension == "(none)" else (dimension,), grain,
                           period.end)
    if left_out:
        st.info(f"{_label(metric)} is {left_out[metric]}: clear that filter to see it.")
        return
    if cube.empty:
        st.info(f"{_label(metric)} has no data for {filters.describe()}.")
        return
    cube = cube.assign(period=pd.to_datetime(cube["period_start"]).dt.strftime("%Y-%m" if grain == "month" else "%Y-%m-%d"))
    if grain == "quarter":
        cube["period"] = [p.label for p in map(_period_of("quarter"), cube["period_start"])]
    st.caption(f"{_titled(metric)} up to the end of {period.label}, from the metric layer; shaded: 95% confidence interval.")
    if dimension == "(none)":
        st.altair_chart(_trend_chart(cube, metric), width="stretch")
    else:
        wide, note = _top_series(cube, metric, dimension)
        by_volume = cube.groupby(dimension)["n"].sum().sort_values(ascending=False).index
        st.caption(f"{_dimension_words(dimension).capitalize()} in this slice, largest first: "
                   f"{', '.join(map(str, by_volume))}. {note}")
        st.altair_chart(_lines_chart(wide, metric, dimension), width="stretch")
    table = pd.DataFrame({"Period": cube["period"]})
    if dimension != "(none)":
        table[_dimension_words(dimension)] = cube[dimension].to_numpy()
    table[_titled(metric)] = [_figure(metric, v) for v in cube["value"]]
    table["95% interval"] = [f"{_figure(metric, lo)} to {_figure(metric, hi)}" for lo, hi in zip(cube["ci_low"], cube["ci_high"])]
    table["Sample"] = [f"{n:,.0f}" if pd.notna(n) else MISSING for n in cube["n"]]
    st.dataframe(table, hide_index=True, width="stretch")


def _dimension_words(dimension: str) -> str:
    """'segment:value' -> 'value segment', 'seller_tier' -> 'seller tier', '(none)' -> 'nothing (one line)'."""
    if dimension == "(none)":
        return "nothing (one line)"
    if dimension.startswith("segment:"):
        return f"{dimension.split(':', 1)[1]} segment"
    return dimension.replace("_", " ").replace("vendor id", "vendor")


def _top_series(cube: pd.DataFrame, metric: str, dimension: str) -> tuple[pd.DataFrame, str]:
    """The largest cells by volume as lines, the rest pooled as 'other' from their numerators and
    denominators (the metric's own sufficient statistics) where the metric is a ratio or a count."""
    volume = cube.groupby(dimension)["n"].sum().sort_values(ascending=False)
    top = list(volume.index[:TOP_SERIES])
    wide = cube[cube[dimension].isin(top)].pivot_table(index="period", columns=dimension, values="value", aggfunc="first")
    wide = wide[top]
    rest = cube[~cube[dimension].isin(top)]
    if rest.empty:
        return wide, ""
    kind = _catalogue_info().loc[metric, "kind"]
    others = rest[dimension].nunique()
    if kind in ("count", "sum"):
        wide["other"] = rest.groupby("period")["value"].sum()
    elif kind in ("proportion", "rate", "ratio", "mean"):
        from govex.metrics.compute import shipped_catalogue

        sums = rest.groupby("period")[["numerator", "denominator"]].sum()
        wide["other"] = shipped_catalogue()[metric].per * sums["numerator"] / sums["denominator"]
    else:
        return wide, f"The {TOP_SERIES} largest of {volume.size} are drawn; the {others} others are in the table."
    return wide, f"The {TOP_SERIES} largest of {volume.size} by volume; 'other' pools the remaining {others}."


def moved(db: str) -> None:
    filters = _current()
    st.title(f"What moved: {filters.describe()}")
    if _no_orders(db):
        return
    metrics = [m for m in KPI_METRICS if _catalogue_info().loc[m, "kind"] not in ("tree", "percentile")
               and tables_present(_warehouse(db), m)]
    asked = st.query_params.get("metric")
    if asked in metrics and st.session_state.get("moved_metric") != asked and "moved_seen" not in st.session_state:
        st.session_state["moved_metric"] = asked
    st.session_state["moved_seen"] = True
    metric = st.selectbox("KPI", metrics, format_func=_titled, key="moved_metric")
    if st.query_params.get("metric") != metric:
        st.query_params["metric"] = metric
    change = _change(db, _state(filters), metric)
    if isinstance(change, str):
        st.info(change)
    else:
        _slice_change(metric, change)
    note = " (whole base, weekly; not filtered)" if filters.cuts() else " (weekly)"
    anomalies = _read_or_absent(db, "anomalies", "The anomaly scan", part="moved")
    if anomalies is not None:
        st.subheader(f"Anomalies and their root causes{note}")
        if anomalies.empty:
            st.caption("No week stands out in the weekly series of the KPIs this warehouse supports.")
        else:
            st.dataframe(_anomaly_table(anomalies), hide_index=True, width="stretch")


def _slice_change(metric: str, change) -> None:
    direction = _catalogue_info().loc[metric, "direction"]
    delta = change.value_after - change.value_before
    good = (delta > 0) == (direction == "higher")
    st.subheader(f"{_titled(metric)}: {_figure(metric, change.value_before)} in {change.before}, "
                 f"{_figure(metric, change.value_after)} in {change.after}")
    shift = _change_figure(metric, delta, change.value_after)
    verdict = "no change at this precision" if not any(d in shift for d in "123456789") else "better" if good else "worse"
    st.caption(f"A change of {shift} ({verdict}). "
               "Each cut below splits it exactly over its cells (for ratios: the mix of volume and each cell's own rate).")
    for dim, cells in change.cells.groupby("dimension", sort=False):
        cells = cells.reindex(cells["contribution"].abs().sort_values(ascending=False).index).head(8)
        scale = _plot_scale(metric)
        shown = cells.assign(contribution=cells["contribution"] * scale)
        better = (cells["contribution"] > 0) == (direction == "higher")
        st.markdown(f"**By {dim.replace('_', ' ')}**")
        left, right = st.columns([3, 2])
        left.altair_chart(_signed_bars(shown, category="cell", value="contribution", better=better,
                                       title=f"contribution to the change ({_unit_words(_unit(metric))})"),
                          width="stretch")
        right.dataframe(pd.DataFrame({dim.replace("_", " "): cells["cell"], change.before: [_figure(metric, v) for v in cells["before"]],
                                      change.after: [_figure(metric, v) for v in cells["after"]],
                                      "contribution": [_figure(metric, v, signed=True) for v in cells["contribution"]]}),
                        hide_index=True, width="stretch")
    for dim, why in change.skipped.items():
        st.caption(f"Not split by {dim}: {why}.")


def _anomaly_table(anomalies: pd.DataFrame) -> pd.DataFrame:
    """The causes as the report's What-moved table reads them: a rate in the KPI's unit or a count of its
    events, and no share for a cause that moved against the change or overshot it."""
    from govex.metrics.compute import shipped_catalogue

    catalogue = shipped_catalogue()

    def level(r, value: float) -> str:
        if pd.isna(value):
            return MISSING
        amount, unit = cause_level(catalogue[r.metric], r.measure, value)
        return _figure(r.metric, amount) if r.measure == "ratio" else format_number(amount, unit, currency=CURRENCY)

    rows = []
    for r in anomalies.itertuples():
        rows.append({"KPI": _titled(r.metric), "Week": pd.Timestamp(r.after).date() if pd.notna(r.after) else MISSING,
                     "Compared with": pd.Timestamp(r.before).date() if pd.notna(r.before) else MISSING,
                     "Cause": str(r.cause).replace("=", ": ").replace(" & ", ", "),
                     "Expected": level(r, r.expected), "Actual": level(r, r.actual),
                     "Share of the change explained": f"{100 * r.explained_share:.0f}%" if explains(r.explained_share)
                     else MISSING})
    return pd.DataFrame(rows)


def planning(db: str) -> None:
    st.title("Planning: staffing and cost")
    if _current().cuts():
        st.caption("The plan covers every queue; the market, journey and segment filters do not apply to it.")
    plan = _read_or_absent(db, "plan", "The staffing plan")
    if plan is None:
        return
    currency = plan["currency"].iloc[0]
    a, b = st.columns(2)
    a.metric("FTE (base plan)", f"{plan['fte'].sum():,.1f}")
    b.metric(f"Cost per week ({currency})", f"{plan['cost_week'].sum():,.0f}")
    scenario = _read_or_absent(db, "scenario", "A scenario to compare with the base plan",
                               fix="--scenario FILE.yaml to compare your own")
    if scenario is not None:
        total = scenario[scenario["queue"] == "TOTAL"].iloc[0]
        st.subheader(f"Scenario {scenario['scenario'].iloc[0]} side by side with the base plan")
        st.caption(f"{scenario['description'].iloc[0]} (from the {scenario['origin'].iloc[0]})")
        c1, c2, c3 = st.columns(3)
        c1.metric("FTE change", _signed(total["fte_delta"], digits=1), delta_color="off")
        c2.metric(f"Cost change per week ({currency})", _signed(total["cost_delta"], digits=0))
        c3.metric("Service level change", f"{_signed(100 * total['service_level_delta'], digits=1)} pp")
        queues = scenario[scenario["queue"] != "TOTAL"]
        moved = queues[(queues["fte_scenario"] - queues["fte_base"]).abs() >= 0.005]
        moved = moved.reindex((moved["fte_scenario"] - moved["fte_base"]).abs().sort_values(ascending=False).index)
        st.caption(f"Queues whose staffing changes ({len(moved)} of {len(queues)}), largest change first; "
                   "the table lists every queue.")
        queues = moved.head(15)
        fte = queues.melt(id_vars="queue", value_vars=["fte_base", "fte_scenario"], var_name="plan", value_name="FTE")
        fte["plan"] = fte["plan"].map({"fte_base": "base plan", "fte_scenario": "scenario"})
        if len(queues):  # a step per bar: a fixed height with a bottom legend hid every other queue's label
            st.altair_chart(alt.Chart(fte).mark_bar().encode(
                y=alt.Y("queue:N", title=None, sort=list(queues["queue"]), axis=alt.Axis(labelLimit=320)),
                yOffset="plan:N", x=alt.X("FTE:Q"),
                color=alt.Color("plan:N", scale=alt.Scale(range=[OKABE_ITO[0], OKABE_ITO[1]]),
                                legend=alt.Legend(title=None, orient="bottom"))
            ).properties(height=alt.Step(14)), width="stretch")
        st.dataframe(_readable(scenario.drop(columns=["scenario", "description", "origin"]), currency),
                     hide_index=True, width="stretch")
    st.subheader("Base plan by queue")
    st.dataframe(_readable(plan.drop(columns=["currency"]), currency), hide_index=True, width="stretch")


def _readable(frame: pd.DataFrame, currency: str) -> pd.DataFrame:
    """Column names as words and numbers formatted for reading (shares in %, money with its currency)."""
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        name = column.replace("_", " ").replace("fte", "FTE").replace(" s ", " (s) ")
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            if "service_level" in column or column.endswith("share") or column.endswith("rate"):
                out[name] = [format_number(v, "share", signed="delta" in column) for v in values]
            elif "cost" in column:
                out[f"{name} ({currency})"] = [format_number(v, "count", signed="delta" in column) for v in values]
            else:
                out[name] = [format_number(v, "", signed="delta" in column) for v in values]
        else:
            out[name] = values.astype(str)
    return out


def benchmarks(db: str) -> None:
    st.title("Benchmarks")
    if _current().cuts():
        st.caption("Peers publish whole-company figures, so the comparison is for the whole base; filters do not apply.")
    position = _read_or_absent(db, "benchmarks", "Benchmark position")
    if position is None:
        return
    if position["illustrative"].all():
        st.warning("ILLUSTRATIVE benchmark figures: fictitious peers with invented values that only show the format.")
    info = _catalogue_info()
    frame = position.copy()
    sign = frame["metric"].map(lambda m: -1.0 if info.loc[m, "direction"] == "lower" else 1.0)
    frame["better_pct"] = 100 * sign * frame["gap_to_median"] / frame["peer_median"].abs()
    frame["KPI"] = frame["metric"].map(_label)
    frame = frame.sort_values("better_pct", ascending=False)
    st.subheader(f"Internal value against the peer median, {frame['period'].iloc[0]}")
    st.caption("Bars right of zero: better than the median peer (lower is better for rates of problems and costs).")
    st.altair_chart(_signed_bars(frame, category="KPI", value="better_pct", better=frame["better_pct"] >= 0,
                                 title="% better (+) or worse (-) than the peer median"), width="stretch")
    shown = pd.DataFrame({"KPI": frame["metric"].map(_titled),  # with its unit: 'Dispute rate (disputes per 1,000 orders)'
                          "Internal": [_figure(m, v) for m, v in zip(frame["metric"], frame["internal"])],
                          "Peer median": [_figure(m, v) for m, v in zip(frame["metric"], frame["peer_median"])],
                          "Better than median": [f"{v:+.0f}%" for v in frame["better_pct"]],
                          "Rank (1 = best)": [f"{p} of {n}" for p, n in zip(frame["position"], frame["ranked"])],
                          "Best peer": [f"{s}: {_figure(m, v)}" for s, m, v in
                                        zip(frame["best_source"], frame["metric"], frame["best_value"])],
                          "Newest peer figure": pd.to_datetime(frame["newest_date"]).dt.date.astype(str)})
    st.dataframe(shown, hide_index=True, width="stretch")


def _rows_height(rows: int) -> int:
    """Pixels that show every row of a small table without an inner scroll bar (Streamlit's 35 px rows and header)."""
    return 38 + 35 * rows


def decisions(db: str) -> None:
    st.title("Decisions")
    playbook = _read(db, "playbook")
    if playbook is None:
        st.info("No playbook was given when the dashboard tables were computed: run `govex dashboard --db DB "
                "--precompute --playbook FILE` (`govex playbook draft` writes one to start from; see docs/impact.md).")
        return
    from govex.reports.playbook import PLANNED_COLUMNS, STARTED_COLUMNS

    st.caption("Each play names its own segment and markets: the sidebar filters do not apply here.")
    # tables written before plays were split into started and planned show every play as started
    started = playbook["started"].astype(bool) if "started" in playbook else pd.Series(True, index=playbook.index)
    if started.any():
        st.subheader("Started plays: did they work?")
        st.caption("Status: the KPI since each play's start measured against the other markets or segments "
                   "(difference-in-differences, synthetic control or interrupted time series), against its expected effect.")
        st.dataframe(playbook[started][list(STARTED_COLUMNS)], hide_index=True, width="stretch",
                     height=_rows_height(int(started.sum())))
    if (~started).any():
        st.subheader("Planned plays")
        st.dataframe(playbook[~started][list(PLANNED_COLUMNS)], hide_index=True, width="stretch",
                     height=_rows_height(int((~started).sum())))
    portfolio = _read(db, "portfolio")
    if portfolio is not None:
        st.subheader("Portfolio within budget")
        st.dataframe(portfolio, hide_index=True, width="stretch")


def sellers(db: str) -> None:
    """Seller segments as written by `govex segment --entity seller`, and the high-risk sellers with their reasons."""
    from govex.segments.store import ASSIGNMENTS_TABLE, read_assignments

    st.title("Sellers")
    wh = _warehouse(db)
    rows = read_assignments(wh, entity="seller").to_pandas() if wh.has(ASSIGNMENTS_TABLE) else pd.DataFrame()
    if rows.empty:
        st.info("No seller segments yet: run `govex segment --entity seller`, then reload this page.")
        return
    sizes = rows.groupby(["framework", "segment"], sort=False).size().rename("sellers").reset_index()
    sizes["share"] = sizes["sellers"] / sizes.groupby("framework")["sellers"].transform("sum")
    st.subheader(f"Seller segments as of {pd.Timestamp(rows['as_of'].max()).date()}")
    st.dataframe(sizes.assign(share=[f"{v:.1%}" for v in sizes["share"]]), hide_index=True, width="stretch")
    high = rows[(rows["framework"] == "seller_risk") & (rows["segment"] == "high")].sort_values("score", ascending=False)
    st.subheader(f"High-risk sellers ({len(high):,})")
    st.caption("Score: the weighted shrunk rates over those of an average seller; reasons: the signals pushing it up most.")
    st.dataframe(pd.DataFrame({"seller": high["entity_id"], "score": high["score"].round(2),
                               "reasons": high["reasons"].str.replace(";", ", ")}), hide_index=True, width="stretch")


def _whole_range_page(db: str, title: str, table: str, missing: str):
    """The title of a page computed from one table over the whole range, and its warehouse; None after
    saying `missing` when the table is absent."""
    st.title(title)
    wh = _warehouse(db)
    if not wh.has(table):
        st.info(missing)
        return None
    return wh


def moderation(db: str) -> None:
    """Moderation operations over the whole range: the transparency counts and overturns by vendor and policy."""
    from govex.metrics import compute_metrics
    from govex.metrics.transparency import TABLE, transparency_counts

    wh = _whole_range_page(db, "Moderation operations", TABLE, f"This warehouse has no {TABLE} table.")
    if wh is None:
        return
    result = transparency_counts(wh)
    total = result.overall
    st.caption("Cases by creation day over the whole range; the sidebar filters do not apply here. "
               "`govex moderation transparency` exports the same counts as CSV and JSON.")
    columns = st.columns(4)
    columns[0].metric("Cases", f"{total['cases']:,}")
    hours = total["median_hours_to_action"]
    columns[1].metric("Median hours, report to action", MISSING if hours is None else f"{hours:.1f}")
    columns[2].metric("Appealed", f"{total['appeals_filed']:,}")
    decided = total["appeals_decided"]
    columns[3].metric("Overturned on appeal", f"{total['overturned'] / decided:.0%}" if decided else MISSING)
    for dimension in ("policy", "detection_source", "automated"):
        st.subheader(f"By {dimension.replace('_', ' ')}")
        st.dataframe(result.totals[dimension], hide_index=True, width="stretch")
    cells = compute_metrics(wh, metrics=["moderation_overturn_rate"], by=["vendor_id", "policy"], period="all")
    cells = cells[cells["vendor_id"] != "(none)"].sort_values("ci_low", ascending=False)
    st.subheader("Overturn rate on appeal by vendor and policy, surest first")
    st.dataframe(cells[["vendor_id", "policy", "denominator", "value", "ci_low", "ci_high"]].rename(
        columns={"denominator": "decided appeals", "value": "overturned"}), hide_index=True, width="stretch")


def standards(db: str) -> None:
    """Promised vs delivered per tier and journey over the last whole quarter (`govex policy promises`)."""
    from govex.policy.promises import PROMISES_TABLE
    from govex.policy.standards import service_standards

    wh = _whole_range_page(db, "Service standards: promised vs delivered", PROMISES_TABLE,
                           f"No {PROMISES_TABLE} table yet: run `govex policy promises`, then reload this page.")
    if wh is None:
        return
    result = service_standards(wh)
    misses = result.misses()
    st.caption(f"{result.start} to {result.end}, every customer contact in a policy journey; a tier misses a promise "
               f"where under {result.target:.0%} of its contacts got it. The sidebar filters do not apply here.")
    columns = st.columns(3)
    columns[0].metric("Tier x journey cells missing a promise", f"{len(misses):,} of {len(result.table):,}")
    columns[1].metric("Contacts answered late", f"{int(result.table.missed_first_response.sum()):,}")
    columns[2].metric("Contacts resolved late or open", f"{int(result.table.missed_resolution.sum()):,}")
    shown = ["tier", "journey", "first_response_s", "first_response_met", "missed_first_response", "resolution_h",
             "resolution_met", "missed_resolution", "csat_gap"]
    st.subheader("Promises missed, largest first")
    st.dataframe(misses[shown], hide_index=True, width="stretch")
    st.subheader("CSAT after a missed promise minus after a kept one, by tier (all journeys)")
    st.dataframe(result.csat_by_tier, hide_index=True, width="stretch")


# each programme's outcome unit (as the report prints it), whom its units count and the unit in words
_PROGRAMME_UNITS = {"compensation": (REPURCHASE, "customers", "percentage points (pp) of repurchase"),
                    "CSAT after recovery": (CSAT_POINTS, "surveyed customers", "CSAT points (1-5)"),
                    "onboarding help": (CONTACTS, "customers", per_thousand(CONTACTS)),
                    "seller education": (VIOLATIONS, "sellers", VIOLATIONS)}


def programmes(db: str) -> None:
    """Service recovery and education: each programme's adjusted effect as precomputed (`dash_programme_effects`)."""
    st.title("Service recovery and education")
    effects = _read_or_absent(db, "programmes", "The programme effects")
    if effects is None:
        return
    segments = _read(db, "programme_segments")
    st.caption("Whole range; the sidebar filters do not apply here. Nobody was given these programmes at random, so "
               "each effect is adjusted for who got them (doubly robust AIPW, see docs/service-recovery.md and "
               "docs/sellers.md), with its 90% interval; the naive difference of means is shown beside it. "
               "`govex recovery` and `govex sellers education` print the same figures.")
    for row in effects.itertuples():
        st.subheader(row.programme[0].upper() + row.programme[1:])
        if row.absent:
            st.info(f"Not measured: {row.absent}")
            continue
        unit, who, words = _PROGRAMME_UNITS[row.programme]
        treated, units = int(row.treated), int(row.units)
        st.caption(f"{row.description}: effect on {row.outcome}")
        columns = st.columns(2)
        columns[0].metric(f"Adjusted effect, {words}", bare(row.estimate, unit))
        columns[0].caption(f"{row.level:.0%} interval {format_interval(row.ci_low, row.ci_high, unit, signed=True)}")
        columns[1].metric(f"Naive difference, {words}", bare(row.naive, unit))
        columns[1].caption("those who got it minus those who did not, unadjusted")
        st.markdown(f"**{treated:,} of {units:,} {who}** got it; {counted(row.trimmed, who)} trimmed for overlap; "
                    f"covariates {'balanced' if row.balanced else 'NOT balanced'} after weighting.")
        evidence = judge(sample=min(treated, units - treated))
        if not evidence.stated:
            st.warning(f"Small sample: {treated:,} treated, read with care ({evidence.reason}).")
        rows = segments[segments["programme"] == row.programme] if segments is not None else pd.DataFrame()
        if not rows.empty:
            per = unit_after(unit)
            st.dataframe(pd.DataFrame({
                "segment": rows["segment"].map(readable), who: rows["units"], "treated": rows["treated"],
                f"adjusted effect, {per} [90% interval]": [effect_cell(e, lo, hi, unit) for e, lo, hi in
                                                           zip(rows["estimate"], rows["ci_low"], rows["ci_high"])],
                f"naive difference, {per}": [bare(v, unit) for v in rows["naive"]]}),
                hide_index=True, width="stretch", height=_rows_height(len(rows)))


_PAGES: dict[str, st.Page] = {}


def main() -> None:
    db = _db_path()
    st.set_page_config(page_title="govex dashboard", layout="wide")
    _PAGES.update({
        "overview": st.Page(lambda: overview(db), title="Overview", url_path="home", default=True),
        "segments": st.Page(lambda: segments(db), title="Segments", url_path="segments"),
        "explorer": st.Page(lambda: explorer(db), title="Metric explorer", url_path="explorer"),
        "moved": st.Page(lambda: moved(db), title="What moved", url_path="moved"),
        "planning": st.Page(lambda: planning(db), title="Planning", url_path="planning"),
        "benchmarks": st.Page(lambda: benchmarks(db), title="Benchmarks", url_path="benchmarks"),
        "decisions": st.Page(lambda: decisions(db), title="Decisions", url_path="decisions"),
        "sellers": st.Page(lambda: sellers(db), title="Sellers", url_path="sellers"),
        "moderation": st.Page(lambda: moderation(db), title="Moderation", url_path="moderation"),
        "standards": st.Page(lambda: standards(db), title="Service standards", url_path="standards"),
        "programmes": st.Page(lambda: programmes(db), title="Recovery and education", url_path="programmes"),
        # the default page is served at the root only; a link to /overview opens it too, not "Page not found"
        "overview_alias": st.Page(lambda: overview(db), title="Overview", url_path="overview", visibility="hidden"),
    })
    navigation = st.navigation(list(_PAGES.values()))
    st.session_state["filters"] = _filters(db)
    navigation.run()


if __name__ == "__main__":  # `streamlit run` executes this file as __main__; tests import the pages
    main()
