"""The pydantic models of `govex.yaml`: engine, reporting currency, pseudonymisation, table sources.

One model is the source of truth: the loader validates YAML against it and
`docs/govex.schema.json` is generated from it (`GovexConfig.model_json_schema()`).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from govex.config.defaults import DEFAULT_URL
from govex.contract.schema import TABLES
from govex.errors import ConfigError

CanonicalTable = Literal[tuple(TABLES)]  # type: ignore[valid-type]
FILE_FORMATS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".parquet": "parquet", ".pq": "parquet"}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TableSource(_Frozen):
    """Where one canonical table comes from: exactly one of file, glob, table or sql."""

    file: str | None = Field(None, description="One CSV or Parquet file (relative to govex.yaml); .gz CSV is fine.")
    glob: str | None = Field(None, description="A glob of files of one format, e.g. exports/orders-*.parquet.")
    table: str | None = Field(None, description="A table or view already in the engine (schema.table allowed).")
    sql: str | None = Field(None, description="A SELECT run on the engine that returns the table.")
    format: Literal["csv", "parquet"] | None = Field(None, description="File format; inferred from the suffix when omitted.")
    delimiter: str = Field(",", min_length=1, max_length=1, description="CSV field separator.")
    rename: dict[str, str] = Field(
        default_factory=dict, description="Source column -> canonical column, for columns whose names differ."
    )

    @model_validator(mode="after")
    def _one_origin(self) -> "TableSource":
        given = [k for k in ("file", "glob", "table", "sql") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of file, glob, table or sql (found: {', '.join(given) or 'none'})")
        if self.format is not None and given[0] not in ("file", "glob"):
            raise ValueError("format applies only to file and glob sources")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ("file", "glob", "table", "sql") if getattr(self, k) is not None)

    def file_format(self) -> str:
        """csv or parquet: the declared format, else the one the file suffix implies."""
        if self.format is not None:
            return self.format
        name = (self.file or self.glob or "").lower().removesuffix(".gz")
        suffix = Path(name).suffix
        if suffix not in FILE_FORMATS:
            raise ConfigError(f"cannot tell the format of {self.file or self.glob!r} from its suffix; add `format: csv` or `format: parquet`")
        return FILE_FORMATS[suffix]


class Pseudonymisation(_Frozen):
    """Salted SHA-256 of customer and seller ids, so outputs and logs carry no personal data.

    Prefer `salt_env` (the name of an environment variable) so the secret stays out of the file.
    """

    salt: str | None = Field(None, min_length=8, description="The salt itself (at least 8 characters).")
    salt_env: str | None = Field(None, description="Name of an environment variable that holds the salt.")

    @model_validator(mode="after")
    def _one_salt(self) -> "Pseudonymisation":
        if (self.salt is None) == (self.salt_env is None):
            raise ValueError("give exactly one of salt or salt_env")
        return self

    def resolve_salt(self) -> str:
        """The salt, read from the environment when `salt_env` is used."""
        if self.salt is not None:
            return self.salt
        value = os.environ.get(self.salt_env or "", "")
        if len(value) < 8:
            raise ConfigError(
                f"pseudonymise.salt_env names {self.salt_env!r}, but that environment variable is "
                f"{'unset' if not value else 'shorter than 8 characters'}; export it before running ingest"
            )
        return value


class SparkOptions(_Frozen):
    """How govex opens its Spark session (any Spark engine URL: local, cluster or Spark Connect)."""

    app_name: str = Field("govex", min_length=1, description="The application's name in the cluster's UI and logs.")
    conf: dict[str, str | int | float | bool] = Field(
        default_factory=dict, description="Spark settings for the session, e.g. spark.executor.memory: 8g.",
    )


class GovexConfig(_Frozen):
    """The whole of govex.yaml."""

    engine: str = Field(DEFAULT_URL, description="Ibis backend URL; duckdb:///FILE (relative to govex.yaml) by default; "
                        "pyspark:///FOLDER for local Spark keeping its tables in FOLDER; spark://HOST:PORT, yarn or "
                        "k8s://https://HOST:PORT for a Spark cluster; sc://HOST:PORT for a Spark Connect server.")
    spark: SparkOptions = Field(default_factory=SparkOptions, description="Spark session options (Spark engines only).")
    output_database: str | None = Field(
        None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="Database (schema) that results such as segment_assignments are written to; created if absent. "
                    "Default: the engine's current one.",
    )
    warn_only: bool = Field(
        False, description="When commands read mapped tables, report non-fatal contract breaches as warnings instead of stopping.",
    )
    reporting_currency: str = Field("USD", pattern=r"^[A-Z]{3}$", description="ISO 4217 code reports convert money into.")
    pseudonymise: Pseudonymisation | None = Field(None, description="Hash customer and seller ids at ingest.")
    tables: dict[CanonicalTable, TableSource] = Field(  # type: ignore[valid-type]
        default_factory=dict, description="Canonical table -> its source. Tables left out are absent."
    )

    _path: Path | None = PrivateAttr(None)
    _lines: dict[tuple[str, ...], int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _renames_hit_contract(self) -> "GovexConfig":
        for name, source in self.tables.items():
            known = TABLES[name].column_names
            unknown = sorted(set(source.rename.values()) - set(known))
            if unknown:
                raise ValueError(
                    f"tables.{name}.rename maps onto {', '.join(unknown)}, which {name} does not have; "
                    f"its columns are: {', '.join(known)}"
                )
        return self

    @property
    def base_dir(self) -> Path:
        """The folder relative paths are resolved against (the config file's folder)."""
        return self._path.parent if self._path is not None else Path.cwd()

    def where(self, *keys: str) -> str:
        """file:line of a key in the loaded YAML (the nearest enclosing key that has a line)."""
        name = str(self._path) if self._path is not None else "<config>"
        for end in range(len(keys), 0, -1):
            if keys[:end] in self._lines:
                return f"{name}:{self._lines[keys[:end]]}"
        return name

    def resolve(self, path: str) -> Path:
        """A path from the config, made absolute against the config file's folder."""
        candidate = Path(path).expanduser()
        return candidate if candidate.is_absolute() else self.base_dir / candidate

    def engine_url(self) -> str:
        """The engine URL with a relative DuckDB file or Spark folder resolved against the config file's folder."""
        for prefix in ("duckdb:///", "pyspark:///"):
            if self.engine.startswith(prefix):
                path = self.engine[len(prefix):]
                if path in ("", ":memory:") or path.startswith("/"):
                    return self.engine
                return prefix + str(self.resolve(path).resolve())
        return self.engine
