"""Read a YAML file holding one list under one key, keeping the line of every item and field."""
from __future__ import annotations

from pathlib import Path

import yaml

from govex.errors import Issue, IssueLevel, Location
from govex.metrics.model import Origin

# libyaml's parser when PyYAML was built with it: the pure-Python one takes ~0.3 s for the shipped catalogue
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_items(path: Path, key: str, label: str, issues: list[Issue]) -> list[tuple[dict, Origin]]:
    """Each mapping under `key` with its Origin; problems are appended to `issues`, not raised."""
    text = path.read_text(encoding="utf-8")
    try:
        loader = LOADER(text)
        try:  # one parse: the node tree gives the lines, the same tree gives the data
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = Location(file=label, line=mark.line + 1 if mark else None)
        issues.append(Issue(IssueLevel.ERROR, f"not valid YAML: {getattr(exc, 'problem', exc)}", where))
        return []
    if root is None or not isinstance(data, dict) or key not in data or not isinstance(data[key], list):
        issues.append(Issue(IssueLevel.ERROR, f"expected a mapping with a key `{key}:` holding a list",
                            Location(file=label)))
        return []
    seq = next(v for k, v in root.value if k.value == key)
    out = []
    for node, body in zip(seq.value, data[key], strict=True):
        line = node.start_mark.line + 1
        if not isinstance(body, dict):
            issues.append(Issue(IssueLevel.ERROR, f"each item of `{key}` must be a mapping of fields",
                                Location(file=label, line=line)))
            continue
        out.append((body, Origin(label, line, {k.value: k.start_mark.line + 1 for k, _ in node.value})))
    return out
