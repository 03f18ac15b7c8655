"""Small helpers shared by command modules: output formatting, opening the warehouse, parsing dates."""
from __future__ import annotations

import datetime as dt
import json
import logging
import math
from pathlib import Path
from typing import Any

from rich.console import Console

from govex.errors import ConfigError

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


def open_warehouse(*, db: Path | None = None, config: Path | None = None, required: bool = True):
    """The warehouse named by `--db FILE.duckdb` or `--config govex.yaml` (one of them; None if neither and optional)."""
    from govex.engine import Warehouse

    if config is not None and db is not None:
        raise ConfigError("give at most one of --config govex.yaml or --db FILE.duckdb")
    if db is not None:
        if not db.exists():
            raise ConfigError(f"--db {db}: no such DuckDB file; run `govex ingest` (or `govex demo`) first")
        return Warehouse.open(f"duckdb:///{db.resolve()}")
    if config is not None:
        from govex.config import load_config

        return Warehouse.from_config(load_config(config))
    if required:
        raise ConfigError("give --config govex.yaml or --db FILE.duckdb")
    return None


def renamed_option(new: str, value: Any, old: str, old_value: Any) -> Any:
    """The value of option `new`, or of `old`, its deprecated spelling kept for one release (with a warning)."""
    if old_value is None:
        return value
    if value is not None:
        raise ConfigError(f"give {new} only: {old} is its deprecated spelling")
    logging.getLogger("govex.cli").warning("%s is deprecated and goes in the next release; use %s", old, new)
    return old_value


def parse_date(value: str | None, option: str) -> dt.date | None:
    """A YYYY-MM-DD option value as a date (None stays None), with an error naming the option."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{option}: expected a date as YYYY-MM-DD; got {value!r}") from None
