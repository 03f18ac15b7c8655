"""Each validation check, triggered by one bad CSV, through a real ingest into a DuckDB file.

Expected row counts are planted: each case breaks a known number of rows of the hand-written
valid tables in canonical_frames.py. After every failed ingest the previously loaded tables
must be exactly as they were.
"""
from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import ibis
import pandas as pd
import pytest

from contract.canonical_frames import config_text, valid_frames, write_csvs, write_parquets
from govex.config import load_config
from govex.contract import Check, ContractIssue, validate_tables
from govex.errors import ContractError, IssueLevel, Location
from govex.ingest import ingest, ingest_folder


@pytest.fixture(scope="module")
def good_database(tmp_path_factory) -> Path:
    """A DuckDB file holding the valid tables (loaded once per module)."""
    folder = tmp_path_factory.mktemp("good")
    write_parquets(valid_frames(), folder)
    ingest_folder(folder, database=folder / "govex.duckdb")
    return folder / "govex.duckdb"


def snapshot(database: Path) -> dict[str, pd.DataFrame]:
    con = ibis.duckdb.connect(str(database))
    try:
        return {name: con.table(name).to_pandas() for name in sorted(con.list_tables())}
    finally:
        con.disconnect()


def run_bad_ingest(tmp_path: Path, good_database: Path, table: str, frame: pd.DataFrame, *, warn_only: bool = False):
    """Copy the good database, then ingest `frame` as <table>.csv against it."""
    shutil.copy(good_database, tmp_path / "govex.duckdb")
    write_csvs({table: frame}, tmp_path)
    (tmp_path / "govex.yaml").write_text(config_text([table]))
    return ingest(load_config(tmp_path / "govex.yaml"), warn_only=warn_only)


def _set(table: str, rows: list[int], column: str, value) -> Callable[[dict], pd.DataFrame]:
    def mutate(frames: dict) -> pd.DataFrame:
        frame = frames[table].astype(object)
        frame.loc[rows, column] = value
        return frame
    return mutate


def _drop_column(table: str, column: str) -> Callable[[dict], pd.DataFrame]:
    return lambda frames: frames[table].drop(columns=[column])


def _duplicate_first_row(table: str) -> Callable[[dict], pd.DataFrame]:
    return lambda frames: pd.concat([frames[table], frames[table].iloc[[0]]], ignore_index=True)


# (case id, table, mutation, check, column, planted bad rows, text the message must contain, text an example must contain)
CASES = [
    ("missing column", "orders", _drop_column("orders", "amount"), Check.MISSING_COLUMN, "amount", None,
     "required column is missing", None),
    ("uncastable csat", "surveys", _set("surveys", [0, 1], "csat", "five"), Check.UNCASTABLE, "csat", 2,
     "cannot be read as int64", "csat='five'"),
    ("fractional csat", "surveys", _set("surveys", [0], "csat", "4.5"), Check.UNCASTABLE, "csat", 1,
     "cannot be read as int64", "csat='4.5'"),
    ("uncastable date", "customers", _set("customers", [2], "signup_date", "2024-13-45"), Check.UNCASTABLE,
     "signup_date", 1, "cannot be read as date", "customer_id='c3'"),
    ("null market", "orders", _set("orders", [1, 2, 3], "market", None), Check.NULL, "market", 3,
     "may not be null", "order_id='o2'"),
    ("null key", "orders", _set("orders", [0], "order_id", None), Check.NULL_KEY, "order_id", 1,
     "may not be null", None),
    ("status not allowed", "orders", _set("orders", [2], "status", "lost"), Check.NOT_ALLOWED, "status", 1,
     "allowed set", "status='lost'"),
    ("csat above 5", "surveys", _set("surveys", [0], "csat", 7), Check.OUT_OF_RANGE, "csat", 1,
     "range 1 to 5", "csat=7"),
    ("nps above 10", "surveys", _set("surveys", [0, 2], "nps", 11), Check.OUT_OF_RANGE, "nps", 2,
     "range 0 to 10", "nps=11"),
    ("negative amount", "orders", _set("orders", [0], "amount", -5.0), Check.OUT_OF_RANGE, "amount", 1,
     "negative values", "amount=-5.0"),
    ("delivered before ordered", "orders", _set("orders", [0], "delivered_at", "2024-02-28 09:00:00"),
     Check.ORDER, "delivered_at", 1, "delivered_at before ordered_at", "order_id='o1'"),
    ("duplicate key", "customers", _duplicate_first_row("customers"), Check.DUPLICATE_KEY, "customer_id", 2,
     "more than once", "customer_id='c1', rows=2"),
    ("orphan customer", "orders", _set("orders", [3], "customer_id", "c404"), Check.ORPHAN, "customer_id", 1,
     "customers.customer_id that does not exist", "customer_id='c404'"),
    # the supply side: an action off the ladder, an appeal outcome without an appeal, an action
    # before its violation, an unknown seller
    ("action off the ladder", "enforcement_actions", _set("enforcement_actions", [0, 2], "action", "fine"),
     Check.NOT_ALLOWED, "action", 2, "warning, listing_removal, payout_hold, suspension, termination",
     "action_id='e1', action='fine'"),
    ("appeal outcome without appeal", "enforcement_actions",
     _set("enforcement_actions", [1], "appeal_filed", False), Check.INCONSISTENT, "appeal_outcome", 1,
     "appeal_outcome only when appeal_filed = true", "action_id='e2', appeal_filed=False, appeal_outcome='overturned'"),
    ("action before violation", "enforcement_actions",
     _set("enforcement_actions", [0], "action_at", "2024-02-28 08:00:00"), Check.ORDER, "action_at", 1,
     "action_at before violation_at", "action_id='e1'"),
    ("unknown seller", "enforcement_actions", _set("enforcement_actions", [2], "seller_id", "s404"), Check.ORPHAN,
     "seller_id", 1, "sellers.seller_id that does not exist", "seller_id='s404'"),
    ("fulfilment outcome off the list", "orders", _set("orders", [1], "fulfilment_outcome", "lost"),
     Check.NOT_ALLOWED, "fulfilment_outcome", 1, "redeemed, refused_by_merchant, no_show, expired", "order_id='o2'"),
    # moderation operations: an appeal outcome without an appeal, an action before its report, a
    # decision before the case was created, an appeal decided before the decision it appeals
    ("moderation appeal outcome without appeal", "moderation_cases",
     _set("moderation_cases", [0], "appeal_filed", False), Check.INCONSISTENT, "appeal_outcome", 1,
     "appeal_outcome only when appeal_filed = true", "case_id='m1', appeal_filed=False, appeal_outcome='overturned'"),
    ("moderation action before report", "moderation_cases",
     _set("moderation_cases", [0], "reported_at", "2024-03-01 10:00:00"), Check.ORDER, "decided_at", 1,
     "decided_at before reported_at", "case_id='m1'"),
    ("moderation decision before creation", "moderation_cases",
     _set("moderation_cases", [0], "decided_at", "2024-03-01 07:45:00"), Check.ORDER, "decided_at", 1,
     "decided_at before created_at", "case_id='m1'"),
    ("moderation appeal decided before the decision", "moderation_cases",
     _set("moderation_cases", [0], "appeal_decided_at", "2024-03-01 08:30:00"), Check.ORDER, "appeal_decided_at", 1,
     "appeal_decided_at before decided_at", "case_id='m1'"),
    ("moderation detection source off the list", "moderation_cases",
     _set("moderation_cases", [1], "detection_source", "psychic"), Check.NOT_ALLOWED, "detection_source", 1,
     "automated_detection, user_report, staff_review, external_report", "case_id='m2', detection_source='psychic'"),
    ("education score above 100", "education", _set("education", [0], "score", 120.0), Check.OUT_OF_RANGE,
     "score", 1, "range 0 to 100", "enrolment_id='n1'"),
    # service recovery: a negative compensation, one for an unknown customer or order, one granted
    # before its order was placed (a rule across tables: the example shows both dates)
    ("negative compensation", "compensations", _set("compensations", [1], "amount", -3.0), Check.OUT_OF_RANGE,
     "amount", 1, "negative values", "compensation_id='g2', amount=-3.0"),
    ("compensation for an unknown customer", "compensations", _set("compensations", [0], "customer_id", "c404"),
     Check.ORPHAN, "customer_id", 1, "customers.customer_id that does not exist", "customer_id='c404'"),
    ("compensation for an unknown order", "compensations", _set("compensations", [1], "order_id", "o404"),
     Check.ORPHAN, "order_id", 1, "orders.order_id that does not exist", "compensation_id='g2', order_id='o404'"),
    ("compensation granted before its order", "compensations",
     _set("compensations", [0], "granted_at", "2024-03-01 09:00:00"), Check.ORDER, "granted_at", 1,
     "granted_at before the ordered_at of their orders row",
     "compensation_id='g1', order_id='o2', granted_at='2024-03-01T09:00:00', orders_ordered_at='2024-03-02T23:30:00'"),
    ("customer education completed before enrolment", "customer_education",
     _set("customer_education", [0], "completed_at", "2024-01-01 09:00:00"), Check.ORDER, "completed_at", 1,
     "completed_at before enrolled_at", "enrolment_id='ce1'"),
]


@pytest.mark.parametrize(
    ("table", "mutate", "check", "column", "rows", "text", "example"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_each_check_rejects_the_file_and_keeps_previous_tables(
    tmp_path, good_database, table, mutate, check, column, rows, text, example
):
    before = snapshot(good_database)
    with pytest.raises(ContractError) as caught:
        run_bad_ingest(tmp_path, good_database, table, mutate(valid_frames()))
    hits = [i for i in caught.value.issues if i.check is check and i.where.column == column]
    assert len(hits) == 1, caught.value
    issue = hits[0]
    assert issue.level is IssueLevel.ERROR
    # where: the source file, the table, the column and the planted number of bad rows
    assert issue.where == Location(file=f"{table}.csv", table=table, column=column, rows=rows)
    rendered = str(caught.value)
    assert f"{table}.csv, {table}.{column}: " in rendered
    assert text in rendered
    if rows:
        assert f"{rows} row(s)" in rendered
        assert 1 <= len(issue.examples) <= min(rows, 5)
    if example is not None:
        assert any(example in line for line in issue.examples), issue.examples
    after = snapshot(tmp_path / "govex.duckdb")
    assert after.keys() == before.keys()
    for name in before:
        pd.testing.assert_frame_equal(after[name], before[name])


def test_examples_stop_at_five_rows_but_count_all(tmp_path, good_database):
    many = pd.DataFrame({
        "customer_id": [f"c{i:02d}" for i in range(8)],
        "signup_date": ["not a date"] * 8,
        "market": ["DE"] * 8,
    })
    with pytest.raises(ContractError) as caught:
        run_bad_ingest(tmp_path, good_database, "customers", many)
    (issue,) = [i for i in caught.value.issues if i.check is Check.UNCASTABLE]
    assert issue.where.rows == 8
    # the first five by primary key, whatever order the file had
    assert [e.split(",")[0] for e in issue.examples] == [f"customer_id='c{i:02d}'" for i in range(5)]


def test_all_issues_are_reported_together(tmp_path, good_database):
    frame = _set("surveys", [0], "csat", 9)(valid_frames())
    frame.loc[1, "nps"] = -1
    frame.loc[2, "touchpoint"] = "email"
    with pytest.raises(ContractError) as caught:
        run_bad_ingest(tmp_path, good_database, "surveys", frame)
    found = {(i.check, i.where.column) for i in caught.value.issues}
    assert {(Check.OUT_OF_RANGE, "csat"), (Check.OUT_OF_RANGE, "nps"), (Check.NOT_ALLOWED, "touchpoint")} <= found


def test_warn_only_loads_with_warnings_for_non_fatal_rules(tmp_path, good_database):
    frame = _set("orders", [3], "customer_id", "c404")(valid_frames())
    report = run_bad_ingest(tmp_path, good_database, "orders", frame, warn_only=True)
    (warning,) = [w for w in report.warnings if w.check is Check.ORPHAN]
    assert warning.level is IssueLevel.WARNING and warning.where.rows == 1
    loaded = snapshot(tmp_path / "govex.duckdb")["orders"]
    assert sorted(loaded.customer_id) == ["c1", "c1", "c2", "c404"]


@pytest.mark.parametrize("case", ["missing column", "uncastable csat", "duplicate key", "null key"])
def test_warn_only_keeps_fatal_checks_fatal(tmp_path, good_database, case):
    _, table, mutate, check, column, *_ = next(c for c in CASES if c[0] == case)
    with pytest.raises(ContractError) as caught:
        run_bad_ingest(tmp_path, good_database, table, mutate(valid_frames()), warn_only=True)
    assert any(i.check is check and i.where.column == column and i.level is IssueLevel.ERROR for i in caught.value.issues)


def test_foreign_keys_to_absent_tables_are_not_checked():
    frames = valid_frames()
    con = ibis.duckdb.connect()
    # orders alone: customers and sellers are absent, so no orphan can be judged
    warnings = validate_tables({"orders": con.create_table("orders", frames["orders"])})
    assert [w for w in warnings if w.check is Check.ORPHAN] == []


def test_absent_optional_column_is_a_warning_and_loaded_as_null(tmp_path, good_database):
    frame = valid_frames()["orders"].drop(columns=["carrier"])
    report = run_bad_ingest(tmp_path, good_database, "orders", frame)
    (warning,) = [w for w in report.warnings if w.check is Check.ABSENT_OPTIONAL_COLUMN]
    assert warning.where.column == "carrier"
    assert snapshot(tmp_path / "govex.duckdb")["orders"].carrier.isna().all()


def test_the_old_names_of_checks_and_issue_fields_still_answer_with_a_warning():
    import govex.contract
    import govex.contract.validate

    issue = ContractIssue(IssueLevel.ERROR, "1 row(s) are null", Location(file="o.csv", table="orders", column="market",
                                                                          rows=1), check=Check.NULL)
    with pytest.warns(DeprecationWarning, match="govex.contract.Rule is deprecated"):
        assert govex.contract.Rule is Check
    with pytest.warns(DeprecationWarning, match="FATAL_RULES is deprecated"):
        assert govex.contract.validate.FATAL_RULES is govex.contract.FATAL_CHECKS
    with pytest.warns(DeprecationWarning, match=r"ContractIssue.rule is deprecated .* use .check"):
        assert issue.rule is Check.NULL
    with pytest.warns(DeprecationWarning):
        assert (issue.table, issue.column, issue.rows, issue.source) == ("orders", "market", 1, "o.csv")
    with pytest.raises(AttributeError):
        issue.line  # noqa: B018 - not a moved name
