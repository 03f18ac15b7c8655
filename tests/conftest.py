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


@pytest.fixture(scope="session")
def spark_backend():
    """One local[2] Spark session (through Ibis) for the whole test run."""
    pytest.importorskip("pyspark")
    from govex.engine.spark import local_spark_backend

    backend = local_spark_backend()
    yield backend
    backend._session.stop()
