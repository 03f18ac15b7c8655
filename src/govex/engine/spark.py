"""Spark sessions for the scale path: local Spark, a cluster's master, or a Spark Connect server.

The engine URL says which:

- `pyspark://` (a private temporary folder, tests) or `pyspark:///FOLDER`: local Spark in this
  process. With a folder, tables and their catalog (an embedded Derby Hive metastore) live there,
  so what `govex segments assign` writes is still there for `govex report` in the next process.
- `spark://host:port` (a standalone master; `host1:port1,host2:port2` for standby masters),
  `yarn`, `k8s://https://host:port`: this process is the driver of an application on that cluster.
- `sc://host:port` (optionally `/;token=...;use_ssl=true`): a Spark Connect server runs the
  queries; this process is a thin client (needs `pip install 'pyspark[connect]'`).

Every session computes in UTC, so dates cut from timestamps are the same as DuckDB's. A cluster
that cannot be reached fails here, at once, with the address, instead of Spark retrying for a minute.
"""
from __future__ import annotations

import atexit
import os
import shutil
import socket
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import ibis

from govex.errors import EngineError

CLUSTER_PREFIXES = ("spark://", "k8s://")
CONNECT_PREFIX = "sc://"
CONNECT_DEFAULT_PORT = 15002  # Spark Connect's documented default (spark.connect.grpc.binding.port)
PROBE_SECONDS = 5.0
# Every session: timestamps read and cut into dates in UTC (as DuckDB does), Arrow for results.
SESSION_DEFAULTS = {"spark.sql.session.timeZone": "UTC", "spark.sql.execution.arrow.pyspark.enabled": "true"}


@dataclass(frozen=True)
class SparkTarget:
    """Where a Spark engine URL points: kind is local, cluster or connect."""

    kind: str
    master: str | None = None  # the cluster's master URL
    remote: str | None = None  # the Spark Connect URL
    folder: str | None = None  # local Spark's persistent folder
    endpoints: tuple[tuple[str, int], ...] = ()  # host:port pairs that must answer before a session starts


def is_spark_url(url: str) -> bool:
    return url.startswith(("pyspark://", CONNECT_PREFIX) + CLUSTER_PREFIXES) or url == "yarn"


def parse_spark_url(url: str) -> SparkTarget:
    """The session a Spark engine URL asks for; EngineError for a URL that is not one, or lacks host or port."""
    if url.startswith("pyspark://"):
        folder = url[len("pyspark://"):].removeprefix("/")  # pyspark:///spark-wh -> spark-wh, pyspark:////abs -> /abs
        return SparkTarget("local", folder=folder or None)
    if url == "yarn":
        return SparkTarget("cluster", master="yarn")
    if url.startswith("spark://"):
        hosts = url[len("spark://"):].rstrip("/")
        endpoints = tuple(_host_port(url, part, default=None) for part in hosts.split(","))
        return SparkTarget("cluster", master=url, endpoints=endpoints)
    if url.startswith("k8s://"):
        api = urlsplit(url[len("k8s://"):])
        if not api.hostname:
            raise EngineError(f"engine {url!r}: expected k8s://https://HOST:PORT (the Kubernetes API server)")
        return SparkTarget("cluster", master=url, endpoints=((api.hostname, api.port or 443),))
    if url.startswith(CONNECT_PREFIX):
        address = url[len(CONNECT_PREFIX):].split("/", 1)[0]  # parameters follow as /;token=...;use_ssl=true
        return SparkTarget("connect", remote=url, endpoints=(_host_port(url, address, default=CONNECT_DEFAULT_PORT),))
    raise EngineError(f"engine {url!r} is not a Spark URL (pyspark://, spark://HOST:PORT, yarn, k8s://..., sc://HOST:PORT)")


def _host_port(url: str, address: str, *, default: int | None) -> tuple[str, int]:
    host, _, port = address.rpartition(":") if ":" in address else (address, "", "")
    if not host or (not port and default is None) or (port and not port.isdigit()):
        raise EngineError(f"engine {url!r}: expected HOST:PORT, got {address!r}")
    return host, int(port) if port else default


def spark_backend(url: str, *, app_name: str = "govex", conf: Mapping[str, str] | None = None) -> ibis.BaseBackend:
    """Ibis over the Spark session `url` names (see the module docstring), with `conf` added to the session."""
    target = parse_spark_url(url)
    conf = {**SESSION_DEFAULTS, **{k: str(v) for k, v in (conf or {}).items()}}
    if target.kind == "local":
        return local_spark_backend(warehouse_dir=target.folder, app_name=app_name, conf=conf)
    if target.master == "yarn" and not (os.environ.get("HADOOP_CONF_DIR") or os.environ.get("YARN_CONF_DIR")):
        raise EngineError("engine 'yarn': set HADOOP_CONF_DIR or YARN_CONF_DIR to the folder of the cluster's "
                          "configuration files (yarn-site.xml, core-site.xml), so Spark can find the resource manager")
    _check_reachable(url, target.endpoints)
    if target.kind == "connect":
        _check_connect_extras(url)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    builder = builder.remote(target.remote) if target.kind == "connect" else builder.master(target.master)
    for key, value in conf.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # py4j and gRPC errors alike
        raise EngineError(f"cannot start a Spark session on {url!r}: {exc}") from exc
    return ibis.pyspark.connect(session)


def _check_reachable(url: str, endpoints: tuple[tuple[str, int], ...]) -> None:
    """EngineError unless one of `endpoints` accepts a TCP connection (standby masters may be down)."""
    failures = []
    for host, port in endpoints:
        try:
            with socket.create_connection((host, port), timeout=PROBE_SECONDS):
                return
        except OSError as exc:
            failures.append(f"{host}:{port} ({exc.strerror or exc})")
    if failures:
        raise EngineError(f"engine {url!r}: cannot reach {', '.join(failures)}; check the address in govex.yaml "
                          "and that the cluster is running and reachable from this machine")


def _check_connect_extras(url: str) -> None:
    from pyspark import __version__
    from pyspark.sql.connect.utils import check_dependencies

    try:
        check_dependencies("pyspark.sql.connect")
    except ImportError as exc:
        raise EngineError(f"engine {url!r} is a Spark Connect server, which needs pyspark's connect extras: "
                          f"pip install 'pyspark[connect]=={__version__}' ({exc})") from exc


def local_spark_backend(
    cores: int = 2, *, warehouse_dir: str | Path | None = None, app_name: str = "govex",
    conf: Mapping[str, str] | None = None,
) -> ibis.BaseBackend:
    """Ibis over a local[cores] Spark session bound to loopback, with UTC timestamps."""
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(f"local[{cores}]")
        .appName(app_name)
        .config("spark.sql.shuffle.partitions", str(cores * 2))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")  # govex draws its own progress; no stage bars on stderr
        .config("spark.driver.host", "127.0.0.1")
    )
    for key, value in {**SESSION_DEFAULTS, **(conf or {})}.items():
        builder = builder.config(key, value)
    if warehouse_dir is None:
        # A private warehouse folder, so tables never collide with a left-over ./spark-warehouse;
        # removed when the process ends (its tables live only as long as the session).
        private = tempfile.mkdtemp(prefix="govex-spark-")
        atexit.register(shutil.rmtree, private, ignore_errors=True)
        builder = builder.config("spark.sql.warehouse.dir", private)
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
