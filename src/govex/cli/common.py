"""What command modules share: the options every command spells and explains the same way, output
formatting, opening the warehouse, parsing dates."""
from __future__ import annotations

import datetime as dt
import json
import logging
import math
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console

from govex.errors import ConfigError

console = Console()

# Where the data is: every command that reads a warehouse takes both (one of them), opened by `open_warehouse`.
DbOption = Annotated[Optional[Path], typer.Option(
    "--db", help="DuckDB file holding the canonical tables (or give --config).")]
ConfigOption = Annotated[Optional[Path], typer.Option(
    "--config", "-c", help="govex.yaml: the data it maps is read with its engine (or give --db).")]
CatalogueOption = Annotated[Optional[list[Path]], typer.Option(
    "--catalogue", help="Extra metric YAML file or folder (repeatable).")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for programs instead of text for people.")]
FromOption = Annotated[Optional[str], typer.Option("--from", help="First day of the range, YYYY-MM-DD (inclusive).")]
ToOption = Annotated[Optional[str], typer.Option("--to", help="Last day of the range, YYYY-MM-DD (inclusive).")]
AsOfOption = Annotated[Optional[str], typer.Option(
    "--as-of", help="As-of date, YYYY-MM-DD: the data before it is used (default: the day after the last order).")]
FrameworksOption = Annotated[Optional[Path], typer.Option(
    "--frameworks", help="Folder of segment framework YAML files (default: the shipped ones).")]
SegmentsAsOfOption = Annotated[Optional[str], typer.Option(
    "--as-of", help="Use the segments written as of this date, YYYY-MM-DD (default: the latest written).")]


def _folder(param: typer.CallbackParam, value: Optional[Path]) -> Optional[Path]:
    if value is not None and value.exists() and not value.is_dir():
        raise ConfigError(f"{param.opts[0]} {value}: that is a file; give a folder (the command writes several files "
                          "into it)")
    return value


def _file(param: typer.CallbackParam, value: Optional[Path]) -> Optional[Path]:
    if value is not None and value.is_dir():
        raise ConfigError(f"{param.opts[0]} {value}: that is a folder; give the path of the file to write")
    return value


def out_folder(files: str, default: Any = ...) -> Any:
    """`--out` of a command that writes several files: a folder, made if missing; an existing file is refused."""
    return typer.Option(default, "--out", help=f"Folder to write {files} into (made if missing).", callback=_folder)


def out_file(what: str, default: Any = ..., name: str = "--out") -> Any:
    """`--out` (or `name`) of a command that writes one file: its path; an existing folder is refused."""
    return typer.Option(default, name, help=f"File to write: {what}.", callback=_file)


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
    """The warehouse named by `--db FILE.duckdb` or `--config govex.yaml` (one of them; None if neither and optional).

    The engine stack (Ibis, pandas) is imported only when a warehouse is named, so a command that
    can run without one (the Erlang calculator) starts like `--help`.
    """
    if config is not None and db is not None:
        raise ConfigError("give at most one of --config govex.yaml or --db FILE.duckdb")
    if db is None and config is None:
        if required:
            raise ConfigError("give --config govex.yaml or --db FILE.duckdb")
        return None
    from govex.engine import Warehouse

    if db is not None:
        if not db.is_file():
            raise ConfigError(f"--db {db}: no such DuckDB file; run `govex ingest` (or `govex demo`) first")
        return Warehouse.open(f"duckdb:///{db.resolve()}")
    from govex.config import load_config

    return Warehouse.from_config(load_config(config))


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
