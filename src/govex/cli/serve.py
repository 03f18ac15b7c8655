"""`govex serve` (the decision API) and `govex api-key new|rotate|revoke|list` (its keys file)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Optional

import typer

from govex.cli.common import console
from govex.errors import ConfigError

KeysOption = Annotated[Path, typer.Option("--keys", help="Keys file (hashed keys with scopes).")]
# A DuckDB file, not a govex.yaml: serving builds its snapshots and store versions from the file itself.
SegmentsDbOption = Annotated[Path, typer.Option("--db", help="DuckDB file with segment_assignments (read as a file, "
                                                "so there is no --config).")]


def serve_command(
    db: SegmentsDbOption = Path("govex.duckdb"),
    policy: Annotated[Optional[Path], typer.Option("--policy", help="Policy YAML (default: shipped).")] = None,
    store: Annotated[Optional[Path], typer.Option(
        "--store", help="Serve a store published by `govex api-publish` (memory-mapped) instead of reading --db.")] = None,
    keys: KeysOption = Path("govex-keys.yaml"),
    audit_log: Annotated[Path, typer.Option("--audit-log", help="JSON-lines audit log.")] = Path("govex-audit.jsonl"),
    host: Annotated[str, typer.Option("--host", help="Interface to bind (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    allow_remote: Annotated[bool, typer.Option("--allow-remote", help="Allow a non-loopback --host (put TLS in "
                                               "front: a reverse proxy, or --ssl-certfile/--ssl-keyfile).")] = False,
    ssl_certfile: Annotated[Optional[Path], typer.Option("--ssl-certfile", help="PEM certificate: serve HTTPS.")] = None,
    ssl_keyfile: Annotated[Optional[Path], typer.Option("--ssl-keyfile", help="PEM private key of the certificate.")] = None,
    watch_interval_s: Annotated[float, typer.Option("--watch-interval", help="Seconds between file-change checks "
                                                    "(0: reload only on POST /v1/admin/reload or SIGHUP).")] = 2.0,
    max_snapshot_age_s: Annotated[Optional[float], typer.Option(
        "--max-snapshot-age", help="Seconds after which /readyz reports not ready until a reload succeeds.")] = None,
    requests_per_key: Annotated[float, typer.Option(
        "--requests-per-key", help="Requests per second allowed per key (0: unlimited).")] = 0.0,
    failures_per_address: Annotated[int, typer.Option(
        "--failures-per-address", help="Failed authentications per client address per minute before 429.")] = 20,
) -> None:
    """Serve treatments from a snapshot of the latest segments and the policy, behind keys and an audit log."""
    from govex.api import LimitSettings, ServiceSettings, serve

    if not 0 < port < 65536:
        raise ConfigError(f"--port must be 1-65535; got {port}")
    limits = LimitSettings(requests_per_key_per_s=requests_per_key, failures_per_address=failures_per_address)
    settings = ServiceSettings(db=db, policy=policy, keys=keys, audit_log=audit_log, watch_interval_s=watch_interval_s,
                               max_snapshot_age_s=max_snapshot_age_s, limits=limits, store=store)
    scheme = "https" if ssl_certfile else "http"
    source = f"store {store}" if store else f"db {db}"
    console.print(f"govex decision API on {scheme}://{host}:{port} ({source}, policy {policy or 'shipped default'})",
                  highlight=False)
    serve(settings, host=host, port=port, allow_remote=allow_remote, ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile)


def api_publish_command(
    db: SegmentsDbOption = Path("govex.duckdb"),
    store: Annotated[Path, typer.Option("--store", help="Store folder (versions/ and CURRENT).")] = Path("govex-store"),
    compact_ratio: Annotated[float, typer.Option(
        "--compact-ratio", help="Rewrite the whole base when more than this share of customers changed.")] = 0.2,
) -> None:
    """Publish each customer's segment combination to the serving store: only changed customers, switched atomically."""
    from govex.api.store import publish

    done = publish(db, store, compact_ratio=compact_ratio)
    kind = "fresh base" if done["fresh_base"] else "changes only"
    console.print(f"version {done['version']} of {store} is current: {done['customers']:,} customers as of "
                  f"{done['as_of']}, {done['changed']:,} changed, {done['written']:,} written ({kind})",
                  highlight=False)


api_key_app = typer.Typer(help="Make, rotate, revoke and list the decision API's keys (the file holds only hashes).",
                          no_args_is_help=True)


def _print_token(token: str, message: str) -> None:
    console.print(message, highlight=False)
    print(token)


@api_key_app.command("new")
def api_key_new(
    key_id: Annotated[str, typer.Option("--id", help="Key id (shown in the audit log).")],
    scope: Annotated[list[str], typer.Option("--scope", help="Scope: read, decide or admin (repeatable).")],
    keys: KeysOption = Path("govex-keys.yaml"),
    days: Annotated[Optional[float], typer.Option("--days", help="Expire the key after this many days.")] = None,
) -> None:
    """Add a key: print its secret once and store only its salted hash (owner-only file)."""
    from govex.api.keys import add_key, utcnow

    not_after = utcnow() + dt.timedelta(days=days) if days is not None else None
    token = add_key(keys, key_id, tuple(scope), not_after=not_after)
    until = f", valid until {not_after.isoformat(timespec='seconds')}" if not_after else ""
    _print_token(token, f"key {key_id!r} ({', '.join(scope)}{until}) added to {keys}; the secret is shown only now:")


@api_key_app.command("rotate")
def api_key_rotate(
    key_id: Annotated[str, typer.Option("--id", help="Key id to give a new secret.")],
    keys: KeysOption = Path("govex-keys.yaml"),
    overlap_hours: Annotated[float, typer.Option("--overlap-hours", help="Hours the current secret keeps working.")] = 24.0,
) -> None:
    """Give a key a new secret; the current one keeps working for --overlap-hours, then stops."""
    from govex.api.keys import rotate_key

    token = rotate_key(keys, key_id, overlap=dt.timedelta(hours=overlap_hours))
    _print_token(token, f"key {key_id!r} has a new secret (the old one works {overlap_hours:g} h more); "
                        f"shown only now:")


@api_key_app.command("revoke")
def api_key_revoke(
    key_id: Annotated[str, typer.Option("--id", help="Key id to revoke.")],
    keys: KeysOption = Path("govex-keys.yaml"),
) -> None:
    """Revoke a key now; a running service refuses it once it re-reads the file (on change, reload or SIGHUP)."""
    from govex.api.keys import revoke_key

    revoke_key(keys, key_id)
    console.print(f"key {key_id!r} revoked in {keys}", highlight=False)


@api_key_app.command("list")
def api_key_list(keys: KeysOption = Path("govex-keys.yaml")) -> None:
    """List the keys: id, scopes, live secrets, expiry, revocation (never a secret or a hash)."""
    from govex.api.keys import KeyStore, utcnow

    now = utcnow()
    for entry in KeyStore.load(keys).entries.values():
        live = sum(1 for s in entry.secrets if s.not_after is None or s.not_after > now)
        state = ("revoked" if entry.revoked_at else
                 "expired" if entry.not_after and entry.not_after < now else "active")
        expiry = entry.not_after.isoformat(timespec="seconds") if entry.not_after else "-"
        console.print(f"{entry.id:<24} {state:<8} {','.join(entry.scopes):<20} secrets {live}  expires {expiry}",
                      highlight=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
    app.command("api-publish")(api_publish_command)
    app.add_typer(api_key_app, name="api-key")
