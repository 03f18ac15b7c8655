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
from govex.metrics import compute_metrics

from metrics.typed_frames import typed_frame
from metrics.views_catalogue import views_catalogue

BIG = 2**53 + 1  # the smallest positive integer a float64 cannot hold (it rounds to 2**53)
VIEWS = [BIG, 1]

NUMERATOR = 'numerator: {expr: views, where: "not_null(views)"}'


@pytest.fixture(scope="module")
def cube(tmp_path_factory):
    catalogue = views_catalogue(tmp_path_factory.mktemp("catalogue"),
                                {"views_total": ("sum", NUMERATOR), "views_mean": ("mean", NUMERATOR)})
    rows = [{"case_id": f"m{i}", "market": "DE", "policy": "fraud", "created_at": "2024-01-10 09:00",
             "decided_at": "2024-01-10 10:00", "decision": "approve", "automated": False, "views": views}
            for i, views in enumerate(VIEWS)]
    warehouse = Warehouse.from_frames({"moderation_cases": typed_frame("moderation_cases", rows)})
    assert str(warehouse.table("moderation_cases").views.type()) == "int64"
    return compute_metrics(warehouse, metrics=["views_total", "views_mean"], period="month",
                           catalogue=catalogue).set_index("metric")


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

