"""The commented example govex.yaml that `govex init` writes."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from govex.errors import ConfigError

EXAMPLE_CONFIG = """\
# govex.yaml: where govex finds your data. Reference: docs/configuration.md
# Paths are relative to this file. Run `govex ingest --config govex.yaml` to load the tables.

# Ibis backend URL of the warehouse govex reads and ingest writes.
# Default: one DuckDB file beside this config. At scale, e.g. pyspark:// or trino://...
engine: duckdb:///govex.duckdb

# Reports convert every money column into this ISO 4217 currency via the fx_rates table.
reporting_currency: USD

# Optional: replace customer and seller ids by a salted SHA-256 at ingest, so outputs and logs
# carry no personal data. Keep the salt out of this file: name an environment variable.
# pseudonymise:
#   salt_env: GOVEX_ID_SALT

# One entry per canonical table (see docs/data-contract.md). Each source is exactly one of
#   file: a CSV or Parquet file       glob: many files of one format
#   table: a table in the engine      sql: a SELECT run on the engine
# `rename` maps your column names (left) onto the contract's (right).
# Tables you leave out are absent: the features that need them say so instead of failing.
# Nothing is mapped yet. `govex init --sample YOUR_FILE` proposes an entry for one of your files;
# or delete the {} below and uncomment (and edit) the entries for the tables you have.
tables: {}
#  customers:
#    file: data/customers.csv
#    rename:
#      id: customer_id
#      created: signup_date
#  orders:
#    glob: data/orders/*.parquet
#  surveys:
#    file: data/surveys.csv.gz
#    delimiter: ","
#  contacts:
#    table: crm.contacts
#  vendors:
#    sql: select * from finance.bpo_vendors where active
"""


def write_example_config(path: str | Path, *, force: bool = False) -> Path:
    """Write the commented example to `path`; refuse to overwrite an existing file unless `force`."""
    return write_new_config(path, EXAMPLE_CONFIG, force=force)


def write_new_config(path: str | Path, text: str, *, force: bool = False) -> Path:
    """Write a config file's `text` to `path`, refusing to overwrite an existing file unless `force`.

    The file is written to a temporary name in the same folder, then renamed into place.
    """
    path = Path(path)
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists; pass --force to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return path
