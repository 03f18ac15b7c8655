"""The govex error tree: every library error names where, what was expected and what was found."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class IssueLevel(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Location:
    """Where a problem is, as far as it is known: a file and line, a table and column, the rows.

    `subject` names the thing at that place (``metric 'contact_rate'``, ``target for 'csat'``);
    `column` may be the columns of a compound key, comma-separated; `rows` is how many rows are
    affected (kept for programs; the message states it for people).
    """

    file: str | None = None
    line: int | None = None
    table: str | None = None
    column: str | None = None
    rows: int | None = None
    subject: str | None = None

    def __str__(self) -> str:
        head = f"{self.file}:{self.line}" if self.file and self.line else (self.file or "")
        head = " ".join(part for part in (head, self.subject) if part)
        if self.table and self.column:
            place = f"{self.table}.({self.column})" if ", " in self.column else f"{self.table}.{self.column}"
        else:
            place = f"table {self.table}" if self.table else (f"column {self.column}" if self.column else "")
        return ", ".join(part for part in (head, place) if part)


@dataclass(frozen=True)
class Issue:
    """One finding of a validator; validators collect all of them, then raise once."""

    level: IssueLevel
    message: str
    where: Location = Location()
    examples: tuple = field(default=())

    def render(self) -> str:
        where = str(self.where)
        head = f"[{self.level.value}] {where + ': ' if where else ''}{self.message}"
        if not self.examples:
            return head
        rows = "\n".join(f"      {row}" for row in self.examples)
        return f"{head}\n    examples:\n{rows}"


class GovexError(Exception):
    """Base of every error govex raises on purpose (the CLI prints these without a traceback)."""


class _ListsIssues:
    """Mixed into an error a checker raises once with every issue it found, each rendered on its own line."""

    summary = "invalid input"

    def __init__(self, issues: list[Issue], summary: str | None = None):
        self.issues = list(issues)
        body = "\n".join(i.render() for i in self.issues)
        super().__init__(f"{summary or self.summary} ({len(self.issues)} issue(s)):\n{body}")


class ConfigError(GovexError):
    """A configuration file or argument is invalid."""


class ContractError(_ListsIssues, GovexError):
    """Data does not meet the canonical data contract."""

    summary = "data contract violated"


class EngineError(GovexError):
    """The engine could not be reached or a query failed."""


class MissingTableError(GovexError):
    """A feature needs a canonical table that this warehouse does not have."""


class ModelError(GovexError):
    """A model could not be fitted or applied."""


class InfeasiblePlan(GovexError):
    """A plan's constraints cannot all be met; the message names the binding constraint."""


class ExpressionError(ConfigError):
    """An expression uses a construct, column or function the language does not allow."""


class ConditionSyntaxError(ConfigError):
    """A condition string that is not one or two comparisons."""


class CatalogueError(_ListsIssues, ConfigError):
    """One or more metric definitions are invalid; `issues` lists every problem found."""

    summary = "invalid metric catalogue"


class PlaybookError(_ListsIssues, ConfigError):
    """A playbook has errors; `issues` lists every one with its file:line."""

    summary = "invalid playbook"


class BenchmarkError(_ListsIssues, ConfigError):
    """A benchmarks file that cannot be used; `issues` lists every problem with its file and line."""

    summary = "benchmarks file has problems"


class CurrencyError(ConfigError):
    """Money cannot be put in the reporting currency: rates are missing or currencies are mixed."""


class PlanningInputError(ConfigError):
    """A planning input is out of range (negative volume, SL target above 1, zero handle time ...)."""


class ShortHistoryError(PlanningInputError):
    """Too little usable history to fit, back-test and hold out (said in days, naming the series)."""


class PolicyGap(ConfigError):
    """No rule of the policy matches a customer in a journey."""


class LLMConfigError(ConfigError):
    """The LLM backend is not configured (no base URL or model)."""


class LLMError(EngineError):
    """The chat-completions endpoint could not be reached or answered with an error."""


class LLMResponseError(LLMError):
    """The endpoint answered, but not with the JSON the task asked for."""


class VocInputError(ModelError):
    """Text or labels given to a VOC model are unusable (empty text, unknown label, one class)."""


class ModelFileError(ModelError):
    """A saved model file is missing, corrupt, or of another kind or version than this govex reads."""


class SnapshotError(GovexError):
    """A decision-service snapshot could not be built; the message says why (it crosses a process boundary as text)."""


class AssignmentError(GovexError):
    """Assignments that break their framework's labels; nothing was written."""


class ConservationError(GovexError):
    """A framework's staged rows do not hold exactly one row per entity in scope; nothing was written."""


class MissingExtraError(GovexError, ImportError):
    """An optional package is not installed; the message names the `govex[...]` extra to install.

    Also an ImportError, so code that probes for an optional package with `except ImportError`
    keeps working.
    """
