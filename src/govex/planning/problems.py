"""Allocation problems from a YAML file or from the warehouse (the inputs of `govex plan allocate`).

YAML format::

    vendors:                      # VendorTerms fields (the vendors table's columns, plus tiers)
      - {vendor_id: V1, rate: 20, capacity_hours_week: 400, languages: "en,de", qa_accuracy: 0.93}
    queues:                       # QueueWorkload fields: staffed hours a week that meet the target
      - {queue: chat_de, hours_week: 120, handle_time_s: 420, language: de, min_qa_accuracy: 0.92}
    budget:                       # optional budget split
      budget: 500000
      outcome_name: contacts resolved
      cells:
        - {domain: moderation, market: DE, scale: 90000, saturation: 150000}
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from govex.config.loader import load_yaml_model
from govex.errors import ConfigError
from govex.planning.allocation import BudgetCell, QueueWorkload
from govex.planning.history import plan_from_warehouse, queue_markets, vendor_terms
from govex.planning.service_lines import function_of
from govex.planning.vendors import VendorTerms

__all__ = ["AllocationProblem", "BudgetSpec", "load_allocation_problem", "routing_problem_from_warehouse"]

# Main language of a market (ISO 3166-1 alpha-2 -> ISO 639-1); unknown markets fall back to English.
MARKET_LANGUAGE = {
    "BR": "pt", "PT": "pt", "MX": "es", "ES": "es", "AR": "es", "CO": "es", "CL": "es", "DE": "de", "AT": "de",
    "CH": "de", "FR": "fr", "BE": "fr", "IT": "it", "NL": "nl", "PL": "pl", "US": "en", "GB": "en", "IE": "en",
    "AU": "en", "CA": "en", "IN": "en", "JP": "ja", "TR": "tr", "SE": "sv",
}


class BudgetSpec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    budget: float = Field(ge=0)
    outcome_name: str = "outcome"
    step: float = Field(default=10_000.0, gt=0)
    cells: list[BudgetCell] = Field(min_length=1)


class _ProblemFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    vendors: list[dict] = Field(default_factory=list)
    queues: list[QueueWorkload] = Field(default_factory=list)
    budget: BudgetSpec | None = None


@dataclass(frozen=True)
class AllocationProblem:
    queues: list[QueueWorkload]
    vendors: list[VendorTerms]
    budget: BudgetSpec | None = None


def load_allocation_problem(path: str | Path) -> AllocationProblem:
    """Read an allocation YAML; errors name the file and the entry at fault."""
    path = Path(path)
    spec = load_yaml_model(path, _ProblemFile, what="allocation problem")[0]
    if spec.queues and not spec.vendors:
        raise ConfigError(f"{path}: queues given but no vendors to route them to")
    if not spec.queues and spec.budget is None:
        raise ConfigError(f"{path}: nothing to allocate; give queues and vendors, or a budget")
    vendors = []
    for i, row in enumerate(spec.vendors):
        try:
            vendors.append(VendorTerms.from_row(row))
        except ConfigError as exc:
            raise ConfigError(f"{path}: vendors[{i}]: {exc}") from None
    return AllocationProblem(list(spec.queues), vendors, spec.budget)


def routing_problem_from_warehouse(warehouse) -> AllocationProblem:
    """Next week's planned staffed hours per queue, to route across the warehouse's vendors.

    Each queue's language is the main language of its main market; each queue needs vendors of its
    service line (moderation, education, service recovery; contact queues customer service).
    """
    planned = plan_from_warehouse(warehouse)
    markets = queue_markets(warehouse)
    settings = planned.plan.settings
    queues = []
    for r in planned.plan.queues.itertuples():
        if r.staffed_hours_week <= 0:
            continue
        queues.append(QueueWorkload(
            queue=r.queue, hours_week=r.staffed_hours_week, handle_time_s=max(r.handle_time_s, 1.0),
            language=MARKET_LANGUAGE.get(markets.get(r.queue, ""), "en"),
            function=function_of(r.channel),
            occupancy=settings.max_occupancy, shrinkage=settings.shrinkage,
        ))
    return AllocationProblem(queues, list(vendor_terms(warehouse).values()))
