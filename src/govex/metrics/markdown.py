"""docs/metrics.md, generated from the shipped catalogue (one line of definition per metric)."""
from __future__ import annotations

from govex.metrics.catalogue import SHIPPED_DIR, load_catalogue
from govex.metrics.model import KIND_RULES, Catalogue

CATEGORIES = ("trust", "experience", "efficiency", "growth")


def _tree_lines(catalogue: Catalogue, name: str, depth: int = 0) -> list[str]:
    kids = catalogue.children(name)
    sign = {"product": " x ", "sum": " + "}
    head = f"{'  ' * depth}- `{name}`"
    if kids:
        head += " = " + sign[kids[0].relation].join(f"`{k.name}`" for k in kids)
    lines = [head]
    for kid in kids:
        lines.extend(_tree_lines(catalogue, kid.name, depth + 1))
    return lines


def metrics_markdown() -> str:
    """The metric reference page: every shipped metric, its definition, kind, unit and cuts."""
    catalogue = load_catalogue()
    out = [
        "# Metric reference",
        "",
        "Generated from `src/govex/metrics/catalogue/*.yaml` by `python -m govex.docs`; do not edit by hand.",
        "How metrics are defined and computed: [metric-layer.md](metric-layer.md).",
        "`money` in a unit is the reporting currency (govex.yaml `reporting_currency`, default USD): every amount is",
        "converted with `fx_rates` at the rate valid on its row's date before it is added.",
        "",
    ]
    for category in CATEGORIES:
        out += [f"## {category.capitalize()}", "", "| metric | definition | kind | unit | better | role | cuts |",
                "|---|---|---|---|---|---|---|"]
        for metric in catalogue.metrics.values():
            if metric.category != category:
                continue
            cuts = ", ".join(list(catalogue.allowed[metric.name]) + (["segment"] if catalogue.segment_ok[metric.name] else []))
            out.append(f"| `{metric.name}` | {metric.label}: {metric.description} | {metric.kind} | {metric.unit} | "
                       f"{metric.direction} | {metric.role} | {cuts or '-'} |")
        out.append("")
    out += ["## Metric trees", ""]
    for metric in catalogue.metrics.values():
        if metric.parent is None and catalogue.children(metric.name):
            out += _tree_lines(catalogue, metric.name)
    out += ["", "Children marked broadcast (used uncut when the parent is cut by a dimension they cannot reach): "
            + ", ".join(f"`{m.name}`" for m in catalogue.metrics.values() if m.broadcast) + ".", ""]
    out += ["## Kinds and their confidence intervals", "", "| kind | value and interval |", "|---|---|"]
    out += [f"| {kind} | {rule} |" for kind, rule in KIND_RULES.items()]
    out += ["", f"Shipped files: {', '.join(sorted(p.name for p in SHIPPED_DIR.glob('*.yaml')))}.", ""]
    return "\n".join(out)
