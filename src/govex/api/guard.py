"""The gate in front of the decision service: caps, authentication, scopes, rate limits, audit.

A pure ASGI middleware, so it runs before FastAPI reads or parses anything: a request without a
valid key is answered 401 before one byte of its body is read, oversized headers get 431 and an
oversized body 413 (read into memory only after the key is known, and never beyond the cap).
Failed authentications are counted per client address and per key id; past the limit those get
429 with `Retry-After`, without hashing anything. Every request that reaches it gets a server
request id (also sent back as `X-Request-ID`) and exactly one audit record (or one per decision),
whatever the outcome.
"""
from __future__ import annotations

import json
import logging
import os
import time
from typing import TYPE_CHECKING

from govex.api.audit import sanitise, sanitise_path
from govex.api.keys import MAX_TOKEN
from govex.api.limits import FailureWindow, LimitSettings, TokenBucket

if TYPE_CHECKING:
    from govex.api.app import Service

log = logging.getLogger("govex.api.guard")

PUBLIC_PATHS = frozenset({"/healthz", "/readyz"})
REFUSALS = frozenset({400, 401, 403, 413, 422, 429, 431})
NO_KEY = "missing or invalid API key: send it as X-API-Key: <key id>.<secret>"


def required_scope(path: str) -> str:
    """The scope a path needs; anything not public needs at least a valid key with `read`."""
    if path.startswith("/v1/admin/"):
        return "admin"
    if path == "/v1/treatments" or path.endswith("/treatment"):
        return "decide"
    return "read"


def presented_token(headers: dict[bytes, bytes]) -> str | None:
    raw = headers.get(b"x-api-key")
    if raw is None:
        auth = headers.get(b"authorization", b"")
        raw = auth[7:] if auth[:7].lower() == b"bearer " else None
    return None if raw is None else raw.decode("latin-1").strip()


class _Refuse(Exception):
    def __init__(self, status: int, message: str, refusal: str, headers: dict | None = None):
        self.status, self.message, self.refusal, self.headers = status, message, refusal, headers or {}


class Guard:
    """ASGI middleware: every check that needs no parsing, in the order cheapest first."""

    def __init__(self, app, service: Service, limits: LimitSettings):
        self.app, self.service, self.limits = app, service, limits
        self.by_address = FailureWindow(limits.failures_per_address, limits.failure_window_s)
        self.by_key = FailureWindow(limits.failures_per_key, limits.failure_window_s)
        self.rate = TokenBucket(limits.requests_per_key_per_s)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        client = scope.get("client")
        record = {"request_id": os.urandom(16).hex(),  # 128 random bits, as a UUID4 has 122
                  "client_request_id": sanitise(headers.get(b"x-request-id", b"").decode("latin-1") or None),
                  "client": client[0] if client else None, "key_id": None, "method": scope["method"],
                  "path": sanitise_path(scope["path"]), "status": None, "event": None, "snapshot": None,
                  "refusal": None}
        state = scope.setdefault("state", {})
        state["audit"], state["decisions"] = record, None

        async def send_and_note(message):
            if message["type"] == "http.response.start":  # audited before the caller sees the answer
                record["status"] = message["status"]
                self._audit(record, state, scope["path"])
                message = {**message, "headers": [*message.get("headers", []),
                                                  (b"x-request-id", record["request_id"].encode())]}
            await send(message)

        try:
            try:
                receive = await self._admit(scope, headers, receive, record, state)
            except _Refuse as refused:
                record["refusal"] = refused.refusal
                await _answer(send_and_note, refused.status, {"error": refused.message}, refused.headers)
            else:
                await self.app(scope, receive, send_and_note)
        finally:
            if record["event"] is None:  # no answer went out (the client left, or the app failed to start one)
                self._audit(record, state, scope["path"])

    async def _admit(self, scope, headers: dict, receive, record: dict, state: dict):
        """Raise _Refuse for a request that may not go on; else the `receive` to hand to the app."""
        size = sum(len(k) + len(v) for k, v in scope["headers"])
        if size > self.limits.max_header_bytes or len(scope["headers"]) > self.limits.max_headers:
            raise _Refuse(431, f"request headers too large: {len(scope['headers'])} headers, {size:,} bytes "
                          f"(at most {self.limits.max_headers} and {self.limits.max_header_bytes:,})", "headers too large")
        if scope["path"] in PUBLIC_PATHS:
            return receive
        now = time.monotonic()
        address = record["client"] or "?"
        wait = self.by_address.retry_after(address, now)
        if wait is not None:
            raise _Refuse(429, "too many failed authentications from this address; retry later",
                          "address blocked", {"retry-after": str(wait)})
        token = presented_token(headers)
        key_id = None if token is None else sanitise(token[:MAX_TOKEN].partition(".")[0])
        record["key_id"] = key_id
        if key_id is not None:
            wait = self.by_key.retry_after(key_id, now)
            if wait is not None:
                raise _Refuse(429, "too many failed authentications for this key; retry later", "key id blocked",
                              {"retry-after": str(wait)})
        result = self.service.keys.authenticate(token)
        if result.entry is None:
            self.by_address.fail(address, now)
            if key_id is not None:
                self.by_key.fail(key_id, now)
            raise _Refuse(401, NO_KEY, result.refusal, {"www-authenticate": "ApiKey"})
        entry = result.entry
        scope_needed = required_scope(scope["path"])
        if scope_needed not in entry.scopes:
            raise _Refuse(403, f"key {entry.id!r} lacks scope {scope_needed!r} (it has: {', '.join(entry.scopes)})",
                          f"lacks scope {scope_needed}")
        wait = self.rate.retry_after(entry.id, now)
        if wait is not None:
            raise _Refuse(429, f"key {entry.id!r} is over its limit of {self.limits.requests_per_key_per_s:g} "
                          f"requests per second", "request rate", {"retry-after": str(wait)})
        state["key"] = entry
        return await self._bounded_body(headers, receive)

    async def _bounded_body(self, headers: dict, receive):
        """Read the body (at most the cap) before the app sees it; 413 beyond the cap."""
        cap = self.limits.max_body_bytes
        declared = headers.get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                raise _Refuse(400, "Content-Length is not a number", "bad content-length")
            if int(declared) > cap:
                raise _Refuse(413, f"request body of {int(declared):,} bytes is over the limit of {cap:,}", "body too large")
            if int(declared) == 0:
                return receive
        elif b"transfer-encoding" not in headers:
            return receive
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return _replay(b"", receive, first=message)
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > cap:
                raise _Refuse(413, f"request body over the limit of {cap:,} bytes", "body too large")
            more = message.get("more_body", False)
        return _replay(b"".join(chunks), receive)

    def _audit(self, record: dict, state: dict, path: str) -> None:
        status = record["status"]
        decisions = state.get("decisions")
        if status in REFUSALS:
            record["event"] = "refusal"
        elif path in PUBLIC_PATHS:
            record["event"] = "probe"
        elif path.startswith("/v1/admin/"):
            record["event"] = "admin"
        else:
            record["event"] = "decision" if decisions else "read"
        record["snapshot"] = state.get("snapshot") or self.service.snapshot.snapshot_id
        try:
            self.service.audit.write(record, decisions if status == 200 else None)
        except OSError as exc:
            log.error("audit record %s not written to %s: %s", record["request_id"], self.service.audit.path, exc)


def _replay(body: bytes, receive, first: dict | None = None):
    """A `receive` that hands out the buffered body once, then defers to the real one (disconnects)."""
    pending = [first or {"type": "http.request", "body": body, "more_body": False}]

    async def replay():
        return pending.pop() if pending else await receive()

    return replay


async def _answer(send, status: int, payload: dict, headers: dict) -> None:
    body = json.dumps(payload, separators=(",", ":")).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in headers.items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})
