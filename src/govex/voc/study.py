"""One call from a warehouse to ranked automation opportunities costed by the planning module (used by `govex demo`)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from govex.engine.warehouse import Warehouse
from govex.planning import PlanSettings, WarehousePlan, plan_from_warehouse
from govex.voc.automation import AutomationConfig, planned_automation_opportunities
from govex.voc.classifier import ClassifierConfig, TextClassifier, train_and_evaluate
from govex.voc.evaluation import Evaluation
from govex.voc.sources import contact_texts


@dataclass(frozen=True)
class AutomationStudy:
    """The model trained on the contacts, its held-out evaluation, the plan the savings were
    costed against, and the ranked opportunities."""

    model: TextClassifier
    evaluation: Evaluation
    plan: WarehousePlan
    opportunities: pd.DataFrame


def automation_study(
    warehouse: Warehouse,
    *,
    automation: AutomationConfig | None = None,
    classifier: ClassifierConfig | None = None,
    settings: PlanSettings | None = None,
    plan: WarehousePlan | None = None,
    holdout_share: float = 0.25,
    max_texts: int | None = 20_000,
    seed: int = 0,
) -> AutomationStudy:
    """Train on a stratified sample of the contacts' text and reason, evaluate on a held-out
    share, and cost automation per reason against next week's plan (`plan_from_warehouse`,
    or the `plan` given): Erlang staffing and vendor prices, not a linear rate."""
    texts = contact_texts(warehouse, labelled=True, max_texts=max_texts, seed=seed)
    model, evaluation = train_and_evaluate(texts["text"], texts["reason"], holdout_share=holdout_share, config=classifier)
    plan = plan or plan_from_warehouse(warehouse, settings=settings)
    opportunities = planned_automation_opportunities(evaluation, plan.inputs, settings=plan.plan.settings, config=automation)
    return AutomationStudy(model=model, evaluation=evaluation, plan=plan, opportunities=opportunities)
