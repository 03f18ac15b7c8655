"""Generated docs are up to date (regenerate with `python -m govex.docs`)."""
from __future__ import annotations

import json
from pathlib import Path

from govex.config import GovexConfig
from govex.contract import TABLES
from govex.docs import GENERATED, render, stale_docs, write_docs

REPO = Path(__file__).resolve().parents[1]


def test_generated_docs_are_fresh():
    assert stale_docs(REPO) == [], "run `python -m govex.docs` and commit the result"


def test_a_changed_generated_doc_is_reported_stale(tmp_path):
    write_docs(tmp_path)
    assert stale_docs(tmp_path) == []
    target = tmp_path / "docs" / "data-contract.md"
    target.write_text(target.read_text() + "hand edit\n")
    assert stale_docs(tmp_path) == ["docs/data-contract.md"]


def test_contract_page_lists_every_table_and_column():
    page = render("docs/data-contract.md")
    for table in TABLES.values():
        assert f"## {table.name}\n" in page
        for column in table.columns:
            assert f"| `{column.name}` | {column.dtype} | {'yes' if column.nullable else 'no'} |" in page


def test_config_schema_is_the_pydantic_schema():
    schema = json.loads(render("docs/govex.schema.json"))
    assert schema["properties"] == GovexConfig.model_json_schema()["properties"]
    assert set(GENERATED) >= {"docs/data-contract.md", "docs/govex.schema.json"}


def test_every_command_has_help_text():
    from govex.cli._reference import commands_without_help

    assert commands_without_help() == []
