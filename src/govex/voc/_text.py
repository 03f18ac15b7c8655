"""Text checks and normalisation shared by the VOC models (one place for 'what is a usable text')."""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence

from govex.errors import VocInputError

_MAX_EXAMPLES = 5


def fold_accents(text: str) -> str:
    """Lower-case and strip diacritics, so 'não', 'nao' and 'NÃO' are one token.

    Portuguese reviews are typed with and without accents; folding them merges the variants.
    """
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def check_texts(texts: Iterable[object], *, where: str = "texts") -> list[str]:
    """Return the texts as a list of str, or raise naming every empty or non-text row."""
    values = list(texts)
    if not values:
        raise VocInputError(f"{where}: no texts were given; expected at least one non-empty text")
    bad = [i for i, value in enumerate(values) if not isinstance(value, str) or not value.strip()]
    if bad:
        shown = ", ".join(str(i) for i in bad[:_MAX_EXAMPLES])
        more = f" (and {len(bad) - _MAX_EXAMPLES} more)" if len(bad) > _MAX_EXAMPLES else ""
        raise VocInputError(
            f"{where}: {len(bad)} of {len(values)} texts are empty or not text, at row(s) {shown}{more}; "
            "drop or fill those rows before classifying"
        )
    return [str(v) for v in values]


def check_labels(labels: Iterable[object], *, n_texts: int, where: str = "labels") -> list[str]:
    """Return the labels as a list of str, or raise on a length mismatch or an empty label."""
    values = list(labels)
    if len(values) != n_texts:
        raise VocInputError(f"{where}: {len(values)} labels for {n_texts} texts; expected one label per text")
    bad = [i for i, value in enumerate(values) if not isinstance(value, str) or not value.strip()]
    if bad:
        shown = ", ".join(str(i) for i in bad[:_MAX_EXAMPLES])
        raise VocInputError(f"{where}: {len(bad)} labels are empty or missing, at row(s) {shown}; every training text needs a label")
    return [str(v) for v in values]


def check_known_labels(labels: Sequence[str], known: Sequence[str], *, where: str = "labels") -> None:
    """Raise when a label is outside the model's label set (it could never be predicted)."""
    unknown = sorted(set(labels) - set(known))
    if unknown:
        raise VocInputError(
            f"{where}: label(s) {unknown[:_MAX_EXAMPLES]} are not in the model's label set {sorted(known)}; "
            "retrain with these labels or map them to known ones"
        )
