"""API keys: stored only as salted SHA-256 hashes, each id with scopes, an expiry and its secrets.

A key is presented as ``<key id>.<secret>`` (header ``X-API-Key`` or ``Authorization: Bearer``).
An id holds up to `MAX_SECRETS` secrets so a key can be rotated without a gap: the old secret
gets a `not_after` while callers move to the new one. Authentication always hashes
`MAX_SECRETS` candidates (padding with a dummy that never matches) and never stops early, so a
known id, an unknown id and a wrong secret cost the same work. Tokens longer than `MAX_TOKEN`
are refused before any hashing. A token that passed is remembered (exactly, with the moment its
secret, key or revocation ends) by the key store that checked it, so a caller's next requests
cost a dict read; the store is replaced whenever the keys file is re-read, which forgets them all.
Only proven tokens are remembered: every other token takes the full, equal path. Secrets are 32 random url-safe characters, so a plain salted
SHA-256 is enough (a password hash would only add CPU an attacker could spend for us).

The keys file never holds a secret; still, it is refused when others can read or change it,
and it is written through a fresh owner-only file created with O_EXCL under a random name
(`tempfile.mkstemp`, which also does not follow symlinks), then renamed into place.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import math
import os
import secrets
import stat
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import yaml
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError

from govex.config.loader import load_yaml_model
from govex.errors import ConfigError

log = logging.getLogger("govex.api.keys")

Scope = Literal["read", "decide", "admin"]
SCOPES: tuple[str, ...] = Scope.__args__
KEY_ID = r"^[A-Za-z0-9_-]{1,64}$"
MAX_SECRETS = 3
MAX_TOKEN = 256
MAX_REMEMBERED = 1024  # proven tokens kept per key store (at most MAX_SECRETS per key are live)


class KeySecret(BaseModel):
    """One secret of a key: salt, sha256(salt + secret) in hex, and when it stops working (rotation)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    salt: str = Field(min_length=16)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    created: AwareDatetime
    not_after: AwareDatetime | None = None


class KeyEntry(BaseModel):
    """One key as stored: id, scopes, its secrets, an optional expiry and, once revoked, when."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str = Field(pattern=KEY_ID)
    scopes: tuple[Scope, ...] = Field(min_length=1)
    secrets: tuple[KeySecret, ...] = Field(min_length=1, max_length=MAX_SECRETS)
    not_after: AwareDatetime | None = None
    revoked_at: AwareDatetime | None = None


class KeysFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    keys: tuple[KeyEntry, ...] = Field(min_length=1)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def hash_secret(salt: str, secret: str) -> str:
    return hashlib.sha256((salt + secret).encode()).hexdigest()


def new_secret(now: dt.datetime | None = None) -> tuple[str, KeySecret]:
    """A fresh secret (to show once) and its stored hash."""
    secret, salt = secrets.token_urlsafe(24), secrets.token_hex(16)
    return secret, KeySecret(salt=salt, sha256=hash_secret(salt, secret), created=now or utcnow())


def new_api_key(key_id: str, scopes: tuple[str, ...], *, not_after: dt.datetime | None = None) -> tuple[str, KeyEntry]:
    """A fresh key: the token to hand to the caller (shown once) and the entry to store."""
    secret, stored = new_secret()
    try:
        entry = KeyEntry(id=key_id, scopes=tuple(scopes), secrets=(stored,), not_after=not_after)
    except ValidationError as exc:
        raise ConfigError(f"invalid key: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}") from None
    return f"{key_id}.{secret}", entry


def keys_yaml(entries: list[KeyEntry]) -> str:
    return yaml.safe_dump({"keys": [e.model_dump(mode="json", exclude_none=True) for e in entries]}, sort_keys=False)


def write_keys_file(path: str | Path, entries: list[KeyEntry]) -> None:
    """Replace the keys file atomically through an owner-only temporary file with a random name."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(keys_yaml(entries))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_permissions(path: Path) -> None:
    """Refuse a keys file that others can read or anyone but the owner can change; warn when the group can read it."""
    mode = os.stat(path).st_mode
    if mode & (stat.S_IROTH | stat.S_IWOTH | stat.S_IWGRP):
        raise ConfigError(f"{path}: keys file mode {stat.filemode(mode)} lets other users read or change it; "
                          f"run `chmod 600 {path}`")
    if mode & stat.S_IRGRP:
        log.warning("keys file %s is readable by its group (mode %s); `chmod 600` it unless that is intended",
                    path, stat.filemode(mode))


@dataclass(frozen=True)
class AuthResult:
    """Who the token belongs to (if anyone) and, when refused, why (for the audit log only)."""

    key_id: str | None
    entry: KeyEntry | None
    refusal: str | None


_DUMMY = KeySecret(salt="0" * 32, sha256="0" * 64, created=dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc))


def _ends(moment: dt.datetime | None) -> float:
    return math.inf if moment is None else moment.timestamp()


@dataclass(frozen=True)
class KeyStore:
    """The entries of one keys file, by id, and the tokens proven against them."""

    entries: dict[str, KeyEntry]
    _proven: dict[str, tuple[AuthResult, float]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def load(cls, path: str | Path) -> KeyStore:
        path = Path(path)
        parsed = load_yaml_model(path, KeysFile, what="keys",
                                 hint="`govex api-key new --id NAME --scope read` makes one")[0]
        check_permissions(path)
        ids = [e.id for e in parsed.keys]
        if len(set(ids)) != len(ids):
            raise ConfigError(f"{path}: key ids must be unique; got {ids}")
        return cls({e.id: e for e in parsed.keys})

    def authenticate(self, token: str | None, now: dt.datetime | None = None) -> AuthResult:
        """The key `token` proves, or why it proves none; the same hashing work whatever the token."""
        if not token:
            return AuthResult(None, None, "no key")
        if len(token) > MAX_TOKEN:
            return AuthResult(None, None, "token too long")
        proven = self._proven.get(token)
        if proven is not None and (now.timestamp() if now else time.time()) <= proven[1]:
            return proven[0]
        key_id, _, secret = token.partition(".")
        key_id = key_id[:64]
        entry = self.entries.get(key_id)
        candidates = list(entry.secrets) if entry is not None else []
        now = now or utcnow()
        matched, secret_ends = False, -math.inf
        for candidate in candidates + [_DUMMY] * (MAX_SECRETS - len(candidates)):
            same = hmac.compare_digest(hash_secret(candidate.salt, secret), candidate.sha256)
            live = same and (candidate.not_after is None or now <= candidate.not_after)
            matched |= live
            secret_ends = max(secret_ends, _ends(candidate.not_after) if live else -math.inf)
        if entry is None:
            return AuthResult(key_id, None, "unknown key id")
        if not matched:
            return AuthResult(key_id, None, "wrong or expired secret")
        if entry.revoked_at is not None and entry.revoked_at <= now:
            return AuthResult(key_id, None, "revoked")
        if entry.not_after is not None and now > entry.not_after:
            return AuthResult(key_id, None, "expired")
        result = AuthResult(key_id, entry, None)
        if len(self._proven) >= MAX_REMEMBERED:
            self._proven.clear()
        # Valid until the first of: the secret's end, the key's end, a revocation dated in the future.
        self._proven[token] = (result, min(secret_ends, _ends(entry.not_after),
                                           _ends(entry.revoked_at) - 1e-6 if entry.revoked_at else math.inf))
        return result


def read_entries(path: Path) -> list[KeyEntry]:
    return list(KeyStore.load(path).entries.values()) if path.exists() else []


def _replace(entries: list[KeyEntry], key_id: str, path: Path, **changes) -> list[KeyEntry]:
    if not any(e.id == key_id for e in entries):
        raise ConfigError(f"{path}: no key with id {key_id!r} (ids: {', '.join(e.id for e in entries) or 'none'})")
    return [e.model_copy(update=changes) if e.id == key_id else e for e in entries]


def add_key(path: Path, key_id: str, scopes: tuple[str, ...], *, not_after: dt.datetime | None = None) -> str:
    """Add a new key to the keys file (created if absent); returns the token, shown once."""
    entries = read_entries(path)
    if any(e.id == key_id for e in entries):
        raise ConfigError(f"{path}: a key with id {key_id!r} exists already; `govex api-key rotate` gives it a new secret")
    token, entry = new_api_key(key_id, scopes, not_after=not_after)
    write_keys_file(path, [*entries, entry])
    return token


def rotate_key(path: Path, key_id: str, *, overlap: dt.timedelta) -> str:
    """Give a key a new secret; its current secrets keep working for `overlap`, then stop. Returns the token."""
    now = utcnow()
    entries = read_entries(path)
    entry = next((e for e in entries if e.id == key_id), None)
    if entry is None:
        _replace(entries, key_id, path)
    ends = now + overlap
    kept = [s.model_copy(update={"not_after": min(s.not_after or ends, ends)})
            for s in entry.secrets if s.not_after is None or s.not_after > now]
    if len(kept) >= MAX_SECRETS:
        raise ConfigError(f"{path}: key {key_id!r} already has {len(kept)} live secrets (at most {MAX_SECRETS}); "
                          f"wait until one expires or revoke the key")
    secret, stored = new_secret(now)
    write_keys_file(path, _replace(entries, key_id, path, secrets=(*kept, stored)))
    return f"{key_id}.{secret}"


def revoke_key(path: Path, key_id: str) -> None:
    """Mark a key revoked from now on; a running service refuses it after its next keys reload."""
    write_keys_file(path, _replace(read_entries(path), key_id, path, revoked_at=utcnow()))
