"""The LLM client against a real OpenAI-compatible HTTP server on loopback, with scripted answers.

The server is a `http.server.ThreadingHTTPServer` bound to 127.0.0.1 on a free port; no test
leaves the machine. Each message carries a marker `[case=...]` that tells the server how to
misbehave, and the server counts the requests it received, so every count asserted below is
the server's own record or a hand calculation from the script.
"""
from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from govex.errors import LLMConfigError, LLMError, VocInputError
from govex.voc.llm import LLMClient, LLMConfig, ResponseCache, parse_json_object

LABELS = ["where_is_my_order", "refund_request", "account_access"]
PROMPT_TOKENS, COMPLETION_TOKENS = 120, 30  # what the scripted server reports per answer
SLOW_S = 1.0  # the 'slow' case sleeps this long on its first request; the client waits 0.3 s


class _Script:
    """Per-text request counts and the scripted reply for each case."""

    def __init__(self) -> None:
        self.seen: Counter[str] = Counter()
        self.total = 0
        self.lock = threading.Lock()

    def reply(self, body: dict) -> tuple[int, dict, str]:
        user = body["messages"][-1]["content"]
        case = re.search(r"\[case=(\w+)\]", user)
        case = case.group(1) if case else "ok"
        with self.lock:
            self.seen[user] += 1
            self.total += 1
            nth = self.seen[user]
        label = re.search(r"\[label=(\w+)\]", user)
        answer = {"label": label.group(1) if label else LABELS[0], "rationale": "scripted"}
        if case == "rate_limited" and nth <= 2:
            return 429, {"retry-after": "0"}, json.dumps({"error": "slow down"})
        if case == "server_down":
            return 503, {}, "upstream unavailable"
        if case == "slow" and nth == 1:
            time.sleep(SLOW_S)
        if case == "malformed_once" and nth == 1:
            return 200, {}, _completion("{label: where_is_my_order,")
        if case == "always_malformed":
            return 200, {}, _completion("I think it is about an order.")
        if case == "unknown_label":
            answer["label"] = "banana"
        if case == "bad_key":
            return 401, {}, json.dumps({"error": "invalid api key"})
        if case == "fenced":
            return 200, {}, _completion("```json\n" + json.dumps(answer) + "\n```")
        if case == "policy":
            return 200, {}, _completion(json.dumps({"signals": [{"policy": "counterfeit", "evidence": "fake", "severity": "high"}]}))
        if case == "theme":
            return 200, {}, _completion(json.dumps({"name": "Late delivery", "summary": "Orders arrive late."}))
        return 200, {}, _completion(json.dumps(answer))


def _completion(content: str) -> str:
    return json.dumps(
        {
            "id": "cmpl-1",
            "object": "chat.completion",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": COMPLETION_TOKENS, "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS},
        }
    )


@pytest.fixture()
def server():
    script = _Script()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("content-length", 0))
            body = json.loads(self.rfile.read(length))
            assert self.path == "/v1/chat/completions"
            status, headers, text = script.reply(body)
            data = text.encode("utf-8")
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client timed out and went away

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    script.base_url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    yield script
    httpd.shutdown()
    httpd.server_close()


def _client(server, tmp_path, **overrides) -> LLMClient:
    settings = dict(
        base_url=server.base_url,
        model="scripted-1",
        api_key="test-key",
        timeout_s=0.3,
        max_retries=3,
        backoff_initial_s=0.01,
        backoff_max_s=0.05,
        max_concurrency=3,
        cache_dir=tmp_path / "cache",
        prompt_price_per_million=2.0,
        completion_price_per_million=10.0,
    )
    settings.update(overrides)
    return LLMClient(LLMConfig(**settings))


def test_classify_counts_tokens_and_cost_then_reruns_from_cache(server, tmp_path):
    texts = [f"my parcel is late, order {i} [label=where_is_my_order]" for i in range(4)] + ["refund me [label=refund_request]"]
    with _client(server, tmp_path) as client:
        first = client.classify(texts, labels=LABELS)
        second = client.classify(texts, labels=LABELS)
    assert [a.label for a in first.answers] == ["where_is_my_order"] * 4 + ["refund_request"]
    assert first.errors == [None] * 5
    # 5 answers x (120 prompt, 30 completion) tokens at 2 and 10 per million: 5 * (240 + 300) / 1e6
    assert first.usage.prompt_tokens == 600 and first.usage.completion_tokens == 150
    assert first.usage.cost == pytest.approx(5 * (120 * 2.0 + 30 * 10.0) / 1e6)
    assert first.usage.requests == 5 and first.usage.cache_hits == 0
    # the rerun is served from disk: the server saw 5 requests in total and the rerun cost nothing
    assert server.total == 5
    assert second.usage.cache_hits == 5 and second.usage.requests == 0 and second.usage.cost == 0
    assert [a.label for a in second.answers] == [a.label for a in first.answers]


def test_rate_limit_is_retried_with_backoff(server, tmp_path):
    with _client(server, tmp_path) as client:
        run = client.classify(["where is it [case=rate_limited] [label=where_is_my_order]"], labels=LABELS)
    # the script answers 429 twice, then 200: three requests, two retries, tokens of one answer
    assert run.answers[0].label == "where_is_my_order"
    assert (run.usage.requests, run.usage.retries, server.total) == (3, 2, 3)
    assert run.usage.prompt_tokens == PROMPT_TOKENS


def test_timeout_is_retried(server, tmp_path):
    with _client(server, tmp_path) as client:
        run = client.classify(["hello [case=slow] [label=account_access]"], labels=LABELS)
    assert run.answers[0].label == "account_access"
    assert run.usage.retries == 1 and run.errors == [None]


def test_server_errors_exhaust_retries_and_fail_only_that_item(server, tmp_path):
    with _client(server, tmp_path, max_retries=2) as client:
        run = client.classify(["a [case=server_down]", "b [label=refund_request]"], labels=LABELS)
    assert run.answers[0] is None and "gave up after 3 attempts" in run.errors[0]
    assert run.answers[1].label == "refund_request"
    # 3 attempts on the failing item + 1 on the good one
    assert server.total == 4 and run.usage.failed_items == 1


def test_malformed_json_is_asked_again_and_not_cached(server, tmp_path):
    with _client(server, tmp_path) as client:
        run = client.classify(["x [case=malformed_once] [label=refund_request]"], labels=LABELS)
        broken = client.classify(["y [case=always_malformed]"], labels=LABELS)
        broken_again = client.classify(["y [case=always_malformed]"], labels=LABELS)
    assert run.answers[0].label == "refund_request" and run.usage.invalid_answers == 1
    assert broken.answers == [None] and "no JSON object" in broken.errors[0]
    # max_invalid_answers=1: two asks per run, and an invalid answer is never cached
    assert broken.usage.invalid_answers == 2 and broken_again.usage.cache_hits == 0 and broken_again.usage.requests == 2


def test_unknown_label_is_rejected(server, tmp_path):
    with _client(server, tmp_path) as client:
        run = client.classify(["z [case=unknown_label]"], labels=LABELS)
    assert run.answers == [None]
    assert "'banana'" in run.errors[0] and "not in the allowed set" in run.errors[0]
    frame = run.to_frame()
    assert frame["error"].notna().all()


def test_fenced_json_and_case_insensitive_label_are_accepted(server, tmp_path):
    with _client(server, tmp_path) as client:
        run = client.classify(["q [case=fenced] [label=REFUND_REQUEST]"], labels=LABELS)
    assert run.answers[0].label == "refund_request"


def test_non_retryable_status_names_the_fix(server, tmp_path):
    with _client(server, tmp_path) as client:
        run = client.classify(["k [case=bad_key]"], labels=LABELS)
    assert "HTTP 401" in run.errors[0] and "not retried" in run.errors[0]
    assert server.total == 1


def test_policy_signals_and_theme_summaries(server, tmp_path):
    with _client(server, tmp_path) as client:
        signals = client.extract_policy_signals(["selling fake watches [case=policy]"], policies=["counterfeit", "harassment"])
        themes = client.summarise_themes({"t0": (["late", "not arrived"], ["still waiting [case=theme]"])})
    assert signals.answers[0].signals[0].policy == "counterfeit"
    assert themes.answers[0].name == "Late delivery"


def test_bad_input_is_refused_before_any_request(server, tmp_path):
    with _client(server, tmp_path) as client:
        with pytest.raises(VocInputError, match="empty"):
            client.classify(["fine", "  "], labels=LABELS)
        with pytest.raises(VocInputError, match="one class"):
            client.classify(["fine"], labels=["only_one"])
    assert server.total == 0


def test_config_from_env_names_missing_settings():
    with pytest.raises(LLMConfigError, match="GOVEX_LLM_MODEL"):
        LLMConfig.from_env({"GOVEX_LLM_BASE_URL": "http://127.0.0.1:1/v1"})
    cfg = LLMConfig.from_env({"GOVEX_LLM_BASE_URL": "http://h/v1", "GOVEX_LLM_MODEL": "m", "GOVEX_LLM_API_KEY": "s"}, max_concurrency=2)
    assert (cfg.model, cfg.api_key.get_secret_value(), cfg.max_concurrency) == ("m", "s", 2)


def test_cache_key_depends_on_model_and_prompt(tmp_path):
    msgs = [{"role": "user", "content": "hi"}]
    assert ResponseCache.key("a", msgs) != ResponseCache.key("b", msgs)
    assert ResponseCache.key("a", msgs) != ResponseCache.key("a", [{"role": "user", "content": "hi!"}])
    cache = ResponseCache(tmp_path)
    cache.put("ab" + "0" * 62, "{}")
    assert cache.get("ab" + "0" * 62) == "{}" and not list(tmp_path.rglob("*.tmp"))


def test_parse_json_object_needs_an_object():
    with pytest.raises(LLMError, match="no JSON object"):
        parse_json_object("[1, 2]")
    assert parse_json_object('Sure: {"label": "x"} done') == {"label": "x"}
