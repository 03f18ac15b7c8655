"""Shared fixtures: the public datasets beside the project, and one local Spark per run."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Test helper modules are imported by their folder (`from metrics.reference_pandas import ...`);
# pytest runs in importlib mode, so test files with the same name in two folders never clash.
sys.path.insert(0, str(Path(__file__).resolve().parent))


def shared_data_dir() -> Path:
    """The public datasets folder: $GOVEX_SHARED_DATA, else ../shared/data beside the repo."""
    return Path(os.environ.get("GOVEX_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.is_dir():
        pytest.skip(f"public datasets not found at {path} (set GOVEX_SHARED_DATA)")
    return path


_SPARK_SESSIONS: list = []  # the run's Spark session, once a test has asked for it


@pytest.fixture(scope="session")
def spark_backend():
    """One local[2] Spark session (through Ibis) for the whole test run."""
    pytest.importorskip("pyspark")
    from govex.engine.spark import local_spark_backend

    backend = local_spark_backend()
    _SPARK_SESSIONS.append(backend._session)
    yield backend
    _SPARK_SESSIONS.clear()
    backend._session.stop()


@pytest.fixture(autouse=True, scope="module")
def _no_spark_views_leak_between_modules():
    """Drop the views a test module left in the shared Spark session.

    Modules load canonical tables as session views under their canonical names; left behind, they
    would stand in for another module's own tables (an unmapped `sellers`, an `fx_rates` without
    its currencies) and make results depend on the order tests run in.
    """
    yield
    for session in _SPARK_SESSIONS:
        for table in session.catalog.listTables():
            if table.isTemporary:
                session.catalog.dropTempView(table.name)
            elif table.tableType == "VIEW":
                session.sql(f"DROP VIEW IF EXISTS `{table.name}`")
