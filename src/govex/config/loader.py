"""Read govex.yaml into a GovexConfig, keeping the line of every key for error messages."""
from __future__ import annotations

from pathlib import Path
from collections.abc import Callable
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from govex.config.model import GovexConfig
from govex.errors import ConfigError

M = TypeVar("M", bound="BaseModel")


def load_config(path: str | Path) -> GovexConfig:
    """Load and validate govex.yaml; every problem is reported as file:line with the fix.

    Raises ConfigError listing all problems found by validation at once.
    """
    path = Path(path)
    config, lines = load_yaml_model(path, GovexConfig, what="config", hint="`govex init` writes a commented example",
                                    describe=_describe)
    config._path = path.resolve()
    config._lines = lines
    return config


def parse_yaml(text: str, *, source: str) -> tuple[Any, dict[tuple[str, ...], int]]:
    """Parse YAML; return the data and, for every mapping key, its 1-based line."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{source}{line}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if node is None:
        return {}, {}
    lines: dict[tuple[str, ...], int] = {}
    constructor = yaml.SafeLoader("")
    return _build(node, (), lines, constructor), lines


def load_yaml_model(
    path: str | Path, model: type[M], *, what: str, hint: str = "",
    describe: Callable[[dict, Path, dict[tuple[str, ...], int]], str] | None = None,
) -> tuple[M, dict[tuple[str, ...], int]]:
    """Read a YAML file into a pydantic `model`; every validation problem is reported at file:line.

    Returns the model and the key lines (for later checks that name lines). `what` names the
    kind of file in messages; `hint` says how to get one when the file is missing; `describe`
    (error, path, lines) -> text replaces the default one-line description of a problem.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such {what} file{'; ' + hint if hint else ''}") from None
    data, lines = parse_yaml(text, source=str(path))
    try:
        return model.model_validate(data), lines
    except ValidationError as exc:
        describe = describe or _describe_generic
        problems = [describe(error, path, lines) for error in exc.errors()]
        raise ConfigError(f"{path}: invalid {what}, {len(problems)} problem(s):\n" + "\n".join(problems)) from None


def _describe_generic(error: dict, path: Path, lines: dict[tuple[str, ...], int]) -> str:
    dotted = ".".join(str(p) for p in error["loc"]) or "(top level)"
    return f"  {line_of(str(path), lines, error['loc'])}: {dotted}: {error['msg']}"


def line_of(source: str, lines: dict[tuple[str, ...], int], path: tuple) -> str:
    """'file:line' of the deepest key of `path` found in `lines` (from parse_yaml).

    Parts of `path` that are not keys of the file (such as a union tag pydantic adds to an
    error location) are skipped; a list item, which has no key of its own, is placed at its
    first key's line.
    """
    keys: tuple[str, ...] = ()
    for part in (str(p) for p in path):
        candidate = keys + (part,)
        if any(key[:len(candidate)] == candidate for key in lines):
            keys = candidate
    for end in range(len(keys), 0, -1):
        prefix = keys[:end]
        if prefix in lines:
            return f"{source}:{lines[prefix]}"
        inside = [line for key, line in lines.items() if key[:end] == prefix]
        if inside:
            return f"{source}:{min(inside)}"
    return source


def _build(node: yaml.Node, path: tuple[str, ...], lines: dict, constructor: yaml.SafeLoader) -> Any:
    if isinstance(node, yaml.MappingNode):
        out = {}
        for key_node, value_node in node.value:
            key = str(constructor.construct_object(key_node, deep=True))
            lines[(*path, key)] = key_node.start_mark.line + 1
            out[key] = _build(value_node, (*path, key), lines, constructor)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, str(i)), lines, constructor) for i, item in enumerate(node.value)]
    return constructor.construct_object(node, deep=True)


def _describe(error: dict, path: Path, lines: dict[tuple[str, ...], int]) -> str:
    loc = tuple(str(part) for part in error["loc"] if part != "[key]")
    line = next((lines[loc[:end]] for end in range(len(loc), 0, -1) if loc[:end] in lines), None)
    where = f"{path}:{line}" if line is not None else str(path)
    dotted = ".".join(loc) or "(top level)"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key (check its spelling against docs/configuration.md)"
    elif error["type"] == "literal_error" and len(loc) >= 2 and loc[0] == "tables":
        message = f"{loc[1]!r} is not a canonical table; expected {error['msg'].removeprefix('Input should be ')}"
    return f"  {where}: {dotted}: {message}"
