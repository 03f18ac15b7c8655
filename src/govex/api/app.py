"""The decision service: FastAPI over an immutable in-memory snapshot, swapped whole on reload.

Every handler reads `state.snapshot` once and answers from that object only, so a response can
never mix two snapshots; a reload builds the new snapshot in a worker thread and then replaces
that one reference. Handlers are `async` and touch no database: a lookup is two dict reads.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import anyio
from fastapi import FastAPI, Path as PathParam, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from govex.api.audit import AuditLog
from govex.api.keys import KeyEntry, KeyStore
from govex.api.snapshot import Snapshot, build_snapshot
from govex.errors import GovexError
from govex.policy.spec import Journey

MAX_BATCH = 1000
CUSTOMER_ID = r"^[A-Za-z0-9_.:-]{1,64}$"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
UNKNOWN_NOTE = ("customer not in the segment snapshot: the policy's documented default for new and unknown "
                "customers (unknown_customer_tier) applies")


@dataclass(frozen=True)
class ServiceSettings:
    """Where the service reads segments, policy and keys, where it writes the audit log, how often it polls."""

    db: Path
    policy: Path | None
    keys: Path
    audit_log: Path
    watch_interval_s: float = 2.0


class TreatmentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer_id: str = Field(pattern=CUSTOMER_ID)
    journey: Journey


class TreatmentBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    requests: list[TreatmentRequest] = Field(min_length=1, max_length=MAX_BATCH)


def _json(payload: dict, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(payload, separators=(",", ":")), status_code=status,
                    media_type="application/json", headers=headers)


class _Denied(Exception):
    def __init__(self, status: int, message: str):
        self.status, self.message = status, message


def _file_state(path: Path | None) -> tuple | None:
    if path is None:
        return None
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class _Service:
    """The mutable holder of the current snapshot; everything else is immutable."""

    def __init__(self, settings: ServiceSettings):
        self.settings = settings
        self.keys = KeyStore.load(settings.keys)
        self.snapshot: Snapshot = build_snapshot(db=settings.db, policy=settings.policy)
        self.audit = AuditLog(settings.audit_log)
        self.reload_lock = asyncio.Lock()
        self.watched = self._watched_state()

    def _watched_state(self) -> tuple:
        return (_file_state(self.settings.db), _file_state(self.settings.policy))

    async def reload(self) -> Snapshot:
        async with self.reload_lock:
            self.watched = self._watched_state()
            fresh = await anyio.to_thread.run_sync(
                lambda: build_snapshot(db=self.settings.db, policy=self.settings.policy))
            self.snapshot = fresh  # the one reference every handler reads
            return fresh

    async def watch(self) -> None:
        """Reload when the database or policy file changes; a failed build keeps the current snapshot."""
        while True:
            await asyncio.sleep(self.settings.watch_interval_s)
            if self._watched_state() != self.watched:
                with contextlib.suppress(GovexError):
                    await self.reload()

    def authorise(self, request: Request, scope: str) -> KeyEntry:
        token = request.headers.get("x-api-key")
        if token is None:
            auth = request.headers.get("authorization", "")
            token = auth[7:] if auth.lower().startswith("bearer ") else None
        entry = self.keys.authenticate(token)
        if entry is None:
            raise _Denied(401, "missing or invalid API key: send it as X-API-Key: <key id>.<secret>")
        if scope not in entry.scopes:
            raise _Denied(403, f"key {entry.id!r} lacks scope {scope!r} (it has: {', '.join(entry.scopes)})")
        return entry


def _request_id(request: Request) -> str:
    given = request.headers.get("x-request-id")
    return given if given and _REQUEST_ID.match(given) else uuid.uuid4().hex


def _treatment(snap: Snapshot, customer_id: str, journey: str) -> dict:
    decision = snap.treatment(customer_id, journey)
    out = {"customer_id": customer_id, "journey": journey, "known_customer": decision.known_customer,
           "tier": decision.tier, "rule": decision.rule, "treatment": snap.tier_json[decision.tier],
           "policy_version": snap.policy_version, "segments_as_of": snap.segments_as_of, "snapshot": snap.snapshot_id}
    if not decision.known_customer:
        out["note"] = UNKNOWN_NOTE
    return out


def _audit_row(item: dict) -> tuple:
    return (item["customer_id"], item["journey"], item["tier"], item["policy_version"], item["known_customer"])


def create_app(settings: ServiceSettings) -> FastAPI:
    """The FastAPI app; builds the first snapshot now, so a bad database, policy or keys file fails at start."""
    service = _Service(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        watcher = asyncio.create_task(service.watch()) if settings.watch_interval_s > 0 else None
        yield
        if watcher is not None:
            watcher.cancel()
        service.audit.close()

    app = FastAPI(title="govex decision API", lifespan=lifespan, openapi_url="/v1/openapi.json", docs_url=None,
                  redoc_url=None)
    app.state.service = service

    @app.exception_handler(_Denied)
    async def _denied(request: Request, exc: _Denied):
        headers = {"WWW-Authenticate": "ApiKey"} if exc.status == 401 else None
        return _json({"error": exc.message}, exc.status, headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        detail = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"])
            message = error["msg"]
            if error["type"] == "too_long" and error["loc"][-1] == "requests":
                message = f"a batch holds at most {MAX_BATCH:,} requests; split it"
            detail.append({"where": where, "message": message})
        return _json({"error": "invalid request", "detail": detail}, 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        return _json({"error": str(exc.detail)}, exc.status_code)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        return _json({"error": "internal error; the service logged it", "kind": type(exc).__name__}, 500)

    @app.get("/healthz")
    async def healthz():
        snap = service.snapshot
        return _json({"status": "ok", "snapshot": snap.snapshot_id, "customers": len(snap.customers)})

    @app.get("/v1/policy")
    async def policy(request: Request):
        service.authorise(request, "read")
        snap = service.snapshot
        spec = snap.policy.spec
        return _json({"name": spec.name, "version": spec.version, "content_hash": snap.policy.content_hash,
                      "snapshot": snap.snapshot_id, "segments_as_of": snap.segments_as_of,
                      "unknown_customer_tier": spec.unknown_customer_tier, "tiers": snap.tier_json})

    @app.get("/v1/customers/{customer_id}")
    async def customer(request: Request, customer_id: Annotated[str, PathParam(pattern=CUSTOMER_ID)]):
        service.authorise(request, "read")
        snap = service.snapshot
        found = snap.customers.get(customer_id)
        if found is None:
            return _json({"error": f"customer {customer_id!r} is not in the segment snapshot of "
                          f"{snap.segments_as_of}; " + UNKNOWN_NOTE, "customer_id": customer_id,
                          "known_customer": False, "snapshot": snap.snapshot_id}, 404)
        segments = {fw: {"segment": seg, "score": score, "reasons": list(reasons)}
                    for fw, (seg, score, reasons) in sorted(found.segments.items())}
        return _json({"customer_id": customer_id, "known_customer": True, "segments_as_of": snap.segments_as_of,
                      "segments": segments, "snapshot": snap.snapshot_id})

    @app.get("/v1/customers/{customer_id}/treatment")
    async def treatment(request: Request, customer_id: Annotated[str, PathParam(pattern=CUSTOMER_ID)],
                        journey: Annotated[Journey, Query()]):
        key = service.authorise(request, "decide")
        request_id = _request_id(request)
        item = _treatment(service.snapshot, customer_id, journey)
        service.audit.append(request_id=request_id, key_id=key.id, decisions=[_audit_row(item)])
        return _json({"request_id": request_id, **item})

    @app.post("/v1/treatments")
    async def treatments(request: Request, batch: TreatmentBatch):
        key = service.authorise(request, "decide")
        request_id = _request_id(request)
        snap = service.snapshot
        items = [_treatment(snap, r.customer_id, r.journey) for r in batch.requests]
        service.audit.append(request_id=request_id, key_id=key.id, decisions=[_audit_row(i) for i in items])
        return _json({"request_id": request_id, "policy_version": snap.policy_version, "snapshot": snap.snapshot_id,
                      "results": items})

    @app.post("/v1/admin/reload")
    async def reload(request: Request):
        service.authorise(request, "admin")
        before = service.snapshot.snapshot_id
        try:
            fresh = await service.reload()
        except GovexError as exc:
            return _json({"error": f"reload refused, still serving {before}: {exc}", "snapshot": before}, 409)
        return _json({"snapshot": fresh.snapshot_id, "previous": before, "policy_version": fresh.policy_version,
                      "segments_as_of": fresh.segments_as_of, "customers": len(fresh.customers)})

    return app
