"""A validated metric catalogue kept on disk, keyed by everything that decides it.

Checking the catalogue (parse every YAML file, type-check every expression on the contract's
tables, work out the dimensions each metric reaches) costs a few tenths of a second per process;
its result depends only on the catalogue files, the contract and the code that checks them. The
key is a SHA-256 of the files' names and bytes, of every module of `govex.metrics` and
`govex.contract`, and of the versions of the libraries the checks use, so an edited file, contract
or upgrade is a different key and is checked afresh. Only catalogues that passed are stored.

Where: ``$GOVEX_CACHE_DIR``, else ``$XDG_CACHE_HOME/govex``, else ``~/.cache/govex``; an empty
``GOVEX_CACHE_DIR`` turns the cache off. An unreadable, corrupt or unwritable cache is ignored
(the catalogue is then checked as without it). Entries are pickles written by this user's own
processes, as trusted as the catalogue files themselves.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import sys
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from importlib import metadata
from pathlib import Path

FORMAT = b"govex-catalogue-cache-1"
_CODE_DIRS = ("metrics", "contract")  # packages whose code decides what a valid catalogue is
_LIBRARIES = ("ibis-framework", "pydantic", "PyYAML")


def cache_dir() -> Path | None:
    """The folder of govex's caches, or None when GOVEX_CACHE_DIR is set to empty."""
    configured = os.environ.get("GOVEX_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "govex"


@lru_cache(maxsize=1)
def _code_fingerprint() -> bytes:
    """Hash of the checking code and library versions (the code does not change within a process)."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(FORMAT + sys.version.encode())
    for library in _LIBRARIES:
        digest.update(f"{library}={metadata.version(library)}".encode())
    for package in _CODE_DIRS:
        for source in sorted((root / package).glob("*.py")):
            digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.digest()


def catalogue_key(files: Iterable[tuple[str, Path]], include_shipped: bool) -> str:
    """The key of a catalogue built from (label, path) files, in order."""
    digest = hashlib.sha256(_code_fingerprint() + bytes([include_shipped]))
    for label, path in files:
        body = path.read_bytes()
        digest.update(f"{label}\0{len(body)}\0".encode() + body)
    return digest.hexdigest()


def _entry(key: str) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / "catalogue" / f"{key}.pickle"


def read(key: str) -> object | None:
    """The object stored under `key`, or None when absent or unreadable."""
    entry = _entry(key)
    if entry is None:
        return None
    try:
        with entry.open("rb") as handle:
            return pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None


def write(key: str, value: object) -> None:
    """Store `value` under `key`, renamed into place whole (concurrent writers never see half a file)."""
    entry = _entry(key)
    if entry is None:
        return
    tmp = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, entry)
    except OSError:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
