"""Theme discovery on unlabelled text (contact messages, survey comments, reviews), English or Portuguese.

TF-IDF over accent-folded words and bigrams, with negations joined to the next word
('nao recebi' -> 'nao_recebi', 'not arrived' -> 'not_arrived') so that "did not arrive"
and "arrived" do not fall into one theme; then non-negative matrix factorisation, each
text going to its heaviest component. A theme is described by its top-weighted phrases
and its most typical texts; `theme_scores` and `theme_trend` give its volume, CSAT and NPS
by any columns (segment, journey, market) and over time.

References
----------
.. [1] Lee, D. D., Seung, H. S. (1999). Learning the parts of objects by non-negative matrix
   factorization. Nature 401, 788-791.
.. [2] Reichheld, F. (2003). The one number you need to grow. Harvard Business Review 81(12):
   NPS = % promoters (9-10) - % detractors (0-6).
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from govex.voc._text import check_texts, fold_accents
from govex.errors import VocInputError
from govex.voc.stopwords import stop_words

NO_THEME = -1
_NEGATIONS = {"pt": frozenset({"nao", "nunca", "sem", "nem"}), "en": frozenset({"not", "no", "never", "nt", "without", "cannot"})}
_WORD = re.compile(r"[^\W\d_]{2,}")
MAX_LABEL_TOKENS = 3  # a part of a theme's label is a phrase, not a sentence


class ThemeConfig(BaseModel):
    """Language, number of themes and how each is described."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    language: Literal["en", "pt"] = "en"
    n_themes: int = Field(12, ge=2, le=200)
    min_df: int = Field(3, ge=1, description="a phrase must appear in this many texts")
    max_df: float = Field(0.25, gt=0, le=1, description="drop phrases in more than this share of texts (too generic)")
    n_phrases: int = Field(8, ge=1, description="representative phrases per theme")
    n_examples: int = Field(3, ge=1, description="example texts per theme")
    seed: int = 0


class _Analyser:
    """Folds accents, drops stop words and joins a negation to the word after it (picklable)."""

    def __init__(self, language: str):
        self.language = language
        self.stop = stop_words(language) - _NEGATIONS[language]
        self.negations = _NEGATIONS[language]

    def __call__(self, text: str) -> list[str]:
        words = [w for w in _WORD.findall(fold_accents(text).replace("n't", " nt")) if w not in self.stop]
        tokens: list[str] = []
        i = 0
        while i < len(words):
            if words[i] in self.negations and i + 1 < len(words):
                tokens.append(f"{words[i]}_{words[i + 1]}")
                i += 2
            else:
                tokens.append(words[i])
                i += 1
        return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:])]


class ThemeFinder:
    """Find themes in texts: `fit(texts)`, then read `themes_` and `assignments_`, or `assign(new)`.

    Parameters
    ----------
    config : ThemeConfig, optional
    """

    def __init__(self, config: ThemeConfig | None = None):
        self.config = config or ThemeConfig()

    def fit(self, texts: Iterable[object]) -> "ThemeFinder":
        from sklearn.decomposition import NMF
        from sklearn.feature_extraction.text import TfidfVectorizer

        cfg = self.config
        text_list = check_texts(texts, where="texts for theme discovery")
        if len(text_list) < cfg.n_themes * 3:
            raise VocInputError(
                f"texts for theme discovery: {len(text_list)} texts for {cfg.n_themes} themes; give at least "
                f"{cfg.n_themes * 3} texts or ask for fewer themes"
            )
        vectorizer = TfidfVectorizer(analyzer=_Analyser(cfg.language), min_df=cfg.min_df, max_df=cfg.max_df, sublinear_tf=True)
        try:
            matrix = vectorizer.fit_transform(text_list)
        except ValueError as exc:  # scikit-learn: no phrase survives min_df/max_df
            raise VocInputError(f"texts for theme discovery: no phrase is frequent enough ({exc}); lower min_df or give more text") from exc
        if matrix.shape[1] < cfg.n_themes:
            raise VocInputError(f"texts for theme discovery: only {matrix.shape[1]} distinct phrases for {cfg.n_themes} themes; lower min_df or ask for fewer themes")
        nmf = NMF(n_components=cfg.n_themes, init="nndsvda", random_state=cfg.seed, max_iter=400)
        weights = nmf.fit_transform(matrix)
        self.vectorizer_ = vectorizer
        self.nmf_ = nmf
        self.assignments_ = _argmax_or_none(weights)
        self.themes_ = self._describe(text_list, weights)
        return self

    def _describe(self, texts: Sequence[str], weights: np.ndarray) -> pd.DataFrame:
        cfg = self.config
        phrases = np.asarray(self.vectorizer_.get_feature_names_out(), dtype=object)
        rows = []
        for theme in range(cfg.n_themes):
            ranked = list(phrases[np.argsort(-self.nmf_.components_[theme])[: cfg.n_phrases]])
            members = np.flatnonzero(self.assignments_ == theme)
            typical = members[np.argsort(-weights[members, theme])[: cfg.n_examples]]
            rows.append(
                {
                    "theme": theme,
                    "label": theme_label(ranked, [texts[i] for i in members]),
                    "phrases": [p.replace("_", " ") for p in ranked],
                    "n_texts": len(members),
                    "share": len(members) / len(texts),
                    "examples": [texts[i] for i in typical],
                }
            )
        return pd.DataFrame(rows)

    def assign(self, texts: Iterable[object]) -> np.ndarray:
        """Theme of each text (NO_THEME = -1 when none of its phrases is known)."""
        if not hasattr(self, "nmf_"):
            raise VocInputError("this ThemeFinder is not fitted; call fit(texts) first")
        matrix = self.vectorizer_.transform(check_texts(texts, where="texts to assign to themes"))
        return _argmax_or_none(self.nmf_.transform(matrix))


def theme_label(phrases: Sequence[str], texts: Sequence[str], *, parts: int = 3) -> str:
    """A theme's name from its top phrases (heaviest first), as a person would write it: 'took far too long / refund'.

    Phrases that chain ('took far', 'far long') are joined, a phrase whose words are already named
    ('long') is dropped, and the stop words the analyser removed inside a chain are put back from
    the theme's texts (the most frequent wording), so no word repeats and none is missing.
    """
    return " / ".join(_as_written(chain, texts) for chain in _chains(phrases)[:parts])


def _chains(phrases: Sequence[str]) -> list[list[str]]:
    """Phrases of one or two tokens, joined (up to MAX_LABEL_TOKENS) where one ends with the word the next starts with."""
    chains: list[list[str]] = []
    for phrase in phrases:
        tokens = phrase.split(" ")
        named = {w for chain in chains for token in chain for w in _words(token)}
        ends = next((i for i, c in enumerate(chains) if len(tokens) == 2 and c[-1] == tokens[0]), None)
        starts = next((i for i, c in enumerate(chains) if len(tokens) == 2 and c[0] == tokens[-1]), None)
        if ends is not None and starts is not None and ends != starts:
            if len(chains[ends]) + len(chains[starts]) <= MAX_LABEL_TOKENS:
                first, second = sorted((ends, starts))
                chains[first] = chains[ends] + chains[starts]  # the joined chain keeps the earlier one's place
                del chains[second]
        elif ends is not None and not named & _words(tokens[-1]) and len(chains[ends]) < MAX_LABEL_TOKENS:
            chains[ends].append(tokens[-1])
        elif starts is not None and not named & _words(tokens[0]) and len(chains[starts]) < MAX_LABEL_TOKENS:
            chains[starts].insert(0, tokens[0])
        elif not named & {w for token in tokens for w in _words(token)}:
            chains.append(tokens)
    return chains


def _words(token: str) -> set[str]:
    """The words of a token ('not_arrived' is two: a negation joined to its word)."""
    return set(token.split("_"))


def _as_written(chain: list[str], texts: Sequence[str]) -> str:
    """The chain's words as the texts most often write them, with the stop words between them."""
    gap = r"\W+(?:\w+\W+){0,3}?"  # the stop words the analyser dropped between two tokens
    pattern = re.compile(r"\b" + gap.join(gap.join(map(re.escape, token.split("_"))) for token in chain) + r"\b")
    found = Counter(m.group(0) for m in (pattern.search(_normal(t)) for t in texts) if m)
    wording = found.most_common(1)[0][0] if found else " ".join(chain)
    return re.sub(r"\bnt\b", "not", re.sub(r"[\W_]+", " ", wording)).strip()


def _normal(text: str) -> str:
    """A text as the analyser reads it (accents folded, "n't" apart), so the tokens match."""
    return fold_accents(text).replace("n't", " nt")


def _argmax_or_none(weights: np.ndarray) -> np.ndarray:
    best = weights.argmax(axis=1)
    best[weights.max(axis=1) <= 0] = NO_THEME
    return best


def net_promoter_score(nps: pd.Series) -> float:
    """NPS in points (-100..100): % of 9-10 answers minus % of 0-6 answers, NaN when none."""
    answered = nps.dropna()
    if answered.empty:
        return float("nan")
    return float(100 * ((answered >= 9).mean() - (answered <= 6).mean()))


def theme_scores(
    frame: pd.DataFrame,
    *,
    theme_col: str = "theme",
    by: Sequence[str] = (),
    csat_col: str | None = None,
    nps_col: str | None = None,
) -> pd.DataFrame:
    """Volume, share (within each `by` group), mean CSAT and NPS of each theme.

    `frame` has one row per text with its theme and, optionally, the respondent's CSAT (1-5),
    NPS answer (0-10) and any grouping columns such as a segment or journey.
    """
    needed = [theme_col, *by, *(c for c in (csat_col, nps_col) if c)]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise VocInputError(f"theme scores: column(s) {missing} not in the frame (columns: {list(frame.columns)})")
    keys = [*by, theme_col]
    grouped = frame.groupby(keys, dropna=False)
    out = grouped.size().rename("n_texts").reset_index()
    totals = out.groupby(list(by))["n_texts"].transform("sum") if by else out["n_texts"].sum()
    out["share"] = out["n_texts"] / totals
    if csat_col:
        out = out.merge(grouped[csat_col].mean().rename("csat_mean").reset_index(), on=keys)
    if nps_col:
        out = out.merge(grouped[nps_col].apply(net_promoter_score).rename("nps").reset_index(), on=keys)
    return out.sort_values([*by, "n_texts"], ascending=[True] * len(by) + [False], ignore_index=True)


def theme_trend(
    frame: pd.DataFrame, *, theme_col: str = "theme", time_col: str, period: Literal["day", "week", "month", "quarter"] = "month", by: Sequence[str] = ()
) -> pd.DataFrame:
    """Texts per theme and period, and the theme's share of that period's texts (within `by`)."""
    missing = [c for c in (theme_col, time_col, *by) if c not in frame.columns]
    if missing:
        raise VocInputError(f"theme trend: column(s) {missing} not in the frame (columns: {list(frame.columns)})")
    freq = {"day": "D", "week": "W-SUN", "month": "M", "quarter": "Q"}[period]  # W-SUN: weeks start on Monday
    work = frame.assign(period_start=pd.to_datetime(frame[time_col]).dt.to_period(freq).dt.start_time)
    counts = work.groupby(["period_start", *by, theme_col], dropna=False).size().rename("n_texts").reset_index()
    counts["share"] = counts["n_texts"] / counts.groupby(["period_start", *by])["n_texts"].transform("sum")
    return counts.sort_values(["period_start", *by, theme_col], ignore_index=True)
