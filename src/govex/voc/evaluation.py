"""How good a classifier is on labelled texts, and how much it can automate at a given precision.

Per-class precision, recall and F1, the confusion matrix, and two precision-coverage curves
built from calibrated confidences: a global one (answer only when confident) and one per
predicted label (route label r to automation when its confidence is at least t), which the
automation ROI reads.

References
----------
.. [1] Manning, C., Raghavan, P., Schütze, H. (2008). Introduction to Information Retrieval,
   sec. 8.3 (precision, recall, F1; macro averaging).
.. [2] El-Yaniv, R., Wiener, Y. (2010). On the foundations of noise-free selective
   classification. JMLR 11 (risk-coverage curve of a selective classifier).
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from govex.voc._files import read_json_object, write_atomically
from govex.voc._text import check_known_labels
from govex.errors import VocInputError

EVALUATION_KIND = "govex.voc.Evaluation"


@dataclass(frozen=True)
class Evaluation:
    """Scores of one classifier on one labelled set (all frames are small: labels x labels at most)."""

    labels: tuple[str, ...]
    accuracy: float
    macro_f1: float
    n_texts: int
    per_class: pd.DataFrame  # label, precision, recall, f1, support
    confusion: pd.DataFrame  # index: true label, columns: predicted label, cells: counts
    coverage_curve: pd.DataFrame  # threshold, coverage, precision (answer only at confidence >= threshold)
    class_curves: pd.DataFrame  # label, threshold, n_true, n_predicted, n_correct, precision, automation_rate

    def to_dict(self) -> dict:
        return {
            "kind": EVALUATION_KIND,
            "labels": list(self.labels),
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "n_texts": self.n_texts,
            "per_class": self.per_class.to_dict(orient="records"),
            "confusion": {"labels": list(self.confusion.index), "counts": self.confusion.to_numpy().tolist()},
            "coverage_curve": self.coverage_curve.to_dict(orient="list"),
            "class_curves": self.class_curves.to_dict(orient="list"),
        }

    @classmethod
    def from_dict(cls, payload: dict, *, where: str = "evaluation") -> "Evaluation":
        if not isinstance(payload, dict) or payload.get("kind") != EVALUATION_KIND:
            raise VocInputError(f"{where}: not a govex evaluation (expected kind {EVALUATION_KIND!r}); write one with `govex voc evaluate`")
        labels = payload["confusion"]["labels"]
        return cls(
            labels=tuple(payload["labels"]),
            accuracy=float(payload["accuracy"]),
            macro_f1=float(payload["macro_f1"]),
            n_texts=int(payload["n_texts"]),
            per_class=pd.DataFrame(payload["per_class"]),
            confusion=pd.DataFrame(payload["confusion"]["counts"], index=pd.Index(labels, name="true"), columns=pd.Index(labels, name="predicted")),
            coverage_curve=pd.DataFrame(payload["coverage_curve"]),
            class_curves=pd.DataFrame(payload["class_curves"]),
        )

    def save(self, path: str | Path) -> Path:
        """Write JSON to a temporary name beside `path`, then rename."""
        return write_atomically(path, lambda temp: temp.write_text(json.dumps(self.to_dict(), indent=1), encoding="utf-8"))

    @classmethod
    def load(cls, path: str | Path) -> "Evaluation":
        path = Path(path)
        payload = read_json_object(
            path, error=VocInputError, not_found="evaluation file not found; write one with `govex voc evaluate --out`", what="an evaluation"
        )
        return cls.from_dict(payload, where=str(path))


def evaluate_predictions(
    true_labels: Sequence[str], probabilities: np.ndarray, *, labels: Sequence[str]
) -> Evaluation:
    """Score calibrated probabilities (columns in `labels` order) against true labels.

    Parameters
    ----------
    true_labels : sequence of str
        The reference label of each text; each must be in `labels`.
    probabilities : array, shape (n_texts, n_labels)
    labels : sequence of str
        The model's label set, in the column order of `probabilities`.
    """
    true = [str(v) for v in true_labels]
    proba = np.asarray(probabilities, dtype=float)
    if proba.ndim != 2 or proba.shape != (len(true), len(labels)):
        raise VocInputError(f"probabilities: shape {proba.shape}, expected ({len(true)}, {len(labels)}) (texts x labels)")
    if not true:
        raise VocInputError("evaluation: no labelled texts were given")
    check_known_labels(true, labels, where="evaluation labels")
    label_array = np.asarray(labels, dtype=object)
    best = proba.argmax(axis=1)
    predicted = label_array[best]
    confidence = proba[np.arange(len(true)), best]
    true_array = np.asarray(true, dtype=object)
    correct = predicted == true_array

    index = {label: i for i, label in enumerate(labels)}
    counts = np.zeros((len(labels), len(labels)), dtype=np.int64)
    np.add.at(counts, ([index[t] for t in true], best), 1)
    support = counts.sum(axis=1)
    predicted_n = counts.sum(axis=0)
    hits = np.diag(counts).astype(float)
    precision = np.divide(hits, predicted_n, out=np.zeros_like(hits), where=predicted_n > 0)
    recall = np.divide(hits, support, out=np.zeros_like(hits), where=support > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(hits), where=denom > 0)
    present = support > 0  # macro-F1 over the labels present in the reference set
    per_class = pd.DataFrame({"label": list(labels), "precision": precision, "recall": recall, "f1": f1, "support": support})
    return Evaluation(
        labels=tuple(labels),
        accuracy=float(correct.mean()),
        macro_f1=float(f1[present].mean()),
        n_texts=len(true),
        per_class=per_class,
        confusion=pd.DataFrame(counts, index=pd.Index(list(labels), name="true"), columns=pd.Index(list(labels), name="predicted")),
        coverage_curve=coverage_curve(correct, confidence),
        class_curves=class_curves(true_array, predicted, confidence, labels=labels),
    )


def coverage_curve(correct: np.ndarray, confidence: np.ndarray) -> pd.DataFrame:
    """Precision among the texts answered, when answering only at confidence >= threshold.

    One row per distinct confidence, highest threshold first; coverage is the answered share.
    """
    order = np.argsort(-confidence, kind="stable")
    conf_sorted = confidence[order]
    cum_correct = np.cumsum(correct[order])
    last_of_tie = np.r_[conf_sorted[1:] != conf_sorted[:-1], True]
    answered = np.arange(1, len(conf_sorted) + 1)[last_of_tie]
    return pd.DataFrame(
        {
            "threshold": conf_sorted[last_of_tie],
            "coverage": answered / len(conf_sorted),
            "precision": cum_correct[last_of_tie] / answered,
        }
    )


def class_curves(true: np.ndarray, predicted: np.ndarray, confidence: np.ndarray, *, labels: Sequence[str]) -> pd.DataFrame:
    """Per predicted label r and threshold t: of the texts predicted r with confidence >= t,
    how many there are, how many truly are r (precision), and which share of all true-r texts
    that is (`automation_rate`, i.e. recall at t)."""
    frames = []
    for label in labels:
        mask = predicted == label
        n_true = int((true == label).sum())
        if not mask.any():
            continue
        conf = confidence[mask]
        order = np.argsort(-conf, kind="stable")
        conf_sorted = conf[order]
        cum_correct = np.cumsum((true[mask] == label)[order])
        last_of_tie = np.r_[conf_sorted[1:] != conf_sorted[:-1], True]
        n_pred = np.arange(1, len(conf_sorted) + 1)[last_of_tie]
        n_correct = cum_correct[last_of_tie]
        frames.append(
            pd.DataFrame(
                {
                    "label": label,
                    "threshold": conf_sorted[last_of_tie],
                    "n_true": n_true,
                    "n_predicted": n_pred,
                    "n_correct": n_correct,
                    "precision": n_correct / n_pred,
                    "automation_rate": n_correct / n_true if n_true else 0.0,
                }
            )
        )
    columns = ["label", "threshold", "n_true", "n_predicted", "n_correct", "precision", "automation_rate"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def operating_point(curves: pd.DataFrame, label: str, *, target_precision: float, min_predicted: int = 1) -> dict:
    """The threshold of `label` that automates the most while keeping precision >= target.

    Returns threshold (None when the target cannot be met), precision, automation_rate and
    attempt_rate (texts sent to automation per true-`label` text, errors included).
    """
    rows = curves[(curves["label"] == label) & (curves["precision"] >= target_precision) & (curves["n_predicted"] >= min_predicted)]
    if rows.empty:
        return {"threshold": None, "precision": float("nan"), "automation_rate": 0.0, "attempt_rate": 0.0, "n_evaluated": 0}
    best = rows.sort_values(["automation_rate", "threshold"], ascending=[False, False]).iloc[0]
    n_true = int(best["n_true"])
    return {
        "threshold": float(best["threshold"]),
        "precision": float(best["precision"]),
        "automation_rate": float(best["automation_rate"]),
        "attempt_rate": float(best["n_predicted"]) / n_true if n_true else 0.0,
        "n_evaluated": int(best["n_predicted"]),
    }
