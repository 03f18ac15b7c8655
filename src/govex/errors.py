"""The govex error tree: every library error names where, what was expected and what was found."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class IssueLevel(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    """One finding of a validator; validators collect all of them, then raise once."""

    level: IssueLevel
    message: str
    where: str = ""
    examples: tuple = field(default=())

    def render(self) -> str:
        head = f"[{self.level.value}] {self.where + ': ' if self.where else ''}{self.message}"
        if not self.examples:
            return head
        rows = "\n".join(f"      {row}" for row in self.examples)
        return f"{head}\n    examples:\n{rows}"


class GovexError(Exception):
    """Base of every error govex raises on purpose (the CLI prints these without a traceback)."""


class ConfigError(GovexError):
    """A configuration file or argument is invalid."""


class ContractError(GovexError):
    """Data does not meet the canonical data contract."""

    def __init__(self, issues: list[Issue], summary: str = "data contract violated"):
        self.issues = list(issues)
        body = "\n".join(i.render() for i in self.issues)
        super().__init__(f"{summary} ({len(self.issues)} issue(s)):\n{body}")


class EngineError(GovexError):
    """The engine could not be reached or a query failed."""


class MissingTableError(GovexError):
    """A feature needs a canonical table that this warehouse does not have."""


class ModelError(GovexError):
    """A model could not be fitted or applied."""


class InfeasiblePlan(GovexError):
    """A plan's constraints cannot all be met; the message names the binding constraint."""
