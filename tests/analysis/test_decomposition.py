"""Mix/rate decomposition and Shapley splits add up exactly."""
from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govex.analysis.decomposition import decompose_mix_rate, shapley_change


def test_hand_example_mix_and_rate():
    # two markets; hand calculation:
    # before: A 100 orders rate 0.9, B 100 rate 0.5 -> 0.70 ; after: A 100 rate 0.9, B 300 rate 0.4 -> 0.525
    before = pd.DataFrame({"market": ["A", "B"], "num": [90.0, 50.0], "den": [100.0, 100.0]})
    after = pd.DataFrame({"market": ["A", "B"], "num": [90.0, 120.0], "den": [100.0, 300.0]})
    d = decompose_mix_rate(before, after, by="market", numerator="num", denominator="den")
    assert d.change == pytest.approx(0.525 - 0.70)
    # rate effect: only B moved, (0.4 - 0.5) x mean weight (0.5 + 0.75) / 2 = -0.0625
    assert d.rate_effect == pytest.approx(-0.0625)
    # mix effect: the rest, -0.175 + 0.0625
    assert d.mix_effect == pytest.approx(-0.1125)
    row_b = d.segments.set_index("market").loc["B"]
    # B grew (w 0.5 -> 0.75) with a below-average rate (0.45 vs 0.6125): it pulled the metric down
    assert row_b["mix_effect"] == pytest.approx(0.25 * (0.45 - 0.6125))


segment_rows = st.lists(
    st.tuples(st.sampled_from(list("abcdef")), st.floats(0, 1e4), st.floats(0.5, 1e4)), min_size=1, max_size=8
)


@settings(max_examples=80, deadline=None)
@given(segment_rows, segment_rows)
def test_parts_sum_exactly_to_the_total_change(rows0, rows1):
    before = pd.DataFrame(rows0, columns=["seg", "num", "den"])
    after = pd.DataFrame(rows1, columns=["seg", "num", "den"])
    d = decompose_mix_rate(before, after, by="seg", numerator="num", denominator="den")
    total = after["num"].sum() / after["den"].sum() - before["num"].sum() / before["den"].sum()
    assert d.mix_effect + d.rate_effect == pytest.approx(total, rel=1e-9, abs=1e-9)
    assert d.segments["total_effect"].sum() == pytest.approx(total, rel=1e-9, abs=1e-9)


def test_shapley_two_factor_product_by_hand():
    # f = a*b from (1, 1) to (2, 3): phi_a = ((2*1-1) + (2*3-1*3))/2 = 2, phi_b = ((1*3-1) + (2*3-2*1))/2 = 3
    parts = shapley_change(lambda x: x["a"] * x["b"], {"a": 1, "b": 1}, {"a": 2, "b": 3})
    assert parts == pytest.approx({"a": 2.0, "b": 3.0})


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.floats(0.1, 10), st.floats(0.1, 10)), min_size=3, max_size=5))
def test_shapley_is_efficient_for_cost_to_serve_trees(pairs):
    names = [f"f{i}" for i in range(len(pairs))]
    before = {n: p[0] for n, p in zip(names, pairs)}
    after = {n: p[1] for n, p in zip(names, pairs)}

    def product(x):
        out = 1.0
        for n in names:
            out *= x[n]
        return out

    parts = shapley_change(product, before, after)
    assert sum(parts.values()) == pytest.approx(product(after) - product(before), rel=1e-9, abs=1e-12)
