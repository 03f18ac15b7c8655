"""Spark engine URLs: local, cluster masters and Spark Connect read as Spark documents them, and a
cluster that cannot be used fails at once with the address and what to do (no cluster here)."""
from __future__ import annotations

import socket
import subprocess
import sys

import pytest
from govex.config import load_config
from govex.engine import Warehouse
from govex.engine.spark import SparkTarget, is_spark_url, parse_spark_url
from govex.errors import EngineError


@pytest.mark.parametrize("url, expected", [
    ("pyspark://", SparkTarget("local")),
    ("pyspark:///spark-wh", SparkTarget("local", folder="spark-wh")),
    ("pyspark:////data/wh", SparkTarget("local", folder="/data/wh")),
    ("spark://master.corp:7077", SparkTarget("cluster", master="spark://master.corp:7077",
                                              endpoints=(("master.corp", 7077),))),
    # standby masters: a comma list, any of which may answer
    ("spark://m1:7077,m2:7078", SparkTarget("cluster", master="spark://m1:7077,m2:7078",
                                            endpoints=(("m1", 7077), ("m2", 7078)))),
    ("yarn", SparkTarget("cluster", master="yarn")),
    ("k8s://https://api.corp:6443", SparkTarget("cluster", master="k8s://https://api.corp:6443",
                                                endpoints=(("api.corp", 6443),))),
    ("k8s://https://api.corp", SparkTarget("cluster", master="k8s://https://api.corp", endpoints=(("api.corp", 443),))),
    # Spark Connect: 15002 when no port is given; parameters after '/;' stay in the URL given to Spark
    ("sc://connect.corp", SparkTarget("connect", remote="sc://connect.corp", endpoints=(("connect.corp", 15002),))),
    ("sc://connect.corp:443/;use_ssl=true;token=abc", SparkTarget(
        "connect", remote="sc://connect.corp:443/;use_ssl=true;token=abc", endpoints=(("connect.corp", 443),))),
])
def test_spark_urls_name_the_session_they_ask_for(url, expected):
    assert is_spark_url(url)
    assert parse_spark_url(url) == expected


@pytest.mark.parametrize("url", ["duckdb:///govex.duckdb", "trino://host/catalog", "yarn-cluster", "sparkling://x"])
def test_other_urls_are_not_spark(url):
    assert not is_spark_url(url)


@pytest.mark.parametrize("url, message", [
    ("spark://master.corp", "expected HOST:PORT, got 'master.corp'"),
    ("spark://:7077", "expected HOST:PORT, got ':7077'"),
    ("sc://host:port", "expected HOST:PORT, got 'host:port'"),
    ("k8s://api.corp", "expected k8s://https://HOST:PORT"),
])
def test_malformed_cluster_urls_are_refused_with_the_expected_form(url, message):
    with pytest.raises(EngineError, match=message):
        parse_spark_url(url)


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def listening_port():
    """A loopback port that accepts TCP connections (and nothing more): a server that is up."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def _config(tmp_path, engine: str, extra: str = ""):
    (tmp_path / "govex.yaml").write_text(f"engine: {engine}\n{extra}")
    return load_config(tmp_path / "govex.yaml")


@pytest.mark.parametrize("scheme", ["spark", "sc"])
def test_an_unreachable_cluster_fails_at_once_naming_its_address(tmp_path, scheme):
    pytest.importorskip("pyspark")
    port = _closed_port()
    config = _config(tmp_path, f"{scheme}://127.0.0.1:{port}")
    with pytest.raises(EngineError, match=rf"cannot reach 127\.0\.0\.1:{port} \(.*refused.*\); check the address"):
        Warehouse.from_config(config)


def test_standby_masters_are_tried_in_turn(tmp_path, listening_port, monkeypatch):
    """The first master is down, the second answers: the probe passes and the session start is next."""
    pytest.importorskip("pyspark")
    started = []

    class Builder:  # stands in for SparkSession.builder: records the master instead of starting a driver
        def appName(self, name):
            return self

        def master(self, master):
            started.append(master)
            return self

        def config(self, key, value):
            return self

        def getOrCreate(self):
            raise RuntimeError("no cluster in this test")

    import pyspark.sql

    monkeypatch.setattr(pyspark.sql.SparkSession, "builder", Builder())
    url = f"spark://127.0.0.1:{_closed_port()},127.0.0.1:{listening_port}"
    with pytest.raises(EngineError, match="cannot start a Spark session on .*no cluster in this test"):
        Warehouse.from_config(_config(tmp_path, url))
    assert started == [url]


def test_spark_connect_without_its_extras_says_what_to_install(tmp_path, listening_port, monkeypatch):
    pyspark = pytest.importorskip("pyspark")
    monkeypatch.setitem(sys.modules, "grpc", None)  # as when pyspark is installed without [connect]
    config = _config(tmp_path, f"sc://127.0.0.1:{listening_port}")
    with pytest.raises(EngineError, match=rf"needs pyspark's connect extras: pip install 'pyspark\[connect\]=="
                                          rf"{pyspark.__version__}' \(.*grpcio"):
        Warehouse.from_config(config)


def test_yarn_without_the_cluster_configuration_says_which_variable_to_set(tmp_path, monkeypatch):
    pytest.importorskip("pyspark")
    monkeypatch.delenv("HADOOP_CONF_DIR", raising=False)
    monkeypatch.delenv("YARN_CONF_DIR", raising=False)
    with pytest.raises(EngineError, match="set HADOOP_CONF_DIR or YARN_CONF_DIR"):
        Warehouse.from_config(_config(tmp_path, "yarn"))


def test_the_command_line_reports_an_unreachable_cluster_from_govex_yaml(tmp_path):
    pytest.importorskip("pyspark")
    port = _closed_port()
    _config(tmp_path, f"sc://127.0.0.1:{port}", "spark:\n  app_name: cx-planning\n")
    done = subprocess.run([sys.executable, "-m", "govex", "segment", "--config", str(tmp_path / "govex.yaml")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert f"error: engine 'sc://127.0.0.1:{port}': cannot reach 127.0.0.1:{port}" in done.stderr
    assert "Traceback" not in done.stderr


def test_spark_options_in_govex_yaml_are_checked(tmp_path):
    from govex.errors import ConfigError

    config = _config(tmp_path, "spark://m:7077", "spark:\n  app_name: cx-planning\n  conf:\n"
                                                 "    spark.executor.memory: 8g\n    spark.executor.cores: 4\n")
    assert config.spark.app_name == "cx-planning"
    assert config.spark.conf == {"spark.executor.memory": "8g", "spark.executor.cores": 4}
    with pytest.raises(ConfigError, match="spark"):
        _config(tmp_path, "spark://m:7077", "spark:\n  appname: typo\n")


@pytest.mark.spark
def test_spark_options_reach_the_session(spark_backend):
    """`spark.conf` settings are applied to the session govex opens (here: the test run's local one)."""
    from govex.engine.spark import spark_backend as open_spark

    key = "spark.govex.test.marker"
    try:
        con = open_spark("pyspark://", conf={key: "set-by-govex-yaml"})
        assert con._session.conf.get(key) == "set-by-govex-yaml"
        assert con._session.conf.get("spark.sql.session.timeZone") == "UTC"
    finally:
        spark_backend._session.conf.unset(key)
