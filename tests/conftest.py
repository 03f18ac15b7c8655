"""Shared fixtures: the public datasets beside the project, one local Spark per process, and the
folder-per-worker scheduling of `make test` (pytest-xdist)."""
from __future__ import annotations

import logging
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


@pytest.fixture(scope="session", autouse=True)
def _private_cache_dir(tmp_path_factory):
    """The suite keeps govex's on-disk caches in a folder of its own, not in the user's cache dir."""
    before = os.environ.get("GOVEX_CACHE_DIR")
    os.environ["GOVEX_CACHE_DIR"] = str(tmp_path_factory.mktemp("govex-cache"))
    yield
    if before is None:
        os.environ.pop("GOVEX_CACHE_DIR", None)
    else:
        os.environ["GOVEX_CACHE_DIR"] = before


def _folder(nodeid: str) -> str:
    """The folder of a test id (`tests/reports/test_report.py::test_x` -> `tests/reports`)."""
    return nodeid.split("::", 1)[0].rpartition("/")[0]


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist, which `make test` runs with (`-n logical`)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """Under pytest-xdist, each test folder runs whole on one worker.

    A folder's session fixtures (the reports' built report, the datasets' 40,000-customer
    marketplace, the dashboard's precomputed warehouse) are then built once per run instead of once
    per worker. Folders are queued in collection order, which puts the longest first (see
    pytest_collection_modifyitems). The folder is read from the test id: pytest-xdist's own
    `--dist loadgroup` marks no longer reach the scheduler under pytest 9.2 (pytest-xdist issue 1386).
    """
    if config.getvalue("dist") not in ("load", "loadscope", "loadfile", "loadgroup"):
        return None  # `--dist each` / `worksteal` asked for explicitly: pytest-xdist's own scheduler
    from xdist.scheduler import LoadScopeScheduling

    class FolderScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _folder(nodeid)

    config.option.loadscopereorder = False  # keep the collection order: longest folders first
    return FolderScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On a pytest-xdist worker: the folders that start Spark's JVM or Chromium first.

    They are the longest folders; queued last, one of them would be the tail that one worker runs
    while the other idles. A folder keeps its own order (the sort is stable).
    """
    if not hasattr(config, "workerinput"):  # a plain run keeps pytest's order
        return
    starts_a_runtime = {_folder(item.nodeid) for item in items
                        if item.get_closest_marker("spark") or item.get_closest_marker("browser")}
    items.sort(key=lambda item: _folder(item.nodeid) not in starts_a_runtime)


@pytest.fixture(autouse=True, scope="module")
def _main_module_restored():
    """Put back the process's `__main__` after each test module.

    Streamlit's AppTest (the dashboard tests) installs its page script as `sys.modules["__main__"]`
    and leaves it there; a process started later with multiprocessing's spawn (the API's snapshot
    builds) would re-run that deleted temporary script and die, on whichever worker ran both folders.
    """
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture(autouse=True, scope="module")
def _library_logging_restored():
    """Put back the `govex` logger after each test module.

    A CLI or server test routes the library's logs to stderr and stops them reaching the root logger;
    left so, a later module's `caplog` would see none of govex's records.
    """
    logger = logging.getLogger("govex")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved


_SPARK_SESSIONS: list = []  # the run's Spark session, once a test has asked for it


@pytest.fixture(scope="session")
def spark_backend():
    """One local[2] Spark session (through Ibis) for the whole run of this process (each xdist worker has its own)."""
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
