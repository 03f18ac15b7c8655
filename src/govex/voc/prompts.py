"""Prompt templates and answer schemas of the LLM tasks, one pair per task.

Each template asks for one JSON object; each schema validates it (and the label or policy set
it must stay within). The template version is part of the cache key, so editing a prompt
never serves answers to the old one.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Message = dict[str, str]


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class ClassifyAnswer(_Answer):
    label: str
    rationale: str = Field("", max_length=600)


class ThemeAnswer(_Answer):
    name: str = Field(min_length=1, max_length=120)
    summary: str = Field(min_length=1, max_length=1200)


class PolicySignal(_Answer):
    policy: str
    evidence: str = Field("", max_length=600)
    severity: Literal["low", "medium", "high"]


class PolicyAnswer(_Answer):
    signals: list[PolicySignal]


@dataclass(frozen=True)
class PromptTemplate:
    """A system prompt and a user-prompt format string for one task."""

    task: str
    version: int
    system: str
    user: str

    def messages(self, **fields: str) -> list[Message]:
        return [{"role": "system", "content": self.system}, {"role": "user", "content": self.user.format(**fields)}]


CLASSIFY = PromptTemplate(
    task="classify",
    version=1,
    system=(
        "You label customer messages for a marketplace's customer-service team. "
        "Answer with one JSON object and nothing else."
    ),
    user=(
        "Allowed labels (use one exactly as written): {labels}\n\n"
        "Message:\n\"\"\"{text}\"\"\"\n\n"
        'Reply as {{"label": "<one allowed label>", "rationale": "<at most 25 words on why>"}}'
    ),
)

SUMMARISE_THEME = PromptTemplate(
    task="summarise_theme",
    version=1,
    system=(
        "You summarise groups of customer comments for a customer-experience strategy team. "
        "Answer with one JSON object and nothing else, in English whatever the comments' language."
    ),
    user=(
        "These comments were grouped together by a clustering model. Frequent phrases: {phrases}\n\n"
        "Comments:\n{examples}\n\n"
        'Reply as {{"name": "<theme name, at most 6 words>", "summary": "<2 sentences: what customers '
        'say and what goes wrong>"}}'
    ),
)

POLICY_SIGNALS = PromptTemplate(
    task="policy_signals",
    version=1,
    system=(
        "You screen marketplace messages and reviews for signs that a trust-and-safety policy may be "
        "violated. Report only what the text supports. Answer with one JSON object and nothing else."
    ),
    user=(
        "Policies (use names exactly as written): {policies}\n\n"
        "Text:\n\"\"\"{text}\"\"\"\n\n"
        'Reply as {{"signals": [{{"policy": "<policy>", "evidence": "<quoted words>", '
        '"severity": "low|medium|high"}}]}}, with an empty list when nothing is suspicious.'
    ),
)


def classify_messages(text: str, labels: Sequence[str]) -> list[Message]:
    return CLASSIFY.messages(labels=json.dumps(list(labels), ensure_ascii=False), text=text)


def summarise_theme_messages(phrases: Sequence[str], examples: Sequence[str]) -> list[Message]:
    listed = "\n".join(f"- {example}" for example in examples)
    return SUMMARISE_THEME.messages(phrases=", ".join(phrases), examples=listed)


def policy_messages(text: str, policies: Sequence[str]) -> list[Message]:
    return POLICY_SIGNALS.messages(policies=json.dumps(list(policies), ensure_ascii=False), text=text)
