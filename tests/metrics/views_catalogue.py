"""A test catalogue of metrics over moderation_cases' integer `views`, dated by decided_at."""
from __future__ import annotations

from pathlib import Path

from govex.metrics import load_catalogue
from govex.metrics.model import Catalogue

METRIC = """\
  - name: {name}
    label: {name}
    description: test
    unit: views
    direction: higher
    role: output
    category: trust
    kind: {kind}
    table: moderation_cases
    time_column: decided_at
"""


def views_catalogue(folder: Path, metrics: dict[str, tuple[str, str]]) -> Catalogue:
    """metrics: name -> (kind, the YAML lines after time_column, e.g. its numerator), loaded from a file in `folder`."""
    path = folder / "views.yaml"
    path.write_text("metrics:\n" + "".join(METRIC.format(name=name, kind=kind) + f"    {rest}\n"
                                           for name, (kind, rest) in metrics.items()))
    return load_catalogue(path)
