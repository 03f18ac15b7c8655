"""Integer measures are added exactly: past 2**53, where a float64 no longer holds every integer.

The expected values are Python's integer arithmetic, converted to a float only at the end. A sum
taken through floats would read 2**53 + 1 as 2**53; its square (about 8e31) would not fit a
decimal with 12 places.
"""
from __future__ import annotations

import math
from statistics import NormalDist

import pytest

from govex.engine.warehouse import Warehouse
from govex.metrics import compute_metrics, load_catalogue

from metrics.typed_frames import typed_frame

BIG = 2**53 + 1  # the smallest positive integer a float64 cannot hold (it rounds to 2**53)
VIEWS = [BIG, 1]

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
    numerator: {{expr: views, where: "not_null(views)"}}
"""


@pytest.fixture(scope="module")
def cube(tmp_path_factory):
    path = tmp_path_factory.mktemp("catalogue") / "views.yaml"
    path.write_text("metrics:\n" + METRIC.format(name="views_total", kind="sum") + METRIC.format(name="views_mean", kind="mean"))
    rows = [{"case_id": f"m{i}", "market": "DE", "policy": "fraud", "created_at": "2024-01-10 09:00",
             "decided_at": "2024-01-10 10:00", "decision": "approve", "automated": False, "views": views}
            for i, views in enumerate(VIEWS)]
    warehouse = Warehouse.from_frames({"moderation_cases": typed_frame("moderation_cases", rows)})
    assert str(warehouse.table("moderation_cases").views.type()) == "int64"
    return compute_metrics(warehouse, metrics=["views_total", "views_mean"], period="month",
                           catalogue=load_catalogue(path)).set_index("metric")


def test_an_integer_sum_and_its_sum_of_squares_are_exact_past_2_53(cube):
    total, squares = sum(VIEWS), sum(v * v for v in VIEWS)
    assert float(BIG) + 1.0 == 2**53 != float(total)  # what adding them as floats gives
    cell = cube.loc["views_total"]
    assert cell["value"] == float(total) and cell["n"] == 2
    # the interval is +-z sqrt(sum of squares); the squares (about 8e31) are summed without overflow
    z = NormalDist().inv_cdf(0.975)
    assert cell["ci_low"] == pytest.approx(total - z * math.sqrt(squares), rel=1e-15)
    assert cell["ci_high"] == pytest.approx(total + z * math.sqrt(squares), rel=1e-15)


def test_an_integer_mean_is_exact_past_2_53(cube):
    cell = cube.loc["views_mean"]
    assert cell["value"] == sum(VIEWS) / len(VIEWS) == 2**52 + 1  # a float sum would give 2**52
    assert cell["denominator"] == 2

