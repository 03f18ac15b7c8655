"""Append-only audit log, one JSON object per line, for every request that reached the service.

A request gives one line (a batch of decisions gives one line per decision, each carrying the
request's fields). Lines are written with one `os.write` on a file opened with O_APPEND, under
a lock, so concurrent requests never interleave. Before each write the path is compared with the
open file (device and inode): after a rotation (rename) or deletion the log is reopened at the
path, so no record goes to an unlinked file; `reopen()` does the same on demand (SIGHUP).
The client's own X-Request-ID is kept in `client_request_id`, reduced to a safe alphabet; the
`request_id` is always the server's.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import threading
from pathlib import Path

from govex.errors import ConfigError

log = logging.getLogger("govex.api.audit")

DECISION_FIELDS = ("customer_id", "journey", "tier", "policy_version", "known_customer")
_UNSAFE = re.compile(r"[^A-Za-z0-9_.:-]")
_UNSAFE_IN_PATH = re.compile(r"[^A-Za-z0-9_.:/-]")
MAX_FIELD = 64
MAX_PATH = 256


def sanitise(value: str | None, limit: int = MAX_FIELD) -> str | None:
    """A client-supplied value cut to `limit` characters of a safe alphabet (others become '_')."""
    return None if value is None else _UNSAFE.sub("_", value[:limit])


def sanitise_path(path: str) -> str:
    """A request path cut to MAX_PATH characters, '/' kept, other unsafe characters as '_'."""
    return _UNSAFE_IN_PATH.sub("_", path[:MAX_PATH])


class AuditLog:
    """Appends request records to a JSON-lines file, following rotation."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._fd, self._identity = self._open()

    def _open(self) -> tuple[int, tuple[int, int]]:
        """The open file and its (device, inode), which the path must still name for writes to go there."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o640)
        except OSError as exc:
            raise ConfigError(f"{self.path}: cannot open the audit log for appending: {exc.strerror}") from None
        st = os.fstat(fd)
        return fd, (st.st_dev, st.st_ino)

    def _rotated(self) -> bool:
        try:
            on_disk = os.stat(self.path)
        except FileNotFoundError:
            return True
        return (on_disk.st_dev, on_disk.st_ino) != self._identity

    def reopen(self) -> None:
        """Close the current file and open the path again (after logrotate, or on SIGHUP)."""
        with self._lock:
            self._reopen_locked()

    def _reopen_locked(self) -> None:
        fresh, identity = self._open()
        os.close(self._fd)
        self._fd, self._identity = fresh, identity
        log.info("audit log reopened at %s", self.path)

    def write(self, request: dict, decisions: list[tuple] | None = None) -> None:
        """One line for the request, or one per decision (customer_id, journey, tier, policy_version, known)."""
        request = {"ts": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"), **request}
        if decisions:
            lines = "".join(_line({**request, **dict(zip(DECISION_FIELDS, d))}) for d in decisions)
        else:
            lines = _line(request)
        data = lines.encode()
        with self._lock:
            if self._rotated():
                self._reopen_locked()
            view = memoryview(data)
            while view:
                view = view[os.write(self._fd, view):]

    def close(self) -> None:
        with self._lock:
            os.close(self._fd)


def _line(record: dict) -> str:
    return json.dumps(record, separators=(",", ":"), ensure_ascii=True) + "\n"
