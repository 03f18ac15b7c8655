"""Reading and writing the VOC stage's files: JSON that must be an object, and all-or-nothing writes."""
from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from govex.errors import GovexError


def read_json_object(path: Path, *, error: type[GovexError], not_found: str, what: str) -> dict:
    """The JSON object in `path`, or `error` naming the file: absent (`not_found` says what to do),
    not JSON, or JSON that is not an object (`what` names what was expected)."""
    if not path.is_file():
        raise error(f"{path}: {not_found}")
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise error(f"{path}: not valid JSON ({exc}); write it again") from exc
    if not isinstance(payload, dict):
        raise error(f"{path}: expected a JSON object of {what}, found {type(payload).__name__}")
    return payload


def temp_beside(path: Path) -> Path:
    """An empty temporary file in `path`'s folder (same file system, so a rename is atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    return Path(name)


def write_atomically(path: str | Path, write: Callable[[Path], None]) -> Path:
    """Call `write(temporary)` beside `path`, then rename it to `path`: readers never see half a file."""
    path = Path(path)
    temp = temp_beside(path)
    try:
        write(temp)
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)
    return path
