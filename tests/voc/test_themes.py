"""Theme discovery: English contacts (planted reasons), Portuguese Olist reviews (analysts' labels),
and the scores per theme checked against hand or pandas calculations."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from govex.errors import VocInputError
from govex.voc.themes import ThemeConfig, ThemeFinder, _Analyser, net_promoter_score, theme_scores, theme_trend


def test_english_themes_recover_the_planted_reasons(contacts_en):
    finder = ThemeFinder(ThemeConfig(language="en", n_themes=5)).fit(contacts_en["text"])
    counts = pd.crosstab(finder.assignments_, contacts_en["reason"])
    # five reasons with their own phrase templates: each theme is led by a different reason, and
    # texts sit with their theme's leading reason far more often than by chance (1/5)
    assert counts.idxmax(axis=1).nunique() == 5
    assert counts.max(axis=1).sum() / counts.to_numpy().sum() >= 0.55
    themes = finder.themes_
    assert themes["n_texts"].sum() == (finder.assignments_ >= 0).sum()
    assert all(len(ex) <= 3 for ex in themes["examples"]) and all(len(p) == 8 for p in themes["phrases"])
    assert (finder.assign(["my parcel has not arrived yet"]) == finder.assign(contacts_en["text"][contacts_en["text"].str.contains("parcel has not arrived")].head(1))).all()


def test_portuguese_analyser_folds_accents_and_joins_negations():
    tokens = _Analyser("pt")("Não recebi o PRODUTO, péssimo!")
    # 'o' is a stop word; 'não recebi' becomes one token; accents folded
    assert tokens == ["nao_recebi", "produto", "pessimo", "nao_recebi produto", "produto pessimo"]
    assert "nt_arrive" in _Analyser("en")("It didn't arrive")


def test_olist_themes_separate_delivery_from_quality(shared_data):
    """Olist's analysts voted each comment into delivery, quality or satisfied (classified file)."""
    path = shared_data / "olist" / "classified" / "olist_classified_public_dataset.csv.gz"
    reviews = pd.read_csv(path, usecols=["review_score", "review_comment_title", "review_comment_message", "most_voted_class"])
    text = (reviews["review_comment_title"].fillna("") + " " + reviews["review_comment_message"].fillna("")).str.strip()
    reviews = reviews.assign(text=text)[text.str.len() > 0]
    finder = ThemeFinder(ThemeConfig(language="pt", n_themes=20)).fit(reviews["text"])
    reviews = reviews.assign(theme=finder.assignments_)
    mix = pd.crosstab(reviews["theme"], reviews["most_voted_class"], normalize="index")
    size = reviews["theme"].value_counts()
    big = mix.loc[size[size >= 50].index]
    delivery, quality = big["problemas_de_entrega"], big["problemas_de_qualidade"]
    # a delivery theme that is almost only delivery problems, and a theme where quality problems lead
    assert delivery.max() >= 0.8
    assert ((quality >= 0.4) & (quality > delivery)).any()
    # the lowest-scoring theme is a delivery theme, and delivery-led themes score below quality-led ones
    scores = theme_scores(reviews, csat_col="review_score").set_index("theme")
    lead = mix.idxmax(axis=1)
    assert lead[scores["csat_mean"].idxmin()] == "problemas_de_entrega"
    problem_lead = mix[["problemas_de_entrega", "problemas_de_qualidade"]].idxmax(axis=1)[mix[["problemas_de_entrega", "problemas_de_qualidade"]].max(axis=1) >= 0.4]
    mean_by_kind = reviews[reviews["theme"].isin(problem_lead.index)].assign(kind=lambda f: f["theme"].map(problem_lead)).groupby("kind")["review_score"].mean()
    assert mean_by_kind["problemas_de_entrega"] < mean_by_kind["problemas_de_qualidade"]


def test_net_promoter_score_by_hand():
    # 9, 10 promoters (2); 7, 8 passive; 0, 6 detractors (2) of 6 answers -> 100 * (2 - 2) / 6 = 0
    assert net_promoter_score(pd.Series([9, 10, 7, 8, 0, 6])) == pytest.approx(0)
    # 3 promoters, 1 detractor of 4 -> 50
    assert net_promoter_score(pd.Series([10, 9, 9, 3, np.nan])) == pytest.approx(50)
    assert np.isnan(net_promoter_score(pd.Series([np.nan])))


def test_theme_scores_and_trend_against_pandas():
    frame = pd.DataFrame(
        {
            "theme": [0, 0, 1, 1, 1, 0],
            "journey": ["fulfilment", "fulfilment", "fulfilment", "return", "return", "return"],
            "csat": [1, 3, 5, 4, 2, 5],
            "nps": [0, 10, 9, 9, 2, 10],
            "at": pd.to_datetime(["2024-01-03", "2024-01-20", "2024-02-01", "2024-02-10", "2024-02-11", "2024-01-31"]),
        }
    )
    scores = theme_scores(frame, by=["journey"], csat_col="csat", nps_col="nps").set_index(["journey", "theme"])
    # fulfilment: theme 0 has 2 of 3 texts, CSAT (1+3)/2 = 2, NPS: 1 promoter 1 detractor of 2 -> 0
    assert scores.loc[("fulfilment", 0), ["n_texts", "share", "csat_mean", "nps"]].tolist() == pytest.approx([2, 2 / 3, 2, 0])
    # return: theme 1 has 2 of 3, CSAT 3, NPS (1 - 1)/2 -> 0; theme 0: one promoter -> 100
    assert scores.loc[("return", 1), "csat_mean"] == pytest.approx(3) and scores.loc[("return", 0), "nps"] == pytest.approx(100)
    trend = theme_trend(frame, time_col="at", period="month").set_index(["period_start", "theme"])
    # January: theme 0 x3 (01-03, 01-20, 01-31); February: theme 1 x3
    assert trend.loc[(pd.Timestamp("2024-01-01"), 0), "n_texts"] == 3 and trend.loc[(pd.Timestamp("2024-02-01"), 1), "share"] == 1.0
    with pytest.raises(VocInputError, match="'segment'"):
        theme_scores(frame, by=["segment"])


def test_too_little_text_is_refused():
    with pytest.raises(VocInputError, match="at least 15 texts"):
        ThemeFinder(ThemeConfig(n_themes=5)).fit(["late parcel"] * 10)
    with pytest.raises(VocInputError, match="empty"):
        ThemeFinder().fit(["a", ""])
