"""One CLI convention across commands: --from/--to for a date range, --json for JSON, --db/--config for data."""
from __future__ import annotations

import logging

import pytest
import typer

from govex.cli._reference import _commands
from govex.cli.common import renamed_option
from govex.cli.main import app
from govex.errors import ConfigError


def _visible_options() -> dict[str, set[str]]:
    root = typer.main.get_command(app)
    return {name: {opt for p in command.params if not getattr(p, "hidden", False) for opt in p.opts}
            for name, command in _commands(root, "govex") if not hasattr(command, "commands")}


def test_a_date_range_is_always_from_to():
    both = sorted(name for name, opts in _visible_options().items() if {"--start", "--end"} <= opts)
    assert both == [], f"commands with a --start/--end range (use --from/--to): {both}"
    halves = sorted(name for name, opts in _visible_options().items() if ("--from" in opts) != ("--to" in opts)
                    and name != "govex explain metric")  # --from is optional there: the baseline before --to
    assert halves == [], f"commands with only one end of a --from/--to range: {halves}"


def test_every_command_with_a_format_also_takes_json():
    missing = sorted(name for name, opts in _visible_options().items() if "--format" in opts and "--json" not in opts)
    assert missing == [], missing


def test_the_data_options_are_spelled_one_way():
    spellings = {opt for opts in _visible_options().values() for opt in opts}
    assert not spellings & {"--database", "--warehouse", "--duckdb", "--start-date", "--end-date", "--output-format"}


def test_a_deprecated_spelling_still_works_with_a_warning(caplog, monkeypatch):
    monkeypatch.setattr(logging.getLogger("govex"), "propagate", True)  # a CLI run earlier may have turned it off
    with caplog.at_level(logging.WARNING, logger="govex.cli"):
        assert renamed_option("--from", None, "--start", "2025-01-01") == "2025-01-01"
    assert "--start is deprecated and goes in the next release; use --from" in caplog.text
    assert renamed_option("--from", "2025-02-01", "--start", None) == "2025-02-01"
    with pytest.raises(ConfigError, match="give --from only: --start is its deprecated spelling"):
        renamed_option("--from", "2025-02-01", "--start", "2025-01-01")


def test_segments_is_one_group_and_the_old_segment_command_still_assigns(tmp_path):
    import json

    import ibis
    from features.tiny_marketplace import AS_OF, tiny_frames
    from typer.testing import CliRunner

    database = tmp_path / "tiny.duckdb"
    con = ibis.duckdb.connect(str(database))
    for name, frame in tiny_frames().items():
        con.create_table(name, frame)
    con.disconnect()
    root = typer.main.get_command(app)
    assert {"assign", "profile", "transitions"} <= set(root.commands["segments"].commands)
    assert root.commands["segment"].hidden
    args = ["--db", str(database), "--as-of", str(AS_OF), "--framework", "lifecycle", "--json"]
    new = CliRunner().invoke(app, ["segments", "assign", *args])
    old = CliRunner().invoke(app, ["segment", *args])
    assert new.exit_code == 0 and old.exit_code == 0, (new.output, old.output)
    assert "deprecated" not in new.output
    assert "`govex segment` is deprecated and goes in the next release; use `govex segments assign`" in old.output
    assert json.loads(old.stdout) == json.loads(new.stdout)
    assert sum(row["customers"] for row in json.loads(new.stdout)["sizes"]) > 0


def test_config_always_means_govex_yaml_and_is_c_for_short():
    root = typer.main.get_command(app)
    for name, command in _commands(root, "govex"):
        for param in getattr(command, "params", []):
            if "--config" in param.opts and not param.hidden:
                assert "govex.yaml" in (param.help or ""), f"{name}: --config is not govex.yaml"
                assert "-c" in param.opts, f"{name}: --config without -c"


def test_plan_files_have_their_own_option_and_the_old_config_spelling_still_works():
    from typer.testing import CliRunner

    new = CliRunner().invoke(app, ["plan", "cascade", "--cascade", "docs/examples/target-cascade.yaml", "--json"])
    old = CliRunner().invoke(app, ["plan", "cascade", "--config", "docs/examples/target-cascade.yaml", "--json"])
    assert new.exit_code == 0 and old.exit_code == 0, (new.output, old.output)
    assert "--config is deprecated and goes in the next release; use --cascade" in old.output
    assert old.stdout.split("\n", 1)[-1] in new.stdout or old.stdout.strip().endswith(new.stdout.strip())
    missing = CliRunner().invoke(app, ["plan", "capacity"])
    assert missing.exit_code != 0 and "give --capacity-plan FILE.yaml" in str(missing.exception or missing.output)


# Commands that take a DuckDB file but no govex.yaml: ingest writes the file; the dashboard, the decision API and
# its store publisher read the file itself outside the engine.
FILE_ONLY = {"govex ingest olist", "govex ingest folder", "govex dashboard", "govex serve", "govex api-publish"}


def _helps(option: str) -> dict[str, str]:
    root = typer.main.get_command(app)
    return {name: " ".join((p.help or "").split()) for name, command in _commands(root, "govex")
            for p in getattr(command, "params", []) if option in p.opts and not p.hidden}


def test_every_command_that_reads_a_warehouse_takes_db_and_config():
    options = _visible_options()
    without = sorted(name for name, opts in options.items() if "--db" in opts and "--config" not in opts)
    assert without == sorted(FILE_ONLY)
    assert not FILE_ONLY & {name for name, opts in options.items() if "--config" in opts}


def test_shared_options_say_the_same_thing_everywhere():
    for option, exceptions in (("--db", FILE_ONLY), ("--config", {"govex ingest"}), ("--json", set())):
        helps = {name: text for name, text in _helps(option).items() if name not in exceptions}
        assert len(helps) > 5 and len(set(helps.values())) == 1, (option, helps)


def test_out_says_folder_or_file_and_refuses_the_other_kind(tmp_path):
    from typer.testing import CliRunner

    kinds = {name: text.split(" to write")[0] for name, text in _helps("--out").items()}
    assert set(kinds.values()) == {"Folder", "File"}, kinds
    assert kinds["govex report"] == kinds["govex synth"] == kinds["govex moderation transparency"] == "Folder"
    assert kinds["govex plan calibrate"] == kinds["govex playbook draft"] == "File"
    a_file = tmp_path / "report.html"
    a_file.write_text("")
    to_file = CliRunner().invoke(app, ["report", "--out", str(a_file), "--db", "x.duckdb"])
    assert to_file.exit_code == 1
    assert str(to_file.exception) == f"--out {a_file}: that is a file; give a folder (the command writes several files into it)"
    to_folder = CliRunner().invoke(app, ["plan", "calibrate", "--actuals", "a.csv", "--out", str(tmp_path)])
    assert to_folder.exit_code == 1
    assert str(to_folder.exception) == f"--out {tmp_path}: that is a folder; give the path of the file to write"


def test_every_option_help_is_a_sentence():
    root = typer.main.get_command(app)
    helps = {(name, p.opts[0] if p.opts else p.name): " ".join((getattr(p, "help", None) or "").split())
             for name, command in _commands(root, "govex") for p in getattr(command, "params", [])
             if not getattr(p, "hidden", False)}
    bad = {key: text for key, text in helps.items()
           if text and not ((text[0].isupper() or text.startswith("govex.yaml")) and text.endswith("."))}
    assert bad == {}
