"""Charts for the report and dashboard: one style, labelled axes with units, rendered offline to PNG.

matplotlib's Agg backend draws without a display or a browser, so the same PNG bytes go into the
HTML (base64), the PDF and the slides. Colours are the Okabe-Ito palette, which stays
distinguishable under the common colour-vision deficiencies.

References
----------
Okabe, M. & Ito, K. (2008). Color Universal Design (CUD): how to make figures and presentations
that are friendly to colorblind people. https://jfly.uni-koeln.de/color/
"""
from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

from govex.reports.model import Figure  # noqa: E402

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
STATUS_COLOURS = {"on track": "#009E73", "at risk": "#E69F00", "off track": "#D55E00", "no data": "#999999"}
DPI = 150
STYLE = {
    "font.family": "DejaVu Sans", "font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
    "axes.prop_cycle": matplotlib.cycler(color=OKABE_ITO),
}


def _figure(width_in: float, height_in: float):
    with plt.rc_context(STYLE):
        return plt.subplots(figsize=(width_in, height_in), dpi=DPI)


def _finish(fig, ax, *, title: str, alt: str) -> Figure:
    with plt.rc_context(STYLE):
        ax.set_title(title, loc="left")
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=DPI)
        width, height = fig.get_size_inches() * DPI
    plt.close(fig)
    return Figure(title=title, png=buffer.getvalue(), alt=alt, width_px=int(width), height_px=int(height))


BETTER, WORSE = OKABE_ITO[2], OKABE_ITO[3]
LABEL_WIDTH = 32  # characters per line of a bar label before it wraps


def with_other(labels: Sequence[str], values: Sequence[float], top: int) -> tuple[list[str], list[float]]:
    """The `top` largest bars and one 'other (k more)' bar summing the rest, so no chart needs 35 bars."""
    order = sorted(range(len(labels)), key=lambda i: -abs(values[i]))
    kept = order[:top]
    rest = order[top:]
    out_labels, out_values = [labels[i] for i in kept], [float(values[i]) for i in kept]
    if rest:
        out_labels.append(f"other ({len(rest)} more)")
        out_values.append(float(sum(values[i] for i in rest)))
    return out_labels, out_values


def direction_colours(values: Sequence[float]) -> list[str]:
    """Green for bars on the better side of zero, vermillion for the worse side (values oriented: + = better)."""
    return [BETTER if v >= 0 else WORSE for v in values]


def horizontal_bars(labels: Sequence[str], values: Sequence[float], *, title: str, xlabel: str, alt: str,
                    colours: Sequence[str] | None = None, legend: dict[str, str] | None = None,
                    zero_line: bool = True) -> Figure:
    """One bar per label (read top to bottom), e.g. each KPI's gap to target; long labels wrap."""
    with plt.rc_context(STYLE):
        wrapped = [textwrap.fill(str(label), LABEL_WIDTH) for label in labels]
        lines = sum(max(1, w.count("\n") + 1) for w in wrapped)
        fig, ax = _figure(7.0, 0.3 * lines + 0.12 * len(labels) + 1.2)
        positions = list(range(len(labels)))[::-1]
        ax.barh(positions, values, color=list(colours) if colours else OKABE_ITO[0], height=0.6)
        ax.set_yticks(positions, wrapped)
        ax.set_xlabel(xlabel)
        ax.grid(axis="y", visible=False)
        if zero_line:
            ax.axvline(0, color="#333333", linewidth=0.8)
        if legend:
            handles = [matplotlib.patches.Patch(color=c, label=name) for name, c in legend.items()]
            ax.legend(handles=handles, loc="lower right", frameon=False, fontsize=8)
    return _finish(fig, ax, title=title, alt=alt)


def grouped_bars(categories: Sequence[str], groups: dict[str, Sequence[float]], *, title: str, ylabel: str,
                 alt: str, xlabel: str = "") -> Figure:
    """Bars of several series side by side per category, e.g. base vs scenario per queue."""
    with plt.rc_context(STYLE):
        fig, ax = _figure(7.0, 3.2)
        n = len(groups)
        width = 0.8 / max(n, 1)
        for i, (name, values) in enumerate(groups.items()):
            ax.bar([x + (i - (n - 1) / 2) * width for x in range(len(categories))], values, width=width,
                   label=name, color=OKABE_ITO[i % len(OKABE_ITO)])
        ax.set_xticks(range(len(categories)), categories, rotation=30, ha="right")
        ax.set_ylabel(ylabel)
        if xlabel:
            ax.set_xlabel(xlabel)
        ax.grid(axis="x", visible=False)
        ax.legend(frameon=False, fontsize=8)
    return _finish(fig, ax, title=title, alt=alt)


def time_series(periods: Sequence, series: dict[str, Sequence[float]], *, title: str, ylabel: str, alt: str,
                marks: Sequence[tuple[object, float]] = (), mark_label: str = "", xlabel: str = "period start",
                bands: dict[str, tuple[Sequence[float], Sequence[float]]] | None = None,
                target: tuple[str, float] | None = None, highlight: tuple[object, object] | None = None) -> Figure:
    """Lines over time, the axis zoomed to the data (never forced to zero or a scale's ends).

    `bands` shades each series' 95% interval; `target` draws a labelled horizontal line; `marks`
    circles points such as anomalies; `highlight` shades a span such as the report period.
    """
    with plt.rc_context(STYLE):
        fig, ax = _figure(7.0, 2.8)
        if highlight is not None:
            ax.axvspan(highlight[0], highlight[1], color="#f2f2f2", zorder=0, label="report period")
        for i, (name, values) in enumerate(series.items()):
            colour = OKABE_ITO[i % len(OKABE_ITO)]
            ax.plot(list(periods), list(values), label=name, color=colour, linewidth=1.4)
            if bands and name in bands:
                low, high = bands[name]
                ax.fill_between(list(periods), list(low), list(high), color=colour, alpha=0.18, linewidth=0,
                                label=f"{name}, 95% interval")
        if target is not None:
            ax.axhline(target[1], color="#333333", linestyle="--", linewidth=1.0, label=target[0])
        if marks:
            ax.scatter([m[0] for m in marks], [m[1] for m in marks], s=60, facecolors="none",
                       edgecolors=OKABE_ITO[3], linewidths=1.6, label=mark_label, zorder=3)
        ax.set_ylabel(ylabel)
        ax.set_xlabel(xlabel)
        fig.autofmt_xdate()
        ax.margins(y=0.08)
        if len(series) > 1 or marks or bands or target is not None:
            ax.legend(frameon=False, fontsize=8, loc="best")
    return _finish(fig, ax, title=title, alt=alt)
