"""Segmentation frameworks (YAML), versioned assignments, transitions and profiles."""
from govex.segments.run import assign_all, assign_and_count, latest_as_of, run_segmentation, segment_sizes
from govex.segments.assign import ASSIGNMENT_COLUMNS, Assignment, Assignments, assign_frameworks, rule_condition, with_derived_features
from govex.segments.latent_risk import LatentRiskModel, add_risk_posterior, fit_latent_risk
from govex.segments.loader import (
    SHIPPED_FRAMEWORKS,
    Framework,
    check_framework,
    load_framework,
    load_frameworks,
    parse_framework,
    shipped_framework_dir,
)
from govex.segments.profile import segment_profile
from govex.segments.risk import BetaPrior, fit_priors
from govex.segments.spec import (
    CLVSpec,
    CompositeFramework,
    LatentClassSpec,
    RFMSpec,
    RiskSignal,
    RiskSpec,
    Rule,
    RulesFramework,
)
from govex.segments.store import ASSIGNMENTS_TABLE, AssignmentError, read_assignments, write_assignments
from govex.segments.transitions import Transitions, population_stability_index, segment_transitions

__all__ = [
    "ASSIGNMENTS_TABLE",
    "ASSIGNMENT_COLUMNS",
    "SHIPPED_FRAMEWORKS",
    "Assignment",
    "Assignments",
    "AssignmentError",
    "BetaPrior",
    "CLVSpec",
    "CompositeFramework",
    "Framework",
    "LatentClassSpec",
    "LatentRiskModel",
    "RFMSpec",
    "RiskSignal",
    "RiskSpec",
    "Rule",
    "RulesFramework",
    "Transitions",
    "add_risk_posterior",
    "assign_all",
    "assign_and_count",
    "latest_as_of",
    "assign_frameworks",
    "check_framework",
    "fit_latent_risk",
    "fit_priors",
    "load_framework",
    "load_frameworks",
    "parse_framework",
    "population_stability_index",
    "read_assignments",
    "rule_condition",
    "run_segmentation",
    "segment_profile",
    "segment_sizes",
    "segment_transitions",
    "shipped_framework_dir",
    "with_derived_features",
    "write_assignments",
]
