"""Voice of the customer: classify contact and feedback text, find themes, cost automation."""
from govex.voc.automation import (
    DEFAULT_RESOLVABLE_SHARE,
    AutomationConfig,
    automation_opportunities,
    planned_automation_opportunities,
    scenario_document,
    write_scenario,
)
from govex.voc.classifier import ClassifierConfig, TextClassifier, read_metadata, train_and_evaluate
from govex.errors import LLMConfigError, LLMError, LLMResponseError, ModelFileError, VocInputError
from govex.voc.evaluation import Evaluation, evaluate_predictions, operating_point
from govex.voc.llm import LLMClient, LLMConfig, LLMRun, RunUsage
from govex.voc.sources import contact_texts, reason_volumes, sample_rows, stratified_quotas, survey_comments, with_segments
from govex.voc.study import AutomationStudy, automation_study
from govex.voc.themes import ThemeConfig, ThemeFinder, net_promoter_score, theme_scores, theme_trend

__all__ = [
    "DEFAULT_RESOLVABLE_SHARE",
    "AutomationConfig",
    "AutomationStudy",
    "ClassifierConfig",
    "Evaluation",
    "LLMClient",
    "LLMConfig",
    "LLMConfigError",
    "LLMError",
    "LLMResponseError",
    "LLMRun",
    "ModelFileError",
    "RunUsage",
    "TextClassifier",
    "ThemeConfig",
    "ThemeFinder",
    "VocInputError",
    "automation_opportunities",
    "automation_study",
    "contact_texts",
    "evaluate_predictions",
    "net_promoter_score",
    "operating_point",
    "planned_automation_opportunities",
    "read_metadata",
    "reason_volumes",
    "sample_rows",
    "scenario_document",
    "stratified_quotas",
    "survey_comments",
    "theme_scores",
    "theme_trend",
    "train_and_evaluate",
    "with_segments",
    "write_scenario",
]
