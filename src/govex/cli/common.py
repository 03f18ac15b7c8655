"""Small helpers shared by command modules (output formatting)."""
from __future__ import annotations

import json
import math
from typing import Any

from rich.console import Console

console = Console()


def _clean(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        try:
            return _clean(value.item())
        except (ValueError, TypeError):
            return value
    return value


def print_json(payload: Any) -> None:
    """Print strict JSON (NaN and numpy scalars cleaned) on stdout, nothing else."""
    print(json.dumps(_clean(payload), indent=2, default=str))
