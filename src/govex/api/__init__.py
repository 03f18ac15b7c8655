"""The decision API: FastAPI over an immutable snapshot of segments and policy, behind a guard (keys, caps,
rate limits) and an audit log."""
from govex.api.app import MAX_BATCH, Service, ServiceSettings, create_app
from govex.api.audit import AuditLog
from govex.api.keys import (SCOPES, KeyEntry, KeyStore, add_key, keys_yaml, new_api_key, revoke_key, rotate_key,
                            write_keys_file)
from govex.api.limits import LimitSettings
from govex.api.server import serve
from govex.api.snapshot import Snapshot, SnapshotError, build_snapshot

__all__ = [
    "MAX_BATCH",
    "SCOPES",
    "AuditLog",
    "KeyEntry",
    "KeyStore",
    "LimitSettings",
    "Service",
    "ServiceSettings",
    "Snapshot",
    "SnapshotError",
    "add_key",
    "build_snapshot",
    "create_app",
    "keys_yaml",
    "new_api_key",
    "revoke_key",
    "rotate_key",
    "serve",
    "write_keys_file",
]
