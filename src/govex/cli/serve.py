"""`govex serve` (the decision API) and `govex api-key` (make a key and its hashed entry)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from govex.cli.common import console
from govex.errors import ConfigError


def serve_command(
    db: Annotated[Path, typer.Option("--db", help="DuckDB warehouse with segment_assignments.")] = Path("govex.duckdb"),
    policy: Annotated[Optional[Path], typer.Option("--policy", help="Policy YAML (default: shipped).")] = None,
    keys: Annotated[Path, typer.Option("--keys", help="Keys file (hashed keys with scopes).")] = Path("govex-keys.yaml"),
    audit_log: Annotated[Path, typer.Option("--audit-log", help="JSON-lines audit log.")] = Path("govex-audit.jsonl"),
    host: Annotated[str, typer.Option("--host", help="Interface to bind (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    watch_interval_s: Annotated[float, typer.Option("--watch-interval", help="Seconds between file-change checks "
                                                    "(0: reload only on POST /v1/admin/reload).")] = 2.0,
) -> None:
    """Serve treatments from an in-memory snapshot of the latest segments and the policy."""
    from govex.api import ServiceSettings, serve

    if not 0 < port < 65536:
        raise ConfigError(f"--port must be 1-65535; got {port}")
    settings = ServiceSettings(db=db, policy=policy, keys=keys, audit_log=audit_log, watch_interval_s=watch_interval_s)
    console.print(f"govex decision API on http://{host}:{port} (db {db}, policy {policy or 'shipped default'})",
                  highlight=False)
    serve(settings, host=host, port=port)


def api_key_command(
    key_id: Annotated[str, typer.Option("--id", help="Key id (shown in the audit log).")],
    scope: Annotated[list[str], typer.Option("--scope", help="read, decide or admin (repeatable).")],
    keys: Annotated[Path, typer.Option("--keys", help="Keys file to append the hashed entry to.")] = Path("govex-keys.yaml"),
) -> None:
    """Make a new API key: print the secret once and store only its salted hash in the keys file."""
    import os

    from govex.api import KeyStore, keys_yaml, new_api_key

    existing = list(KeyStore.load(keys).entries.values()) if keys.exists() else []
    if any(e.id == key_id for e in existing):
        raise ConfigError(f"{keys}: a key with id {key_id!r} exists already")
    token, entry = new_api_key(key_id, tuple(scope))
    tmp = keys.with_name(keys.name + ".tmp")
    tmp.write_text(keys_yaml([*existing, entry]), encoding="utf-8")
    os.chmod(tmp, 0o600)
    tmp.replace(keys)
    console.print(f"key {key_id!r} ({', '.join(entry.scopes)}) added to {keys}; the secret is shown only now:",
                  highlight=False)
    print(token)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
    app.command("api-key")(api_key_command)
