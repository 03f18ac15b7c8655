"""`govex init`: write a commented example govex.yaml, or one proposed from a file of yours."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def init_command(
    path: Path = typer.Argument(Path("govex.yaml"), help="Where to write the config."),
    force: bool = typer.Option(False, "--force", help="Overwrite the file if it exists."),
    from_file: Optional[Path] = typer.Option(None, "--sample", help="A CSV or Parquet file of yours: propose its "
                                             "mapping onto the contract, with a comment per guess."),
    table: Optional[str] = typer.Option(None, "--table", help="With --sample: the canonical table the file holds "
                                        "(default: the one its columns match best)."),
    old_from: Optional[Path] = typer.Option(None, "--from", hidden=True, help="Deprecated: --sample."),
) -> None:
    """Write a govex.yaml to start from (refuses to overwrite without --force): a commented
    example mapping nothing, or with --sample FILE a proposed mapping of that file."""
    from govex.cli.common import console, renamed_option
    from govex.errors import ConfigError

    from_file = renamed_option("--sample", from_file, "--from", old_from)  # --from is a date range elsewhere
    if from_file is None:
        if table is not None:
            raise ConfigError("govex init: --table goes with --sample FILE")
        from govex.config import write_example_config

        written = write_example_config(path, force=force)
        console.print(f"wrote {written}; edit the table sources, then run `govex ingest --config {written}`",
                      highlight=False)
        return
    from govex.config.propose import propose_mapping, write_proposal

    proposal = propose_mapping(from_file, table=table)
    written = write_proposal(proposal, path, force=force)
    mapped = [g.column for g in proposal.guesses if g.source]
    missing = [g.column for g in proposal.guesses if g.source is None and not _optional(proposal.table, g.column)]
    console.print(f"wrote {written}: {from_file} as table {proposal.table}, {len(mapped)} column(s) mapped "
                  f"({', '.join(mapped)})", highlight=False)
    if missing:
        console.print(f"still needed (see the comments in {written}): {', '.join(missing)}", highlight=False)
    console.print(f"check every guess, then run `govex ingest --config {written}`", highlight=False)


def _optional(table: str, column: str) -> bool:
    from govex.contract.schema import TABLES

    col = TABLES[table].column(column)
    return col.nullable or col.default is not None


def register(app: typer.Typer) -> None:
    app.command("init")(init_command)
