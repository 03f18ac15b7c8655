"""Benchmark position section: internal KPIs of the report period against the benchmarks file."""
from __future__ import annotations

from govex.metrics import compute_metrics
from govex.reports import charts
from govex.reports.benchmarks import ILLUSTRATIVE_BENCHMARKS, STALE_AFTER_DAYS, benchmark_position, load_benchmarks
from govex.reports.context import Built, ReportContext
from govex.reports.formatting import bare_cell, is_share, unit_words
from govex.reports.model import Finding, Number, ReportTable, Section, Source

TITLE = "Benchmark position"


def _age(days: int) -> str:
    if days < 0:
        return "after the period"
    return f"{days} days" + (" (stale)" if days > STALE_AFTER_DAYS else "")


def benchmark_section(ctx: ReportContext) -> Built:
    """Gap to the peer median, rank among peers and freshness per benchmarked KPI."""
    bench = load_benchmarks(ctx.benchmarks_path, catalogue=ctx.catalogue)
    illustrative = ctx.benchmarks_path.resolve() == ILLUSTRATIVE_BENCHMARKS.resolve() or bool(
        bench["source"].str.contains("illustrative", case=False).all())
    metrics = [m for m in dict.fromkeys(bench["metric"]) if ctx.computable(m)]
    bench = bench[bench["metric"].isin(metrics)]
    p = ctx.period
    values = compute_metrics(ctx.warehouse, metrics=metrics, period=p.grain, start=p.start, end=p.end, catalogue=ctx.catalogue)
    internal = dict(zip(values["metric"], values["value"].astype(float)))
    position = benchmark_position(bench, internal, as_of=p.end, catalogue=ctx.catalogue)
    file_source = Source("benchmarks", ctx.benchmarks_path.name, "ILLUSTRATIVE figures" if illustrative else "")
    findings = []
    if illustrative:
        findings.append(Finding("The benchmark figures are ILLUSTRATIVE: fictitious peers with invented values that only "
                                "show the format. Give a benchmarks file with sourced figures before drawing conclusions.",
                                cited=(file_source,)))
    if position.empty:
        return Built(Section("benchmarks", TITLE, "No benchmarked KPI has an internal value for this period.",
                             tuple(findings), absent=f"None of the metrics in {ctx.benchmarks_path.name} "
                                                     f"({', '.join(metrics)}) has data in {p.label}."))
    rows = []
    for r in position.itertuples():
        numbers = {"ours": ctx.metric_number(r.metric, r.internal), "median": Number(r.peer_median, ctx.catalogue[r.metric].unit,
                                                                                 file_source, currency=ctx.currency),
                   "position": Number(r.position, "count", file_source), "ranked": Number(r.ranked, "count", file_source)}
        # a gap that rounds away in print reads as level, not as 7.0% 'ahead of' 7.0%
        level = numbers["ours"].text == numbers["median"].text
        words = {"label": ctx.label(r.metric), "side": "level with" if level else "ahead of" if r.ahead else "behind"}
        text = "{label}: {ours} is {side} the peer median of {median} (position {position} of {ranked}, 1 = best)"
        if r.stale_sources:
            words["stale"] = r.stale_sources
            text += "; figures older than a year: {stale}"
        findings.append(Finding(text + ".", numbers, words))
        unit = ctx.catalogue[r.metric].unit
        words = unit_words(unit, ctx.currency)  # named once in its column; the cells are bare numbers
        rows.append((ctx.label(r.metric), "%" if is_share(unit) else words, bare_cell(numbers["ours"].text, words),
                     bare_cell(numbers["median"].text, words),
                     bare_cell(ctx.metric_number(r.metric, r.best_value).text, words), r.best_source,
                     f"{r.position} of {r.ranked}", str(r.newest_date), _age(r.oldest_age_days)))
    relative = [100 * r.gap_to_median / abs(r.peer_median) * (1 if ctx.catalogue[r.metric].direction == "higher" else -1)
                if r.peer_median else 0.0 for r in position.itertuples()]
    figure = charts.horizontal_bars([ctx.label(m) for m in position["metric"]], relative,
                                    title=f"Position against the peer median, {p.label}" + (" (illustrative peers)" if illustrative else ""),
                                    xlabel="internal vs peer median (% of median; positive = better)",
                                    alt="Bar per KPI showing the gap to the peer median",
                                    colours=[charts.BETTER if a else charts.WORSE for a in position["ahead"]],
                                    legend={"ahead of median": charts.BETTER, "behind median": charts.WORSE})
    table = ReportTable("Benchmarks", ("KPI", "unit", "ours", "peer median", "best", "best peer", "position",
                                          "newest figure", "oldest figure age"),
                  tuple(rows), file_source.label())
    ahead = int(position["ahead"].sum())
    message = f"Ahead of the peer median on {ahead} of {len(position)} benchmarked KPIs" + (
        " (illustrative peers)" if illustrative else "")
    return Built(Section("benchmarks", TITLE, message, tuple(findings), (figure,), (table,)))
