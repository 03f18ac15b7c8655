"""Validate raw canonical tables, stage them, and swap them in with one transaction.

The order is fixed so that nothing is half-written: validate everything first (no writes), then
materialise each table under a staging name, then replace all final tables at once. A failure
at any step drops the staging tables and leaves the previous tables as they were.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping
from contextlib import nullcontext
from pathlib import Path

import ibis
import ibis.expr.types as ir
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

from govex.contract.schema import LOAD_ORDER, TABLES, table
from govex.contract.types import conform
from govex.contract.validate import absent_tables, validate_tables
from govex.dialect import replace_tables_atomically
from govex.engine.warehouse import connect
from govex.errors import ConfigError
from govex.engine.pseudonymise import pseudonymise
from govex.ingest.report import IngestReport, LoadedTable

log = logging.getLogger(__name__)

STAGING_PREFIX = "_govex_staging_"
_STEPS = ("validated", "staged", "swapped")


def open_database(database: str | Path) -> ibis.BaseBackend:
    """Open (creating if needed) the DuckDB file ingest writes to."""
    return connect(f"duckdb:///{database}")


def load_tables(
    con: ibis.BaseBackend,
    raw_tables: Mapping[str, ir.Table],
    *,
    database: str,
    sources: Mapping[str, str] | None = None,
    salt: str | None = None,
    warn_only: bool = False,
    progress: bool = False,
) -> IngestReport:
    """Validate `raw_tables` (contract column names, any types) and replace them in `con` atomically.

    `database` names the file in the report. Tables already in the database but not in `raw_tables` are kept, and foreign keys are
    checked against them. Raises ContractError (nothing written) when validation fails.
    """
    if not raw_tables:
        raise ConfigError("nothing to ingest: no canonical table has a source")
    sources = dict(sources or {})
    names = [name for name in LOAD_ORDER if name in raw_tables]
    unknown = sorted(set(raw_tables) - set(TABLES))
    if unknown:
        raise ConfigError(f"not canonical tables: {', '.join(unknown)}; known: {', '.join(TABLES)}")
    existing = set(con.list_tables())
    references = {name: con.table(name) for name in TABLES if name in existing and name not in raw_tables}
    bar = _progress() if progress else None
    with bar or nullcontext():
        tasks = {name: bar.add_task(name, total=len(_STEPS)) for name in names} if bar else {}
        log.info("validating %d table(s): %s", len(names), ", ".join(names))
        warnings = validate_tables(raw_tables, sources=sources, references=references, warn_only=warn_only)
        for issue in warnings:
            log.warning("%s", issue.render())
        _advance(bar, tasks)
        staged: dict[str, str] = {}
        try:
            for name in names:
                contract = table(name)
                typed = conform(raw_tables[name], contract)
                if salt is not None:
                    typed = pseudonymise(typed, contract, salt=salt)
                con.create_table(STAGING_PREFIX + name, typed, overwrite=True)
                staged[STAGING_PREFIX + name] = name
                _advance(bar, {name: tasks[name]} if bar else {})
            rows = {name: int(con.table(stage).count().execute()) for stage, name in staged.items()}
            replace_tables_atomically(con, staged)
            log.info("loaded %s", ", ".join(f"{name} ({n:,} rows)" for name, n in rows.items()))
            _advance(bar, tasks)
        finally:
            for stage in set(staged) & set(con.list_tables()):
                con.drop_table(stage)
    loaded = tuple(LoadedTable(name, sources.get(name, name), rows[name]) for name in names)
    return IngestReport(
        database=database,
        loaded=loaded,
        absent=absent_tables(set(existing) | set(names)),
        warnings=tuple(warnings),
    )


def _progress() -> Progress:
    return Progress(TextColumn("{task.description:<18}"), BarColumn(), TaskProgressColumn(), transient=False)


def _advance(bar: Progress | None, tasks: Mapping[str, int]) -> None:
    if bar is not None:
        for task in tasks.values():
            bar.advance(task)
