"""One call from a warehouse to ranked automation opportunities (used by `govex demo`)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.voc.automation import AutomationConfig, automation_opportunities
from govex.voc.classifier import ClassifierConfig, TextClassifier, train_and_evaluate
from govex.voc.evaluation import Evaluation
from govex.voc.sources import contact_texts, reason_volumes


@dataclass(frozen=True)
class AutomationStudy:
    """The model trained on the contacts, its held-out evaluation, and the ranked opportunities."""

    model: TextClassifier
    evaluation: Evaluation
    opportunities: pd.DataFrame


def automation_study(
    warehouse: Warehouse,
    *,
    automation: AutomationConfig | None = None,
    classifier: ClassifierConfig | None = None,
    holdout_share: float = 0.25,
    max_texts: int | None = 20_000,
) -> AutomationStudy:
    """Train on the contacts' text and reason, evaluate on a held-out share, cost automation per reason."""
    texts = contact_texts(warehouse, labelled=True, max_texts=max_texts)
    model, evaluation = train_and_evaluate(texts["text"], texts["reason"], holdout_share=holdout_share, config=classifier)
    volumes = reason_volumes(warehouse)
    return AutomationStudy(model=model, evaluation=evaluation, opportunities=automation_opportunities(evaluation, volumes, config=automation))
