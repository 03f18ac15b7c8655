"""The `govex` command: a thin Typer shell over the library.

Each module in this package owns one command group and exposes `register(app)`; this module
collects them, so adding a capability never edits a shared list. Library errors (GovexError)
are printed without a traceback and exit with status 1.
"""
from __future__ import annotations

import importlib
import logging
import os
import pkgutil
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from govex.errors import GovexError
from govex.extras import missing_extra
from govex.logs import route_library_logs

app = typer.Typer(
    name="govex",
    help="Governance & experience toolkit: segments, KPIs, root causes, workforce plans, reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err_console = Console(stderr=True)
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


@app.callback()
def _verbosity(
    verbose: Annotated[int, typer.Option("--verbose", "-v", count=True,
                                         help="Log what the library does to stderr: -v steps, -vv details.")] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Log errors only (no warnings).")] = False,
) -> None:
    """Options for every command: how much the library logs."""
    if verbose and quiet:
        raise typer.BadParameter("--verbose and --quiet exclude each other")
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    configure_logging(level)


def configure_logging(level: int) -> None:
    """Send the library's `govex.*` loggers to stderr at `level` (the library itself never configures logging)."""
    route_library_logs(logging.Formatter(LOG_FORMAT, datefmt="%H:%M:%S"), level)


def _register_command_modules() -> None:
    package = importlib.import_module("govex.cli")
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name in {"main", "common"} or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"govex.cli.{info.name}")
        module.register(app)


_register_command_modules()


def main() -> None:
    """Entry point of the console script."""
    if not sys.stdout.isatty():
        os.environ.setdefault("COLUMNS", "200")  # rich would wrap tables at 80 columns in pipes and CI logs
    try:
        app()
    except ModuleNotFoundError as exc:
        error = missing_extra(exc)
        if error is None:
            raise
        _fail(error)
    except GovexError as exc:
        _fail(exc)


def _fail(exc: GovexError) -> None:
    err_console.print(f"[bold red]error:[/bold red] {escape(str(exc))}", markup=True, highlight=False, soft_wrap=True)
    sys.exit(1)
