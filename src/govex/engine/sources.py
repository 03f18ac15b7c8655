"""Read one configured source (file, glob, engine table or SQL) as a raw Ibis table with contract names.

CSV is read as text so that values that do not fit the contract type are reported by validation
(with row examples) instead of failing inside the CSV reader.
"""
from __future__ import annotations

import glob as globbing
import logging

import ibis
import ibis.expr.types as ir

from govex.config.model import GovexConfig, TableSource
from govex.dialect import read_csv_as_text
from govex.errors import ConfigError


log = logging.getLogger(__name__)

def read_source(con: ibis.BaseBackend, name: str, config: GovexConfig) -> tuple[ir.Table, str]:
    """The raw table for canonical table `name`, renamed to contract names, and a label for messages."""
    source = config.tables[name]
    where = config.where("tables", name, source.kind)
    if source.kind in ("file", "glob"):
        pattern = source_pattern(config, name)
        try:
            raw = read_files(con, pattern, file_format=source.file_format(), delimiter=source.delimiter)
        except Exception as exc:  # the engine's reader error types vary by backend
            raise ConfigError(f"{where}: tables.{name}.{source.kind}: the {con.name} engine cannot read {pattern}: "
                              f"{str(exc).splitlines()[0]}") from exc
        label = source.file or source.glob or pattern
    elif source.kind == "table":
        raw = _engine_table(con, source.table or "", where, name)
        label = f"engine table {source.table}"
    else:
        try:
            raw = con.sql(source.sql or "")
        except Exception as exc:  # the engine's own parser error type varies by backend
            raise ConfigError(f"{where}: tables.{name}.sql failed on the engine: {exc}") from exc
        label = f"sql for {name} ({config.where('tables', name, 'sql')})"
    log.debug("%s: reading %s on %s", name, label, con.name)
    return apply_renames(raw, source, where=where, name=name), label


def source_pattern(config: GovexConfig, name: str) -> str:
    """The absolute path or glob of a file source; ConfigError (file:line) when nothing matches."""
    source = config.tables[name]
    pattern = str(config.resolve(source.file or source.glob or ""))
    if not globbing.glob(pattern):
        where = config.where("tables", name, source.kind)
        raise ConfigError(f"{where}: tables.{name}.{source.kind}: no file matches {pattern}")
    return pattern


def read_files(con: ibis.BaseBackend, pattern: str, *, file_format: str, delimiter: str = ",") -> ir.Table:
    """Files matching `pattern` (one path or a glob) as one raw table; CSV values stay text."""
    if file_format == "parquet":
        return con.read_parquet(pattern)
    return read_csv_as_text(con, pattern, delimiter=delimiter)


def apply_renames(raw: ir.Table, source: TableSource, *, where: str, name: str) -> ir.Table:
    """Rename source columns onto contract names; a rename of an absent column is an error."""
    missing = sorted(set(source.rename) - set(raw.columns))
    if missing:
        raise ConfigError(
            f"{where}: tables.{name}.rename names column(s) {', '.join(missing)} that the source lacks; "
            f"its columns are: {', '.join(raw.columns)}"
        )
    return raw.rename({new: old for old, new in source.rename.items()})


def _engine_table(con: ibis.BaseBackend, dotted: str, where: str, name: str) -> ir.Table:
    *database, table_name = dotted.split(".")
    try:
        return con.table(table_name, database=".".join(database) or None)
    except Exception as exc:  # backends raise their own "not found" types
        raise ConfigError(f"{where}: tables.{name}.table: the engine has no table {dotted!r} ({exc})") from exc
