"""Voice of the customer: classify contact and feedback text, find themes, cost automation."""
from govex.voc.classifier import ClassifierConfig, TextClassifier, read_metadata, train_and_evaluate
from govex.voc.errors import LLMConfigError, LLMError, LLMResponseError, ModelFileError, VocInputError
from govex.voc.evaluation import Evaluation, evaluate_predictions, operating_point

__all__ = [
    "ClassifierConfig",
    "Evaluation",
    "LLMConfigError",
    "LLMError",
    "LLMResponseError",
    "ModelFileError",
    "TextClassifier",
    "VocInputError",
    "evaluate_predictions",
    "operating_point",
    "read_metadata",
    "train_and_evaluate",
]
