"""Append-only audit log of decisions, one JSON object per line.

Each record holds the request id, key id, customer id, journey, tier, policy version, whether
the customer was known, and a UTC timestamp: nothing else about the customer. A batch is
written with one `os.write` on a file opened with O_APPEND, under a lock, so lines from
concurrent requests never interleave.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import threading
from pathlib import Path

from govex.errors import ConfigError

FIELDS = ("ts", "request_id", "key_id", "customer_id", "journey", "tier", "policy_version", "known_customer")


class AuditLog:
    """Appends decision records to a JSON-lines file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        except OSError as exc:
            raise ConfigError(f"{self.path}: cannot open the audit log for appending: {exc.strerror}") from None
        self._lock = threading.Lock()

    def append(self, *, request_id: str, key_id: str, decisions: list[tuple[str, str, str, str, bool]]) -> None:
        """Write one line per (customer_id, journey, tier, policy_version, known_customer)."""
        ts = dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")
        lines = "".join(
            json.dumps(dict(zip(FIELDS, (ts, request_id, key_id, *decision))), separators=(",", ":")) + "\n"
            for decision in decisions
        ).encode()
        with self._lock:
            view = memoryview(lines)
            while view:
                view = view[os.write(self._fd, view):]

    def close(self) -> None:
        os.close(self._fd)
