"""The decision service: FastAPI over an immutable snapshot, swapped whole on reload, behind the guard.

Every handler reads `service.snapshot` once and answers from that object only, so a response can
never mix two snapshots. A reload builds the new snapshot in a separate process (a long-lived
one-worker pool), so the build does not hold the serving process's GIL, and then replaces that
one reference. The watcher that reloads on file changes never dies: every failure is logged with
its reason and recorded for `/readyz`, the file state is recorded only after a successful build,
and a failed build is retried on the next tick. The keys file is re-read when it has changed
(checked on every tick and every reload) and on SIGHUP (which also reopens the audit log).

The build process runs at a lower CPU priority than the serving process: on a machine with few
cores a rebuild (seconds of CPU per reload) would otherwise take turns with answering.
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import itertools
import json
import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated

import anyio
from fastapi import FastAPI, Path as PathParam, Query, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from govex.api.audit import AuditLog
from govex.api.guard import Guard
from govex.api.keys import KeyEntry, KeyStore
from govex.api.limits import LimitSettings
from govex.api.lookup import CUSTOMER_ID, UNKNOWN_NOTE, Lookup, audit_row, treatment_answer, treatment_item
from govex.api.snapshot import (Snapshot, SnapshotError, build_snapshot, build_snapshot_isolated,
                                build_store_snapshot)
from govex.errors import GovexError
from govex.policy.spec import Journey

log = logging.getLogger("govex.api")

MAX_BATCH = 1000


@dataclass(frozen=True)
class ServiceSettings:
    """Where the service reads segments, policy and keys, where it audits, how it reloads and what it admits."""

    db: Path
    policy: Path | None
    keys: Path
    audit_log: Path
    store: Path | None = None  # serve a published store (govex api-publish) instead of reading the warehouse
    watch_interval_s: float = 2.0
    max_snapshot_age_s: float | None = None  # /readyz answers 503 when the snapshot is older
    limits: LimitSettings = field(default_factory=LimitSettings)
    isolated_builds: bool = True  # rebuild snapshots in a separate process (False: a thread of this one)
    build_niceness: int = 10  # added to the build process's nice value: serving comes first on a busy machine


@dataclass(frozen=True)
class Outcome:
    """The result of the last reload attempt (of the snapshot, or of the keys file)."""

    ok: bool
    at: str
    trigger: str
    error: str | None = None


def _now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class TreatmentRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer_id: str = Field(pattern=CUSTOMER_ID)
    journey: Journey


class TreatmentBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    requests: list[TreatmentRequest] = Field(min_length=1, max_length=MAX_BATCH)


def _json(payload: dict, status: int = 200, headers: dict | None = None) -> Response:
    return _raw(json.dumps(payload, separators=(",", ":")).encode(), status, headers)


def _raw(body: bytes, status: int = 200, headers: dict | None = None) -> Response:
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def _file_state(path: Path | None) -> tuple | None:
    if path is None:
        return None
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size, st.st_mode)  # the mode: a keys file opened up to others


def _ready() -> bool:
    """Run in the build worker once: unpickling this function there imports this module and the build code."""
    return True


class _Builder:
    """Builds snapshots away from the serving thread: in a one-worker process pool, restarted if it dies."""

    def __init__(self, isolated: bool, niceness: int = 0):
        self.isolated, self.niceness = isolated, niceness
        self._pool: ProcessPoolExecutor | None = None
        if isolated:
            self._start()

    def _start(self) -> None:
        """A fresh worker, told to import the build code now so the first reload does not wait for it."""
        self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=os.nice,
                                         initargs=(self.niceness,))
        self._pool.submit(_ready)

    async def build(self, db: Path, policy: Path | None, serial: int, store: Path | None) -> Snapshot:
        if store is not None or not self.isolated:  # a store version is mapped, not read: cheap in a thread
            return await anyio.to_thread.run_sync(build_snapshot_isolated, db, policy, serial, store)
        if self._pool is None:
            self._start()
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, build_snapshot_isolated, db, policy,
                                                                     serial)
        except BrokenProcessPool:
            self._pool = None
            raise SnapshotError("the snapshot build process died (out of memory?); retrying on the next reload") from None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


class Service:
    """The mutable holders (snapshot, keys, reload outcomes); everything they point to is immutable."""

    def __init__(self, settings: ServiceSettings):
        self.settings = settings
        self.keys = KeyStore.load(settings.keys)
        self.keys_state = _file_state(settings.keys)
        self.keys_outcome = Outcome(True, _now_iso(), "start")
        self._serial = itertools.count(1)
        self.watched = self._data_state()
        self.snapshot: Snapshot = (
            build_store_snapshot(store=settings.store, policy=settings.policy, serial=next(self._serial))
            if settings.store is not None else
            build_snapshot(db=settings.db, policy=settings.policy, serial=next(self._serial)))
        self.last_reload = Outcome(True, _now_iso(), "start")
        self.audit = AuditLog(settings.audit_log)
        self.builder = _Builder(settings.isolated_builds and settings.store is None, settings.build_niceness)
        self.reload_lock = asyncio.Lock()

    def _data_state(self) -> tuple:
        source = self.settings.db if self.settings.store is None else self.settings.store / "CURRENT"
        return (_file_state(source), _file_state(self.settings.policy))

    def reload_keys(self, trigger: str) -> None:
        """Re-read the keys file; on failure keep the keys in use, log why and retry on the next tick."""
        state = _file_state(self.settings.keys)
        try:
            fresh = KeyStore.load(self.settings.keys)
        except (GovexError, OSError) as exc:
            self.keys_outcome = Outcome(False, _now_iso(), trigger, str(exc))
            log.error("keys file %s not reloaded (%s), still using the keys loaded before: %s",
                      self.settings.keys, trigger, exc)
            return
        self.keys, self.keys_state = fresh, state
        self.keys_outcome = Outcome(True, _now_iso(), trigger)
        log.info("keys reloaded from %s (%s): %d keys", self.settings.keys, trigger, len(fresh.entries))

    def keys_changed(self) -> bool:
        """The keys file differs from the one loaded, or the last load failed (so it is retried)."""
        return _file_state(self.settings.keys) != self.keys_state or not self.keys_outcome.ok

    async def reload(self, trigger: str) -> Snapshot:
        """Re-read keys if changed, rebuild the snapshot and publish it; raise SnapshotError (logged) and keep serving on failure."""
        async with self.reload_lock:
            if self.keys_changed():
                self.reload_keys(trigger)
            state = self._data_state()  # recorded only if the build from these files succeeds
            before = self.snapshot.snapshot_id
            try:
                fresh = await self.builder.build(self.settings.db, self.settings.policy, next(self._serial),
                                                 self.settings.store)
            except SnapshotError as exc:
                self.last_reload = Outcome(False, _now_iso(), trigger, str(exc))
                log.error("snapshot reload (%s) refused, still serving %s: %s", trigger, before, exc)
                raise
            self.snapshot, self.watched = fresh, state  # the one reference every handler reads
            self.last_reload = Outcome(True, _now_iso(), trigger)
            log.info("snapshot %s published (%s), replacing %s", fresh.snapshot_id, trigger, before)
            return fresh

    async def tick(self) -> None:
        if self.keys_changed():
            self.reload_keys("keys file changed")
        if self._data_state() != self.watched:
            await self.reload("files changed")
        elif not self.last_reload.ok:
            await self.reload("retry after a failed reload")

    async def watch(self) -> None:
        """Poll for changes forever; no failure ends the loop."""
        while True:
            await asyncio.sleep(self.settings.watch_interval_s)
            try:
                await self.tick()
            except SnapshotError:
                pass  # logged and recorded by reload(); retried next tick
            except Exception:  # noqa: BLE001 - the watcher must survive anything; say what happened
                log.exception("reload check failed; retrying on the next tick")

    def on_hangup(self) -> None:
        """SIGHUP: reopen the audit log (after rotation), re-read keys, rebuild the snapshot."""
        self.audit.reopen()
        self.reload_keys("SIGHUP")
        asyncio.get_running_loop().create_task(self._quiet_reload("SIGHUP"))

    async def _quiet_reload(self, trigger: str) -> None:
        with contextlib.suppress(SnapshotError):
            await self.reload(trigger)

    def readiness(self) -> tuple[bool, dict]:
        snap = self.snapshot
        age = time.time() - snap.built_at
        bound = self.settings.max_snapshot_age_s
        problems = [] if bound is None or age <= bound else [f"snapshot is {age:,.0f} s old (bound {bound:,.0f} s)"]
        return not problems, {
            "ready": not problems, "problems": problems, "snapshot": snap.snapshot_id,
            "policy_version": snap.policy_version, "segments_as_of": snap.segments_as_of,
            "customers": snap.customer_count, "snapshot_age_s": round(age, 1), "max_snapshot_age_s": bound,
            "last_reload": asdict(self.last_reload), "keys": asdict(self.keys_outcome),
            "policy_gaps": list(snap.gaps)}

    def close(self) -> None:
        self.builder.close()
        self.audit.close()


def _key(request: Request) -> KeyEntry:
    return request.state.key  # set by the guard, which refused the request otherwise


def create_app(settings: ServiceSettings) -> FastAPI:
    """The FastAPI app with its guard outermost (before routing and parsing); builds the first snapshot now, so bad inputs fail at start."""
    service = Service(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        watcher = asyncio.create_task(service.watch()) if settings.watch_interval_s > 0 else None
        hangup = threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGHUP")
        if hangup:
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, service.on_hangup)
        yield
        if hangup:
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        if watcher is not None:
            watcher.cancel()
        service.close()

    # FastAPI's native OpenTelemetry is off: checking whether it is configured costs ~10% of a lookup's CPU,
    # and the audit log and service logs already record every request.
    app = FastAPI(title="govex decision API", lifespan=lifespan, openapi_url="/v1/openapi.json", docs_url=None,
                  redoc_url=None, telemetry={"tracing": False, "metrics": False, "logs": False})
    app.state.service = service

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
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return _json({"error": "internal error; the service logged it", "kind": type(exc).__name__}, 500)

    @app.get("/healthz")
    async def healthz():
        snap = service.snapshot
        return _json({"status": "ok", "snapshot": snap.snapshot_id, "customers": snap.customer_count})

    @app.get("/readyz")
    async def readyz():
        ready, payload = service.readiness()
        return _json(payload, 200 if ready else 503)

    @app.get("/v1/policy")
    async def policy(request: Request):
        snap = service.snapshot
        request.state.snapshot = snap.snapshot_id
        spec = snap.policy.spec
        return _json({"name": spec.name, "version": spec.version, "content_hash": snap.policy.content_hash,
                      "snapshot": snap.snapshot_id, "segments_as_of": snap.segments_as_of,
                      "unknown_customer_tier": spec.unknown_customer_tier, "tiers": snap.tier_json})

    @app.get("/v1/customers/{customer_id}")
    async def customer(request: Request, customer_id: Annotated[str, PathParam(pattern=CUSTOMER_ID)]):
        snap = service.snapshot
        request.state.snapshot = snap.snapshot_id
        found = snap.index(customer_id)
        if found is None:
            return _json({"error": f"customer {customer_id!r} is not in the segment snapshot of "
                          f"{snap.segments_as_of}; " + UNKNOWN_NOTE, "customer_id": customer_id,
                          "known_customer": False, "snapshot": snap.snapshot_id}, 404)
        segments = {fw: {"segment": seg, "score": score, "reasons": list(reasons)}
                    for fw, (seg, score, reasons) in sorted(snap.segments(found).items())}
        return _json({"customer_id": customer_id, "known_customer": True, "segments_as_of": snap.segments_as_of,
                      "segments": segments, "snapshot": snap.snapshot_id})

    @app.get("/v1/customers/{customer_id}/treatment")
    async def treatment(request: Request, customer_id: Annotated[str, PathParam(pattern=CUSTOMER_ID)],
                        journey: Annotated[Journey, Query()]):
        snap = service.snapshot  # reached only when the request is not in the shape Lookup answers itself
        body, row = treatment_answer(snap, request.state.audit["request_id"], customer_id, journey)
        request.state.snapshot, request.state.decisions = snap.snapshot_id, [row]
        return _raw(body)

    @app.post("/v1/treatments")
    async def treatments(request: Request, batch: TreatmentBatch):
        snap = service.snapshot
        items = [treatment_item(snap, r.customer_id, r.journey) for r in batch.requests]
        request.state.snapshot, request.state.decisions = snap.snapshot_id, [audit_row(i) for i in items]
        return _json({"request_id": request.state.audit["request_id"], "policy_version": snap.policy_version,
                      "snapshot": snap.snapshot_id, "results": items})

    @app.post("/v1/admin/reload")
    async def reload(request: Request):
        before = service.snapshot.snapshot_id
        try:
            fresh = await service.reload(f"POST /v1/admin/reload by key {_key(request).id!r}")
        except SnapshotError as exc:
            request.state.snapshot = before
            return _json({"error": f"reload refused, still serving {before}: {exc}", "snapshot": before}, 409)
        request.state.snapshot = fresh.snapshot_id
        return _json({"snapshot": fresh.snapshot_id, "previous": before, "policy_version": fresh.policy_version,
                      "segments_as_of": fresh.segments_as_of, "customers": fresh.customer_count})

    app.add_middleware(Lookup, service=service)  # inside the guard: only admitted requests reach it
    app.add_middleware(Guard, service=service, limits=settings.limits)
    return app
