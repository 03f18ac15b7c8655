"""The decision API: FastAPI over an in-memory snapshot of segments and policy, with keys and an audit log."""
from govex.api.app import MAX_BATCH, ServiceSettings, create_app
from govex.api.audit import AuditLog
from govex.api.keys import SCOPES, KeyEntry, KeyStore, keys_yaml, new_api_key
from govex.api.server import serve
from govex.api.snapshot import Snapshot, build_snapshot

__all__ = [
    "MAX_BATCH",
    "SCOPES",
    "AuditLog",
    "KeyEntry",
    "KeyStore",
    "ServiceSettings",
    "Snapshot",
    "build_snapshot",
    "create_app",
    "keys_yaml",
    "new_api_key",
    "serve",
]
