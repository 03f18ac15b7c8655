"""`import govex` is small and lazy; its entry points, one per stage, are the stages' own functions."""
from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

import govex


def test_import_govex_loads_no_stage_and_no_engine():
    code = ("import sys, govex\n"
            "print(sorted(m for m in sys.modules if m.startswith('govex') or m.split('.')[0] in ('ibis', 'pandas')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['govex']"


@pytest.mark.parametrize("name", [n for n in govex.__all__ if n not in ("__version__", "connect")])
def test_each_entry_point_is_its_stage_function(name):
    value = getattr(govex, name)
    stage = govex._ENTRY_POINTS[name]
    assert callable(value)
    assert value.__module__.startswith(stage + "."), (name, value.__module__)
    assert value is getattr(sys.modules[stage], name)
    assert (value.__doc__ or "").strip(), f"{name} has no docstring"


def test_no_entry_point_is_shadowed_by_a_stage_package():
    import pkgutil

    packages = {info.name for info in pkgutil.iter_modules(govex.__path__)}
    assert not packages & set(govex.__all__)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'segment_everything'"):
        govex.segment_everything  # noqa: B018


def test_connect_opens_a_duckdb_file_an_url_and_a_config(tmp_path):
    frame = pd.DataFrame({"customer_id": ["c1", "c2"], "signup_date": pd.to_datetime(["2025-01-02", "2025-02-03"]).date,
                          "market": ["DE", "FR"]})
    database = tmp_path / "w.duckdb"
    govex.connect(database).con.create_table("customers", frame)
    assert govex.connect(database).table("customers").count().execute() == 2
    assert govex.connect(f"duckdb:///{database}").table("customers").count().execute() == 2

    frame.to_csv(tmp_path / "customers.csv", index=False)
    (tmp_path / "govex.yaml").write_text("engine: duckdb:///mapped.duckdb\ntables:\n  customers:\n    file: customers.csv\n")
    mapped = govex.connect(tmp_path / "govex.yaml")
    assert sorted(mapped.table("customers").execute()["customer_id"]) == ["c1", "c2"]


def test_a_renamed_function_keeps_its_old_name_for_one_release_with_a_warning():
    from collections import Counter

    from features.tiny_marketplace import AS_OF, EXPECTED_LIFECYCLE, tiny_frames

    from govex.engine import Warehouse
    from govex.segments import assign_all, assign_and_count

    warehouse = Warehouse.from_frames(tiny_frames())
    sizes = assign_and_count(warehouse, as_of=AS_OF, names=("lifecycle",), write=False)
    with pytest.warns(DeprecationWarning, match="assign_all is deprecated .* use assign_and_count"):
        old = assign_all(warehouse, as_of=AS_OF, names=("lifecycle",), write=False)
    pd.testing.assert_frame_equal(old, sizes)
    # the sizes are counts of the hand-worked lifecycle segments
    assert dict(zip(sizes["segment"], sizes["customers"])) == Counter(EXPECTED_LIFECYCLE.values())
