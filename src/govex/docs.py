"""Regenerate every generated doc: `python -m govex.docs` (or `--check` to list stale ones).

GENERATED is the registry: repository-relative path -> "module:function" returning the file's
text. Add a line here to generate a new doc; tests/test_docs.py fails when any file is stale.
"""
from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

GENERATED: dict[str, str] = {
    "docs/data-contract.md": "govex.contract.markdown:contract_markdown",
    "docs/govex.schema.json": "govex.config.json_schema:config_json_schema",
    "docs/metrics.md": "govex.metrics.markdown:metrics_markdown",
    "docs/cli.md": "govex.cli._reference:cli_markdown",
}


def render(relative_path: str) -> str:
    """The current text of one generated doc."""
    module_name, function_name = GENERATED[relative_path].split(":")
    return getattr(importlib.import_module(module_name), function_name)()


def stale_docs(root: Path) -> list[str]:
    """Generated docs under `root` whose file is missing or differs from what the code renders."""
    stale = []
    for relative_path in GENERATED:
        target = root / relative_path
        if not target.is_file() or target.read_text(encoding="utf-8") != render(relative_path):
            stale.append(relative_path)
    return stale


def write_docs(root: Path) -> list[Path]:
    """Write every generated doc under `root` (temporary name, then rename); return the paths written."""
    written = []
    for relative_path in GENERATED:
        target = root / relative_path
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.tmp")
        temp.write_text(render(relative_path), encoding="utf-8")
        temp.replace(target)
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govex.docs", description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root (default: current folder)")
    parser.add_argument("--check", action="store_true", help="only list stale docs; exit 1 if any")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_docs(args.root)
        for relative_path in stale:
            print(f"stale: {relative_path} (run `python -m govex.docs`)")
        return 1 if stale else 0
    for path in write_docs(args.root):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
