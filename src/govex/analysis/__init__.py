"""Analysis on small aggregated cubes (numpy/pandas/scipy only): what moved, where, and why."""
from govex.analysis.rca import Localization, RootCause, localize_root_causes

__all__ = ["Localization", "RootCause", "localize_root_causes"]
