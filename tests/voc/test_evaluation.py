"""Evaluation scores on a hand-built example: every expected number is worked out in the comments."""
from __future__ import annotations

import numpy as np
import pytest

from govex.errors import VocInputError
from govex.voc.evaluation import Evaluation, evaluate_predictions, operating_point

LABELS = ["a", "b", "c"]
# six texts; argmax / confidence of each row:  a .9 | a .8 | b .7 | a .6 | c .5 | b .95
TRUE = ["a", "a", "b", "b", "c", "c"]
PROBA = np.array(
    [
        [0.90, 0.05, 0.05],
        [0.80, 0.10, 0.10],
        [0.20, 0.70, 0.10],
        [0.60, 0.30, 0.10],
        [0.25, 0.25, 0.50],
        [0.02, 0.95, 0.03],
    ]
)


@pytest.fixture(scope="module")
def scored() -> Evaluation:
    return evaluate_predictions(TRUE, PROBA, labels=LABELS)


def test_per_class_scores_by_hand(scored):
    # predicted: a a b a c b; correct rows 0, 1, 2, 4 -> accuracy 4/6
    assert scored.accuracy == pytest.approx(4 / 6)
    per = scored.per_class.set_index("label")
    # a: predicted 3 (rows 0,1,3), 2 right -> P 2/3; true 2, found 2 -> R 1; F1 = 2*(2/3)/(5/3) = 0.8
    assert per.loc["a", ["precision", "recall", "f1"]].tolist() == pytest.approx([2 / 3, 1.0, 0.8])
    # b: predicted rows 2,5, 1 right -> P 1/2; true rows 2,3 -> R 1/2; F1 1/2
    assert per.loc["b", ["precision", "recall", "f1"]].tolist() == pytest.approx([0.5, 0.5, 0.5])
    # c: predicted row 4, right -> P 1; true rows 4,5 -> R 1/2; F1 = 2/3
    assert per.loc["c", ["precision", "recall", "f1"]].tolist() == pytest.approx([1.0, 0.5, 2 / 3])
    assert scored.macro_f1 == pytest.approx((0.8 + 0.5 + 2 / 3) / 3)
    assert scored.confusion.to_numpy().tolist() == [[2, 0, 0], [1, 1, 0], [0, 1, 1]]


def test_global_precision_coverage_curve(scored):
    curve = scored.coverage_curve
    # confidences sorted: .95(wrong) .9 .8 .7 .6(wrong) .5 -> cumulative right 0,1,2,3,3,4
    assert curve["threshold"].tolist() == pytest.approx([0.95, 0.9, 0.8, 0.7, 0.6, 0.5])
    assert curve["precision"].tolist() == pytest.approx([0, 1 / 2, 2 / 3, 3 / 4, 3 / 5, 4 / 6])
    assert curve["coverage"].tolist() == pytest.approx([1 / 6, 2 / 6, 3 / 6, 4 / 6, 5 / 6, 1.0])


def test_class_curve_and_operating_point(scored):
    # label a: predicted with .9 (right), .8 (right), .6 (wrong); 2 true a texts
    # at t=.8: precision 1, automation 2/2; at t=.6: precision 2/3
    point = operating_point(scored.class_curves, "a", target_precision=0.9)
    assert point["threshold"] == pytest.approx(0.8)
    assert (point["precision"], point["automation_rate"], point["attempt_rate"]) == pytest.approx((1.0, 1.0, 1.0))
    # at a 0.6 precision target the 0.6 threshold also qualifies but automates no more: keep 0.8
    assert operating_point(scored.class_curves, "a", target_precision=0.6)["threshold"] == pytest.approx(0.8)
    # b: the most confident b prediction (.95) is wrong, so precision 1/2 is the best: unreachable at 0.9
    assert operating_point(scored.class_curves, "b", target_precision=0.9)["threshold"] is None
    # min_predicted=3 needs three predictions of a at the threshold: t=.6, precision 2/3
    assert operating_point(scored.class_curves, "a", target_precision=0.6, min_predicted=3)["attempt_rate"] == pytest.approx(1.5)


def test_round_trip_through_json(scored, tmp_path):
    loaded = Evaluation.load(scored.save(tmp_path / "ev.json"))
    assert loaded.accuracy == scored.accuracy
    assert loaded.confusion.equals(scored.confusion)
    assert loaded.class_curves.equals(scored.class_curves)


def test_bad_inputs():
    with pytest.raises(VocInputError, match="not in the model's label set"):
        evaluate_predictions(["a", "zzz"], PROBA[:2], labels=LABELS)
    with pytest.raises(VocInputError, match="shape"):
        evaluate_predictions(TRUE, PROBA[:, :2], labels=LABELS)
    with pytest.raises(VocInputError, match="not a govex evaluation"):
        Evaluation.from_dict({"kind": "other"})
