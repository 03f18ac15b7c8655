"""Errors: one tree in govex.errors, and issues that carry a structured location."""
from __future__ import annotations

import importlib
import pkgutil
import textwrap

import numpy as np
import pandas as pd
import pytest

import govex
from govex.analysis._cube import numeric_column
from govex.errors import ContractError, GovexError, Location
from govex.metrics import CatalogueError, load_catalogue



def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_error_class_lives_in_errors_py():
    for info in pkgutil.walk_packages(govex.__path__, "govex."):
        if info.name.startswith(("govex.dashboard.app", "govex.__main__")):
            continue  # a Streamlit script and the console entry run on import
        importlib.import_module(info.name)
    outside = {f"{c.__module__}.{c.__qualname__}" for c in _subclasses(GovexError) if c.__module__ != "govex.errors"}
    assert outside == set()
    assert not any(issubclass(c, ValueError) for c in _subclasses(GovexError)), "no GovexError is a ValueError"


def test_a_catalogue_issue_names_its_file_line_and_metric(tmp_path):
    body = textwrap.dedent("""\
        metrics:
          - name: my_rate
            label: My rate
            description: test
            unit: share
            direction: lower
            role: output
            category: experience
            kind: proportion
            table: orders
            time_column: ordered_at
            numerator: {where: "status == 'cancelled'"}
            denominator: {where: "nonsense(orders.status)"}
        """)
    path = tmp_path / "user.yaml"
    path.write_text(body)
    expected_line = next(i for i, text in enumerate(body.splitlines(), 1) if "nonsense" in text)
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(path)
    where = caught.value.issues[0].where
    assert isinstance(where, Location)
    assert (where.file, where.line, where.subject) == (str(path), expected_line, "metric 'my_rate'")
    assert f"{path}:{expected_line} metric 'my_rate'" in str(caught.value)


def test_a_benchmark_issue_names_its_file_and_line(tmp_path):
    from govex.reports import BenchmarkError, load_benchmarks

    path = tmp_path / "peers.csv"
    path.write_text("source,metric,value,unit,date\nP1,csat,abc,points (1-5),2025-06-30\n")
    with pytest.raises(BenchmarkError) as caught:
        load_benchmarks(path)
    [issue] = caught.value.issues
    assert (issue.where.file, issue.where.line) == (str(path), 2)  # the header is line 1
    assert f"{path}:2: value 'abc' is not a number" in str(caught.value)


def test_moved_errors_are_still_importable_where_they_were():
    from govex import errors
    from govex.api.snapshot import SnapshotError
    from govex.planning.forecast import ShortHistoryError
    from govex.planning.playbook import PlaybookError
    from govex.reports.benchmarks import BenchmarkError

    assert (SnapshotError, BenchmarkError, PlaybookError, ShortHistoryError) == (
        errors.SnapshotError, errors.BenchmarkError, errors.PlaybookError, errors.ShortHistoryError)


def test_a_bad_column_issue_carries_the_column_and_row_count():
    frame = pd.DataFrame({"v": [1.0, np.nan, "x", 4.0, None]})
    with pytest.raises(ContractError) as caught:
        numeric_column(frame, "v", what="cube.csv", nonnegative=False)
    where = caught.value.issues[0].where
    assert (where.file, where.column, where.rows) == ("cube.csv", "v", 3)  # nan, 'x' and None
    assert "cube.csv, column v" in str(caught.value)


@pytest.mark.parametrize(("location", "text"), [
    (Location(file="a.yaml", line=3, subject="metric 'x'"), "a.yaml:3 metric 'x'"),
    (Location(table="orders", column="order_id", rows=2), "orders.order_id"),
    (Location(table="fx_rates", column="currency, valid_from", rows=2), "fx_rates.(currency, valid_from)"),
    (Location(file="orders.csv", table="orders", column="amount"), "orders.csv, orders.amount"),
    (Location(table="orders"), "table orders"),
    (Location(), ""),
])
def test_a_location_reads_as_people_write_it(location, text):
    assert str(location) == text
