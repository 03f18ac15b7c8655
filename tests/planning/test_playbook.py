"""Playbook files: a valid one passes; unknown metric, segment or journey and a review before the start are refused at their line."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from govex.cli.main import app
from govex.planning.playbook import PlaybookError, check_playbook

GOOD = """\
plays:
  - segment: value=high
    journey: fulfilment
    problem: late deliveries hit high-value customers hardest
    evidence: friction cell value=high x fulfilment
    action: proactive voucher when the carrier misses its promise
    owner: cx-ops
    kpi: csat
    expected: {effect: 0.05, low: 0.02, high: 0.08}
    cost: 20000
    start: 2025-03-01
    review: 2025-05-01
"""


def test_valid_playbook_is_read(tmp_path):
    path = tmp_path / "playbook.yaml"
    path.write_text(GOOD)
    (play,) = check_playbook(path)
    assert (play.segment, play.journey, play.kpi, play.line) == ("value=high", "fulfilment", "csat", 2)
    assert str(play.review) == "2025-05-01"


def test_every_error_is_reported_at_its_line(tmp_path):
    bad = (GOOD
           .replace("kpi: csat", "kpi: happiness")                 # line 8
           .replace("segment: value=high", "segment: value=vip")   # line 2
           .replace("journey: fulfilment", "journey: delivery")     # line 3
           .replace("review: 2025-05-01", "review: 2025-02-01"))    # line 12
    second = GOOD.replace("plays:\n", "").replace("segment: value=high", "segment: mood=happy")
    path = tmp_path / "playbook.yaml"
    path.write_text(bad + second)
    with pytest.raises(PlaybookError) as caught:
        check_playbook(path)
    found = {(str(issue.where.line), issue.message.split(";")[0].split(":")[0]) for issue in caught.value.issues}
    assert found == {
        ("2", "unknown segment 'vip' of 'value'"),
        ("3", "unknown journey 'delivery'"),
        ("8", "unknown metric 'happiness'"),
        ("12", "review date 2025-02-01 is not after the start date 2025-03-01"),
        ("13", "unknown segment framework 'mood' in 'mood=happy'"),
    }


def test_missing_fields_and_bad_interval_are_refused(tmp_path):
    path = tmp_path / "playbook.yaml"
    path.write_text(GOOD.replace("    owner: cx-ops\n", "").replace("low: 0.02", "low: 0.06"))
    with pytest.raises(PlaybookError, match=r"playbook.yaml:2\] play is missing owner|playbook.yaml:2: play is missing owner"):
        check_playbook(path)
    with pytest.raises(PlaybookError, match=r"must lie within its interval \[0.06, 0.08\]"):
        check_playbook(path)


def test_cli_check_exits_non_zero_with_the_line(tmp_path):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(GOOD)
    bad.write_text(GOOD.replace("kpi: csat", "kpi: happiness"))
    ok = CliRunner().invoke(app, ["playbook", "check", str(good)])
    assert ok.exit_code == 0 and "1 play(s), all valid" in " ".join(ok.output.split())  # rich wraps lines
    refused = CliRunner().invoke(app, ["playbook", "check", str(bad)])
    assert refused.exit_code == 1
    assert f"{bad}:8: unknown metric 'happiness'" in str(refused.exception)


def test_markets_and_everyone(tmp_path):
    """`segment: all` with `markets: [DE]` is a play for one market's customers; markets must be a list of codes."""
    path = tmp_path / "playbook.yaml"
    path.write_text(GOOD.replace("segment: value=high", "segment: all").replace("    journey:", "    markets: [DE]\n    journey:", 1))
    (play,) = check_playbook(path)
    assert (play.segment, play.markets) == ("all", ("DE",))
    path.write_text(GOOD.replace("    journey:", "    markets: DE\n    journey:", 1))
    with pytest.raises(PlaybookError, match=r"playbook.yaml:3: markets must be a list of market codes"):
        check_playbook(path)
