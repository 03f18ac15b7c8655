"""One contract for every estimator-like object, in the spirit of scikit-learn's estimator checks.

The constructor only stores its arguments (same names, same objects, nothing learned yet); `fit`
returns the estimator itself, puts everything it learned in attributes ending in `_`, leaves the
constructor arguments alone, and gives the same learned state when run again on the same data.
"""
from __future__ import annotations

import inspect

import numpy as np
import pytest

from govex.models import BetaGeo, GammaGamma, ParetoNBD, simulate_bgnbd, simulate_gamma_gamma
from govex.voc import ClassifierConfig, TextClassifier, ThemeConfig, ThemeFinder


def _purchases():
    data = simulate_bgnbd(n_customers=2000, r=0.24, alpha=4.4, a=0.79, b=2.4, T=39.0, seed=3)
    return data["frequency"], data["recency"], data["T"]


def _spend():
    frequency = _purchases()[0]
    return frequency, simulate_gamma_gamma(frequency=frequency, p=6.25, q=3.74, v=15.44, seed=4)


_WORDS = {"refund": "refund money back charge", "delivery": "parcel late courier tracking",
          "account": "password login locked email"}


def _texts():
    rng = np.random.default_rng(5)
    texts, labels = [], []
    for label, words in _WORDS.items():
        vocabulary = words.split()
        for _ in range(40):
            texts.append(" ".join(rng.choice(vocabulary, size=6)) + f" order {label}")
            labels.append(label)
    return texts, labels


# (estimator class, constructor arguments other than the defaults, fit data)
CASES = {
    "BetaGeo": (BetaGeo, {"l2_penalty": 0.01}, _purchases),
    "ParetoNBD": (ParetoNBD, {"l2_penalty": 0.01}, _purchases),
    "GammaGamma": (GammaGamma, {"l2_penalty": 0.01}, _spend),
    "TextClassifier": (TextClassifier, {"config": ClassifierConfig(calibration_folds=2, seed=1)}, _texts),
    "ThemeFinder": (ThemeFinder, {"config": ThemeConfig(n_themes=3, min_df=2, max_df=0.9, seed=1)},
                    lambda: (_texts()[0],)),
}


def _learned(estimator) -> dict:
    return {k: v for k, v in vars(estimator).items() if k.endswith("_") and not k.startswith("_")}


def _same(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and not isinstance(a, str):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float, str, np.ndarray, np.generic)) or a is None:
        return bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=np.asarray(a).dtype.kind == "f"))
    return type(a) is type(b)  # fitted library objects (pipelines): compared through what they produced


@pytest.mark.parametrize("name", sorted(CASES))
def test_estimator_contract(name):
    cls, arguments, data = CASES[name]
    parameters = [p for p in inspect.signature(cls.__init__).parameters.values() if p.name != "self"]
    assert {p.name for p in parameters} == set(arguments), "every constructor argument is covered"
    assert all(p.kind is p.KEYWORD_ONLY or p.default is not p.empty for p in parameters), "arguments have defaults"

    estimator = cls(**arguments)
    for key, value in arguments.items():
        assert getattr(estimator, key) is value, f"{key} is stored as given"
    assert _learned(estimator) == {}, "nothing is learned before fit"

    fit_data = data()
    assert estimator.fit(*fit_data) is estimator
    learned = _learned(estimator)
    assert learned, "fit learns attributes ending in _"
    public = {k for k in vars(estimator) if not k.startswith("_")}
    assert public - set(learned) == set(arguments), "fit adds no public attribute without a trailing _"
    for key, value in arguments.items():
        assert getattr(estimator, key) is value, f"fit leaves {key} alone"

    again = cls(**arguments).fit(*fit_data)
    assert _same(learned, _learned(again)), "the same data gives the same learned state"
