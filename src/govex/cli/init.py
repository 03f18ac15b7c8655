"""`govex init`: write a commented example govex.yaml."""
from __future__ import annotations

from pathlib import Path

import typer


def init_command(
    path: Path = typer.Argument(Path("govex.yaml"), help="Where to write the example config."),
    force: bool = typer.Option(False, "--force", help="Overwrite the file if it exists."),
) -> None:
    """Write a commented example govex.yaml to start from (refuses to overwrite without --force)."""
    from govex.cli.common import console
    from govex.config import write_example_config

    written = write_example_config(path, force=force)
    console.print(f"wrote {written}; edit the table sources, then run `govex ingest --config {written}`", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("init")(init_command)
