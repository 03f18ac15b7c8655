"""A local Spark session for the scale path (tests, a laptop, a single machine).

Without a folder the session keeps its tables in a private temporary folder that dies with the
process (tests). With a folder (`pyspark:///spark-warehouse`), tables and their catalog (an
embedded Derby Hive metastore) live there, so what `govex segment` writes is still there for
`govex report` in the next process.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import ibis


def local_spark_backend(cores: int = 2, *, warehouse_dir: str | Path | None = None) -> ibis.BaseBackend:
    """Ibis over a local[cores] Spark session bound to loopback, with UTC timestamps."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("govex")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(cores * 2))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")  # govex draws its own progress; no stage bars on stderr
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    if warehouse_dir is None:
        # A private warehouse folder, so tables never collide with a left-over ./spark-warehouse.
        builder = builder.config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="govex-spark-"))
    else:
        folder = Path(warehouse_dir).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        builder = (
            builder.config("spark.sql.warehouse.dir", str(folder / "tables"))
            .config("spark.sql.catalogImplementation", "hive")
            .config("spark.hadoop.javax.jdo.option.ConnectionURL",
                    f"jdbc:derby:;databaseName={folder / 'metastore_db'};create=true")
            .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={folder}")  # derby.log goes here too
        )
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return ibis.pyspark.connect(session)
