"""The govex Streamlit dashboard: pages over the precomputed `dash_*` tables of one DuckDB file.

Run through `govex dashboard --db FILE`, which starts `streamlit run` on this file with the
database path after `--`. Pages read the small precomputed tables (cached per session); only the
metric explorer queries the metric layer, and each distinct query is cached.
"""
from __future__ import annotations

import argparse
import sys

import pandas as pd
import streamlit as st

from govex.dashboard.precompute import HEADLINE_METRICS, TABLES
from govex.reports.charts import OKABE_ITO
from govex.reports.formatting import format_number, is_share


def _db_path() -> str:
    parser = argparse.ArgumentParser(prog="govex dashboard")
    parser.add_argument("--db", required=True)
    return parser.parse_args(sys.argv[1:]).db


@st.cache_resource
def _warehouse(db: str):
    import ibis

    from govex.engine import Warehouse

    return Warehouse(ibis.duckdb.connect(db, read_only=True), url=f"duckdb:///{db}")


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
                          "dimensions": list(cat.allowed[n]) + (["segment:value", "segment:lifecycle", "segment:risk"]
                                                                  if cat.segment_ok[n] else [])} for n in cat.names()])


@st.cache_data(show_spinner="Computing from the metric layer ...")
def _explore(db: str, metric: str, dimension: str, period: str) -> pd.DataFrame:
    from govex.metrics import compute_metrics

    return compute_metrics(_warehouse(db), metrics=[metric], by=[dimension] if dimension != "(none)" else [], period=period)


def _absent(db: str, part: str, what: str, *, fix: str = "after loading the data") -> None:
    reason = (_status(db).get(part) or "the dashboard tables have not been precomputed").rstrip(".")
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


def _palette(n: int) -> list[str]:
    """Okabe-Ito colours for n series (cycled beyond eight)."""
    return [OKABE_ITO[i % len(OKABE_ITO)] for i in range(n)]


def _label(metric: str) -> str:
    info = _catalogue_info().set_index("metric")
    return info.loc[metric, "label"] if metric in info.index else metric


def _unit(metric: str) -> str:
    info = _catalogue_info().set_index("metric")
    return info.loc[metric, "unit"] if metric in info.index else ""


def _months(frame: pd.DataFrame, column: str = "period_start") -> pd.DataFrame:
    start, end = st.session_state.get("months", (None, None))
    dates = pd.to_datetime(frame[column])
    if start is not None:
        frame = frame[(dates >= pd.Timestamp(start)) & (dates <= pd.Timestamp(end))]
    return frame


def overview(db: str) -> None:
    st.title("Overview: KPIs against targets")
    kpis = _read_or_absent(db, "kpis", "KPI status")
    if kpis is not None:
        st.caption(f"Targets for the period starting {pd.Timestamp(kpis['period_start'].iloc[0]).date()}; status compares "
                   "the forecast to period end with the target.")
        columns = st.columns(4)
        for i, r in enumerate(kpis.itertuples()):
            unit = _unit(r.metric)
            short = unit if is_share(unit) else ""  # long units go in the label, so the figure is not cut off
            name = _label(r.metric) + ("" if r.slice == "all" else f" ({r.slice})") + ("" if short else f", {unit}")
            columns[i % 4].metric(name, format_number(r.value_to_date, short),
                                  f"{r.status}; target {format_number(r.target, short)}", delta_color="off")
        table = kpis[["metric", "slice", "value_to_date", "target", "forecast", "status"]].copy()
        table["metric"] = table["metric"].map(_label)
        st.dataframe(table, hide_index=True, use_container_width=True)
    monthly = _read(db, "kpi_monthly")
    if monthly is not None:
        market = st.session_state.get("market", "(all)")
        metric = st.selectbox("Trend of", list(HEADLINE_METRICS), format_func=_label)
        rows = _months(monthly[(monthly["metric"] == metric) & (monthly["market"] == market)])
        st.subheader(f"{_label(metric)} by month, market {market}")
        st.line_chart(rows.set_index("period_start")[["value", "ci_low", "ci_high"]], y_label=_unit(metric),
                      x_label="month", color=[OKABE_ITO[0], OKABE_ITO[5], OKABE_ITO[1]])


def segments(db: str) -> None:
    framework = st.session_state.get("framework", "value")
    st.title(f"Segments ({framework} framework)")
    sizes = _read_or_absent(db, "segment_sizes", "Segment data", part="segments")
    if sizes is None:
        return
    mine = sizes[sizes["framework"] == framework]
    st.subheader("Sizes and profiles")
    st.bar_chart(mine.set_index("segment")["customers"], y_label="customers", x_label="segment", color=OKABE_ITO[0])
    st.dataframe(mine.drop(columns=["framework"]), hide_index=True, use_container_width=True)
    health = _read(db, "segment_health")
    if health is not None and (health["framework"] == framework).any():
        st.subheader("Health by month (50 = average)")
        wide = _months(health[health["framework"] == framework]).pivot(index="period_start", columns="segment", values="health")
        st.line_chart(wide, y_label="health score", x_label="month", color=_palette(wide.shape[1]))
        movers = _read(db, "segment_movers")
        st.dataframe(movers[movers["framework"] == framework], hide_index=True, use_container_width=True)
    else:
        st.info(f"Health is precomputed for the value, lifecycle and risk frameworks, not {framework}.")
    st.subheader("Transitions")
    transitions = _read(db, "transitions")
    if transitions is None or not (transitions["framework"] == framework).any():
        _absent(db, "transitions", "A transition matrix")
    else:
        t = transitions[transitions["framework"] == framework]
        st.caption(f"Customers by segment at {pd.Timestamp(t['from_date'].iloc[0]).date()} (rows) and "
                   f"{pd.Timestamp(t['to_date'].iloc[0]).date()} (columns)")
        st.dataframe(t.pivot(index="from_segment", columns="to_segment", values="customers"), use_container_width=True)


def explorer(db: str) -> None:
    st.title("Metric explorer")
    info = _catalogue_info()
    metric = st.selectbox("Metric", info["metric"], format_func=_label)
    dims = ["(none)"] + info.set_index("metric").loc[metric, "dimensions"]
    framework = st.session_state.get("framework", "value")
    default = dims.index(f"segment:{framework}") if f"segment:{framework}" in dims else 0
    dimension = st.selectbox("Cut by", dims, index=default)
    period = st.radio("Period", ["month", "week", "quarter"], horizontal=True)
    cube = _months(_explore(db, metric, dimension, period))
    market = st.session_state.get("market", "(all)")
    if dimension == "market" and market != "(all)":
        cube = cube[cube["market"] == market]
    st.caption(f"{_label(metric)} in {_unit(metric)}; 95% confidence interval per cell (ci_low, ci_high).")
    if dimension == "(none)":
        st.line_chart(cube.set_index("period_start")[["value", "ci_low", "ci_high"]], y_label=_unit(metric), x_label=period)
    else:
        wide = cube.pivot_table(index="period_start", columns=dimension, values="value")
        st.line_chart(wide, y_label=_unit(metric), x_label=period, color=_palette(wide.shape[1]))
    st.dataframe(cube, hide_index=True, use_container_width=True)


def moved(db: str) -> None:
    st.title("What moved and why")
    anomalies = _read_or_absent(db, "anomalies", "The anomaly scan", part="moved")
    if anomalies is not None:
        st.subheader("Anomalies and their root causes (weekly)")
        frame = anomalies.copy()
        frame["metric"] = frame["metric"].map(_label)
        frame = frame.astype(object).where(frame.notna(), "n/a")
        st.dataframe(frame, hide_index=True, use_container_width=True)
    decomposition = _read(db, "decomposition")
    if decomposition is not None:
        d = decomposition
        st.subheader("Contact rate: mix vs rate by market")
        st.caption(f"{pd.Timestamp(d['before'].iloc[0]).date()} to {pd.Timestamp(d['after'].iloc[0]).date()}: "
                   f"mix {d['mix_total'].iloc[0]:+.4f}, rate {d['rate_total'].iloc[0]:+.4f} contacts per order")
        st.bar_chart(d.set_index("market")[["mix_effect", "rate_effect"]], y_label="contacts per order", x_label="market",
                     color=[OKABE_ITO[0], OKABE_ITO[1]], stack=False)
        st.dataframe(d, hide_index=True, use_container_width=True)


def planning(db: str) -> None:
    st.title("Planning: staffing and cost")
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
        c1.metric("FTE change", _signed(total["fte_delta"], digits=1))
        c2.metric(f"Cost change per week ({currency})", _signed(total["cost_delta"], digits=0))
        c3.metric("Service level change", f"{_signed(100 * total['service_level_delta'], digits=1)} pp")
        queues = scenario[scenario["queue"] != "TOTAL"].set_index("queue")
        fte = queues[["fte_base", "fte_scenario"]].rename(columns={"fte_base": "base plan", "fte_scenario": "scenario"})
        st.bar_chart(fte, y_label="FTE", x_label="queue", stack=False,
                     color=[OKABE_ITO[0], OKABE_ITO[1]])
        st.dataframe(scenario, hide_index=True, use_container_width=True)
    st.subheader("Base plan by queue")
    st.dataframe(plan, hide_index=True, use_container_width=True)


def benchmarks(db: str) -> None:
    st.title("Benchmarks")
    position = _read_or_absent(db, "benchmarks", "Benchmark position")
    if position is None:
        return
    if position["illustrative"].all():
        st.warning("ILLUSTRATIVE benchmark figures: fictitious peers with invented values that only show the format.")
    frame = position.copy()
    sign = frame["metric"].map(lambda m: -1.0 if _catalogue_info().set_index("metric").loc[m, "direction"] == "lower" else 1.0)
    frame["better_than_median_pct"] = 100 * sign * frame["gap_to_median"] / frame["peer_median"].abs()
    frame["metric"] = frame["metric"].map(_label)
    st.bar_chart(frame.set_index("metric")["better_than_median_pct"], x_label="KPI", color=OKABE_ITO[2],
                 y_label="internal vs peer median (% of median; positive = better)")
    st.dataframe(frame, hide_index=True, use_container_width=True)


def _filters(db: str) -> None:
    monthly = _read(db, "kpi_monthly")
    markets = ["(all)"] + (sorted(set(monthly["market"]) - {"(all)"}) if monthly is not None else [])
    st.sidebar.selectbox("Market", markets, key="market")
    st.sidebar.selectbox("Segment framework", ["value", "lifecycle", "risk", "intent"], key="framework")
    if monthly is not None:
        months = sorted(pd.to_datetime(monthly["period_start"]).dt.date.unique())
        st.sidebar.select_slider("Months", options=months, value=(months[0], months[-1]), key="months")


def main() -> None:
    db = _db_path()
    st.set_page_config(page_title="govex dashboard", layout="wide")
    pages = [st.Page(lambda: overview(db), title="Overview", url_path="overview", default=True),
             st.Page(lambda: segments(db), title="Segments", url_path="segments"),
             st.Page(lambda: explorer(db), title="Metric explorer", url_path="explorer"),
             st.Page(lambda: moved(db), title="What moved", url_path="moved"),
             st.Page(lambda: planning(db), title="Planning", url_path="planning"),
             st.Page(lambda: benchmarks(db), title="Benchmarks", url_path="benchmarks")]
    navigation = st.navigation(pages)
    _filters(db)
    navigation.run()


if __name__ == "__main__":  # `streamlit run` executes this file as __main__; tests import the pages
    main()
