"""API keys: stored only as salted SHA-256 hashes, each with an id and scopes.

A key is presented as ``<key id>.<secret>`` (header ``X-API-Key`` or ``Authorization: Bearer``).
The id finds the entry; the secret is hashed with the entry's salt and compared in constant
time. The keys file never holds a secret, so it can be read by the service account alone
without exposing usable credentials.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from govex.config.loader import load_yaml_model
from govex.errors import ConfigError

Scope = Literal["read", "decide", "admin"]
SCOPES: tuple[str, ...] = Scope.__args__


class KeyEntry(BaseModel):
    """One key as stored: id, salt, sha256(salt + secret) in hex, and scopes."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")
    salt: str = Field(min_length=16)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    scopes: tuple[Scope, ...] = Field(min_length=1)


class KeysFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    keys: tuple[KeyEntry, ...] = Field(min_length=1)


def hash_secret(salt: str, secret: str) -> str:
    return hashlib.sha256((salt + secret).encode()).hexdigest()


def new_api_key(key_id: str, scopes: tuple[str, ...]) -> tuple[str, KeyEntry]:
    """A fresh key: the token to hand to the caller (shown once) and the entry to store."""
    secret = secrets.token_urlsafe(24)
    salt = secrets.token_hex(16)
    try:
        entry = KeyEntry(id=key_id, salt=salt, sha256=hash_secret(salt, secret), scopes=tuple(scopes))
    except ValidationError as exc:
        raise ConfigError(f"invalid key: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}") from None
    return f"{key_id}.{secret}", entry


def keys_yaml(entries: list[KeyEntry]) -> str:
    return yaml.safe_dump({"keys": [e.model_dump(mode="json") for e in entries]}, sort_keys=False)


@dataclass(frozen=True)
class KeyStore:
    """The entries of one keys file, by id."""

    entries: dict[str, KeyEntry]

    @classmethod
    def load(cls, path: str | Path) -> KeyStore:
        path = Path(path)
        parsed = load_yaml_model(path, KeysFile, what="keys",
                                 hint="`govex api-key --id NAME --scope read` makes one")[0]
        ids = [e.id for e in parsed.keys]
        if len(set(ids)) != len(ids):
            raise ConfigError(f"{path}: key ids must be unique; got {ids}")
        return cls({e.id: e for e in parsed.keys})

    def authenticate(self, token: str | None) -> KeyEntry | None:
        """The entry whose secret `token` carries, or None."""
        if not token or "." not in token:
            return None
        key_id, secret = token.split(".", 1)
        entry = self.entries.get(key_id)
        if entry is None:
            return None
        return entry if hmac.compare_digest(hash_secret(entry.salt, secret), entry.sha256) else None
