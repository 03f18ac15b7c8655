"""The two ways in: a govex.yaml of sources, or a folder of canonical Parquet files."""
from __future__ import annotations

from pathlib import Path

from govex.config.model import GovexConfig
from govex.contract.schema import LOAD_ORDER
from govex.errors import ConfigError
from govex.ingest.load import load_tables, open_database
from govex.ingest.report import IngestReport
from govex.engine.sources import read_files, read_source, source_pattern


def ingest(config: GovexConfig, *, warn_only: bool = False, progress: bool = False) -> IngestReport:
    """Load every table source of `config` into its DuckDB file: validate, stage, swap atomically."""
    url = config.engine_url()
    if not url.startswith("duckdb://"):
        raise ConfigError(
            f"{config.where('engine')}: ingest writes a DuckDB file, but engine is {config.engine!r}. "
            "On another engine, point each table at a warehouse table or view instead of ingesting."
        )
    if not config.tables:
        raise ConfigError(f"{config.where('tables')}: no table has a source; add entries under `tables:`")
    for name, source in config.tables.items():
        if source.kind in ("file", "glob"):
            source_pattern(config, name)  # fail before the database file is created
    database = url.removeprefix("duckdb:///")
    con = open_database(database)
    try:
        raw, sources = {}, {}
        for name in config.tables:
            raw[name], sources[name] = read_source(con, name, config)
        salt = config.pseudonymise.resolve_salt() if config.pseudonymise else None
        return load_tables(con, raw, database=database, sources=sources, salt=salt, warn_only=warn_only, progress=progress)
    finally:
        con.disconnect()


def ingest_folder(
    folder: str | Path, *, database: str | Path, warn_only: bool = False, progress: bool = False
) -> IngestReport:
    """Load `<folder>/<table>.parquet` for every canonical table present (the layout `govex synth` writes)."""
    folder = Path(folder)
    files = {name: folder / f"{name}.parquet" for name in LOAD_ORDER if (folder / f"{name}.parquet").is_file()}
    if not files:
        raise ConfigError(f"{folder}: no canonical Parquet files (expected e.g. {folder / 'orders.parquet'})")
    con = open_database(database)
    try:
        raw = {name: read_files(con, str(path), file_format="parquet") for name, path in files.items()}
        return load_tables(
            con, raw, database=str(database), sources={n: str(p) for n, p in files.items()},
            warn_only=warn_only, progress=progress,
        )
    finally:
        con.disconnect()
