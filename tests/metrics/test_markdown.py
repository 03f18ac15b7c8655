"""docs/metrics.md is generated from the catalogue and is up to date."""
from __future__ import annotations

from pathlib import Path

from govex.metrics import load_catalogue
from govex.metrics.markdown import metrics_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "metrics.md"


def test_every_metric_has_a_definition_line():
    page = metrics_markdown()
    for metric in load_catalogue().metrics.values():
        assert f"| `{metric.name}` | {metric.label}: {metric.description} |" in page


def test_generated_page_is_fresh():
    assert DOC.read_text(encoding="utf-8") == metrics_markdown(), "run `python -m govex.docs`"
