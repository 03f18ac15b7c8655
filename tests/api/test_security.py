"""Probes of the decision API as an attacker and an operator would make them, each against a real
uvicorn server on a free loopback port: refusals before parsing, caps, rate limits, key lifecycle,
reload faults, readiness, audit and exposure."""
from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import stat
import time
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from govex.api import (LimitSettings, ServiceSettings, create_app, new_api_key, revoke_key, rotate_key,
                       write_keys_file)
from govex.api import keys as keys_module
from govex.api.keys import MAX_SECRETS, KeyStore
from govex.errors import ConfigError

TEN_MB = 10 * 1024 * 1024


@pytest.fixture
def make_server(tmp_path, api_kit):
    """Start a server over version A with keys ops (all scopes), reader (read), bot (decide); yields a dict."""
    started = []

    def make(limits: LimitSettings | None = None, **settings):
        db, policy, keys, audit = (tmp_path / "seg.duckdb", tmp_path / "policy.yaml", tmp_path / "keys.yaml",
                                   tmp_path / "audit.jsonl")
        api_kit.install(tmp_path, "A", db, policy)
        tokens, entries = {}, []
        for key_id, scopes in {"ops": ("read", "decide", "admin"), "reader": ("read",), "bot": ("decide",)}.items():
            tokens[key_id], entry = new_api_key(key_id, scopes)
            entries.append(entry)
        write_keys_file(keys, entries)
        # Normal build priority: a lowered one can starve reloads on an oversubscribed test machine.
        options = {"watch_interval_s": 0, "isolated_builds": False, "build_niceness": 0, **settings}
        app = create_app(ServiceSettings(db=db, policy=policy, keys=keys, audit_log=audit,
                                         limits=limits or LimitSettings(), **options))
        context = api_kit.running(app)
        base = context.__enter__()
        started.append(context)
        client = httpx.Client(base_url=base, timeout=60)
        return {"base": base, "client": client, "tokens": tokens, "keys": keys, "audit": audit, "db": db,
                "policy": policy, "folder": tmp_path}

    yield make
    for context in started:
        context.__exit__(None, None, None)


def _h(server, key_id: str) -> dict:
    return {"X-API-Key": server["tokens"][key_id]}


def _audit(server) -> list[dict]:
    return [json.loads(line) for line in server["audit"].read_text().splitlines()]


def _raw(base: str, head: str, body: bytes = b"") -> tuple[int, dict[str, str], dict]:
    """Send raw bytes (a head that may promise more body than is sent); return the status, headers and JSON."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(head.encode("latin-1") + body)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        head_bytes, _, rest = data.partition(b"\r\n\r\n")
        lines = head_bytes.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
    return int(lines[0].split()[1]), headers, json.loads(rest[:length] or b"{}")


def _post_head(length: int, extra: str = "") -> str:
    return (f"POST /v1/treatments HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            f"Content-Length: {length}\r\n{extra}\r\n")


# --- before any parsing -----------------------------------------------------------------------------------

def test_10mb_body_without_a_key_is_refused_401_before_the_body_is_read(make_server):
    server = make_server()
    # Only 1 KB of the promised 10 MB is sent: an answer at all proves the body was never waited for.
    status, headers, body = _raw(server["base"], _post_head(TEN_MB), b"{" + b" " * 1023)
    assert status == 401 and "API key" in body["error"] and headers["www-authenticate"] == "ApiKey"
    line = _audit(server)[-1]
    assert (line["event"], line["status"], line["refusal"], line["path"]) == ("refusal", 401, "no key", "/v1/treatments")


def test_oversize_body_with_a_valid_key_is_413_without_reading_it(make_server):
    server = make_server(LimitSettings(max_body_bytes=64 * 1024))
    status, _, body = _raw(server["base"], _post_head(TEN_MB, f"X-API-Key: {server['tokens']['bot']}\r\n"), b"{")
    assert status == 413 and "over the limit of 65,536" in body["error"]
    # A chunked body (no Content-Length) is counted as it arrives and cut at the cap.
    chunks = (b" " * 16384 for _ in range(8))
    r = server["client"].post("/v1/treatments", content=chunks, headers=_h(server, "bot"))
    assert r.status_code == 413 and _audit(server)[-1]["refusal"] == "body too large"
    # Under the cap the same route still works.
    ok = server["client"].post("/v1/treatments", json={"requests": [{"customer_id": "C1", "journey": "return"}]},
                               headers=_h(server, "bot"))
    assert ok.status_code == 200 and ok.json()["results"][0]["tier"] == "a_high"


def test_oversize_headers_are_431_and_long_tokens_are_never_hashed(make_server, monkeypatch):
    server = make_server()
    big = server["client"].get("/v1/policy", headers={**_h(server, "reader"), "X-Filler": "a" * 20_000})
    assert big.status_code == 431 and "headers too large" in big.json()["error"]
    calls = []
    monkeypatch.setattr(keys_module, "hash_secret", lambda salt, secret: calls.append(1) or "0" * 64)
    long_token = server["client"].get("/v1/policy", headers={"X-API-Key": "reader." + "x" * 4000})
    assert long_token.status_code == 401 and calls == []
    assert _audit(server)[-1]["refusal"] == "token too long"


def test_authentication_does_the_same_hashing_for_unknown_and_known_ids(monkeypatch):
    token, entry = new_api_key("ops", ("read",))
    _, rotated = new_api_key("two", ("read",))
    second = keys_module.new_secret()[1]
    store = KeyStore({"ops": entry, "two": rotated.model_copy(update={"secrets": (*rotated.secrets, second)})})
    real, calls = keys_module.hash_secret, []
    monkeypatch.setattr(keys_module, "hash_secret", lambda salt, secret: calls.append(1) or real(salt, secret))
    outcomes = []
    for presented in ["nobody.secret", "ops.wrong", token, "two.wrong", "no-dot-at-all"]:
        calls.clear()
        outcomes.append((store.authenticate(presented).refusal, len(calls)))
    assert outcomes == [("unknown key id", MAX_SECRETS), ("wrong or expired secret", MAX_SECRETS),
                        (None, MAX_SECRETS), ("wrong or expired secret", MAX_SECRETS),
                        ("unknown key id", MAX_SECRETS)]


def test_a_proven_token_is_remembered_until_its_secret_ends_and_a_new_store_forgets_it(monkeypatch):
    now = dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc)
    token, entry = new_api_key("ops", ("read",))
    ending = entry.secrets[0].model_copy(update={"not_after": now + dt.timedelta(hours=1)})
    store = KeyStore({"ops": entry.model_copy(update={"secrets": (ending,)})})
    real, calls = keys_module.hash_secret, []
    monkeypatch.setattr(keys_module, "hash_secret", lambda salt, secret: calls.append(1) or real(salt, secret))

    def hashes(presented: str, at: dt.datetime) -> tuple[str | None, int]:
        calls.clear()
        return store.authenticate(presented, now=at).refusal, len(calls)

    assert hashes(token, now) == (None, MAX_SECRETS)                     # proven the full way once
    assert hashes(token, now + dt.timedelta(minutes=59)) == (None, 0)    # then remembered
    assert hashes("ops.wrong", now) == ("wrong or expired secret", MAX_SECRETS)  # other tokens: full work
    assert hashes(token + "x", now) == ("wrong or expired secret", MAX_SECRETS)
    # Past the secret's end the remembered proof no longer counts: the full check refuses it.
    assert hashes(token, now + dt.timedelta(hours=2)) == ("wrong or expired secret", MAX_SECRETS)
    # A reloaded keys file is a new store: nothing is remembered across it (a revocation takes effect).
    revoked = KeyStore({"ops": entry.model_copy(update={"revoked_at": now})})
    assert revoked.authenticate(token, now=now).refusal == "revoked"


# --- rate limits ------------------------------------------------------------------------------------------

def test_repeated_failures_from_one_address_get_429_with_retry_after(make_server):
    server = make_server(LimitSettings(failures_per_address=5, failures_per_key=1000, failure_window_s=60))
    client = server["client"]
    codes = [client.get("/v1/policy", headers={"X-API-Key": f"guess{i}.nope"}).status_code for i in range(7)]
    assert codes == [401] * 5 + [429] * 2
    blocked = client.get("/v1/policy", headers=_h(server, "reader"))  # the address is blocked, whatever the key
    assert blocked.status_code == 429 and 1 <= int(blocked.headers["retry-after"]) <= 60
    assert client.get("/healthz").status_code == 200  # probes stay open
    refusals = [line["refusal"] for line in _audit(server) if line["status"] == 429]
    assert refusals == ["address blocked"] * 3


def test_repeated_failures_on_one_key_id_lock_that_id_only(make_server):
    server = make_server(LimitSettings(failures_per_address=1000, failures_per_key=3, failure_window_s=60))
    client = server["client"]
    assert [client.get("/v1/policy", headers={"X-API-Key": "reader.wrong"}).status_code for _ in range(3)] == [401] * 3
    locked = client.get("/v1/policy", headers=_h(server, "reader"))
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) >= 1
    assert client.get("/v1/policy", headers=_h(server, "ops")).status_code == 200


def test_requests_per_key_are_limited_when_configured(make_server):
    server = make_server(LimitSettings(requests_per_key_per_s=0.1))  # one request, then one per 10 s
    client = server["client"]
    first = client.get("/v1/customers/C1/treatment", params={"journey": "return"}, headers=_h(server, "bot"))
    second = client.get("/v1/customers/C1/treatment", params={"journey": "return"}, headers=_h(server, "bot"))
    assert first.status_code == 200 and second.status_code == 429 and int(second.headers["retry-after"]) >= 1
    assert client.get("/v1/policy", headers=_h(server, "reader")).status_code == 200  # another key is unaffected


# --- key lifecycle ----------------------------------------------------------------------------------------

def _until(predicate, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_revoked_key_is_refused_after_the_file_changes_without_a_restart(make_server):
    server = make_server(watch_interval_s=0.2)
    client, url = server["client"], "/v1/customers/C1/treatment?journey=return"
    assert client.get(url, headers=_h(server, "bot")).status_code == 200
    revoke_key(server["keys"], "bot")
    assert _until(lambda: client.get(url, headers=_h(server, "bot")).status_code == 401)
    assert _audit(server)[-1]["refusal"] == "revoked"
    assert client.get(url, headers=_h(server, "ops")).status_code == 200


def test_rotation_keeps_the_old_secret_for_the_overlap_then_drops_it(make_server):
    server = make_server()
    client, old = server["client"], server["tokens"]["ops"]
    new = rotate_key(server["keys"], "ops", overlap=dt.timedelta(hours=1))
    assert client.post("/v1/admin/reload", headers={"X-API-Key": old}).status_code == 200  # reload re-reads keys
    assert [client.get("/v1/policy", headers={"X-API-Key": t}).status_code for t in (old, new)] == [200, 200]
    newest = rotate_key(server["keys"], "ops", overlap=dt.timedelta(0))
    assert client.post("/v1/admin/reload", headers={"X-API-Key": new}).status_code == 200
    assert [client.get("/v1/policy", headers={"X-API-Key": t}).status_code for t in (old, new, newest)] == [401, 401, 200]


def test_expired_key_is_refused(make_server):
    server = make_server()
    token, entry = new_api_key("late", ("read",), not_after=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
    write_keys_file(server["keys"], [*KeyStore.load(server["keys"]).entries.values(), entry])
    assert server["client"].post("/v1/admin/reload", headers=_h(server, "ops")).status_code == 200
    assert server["client"].get("/v1/policy", headers={"X-API-Key": token}).status_code == 401
    assert _audit(server)[-1]["refusal"] == "expired"


def test_keys_file_readable_by_others_is_refused(tmp_path, api_kit):
    keys = tmp_path / "keys.yaml"
    write_keys_file(keys, [new_api_key("ops", ("read",))[1]])
    os.chmod(keys, 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        KeyStore.load(keys)


def test_keys_file_opened_up_to_others_is_not_reloaded_and_readyz_says_so(make_server):
    server = make_server(watch_interval_s=0.2)
    os.chmod(server["keys"], 0o644)
    assert _until(lambda: server["client"].get("/readyz").json()["keys"]["ok"] is False)
    assert "chmod 600" in server["client"].get("/readyz").json()["keys"]["error"]
    assert server["client"].get("/v1/policy", headers=_h(server, "reader")).status_code == 200  # keys in use stay


def test_keys_file_is_written_owner_only_and_replaces_a_symlink_without_following_it(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    keys = tmp_path / "keys.yaml"
    keys.symlink_to(victim)
    write_keys_file(keys, [new_api_key("ops", ("read",))[1]])
    assert victim.read_text() == "untouched" and not keys.is_symlink()
    assert stat.S_IMODE(os.stat(keys).st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keys.yaml", "victim.txt"]  # no temporary left behind


# --- reload faults and readiness --------------------------------------------------------------------------

def test_wrong_schema_table_is_refused_logged_and_served_around_until_fixed(make_server, api_kit, caplog):
    server = make_server(watch_interval_s=0.3, isolated_builds=True)
    client, folder = server["client"], server["folder"]
    before = client.get("/readyz").json()["snapshot"]
    caplog.set_level(logging.ERROR, logger="govex.api")
    # A segment_assignments without its reasons column, published in place of the good one.
    api_kit.install(folder, "B", server["db"], server["policy"], rows=api_kit.segment_rows("B").drop(columns="reasons"))
    r = client.post("/v1/admin/reload", headers=_h(server, "ops"), timeout=120)
    assert r.status_code == 409 and "missing column 'reasons'" in r.json()["error"] and "AttributeError" not in r.text
    served = client.get("/v1/customers/C1/treatment", params={"journey": "return"}, headers=_h(server, "ops")).json()
    assert served["snapshot"] == before and served["tier"] == "a_high"
    ready = client.get("/readyz").json()
    assert ready["snapshot"] == before and ready["last_reload"]["ok"] is False
    assert "missing column 'reasons'" in ready["last_reload"]["error"]
    assert any("refused" in rec.getMessage() and "reasons" in rec.getMessage() for rec in caplog.records)
    admin = [line for line in _audit(server) if line["event"] == "admin"]
    assert admin[-1]["status"] == 409 and admin[-1]["snapshot"] == before
    # The watcher retries on every tick: once the table is right again, it recovers by itself.
    api_kit.install(folder, "B", server["db"], server["policy"])
    assert _until(lambda: client.get("/readyz").json()["last_reload"]["ok"], seconds=120)
    answer = client.get("/v1/customers/C1/treatment", params={"journey": "return"}, headers=_h(server, "ops")).json()
    assert answer["tier"] == "b_low" and answer["snapshot"] != before


def test_a_policy_gap_is_served_by_the_fallback_and_listed_in_readyz(make_server, api_kit):
    server = make_server()
    client = server["client"]
    # Version A's policy without its rule for 'low' value: C2 (low) is a gap in every journey.
    gapped = api_kit.policy_text("A").replace("\n  - name: low\n    when: {value: low}\n    tier: a_low", "")
    assert gapped != api_kit.policy_text("A")
    server["policy"].write_text(gapped)
    assert client.post("/v1/admin/reload", headers=_h(server, "ops")).status_code == 200
    answer = client.get("/v1/customers/C2/treatment", params={"journey": "dispute"}, headers=_h(server, "ops")).json()
    assert (answer["tier"], answer["known_customer"], answer["policy_gap"]) == ("a_medium", True, True)
    gaps = client.get("/readyz").json()["policy_gaps"]
    assert len(gaps) == 7 and {g["segments"] for g in gaps} == {"value=low"}
    assert all(g["customers"] == 1 and g["example_customer"] == "C2" and g["tier"] == "a_medium" for g in gaps)


def test_the_raw_lookup_answers_and_audits_exactly_like_the_routed_endpoint(make_server, api_kit, monkeypatch):
    from govex.api import app as app_module

    routed = []
    real = app_module.treatment_answer
    monkeypatch.setattr(app_module, "treatment_answer", lambda *a: routed.append(a[2]) or real(*a))
    server = make_server()
    client = server["client"]
    # C2 ('low') is a policy gap under this policy, C1 is covered, C404 is unknown.
    server["policy"].write_text(api_kit.policy_text("A").replace("\n  - name: low\n    when: {value: low}\n    tier: a_low", ""))
    assert client.post("/v1/admin/reload", headers=_h(server, "ops")).status_code == 200
    raw, via_route = [], []
    for customer in ["C1", "C2", "C404"]:
        for journey in ["return", "dispute"]:
            url = f"/v1/customers/{customer}/treatment?journey={journey}"
            raw.append(client.get(url, headers=_h(server, "bot")))
            via_route.append(client.get(url + "&via=route", headers=_h(server, "bot")))  # not the raw shape
    assert routed == ["C1", "C1", "C2", "C2", "C404", "C404"]  # only the second of each pair was routed
    assert all(r.status_code == 200 and r.headers["content-type"] == "application/json" for r in raw + via_route)

    def without_id(body: dict) -> dict:
        return {k: v for k, v in body.items() if k != "request_id"}

    assert [without_id(r.json()) for r in raw] == [without_id(r.json()) for r in via_route]
    assert [r.json()["request_id"] for r in raw] == [r.headers["x-request-id"] for r in raw]
    assert [(r.json()["tier"], r.json().get("policy_gap"), r.json()["known_customer"]) for r in raw[::2]] == [
        ("a_high", None, True), ("a_medium", True, True), ("a_medium", None, False)]
    lines = [line for line in _audit(server) if line["event"] == "decision"]
    assert len(lines) == 12
    assert [{k: v for k, v in line.items() if k not in ("ts", "request_id")} for line in lines[::2]] == \
           [{k: v for k, v in line.items() if k not in ("ts", "request_id")} for line in lines[1::2]]
    assert [line["request_id"] for line in lines[::2]] == [r.json()["request_id"] for r in raw]


def test_readyz_is_503_when_the_snapshot_is_older_than_the_bound(make_server):
    server = make_server(max_snapshot_age_s=0.2)
    time.sleep(0.5)
    r = server["client"].get("/readyz")
    assert r.status_code == 503 and r.json()["ready"] is False and "old" in r.json()["problems"][0]
    assert server["client"].get("/healthz").status_code == 200  # still alive, just not ready


# --- audit ------------------------------------------------------------------------------------------------

def test_every_refusal_is_audited_with_a_server_id_and_the_client_id_sanitised(make_server):
    server = make_server()
    client = server["client"]
    probes = [
        ("GET", "/v1/policy", {"X-Request-ID": 'abc"}{evil'}, 401),
        ("GET", "/v1/customers/C1", {**_h(server, "bot"), "X-Request-ID": "r-403"}, 403),
        ("GET", "/v1/customers/C1/treatment", {**_h(server, "bot"), "X-Request-ID": "r-422"}, 422),
        ("GET", "/v1/customers/C1", {**_h(server, "reader"), "X-Request-ID": "r-200"}, 200),
    ]
    answers = [client.request(method, path, headers=headers) for method, path, headers, _ in probes]
    assert [a.status_code for a in answers] == [p[3] for p in probes]
    lines = _audit(server)[-4:]
    assert [(line["status"], line["event"]) for line in lines] == [(401, "refusal"), (403, "refusal"),
                                                                  (422, "refusal"), (200, "read")]
    assert [line["client_request_id"] for line in lines] == ["abc___evil", "r-403", "r-422", "r-200"]
    assert [line["request_id"] for line in lines] == [a.headers["x-request-id"] for a in answers]
    assert all(len(line["request_id"]) == 32 and line["snapshot"].startswith("A+") for line in lines)
    assert [line["key_id"] for line in lines] == [None, "bot", "bot", "reader"]


def test_audit_log_is_reopened_after_rotation(make_server):
    server = make_server()
    client, audit = server["client"], server["audit"]
    client.get("/v1/policy", headers={**_h(server, "reader"), "X-Request-ID": "before-rotation"})
    audit.rename(audit.with_name("audit.jsonl.1"))
    client.get("/v1/policy", headers={**_h(server, "reader"), "X-Request-ID": "after-rotation"})
    audit.with_name("audit.jsonl.1").unlink()
    client.get("/v1/policy", headers={**_h(server, "reader"), "X-Request-ID": "after-deletion"})
    assert [line["client_request_id"] for line in _audit(server)] == ["after-rotation", "after-deletion"]


# --- exposure ---------------------------------------------------------------------------------------------

def test_non_loopback_bind_needs_allow_remote(tmp_path):
    from govex.cli.main import app

    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--keys", str(tmp_path / "k.yaml"),
                                      "--db", str(tmp_path / "none.duckdb")])
    assert isinstance(result.exception, ConfigError)
    assert "--allow-remote" in str(result.exception) and "TLS" in str(result.exception)
