"""BANKING77 intent classification: govex's offline classifier against two baselines, same run.

Peers: a majority-class baseline and a keyword baseline (each intent's most distinctive
training words, scored by overlap). Data: the official BANKING77 train/test split
(Casanueva et al. 2020, arXiv:2003.04807, CC BY 4.0) in ../shared/data/support_intents/
(override with GOVEX_SHARED_DATA). Prints one table: time, peak memory, accuracy, macro-F1,
the accuracy ratio against govex, and agreement of predictions with govex.
"""
from __future__ import annotations

import os
import sys
import time
import tracemalloc
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

from govex.voc import TextClassifier, evaluate_predictions
from govex.voc._text import fold_accents

DATA = Path(os.environ.get("GOVEX_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")) / "support_intents"
KEYWORDS_PER_INTENT = 15


def _words(text: str) -> list[str]:
    return [w for w in "".join(c if c.isalnum() else " " for c in fold_accents(text)).split() if len(w) > 2]


def majority_class(train: pd.DataFrame, test_texts: pd.Series) -> np.ndarray:
    return np.full(len(test_texts), train["category"].mode().iloc[0], dtype=object)


def keyword_baseline(train: pd.DataFrame, test_texts: pd.Series) -> np.ndarray:
    """Each intent keeps its words with the highest lift (share in the intent / share overall);
    a text goes to the intent whose keywords it contains most (ties: the larger intent)."""
    overall: Counter[str] = Counter()
    by_intent: dict[str, Counter[str]] = defaultdict(Counter)
    for text, intent in zip(train["text"], train["category"]):
        words = set(_words(text))
        overall.update(words)
        by_intent[intent].update(words)
    sizes = train["category"].value_counts()
    keywords = {
        intent: {w for w, _ in sorted(((w, (n / sizes[intent]) / (overall[w] / len(train))) for w, n in counts.items() if n >= 3), key=lambda x: -x[1])[:KEYWORDS_PER_INTENT]}
        for intent, counts in by_intent.items()
    }
    order = list(sizes.index)  # largest intent first breaks ties
    predictions = []
    for text in test_texts:
        words = set(_words(text))
        predictions.append(max(order, key=lambda intent: len(words & keywords[intent])))
    return np.asarray(predictions, dtype=object)


def _run(fn, *args):
    tracemalloc.start()
    start = time.perf_counter()
    result = fn(*args)
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, elapsed, peak / 2**20


def main() -> int:
    if not DATA.is_dir():
        print(f"error: BANKING77 not found at {DATA} (set GOVEX_SHARED_DATA)", file=sys.stderr)
        return 2
    train = pd.read_csv(DATA / "banking77_train.csv.gz")
    test = pd.read_csv(DATA / "banking77_test.csv.gz")
    labels = sorted(train["category"].unique())

    def govex_offline(train, texts):
        model = TextClassifier().fit(train["text"], train["category"])
        return model, model.predict_proba(texts)

    (model, proba), govex_s, govex_mb = _run(govex_offline, train, test["text"])
    govex_eval = evaluate_predictions(test["category"], proba, labels=list(model.classes_))
    govex_pred = np.asarray(model.classes_, dtype=object)[proba.argmax(axis=1)]
    rows = [("govex TF-IDF + calibrated linear SVM", govex_s, govex_mb, govex_eval.accuracy, govex_eval.macro_f1, 1.0)]
    for name, fn in (("majority class", majority_class), ("keyword baseline", keyword_baseline)):
        pred, seconds, mb = _run(fn, train, test["text"])
        one_hot = (pred[:, None] == np.asarray(labels, dtype=object)[None, :]).astype(float)
        ev = evaluate_predictions(test["category"], one_hot, labels=labels)
        rows.append((name, seconds, mb, ev.accuracy, ev.macro_f1, float((pred == govex_pred).mean())))

    print(f"BANKING77: {len(train):,} train / {len(test):,} test texts, {len(labels)} intents, no network")
    print(f"{'method':40s} {'time_s':>7s} {'peak_MB':>8s} {'accuracy':>9s} {'macro_F1':>9s} {'acc/govex':>10s} {'agree':>6s}")
    for name, seconds, mb, acc, f1, agree in rows:
        print(f"{name:40s} {seconds:7.2f} {mb:8.1f} {acc:9.3f} {f1:9.3f} {acc / govex_eval.accuracy:10.3f} {agree:6.3f}")
    curve = govex_eval.coverage_curve
    at_95 = curve[curve["precision"] >= 0.95]["coverage"].max()
    print(f"govex precision-coverage: {at_95:.1%} of test texts answered at >= 95% precision")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
