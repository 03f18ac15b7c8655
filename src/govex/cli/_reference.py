"""docs/cli.md: every command's help and options, generated from the Typer app itself."""
from __future__ import annotations

import typer


def _commands(group, prefix: str):
    """(full name, command) for every command under `group`, depth first, in name order."""
    for name in sorted(getattr(group, "commands", {})):
        command = group.commands[name]
        full = f"{prefix} {name}"
        yield full, command
        yield from _commands(command, full)


def _param_line(param) -> str:
    if param.param_type_name == "argument":
        return f"- `{param.name.upper()}` (argument{', required' if param.required else ''})"
    names = ", ".join(f"`{n}`" for n in (*param.opts, *param.secondary_opts))
    helptext = " ".join((getattr(param, "help", None) or "").split())
    required = " (required)" if param.required else ""
    return f"- {names}{required}: {helptext}" if helptext else f"- {names}{required}"


def _root():
    from govex.cli.main import app

    return typer.main.get_command(app)


def commands_without_help() -> list[str]:
    """Commands whose help text is empty (a test keeps this list empty)."""
    return [name for name, command in _commands(_root(), "govex") if not (command.help or "").strip()]


def cli_markdown() -> str:
    """The CLI reference page."""
    lines = ["# CLI reference", "", "Generated from the command definitions by `make docs`; do not edit by hand.", ""]
    root = [p for p in _root().params if p.name != "help"]
    lines += ["Options of every command, given before its name (`govex -v segments assign ...`):", ""]
    lines += [_param_line(p) for p in root] + [""]
    for name, command in _commands(_root(), "govex"):
        lines += [f"## `{name}`", "", " ".join((command.help or "").split()), ""]
        params = [p for p in command.params if p.name != "help"]
        if params and not hasattr(command, "commands"):
            lines += [_param_line(p) for p in params] + [""]
    return "\n".join(lines).rstrip() + "\n"
