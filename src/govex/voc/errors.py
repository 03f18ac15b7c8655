"""Errors of the VOC stage, each a subclass of the nearest GovexError."""
from __future__ import annotations

from govex.errors import ConfigError, EngineError, ModelError


class VocInputError(ModelError):
    """Text or labels given to a VOC model are unusable (empty text, unknown label, one class)."""


class ModelFileError(ModelError):
    """A saved model file is missing, corrupt, or of another kind or version than this govex reads."""


class LLMError(EngineError):
    """The chat-completions endpoint could not be reached or answered with an error."""


class LLMResponseError(LLMError):
    """The endpoint answered, but not with the JSON the task asked for."""


class LLMConfigError(ConfigError):
    """The LLM backend is not configured (no base URL or model)."""
