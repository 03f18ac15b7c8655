"""The library logs through `logging` only; `govex -v/-vv/-q` sets how much of it reaches stderr."""
from __future__ import annotations

import ast
import io
import logging
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from govex.cli.main import app

LIBRARY = Path(__file__).resolve().parents[1] / "src" / "govex"
# Front ends that talk to a terminal on purpose: the CLI and the docs generator's own status lines.
FRONT_ENDS = {LIBRARY / "cli", LIBRARY / "docs.py"}


def _prints(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"]


def test_the_library_never_prints():
    found = {}
    for path in sorted(LIBRARY.rglob("*.py")):
        if any(path == front or front in path.parents for front in FRONT_ENDS):
            continue
        if lines := _prints(path):
            found[str(path.relative_to(LIBRARY))] = lines
    assert found == {}, f"print() in library modules (log through a module logger instead): {found}"


@pytest.fixture
def govex_logger():
    logger = logging.getLogger("govex")
    saved = (logger.level, list(logger.handlers), logger.propagate)
    yield logger
    logger.setLevel(saved[0])
    logger.handlers[:] = saved[1]
    logger.propagate = saved[2]


@pytest.mark.parametrize(("flags", "level"), [
    ([], logging.WARNING), (["-v"], logging.INFO), (["--verbose", "--verbose"], logging.DEBUG),
    (["-vvv"], logging.DEBUG), (["--quiet"], logging.ERROR),
])
def test_verbosity_flags_set_the_library_log_level(govex_logger, flags, level):
    result = CliRunner().invoke(app, [*flags, "init", "--help"])
    assert result.exit_code == 0, result.output
    assert govex_logger.level == level
    assert len(govex_logger.handlers) == 1


def test_a_library_log_record_reaches_stderr_with_its_module(govex_logger, capsys):
    from govex.cli.main import configure_logging

    configure_logging(logging.INFO)
    logging.getLogger("govex.segments.store").info("wrote %s rows", "1,990")
    logging.getLogger("govex.segments.store").debug("not shown at INFO")
    err = capsys.readouterr().err
    assert "INFO govex.segments.store: wrote 1,990 rows" in err
    assert "not shown" not in err


def test_verbose_and_quiet_together_are_refused(govex_logger):
    result = CliRunner().invoke(app, ["-v", "-q", "init", "--help"])
    assert result.exit_code == 2
    assert "--verbose and --quiet exclude each other" in result.output


def test_logs_follow_stderr_after_it_is_swapped(govex_logger, monkeypatch):
    """A CLI run under a test runner closes the stream it captured; later records still arrive."""
    from govex.cli.main import configure_logging

    first, second = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    configure_logging(logging.INFO)
    first.close()
    monkeypatch.setattr(sys, "stderr", second)
    logging.getLogger("govex.api").info("reload refused")
    assert "INFO govex.api: reload refused" in second.getvalue()
