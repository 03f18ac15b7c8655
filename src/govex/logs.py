"""Where the library's log records go when govex itself is the program (the CLI, the decision service).

The library only creates `govex.*` loggers and never configures them; an entry point routes them here.
Records go to whatever `sys.stderr` is when they are written: test runners and embedders swap it, and a
handler bound to an earlier stream would write to a closed file.
"""
from __future__ import annotations

import logging
import sys


class CurrentStderr(logging.StreamHandler):
    """A stream handler that always writes to the current `sys.stderr`."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def route_library_logs(formatter: logging.Formatter, level: int) -> None:
    """Send the `govex` loggers to stderr at `level`, formatted by `formatter`, and nowhere else."""
    handler = CurrentStderr()
    handler.setFormatter(formatter)
    logger = logging.getLogger("govex")
    logger.handlers[:] = [handler]
    logger.setLevel(level)
    logger.propagate = False
