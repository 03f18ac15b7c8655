"""The canonical tables as govex.yaml maps them, read in place on the engine (nothing is copied).

Each mapped source (`file`, `glob`, `table`, `sql`) becomes an Ibis expression on the engine,
renamed to contract names, checked with the same rules and messages as `govex ingest`, then cast
to the contract types (and pseudonymised when the config says so). Commands then work on those
expressions exactly as on ingested tables.
"""
from __future__ import annotations

import ibis
import ibis.expr.types as ir

from govex.config.model import GovexConfig
from govex.contract.schema import TABLES, table
from govex.contract.types import conform
from govex.contract.validate import ContractIssue, validate_tables
from govex.engine.pseudonymise import pseudonymise
from govex.engine.sources import read_source


def mapped_tables(con: ibis.BaseBackend, config: GovexConfig) -> tuple[dict[str, ir.Table], list[ContractIssue]]:
    """Canonical table -> typed expression for every table `config` maps, and the contract warnings.

    Raises ConfigError (file:line) for a source the engine cannot read and ContractError for data
    that breaks the contract, before any command runs. Foreign keys may point at canonical tables
    the engine already holds under their own names.
    """
    raw, labels = {}, {}
    for name in config.tables:
        raw[name], labels[name] = read_source(con, name, config)
    stored = set(con.list_tables())
    references = {name: con.table(name) for name in TABLES if name in stored and name not in raw}
    warnings = validate_tables(raw, sources=labels, references=references, warn_only=config.warn_only)
    salt = config.pseudonymise.resolve_salt() if config.pseudonymise else None
    typed = {}
    for name, source in raw.items():
        typed[name] = conform(source, table(name))
        if salt is not None:
            typed[name] = pseudonymise(typed[name], table(name), salt=salt)
    return typed, warnings
