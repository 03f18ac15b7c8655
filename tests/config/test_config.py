"""govex.yaml: the example round-trips, and every kind of mistake is reported at its file:line."""
from __future__ import annotations

import pytest
import yaml

from govex.config import EXAMPLE_CONFIG, GovexConfig, load_config, write_example_config
from govex.errors import ConfigError


def write(tmp_path, text: str):
    path = tmp_path / "govex.yaml"
    path.write_text(text)
    return path


def test_example_config_maps_nothing_until_edited(tmp_path):
    # `govex init` must not write live entries for files that do not exist
    config = load_config(write_example_config(tmp_path / "govex.yaml"))
    assert config.tables == {}
    # the commented entries, uncommented as the file says, are a valid config
    head, tables = EXAMPLE_CONFIG.split("tables: {}")
    edited = head + "tables:" + tables.replace("\n#  ", "\n  ")
    config = load_config(write(tmp_path, edited))
    raw = yaml.safe_load(edited)  # an independent parse of the same text
    assert config.engine == raw["engine"] == "duckdb:///govex.duckdb"
    assert set(config.tables) == set(raw["tables"]) == {"customers", "orders", "surveys", "contacts", "vendors"}
    assert config.tables["customers"].rename == raw["tables"]["customers"]["rename"]
    assert config.tables["orders"].kind == "glob"
    assert config.tables["orders"].file_format() == "parquet"
    assert config.tables["surveys"].file_format() == "csv"  # .csv.gz


def test_defaults_and_paths_resolve_beside_the_config(tmp_path):
    config = load_config(write(tmp_path, "tables: {}\n"))
    assert config.reporting_currency == "USD"  # the design reports in USD, as synth fx_rates convert
    assert config.engine_url() == f"duckdb:///{(tmp_path / 'govex.duckdb').resolve()}"
    assert config.resolve("data/x.csv") == tmp_path.resolve() / "data/x.csv"


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("engine: duckdb:///g.duckdb\nreporting_currency: euro\n", 2, "reporting_currency"),
        ("tables:\n  orders:\n    file: o.csv\n    colour: red\n", 4, "tables.orders.colour: unknown key"),
        ("tables:\n  customers:\n    file: c.csv\n  order:\n    file: o.csv\n", 4, "'order' is not a canonical table"),
        ("tables:\n  orders:\n    file: o.csv\n    sql: select 1\n", 2, "exactly one of file, glob, table or sql"),
        ("tables:\n  orders:\n    table: raw.orders\n    format: csv\n", 2, "format applies only to file and glob"),
        ("pseudonymise:\n  salt: short\n", 2, "at least 8 characters"),
        ("pseudonymise: {}\n", 1, "exactly one of salt or salt_env"),
    ],
)
def test_errors_name_file_and_line(tmp_path, text, line, fragment):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert f"{path}:{line}:" in str(caught.value)
    assert fragment in str(caught.value)


def test_rename_onto_a_column_the_table_lacks(tmp_path):
    path = write(tmp_path, "tables:\n  orders:\n    file: o.csv\n    rename: {total: order_total}\n")
    with pytest.raises(ConfigError, match="maps onto order_total, which orders does not have"):
        load_config(path)


def test_yaml_syntax_error_has_a_line(tmp_path):
    path = write(tmp_path, "tables:\n  orders:\n    file: [unclosed\n")
    with pytest.raises(ConfigError, match=rf"{path}:\d+: not valid YAML"):
        load_config(path)


def test_missing_config_file_suggests_init(tmp_path):
    with pytest.raises(ConfigError, match="govex init"):
        load_config(tmp_path / "nope.yaml")


def test_salt_from_environment(tmp_path, monkeypatch):
    config = load_config(write(tmp_path, "pseudonymise:\n  salt_env: TEST_GOVEX_SALT\n"))
    monkeypatch.delenv("TEST_GOVEX_SALT", raising=False)
    with pytest.raises(ConfigError, match="TEST_GOVEX_SALT.*unset"):
        config.pseudonymise.resolve_salt()
    monkeypatch.setenv("TEST_GOVEX_SALT", "pepper-and-salt")
    assert config.pseudonymise.resolve_salt() == "pepper-and-salt"


def test_where_points_at_the_key(tmp_path):
    config = load_config(write(tmp_path, "engine: duckdb:///g.duckdb\ntables:\n  orders:\n    file: o.csv\n"))
    assert config.where("tables", "orders", "file").endswith("govex.yaml:4")
    assert config.where("tables", "orders", "rename").endswith("govex.yaml:3")  # nearest enclosing key


def test_models_are_frozen_and_strict():
    config = GovexConfig()
    with pytest.raises(Exception):
        config.engine = "x"  # frozen
    with pytest.raises(Exception):
        GovexConfig(engin="typo")  # extra="forbid"


def test_init_refuses_to_overwrite_without_force(tmp_path):
    path = write(tmp_path, "engine: duckdb:///mine.duckdb\n")
    with pytest.raises(ConfigError, match="already exists; pass --force"):
        write_example_config(path)
    assert path.read_text() == "engine: duckdb:///mine.duckdb\n"
    write_example_config(path, force=True)
    assert path.read_text() == EXAMPLE_CONFIG
    assert [p.name for p in tmp_path.iterdir()] == ["govex.yaml"]  # no temporary file left behind


def test_yaml_model_errors_name_the_line_of_the_bad_value(tmp_path):
    from pydantic import BaseModel, Field

    from govex.config.loader import load_yaml_model

    class Item(BaseModel):
        name: str
        share: float = Field(le=1)

    class Doc(BaseModel):
        items: list[Item]

    path = tmp_path / "doc.yaml"
    path.write_text("items:\n  - name: a\n    share: 0.5\n  - name: b\n    share: 2\n")
    # hand count: the second item's `share` is on line 5
    with pytest.raises(ConfigError, match=r"doc.yaml:5: items.1.share"):
        load_yaml_model(path, Doc, what="test document")
    with pytest.raises(ConfigError, match=r"no such test document file; make one"):
        load_yaml_model(tmp_path / "missing.yaml", Doc, what="test document", hint="make one")
