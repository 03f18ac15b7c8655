"""A local Spark session for the scale path (tests and small clusters)."""
from __future__ import annotations

import os
import tempfile

import ibis


def local_spark_backend(cores: int = 2) -> ibis.BaseBackend:
    """Ibis over a local[cores] Spark session bound to loopback, with UTC timestamps."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("govex")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", str(cores * 2))
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        # A private warehouse folder, so tables never collide with a left-over ./spark-warehouse.
        .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="govex-spark-"))
        .getOrCreate()
    )
    return ibis.pyspark.connect(session)
