"""The offline text classifier: TF-IDF word and character n-grams, a linear SVM, calibrated.

It needs no network and no downloaded model, trains on a few thousand labelled texts in
seconds, and gives probabilities that can be thresholded for automation (see
`govex.voc.evaluation`). Saved models carry a JSON sidecar (label set, training-data hash,
format version) that is checked before the model is loaded.

References
----------
.. [1] Joachims, T. (1998). Text categorization with support vector machines. ECML.
.. [2] Platt, J. (1999). Probabilistic outputs for support vector machines. Advances in Large
   Margin Classifiers (sigmoid calibration, fitted on held-out folds).
"""
from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Literal

import joblib
import numpy as np
import pandas as pd
import sklearn
from pydantic import BaseModel, ConfigDict, Field

import govex
from govex.voc._files import read_json_object, temp_beside
from govex.voc._text import check_known_labels, check_labels, check_texts, fold_accents
from govex.errors import ModelFileError, VocInputError
from govex.voc.evaluation import Evaluation, evaluate_predictions

MODEL_KIND = "govex.voc.TextClassifier"
FORMAT_VERSION = 1


class ClassifierConfig(BaseModel):
    """Features and model of the offline classifier; defaults tuned on BANKING77 (bench/voc_banking77.py)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    word_ngram_max: int = Field(2, ge=1, le=3, description="longest word n-gram")
    char_ngram_min: int = Field(2, ge=1, le=6, description="shortest character n-gram (within word boundaries)")
    char_ngram_max: int = Field(5, ge=1, le=8, description="longest character n-gram")
    char_min_df: int = Field(2, ge=1, description="a character n-gram must appear in this many texts")
    regularisation_c: float = Field(0.5, gt=0, description="inverse regularisation strength C of the linear SVM")
    calibration: Literal["sigmoid", "isotonic"] = "sigmoid"
    calibration_folds: int = Field(3, ge=2, le=10, description="cross-validation folds for calibration")
    seed: int = 0


def training_data_hash(texts: Iterable[str], labels: Iterable[str]) -> str:
    """SHA-256 of the (text, label) pairs in order: the identity of a training set."""
    digest = hashlib.sha256()
    for text, label in zip(texts, labels, strict=True):
        digest.update(text.encode("utf-8") + b"\x1f" + label.encode("utf-8") + b"\x1e")
    return digest.hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def metadata_path(model_path: Path) -> Path:
    """The JSON sidecar of a model file: `model.joblib` -> `model.json`."""
    return model_path.with_suffix(".json")


class TextClassifier:
    """Contact reason / intent / VOC topic from text; `fit`, then `predict_proba` or `classify`.

    Parameters
    ----------
    config : ClassifierConfig, optional
        Feature and model settings; the defaults are the benchmarked ones.
    """

    def __init__(self, config: ClassifierConfig | None = None):
        self.config = config or ClassifierConfig()

    def _pipeline(self):
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import make_pipeline, make_union
        from sklearn.svm import LinearSVC

        cfg = self.config
        words = TfidfVectorizer(
            preprocessor=fold_accents, ngram_range=(1, cfg.word_ngram_max), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"
        )
        chars = TfidfVectorizer(
            preprocessor=fold_accents,
            analyzer="char_wb",
            ngram_range=(cfg.char_ngram_min, cfg.char_ngram_max),
            min_df=cfg.char_min_df,
            sublinear_tf=True,
        )
        svm = LinearSVC(C=cfg.regularisation_c, random_state=cfg.seed)
        calibrated = CalibratedClassifierCV(svm, cv=cfg.calibration_folds, method=cfg.calibration)
        return make_pipeline(make_union(words, chars), calibrated)

    def fit(self, texts: Iterable[object], labels: Iterable[object]) -> "TextClassifier":
        """Learn the label set and the model; every label needs `calibration_folds` examples."""
        text_list = check_texts(texts, where="training texts")
        label_list = check_labels(labels, n_texts=len(text_list), where="training labels")
        counts = Counter(label_list)
        if len(counts) < 2:
            raise VocInputError(
                f"training labels: only one class ({next(iter(counts))!r}) was given; a classifier needs at "
                "least two labels. Add examples of the other reasons (or an 'other' class)"
            )
        folds = self.config.calibration_folds
        rare = sorted(label for label, n in counts.items() if n < folds)
        if rare:
            detail = ", ".join(f"{label!r} ({counts[label]})" for label in rare[:5])
            raise VocInputError(
                f"training labels: {len(rare)} label(s) have fewer than {folds} examples, needed for "
                f"{folds}-fold probability calibration: {detail}; add examples, merge them into a broader "
                "label, or lower calibration_folds"
            )
        pipeline = self._pipeline()
        pipeline.fit(text_list, label_list)
        self.pipeline_ = pipeline
        self.classes_ = tuple(str(c) for c in pipeline.classes_)
        self.training_hash_ = training_data_hash(text_list, label_list)
        self.n_train_ = len(text_list)
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "pipeline_"):
            raise VocInputError("this TextClassifier is not fitted; call fit(texts, labels) or TextClassifier.load(path)")

    def predict_proba(self, texts: Iterable[object]) -> np.ndarray:
        """Calibrated probabilities, one row per text, columns in `classes_` order."""
        self._check_fitted()
        return self.pipeline_.predict_proba(check_texts(texts, where="texts to classify"))

    def classify(self, texts: Iterable[object]) -> pd.DataFrame:
        """The most probable label of each text with its calibrated probability (`confidence`)."""
        proba = self.predict_proba(texts)
        best = proba.argmax(axis=1)
        return pd.DataFrame({"label": np.asarray(self.classes_, dtype=object)[best], "confidence": proba[np.arange(len(best)), best]})

    def evaluate(self, texts: Iterable[object], labels: Iterable[object]) -> Evaluation:
        """Per-class scores, confusion matrix and precision-coverage curves on labelled texts."""
        text_list = check_texts(texts, where="evaluation texts")
        label_list = check_labels(labels, n_texts=len(text_list), where="evaluation labels")
        self._check_fitted()
        check_known_labels(label_list, self.classes_, where="evaluation labels")
        return evaluate_predictions(label_list, self.predict_proba(text_list), labels=self.classes_)

    def metadata(self) -> dict:
        """What a saved model says about itself (checked again on load)."""
        self._check_fitted()
        return {
            "kind": MODEL_KIND,
            "format_version": FORMAT_VERSION,
            "govex_version": govex.__version__,
            "sklearn_version": sklearn.__version__,
            "labels": list(self.classes_),
            "training_data_sha256": self.training_hash_,
            "n_train": self.n_train_,
            "config": self.config.model_dump(),
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }

    def save(self, path: str | Path) -> Path:
        """Write `path` (joblib) and its JSON sidecar, each to a temporary name first, then renamed."""
        self._check_fitted()
        path = Path(path)
        meta = self.metadata()
        model_tmp = temp_beside(path)
        try:
            joblib.dump(self.pipeline_, model_tmp)
            meta["model_sha256"] = _file_sha256(model_tmp)
            meta_tmp = temp_beside(metadata_path(path))
            try:
                meta_tmp.write_text(json.dumps(meta, indent=2), encoding="utf-8")
                os.replace(model_tmp, path)
                os.replace(meta_tmp, metadata_path(path))
            finally:
                meta_tmp.unlink(missing_ok=True)
        finally:
            model_tmp.unlink(missing_ok=True)
        return path

    @classmethod
    def load(cls, path: str | Path) -> "TextClassifier":
        """Read a model saved by `save`, refusing another kind, format or scikit-learn version.

        The file is a pickle: its SHA-256 is checked against the sidecar before it is opened,
        but only load models you (or your pipeline) wrote.
        """
        path = Path(path)
        meta = read_metadata(path)
        if meta.get("kind") != MODEL_KIND:
            raise ModelFileError(f"{path}: is a {meta.get('kind')!r} model, expected {MODEL_KIND!r}")
        if meta.get("format_version") != FORMAT_VERSION:
            raise ModelFileError(
                f"{path}: model format version {meta.get('format_version')!r}, this govex reads version "
                f"{FORMAT_VERSION}; retrain with `govex voc train`"
            )
        if meta.get("sklearn_version") != sklearn.__version__:
            raise ModelFileError(
                f"{path}: saved with scikit-learn {meta.get('sklearn_version')}, running {sklearn.__version__}; "
                "pickled models are not portable across versions, retrain with `govex voc train`"
            )
        if not path.is_file():
            raise ModelFileError(f"{path}: model file not found (its metadata {metadata_path(path).name} exists)")
        if _file_sha256(path) != meta.get("model_sha256"):
            raise ModelFileError(f"{path}: file content does not match the SHA-256 in {metadata_path(path).name}; the file was changed or truncated")
        model = cls(ClassifierConfig(**meta["config"]))
        model.pipeline_ = joblib.load(path)
        model.classes_ = tuple(meta["labels"])
        model.training_hash_ = meta["training_data_sha256"]
        model.n_train_ = meta["n_train"]
        return model


def read_metadata(path: str | Path) -> dict:
    """The JSON sidecar of a saved model, with a clear error when it is absent or unreadable."""
    meta_file = metadata_path(Path(path))
    return read_json_object(
        meta_file,
        error=ModelFileError,
        not_found=f"no metadata file for the model {Path(path).name}; was it written by `govex voc train`?",
        what="model metadata",
    )


def train_and_evaluate(
    texts: Iterable[object],
    labels: Iterable[object],
    *,
    holdout_share: float = 0.2,
    config: ClassifierConfig | None = None,
) -> tuple[TextClassifier, Evaluation]:
    """Fit on a stratified split and score on the held-out part (so the evaluation is honest).

    The returned model is the one fitted on the training part only: its evaluation describes it.
    """
    from sklearn.model_selection import train_test_split

    text_list = check_texts(texts, where="training texts")
    label_list = check_labels(labels, n_texts=len(text_list), where="training labels")
    if not 0 < holdout_share < 1:
        raise VocInputError(f"holdout_share must be between 0 and 1 (exclusive); got {holdout_share}")
    cfg = config or ClassifierConfig()
    counts = Counter(label_list)
    if len(counts) < 2:
        raise VocInputError(f"training labels: only one class ({next(iter(counts))!r}) was given; a classifier needs at least two labels")
    too_few = sorted(label for label, n in counts.items() if n < 2)
    if too_few:
        raise VocInputError(f"training labels: {too_few[:5]} have a single example; a held-out split needs at least two per label")
    train_x, test_x, train_y, test_y = train_test_split(
        text_list, label_list, test_size=holdout_share, stratify=label_list, random_state=cfg.seed
    )
    model = TextClassifier(cfg).fit(train_x, train_y)
    return model, model.evaluate(test_x, test_y)
