"""An LLM backend behind any OpenAI-compatible chat-completions endpoint (OpenAI, vLLM, Ollama...).

Why a client of our own: VOC runs are batch jobs over thousands of texts, so they need a
concurrency limit, retries with exponential backoff on 429/5xx and timeouts, answers checked
against the label set, an on-disk cache so a rerun costs nothing, and a token and cost count
per run. Everything goes over plain HTTP with httpx.

References
----------
.. [1] OpenAI API reference, "Create chat completion" (POST /chat/completions; `choices`,
   `usage.prompt_tokens`, `usage.completion_tokens`, `response_format`).
.. [2] AWS Architecture Blog (2015), "Exponential Backoff and Jitter": delay = min(cap, base * 2**attempt).
.. [3] RFC 9110 sec. 10.2.3, Retry-After (delay in seconds).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from govex.voc import prompts
from govex.voc._files import write_atomically
from govex.voc._text import check_texts
from govex.errors import LLMConfigError, LLMError, LLMResponseError, VocInputError

T = TypeVar("T")

ENV_BASE_URL = "GOVEX_LLM_BASE_URL"
ENV_MODEL = "GOVEX_LLM_MODEL"
ENV_API_KEY = "GOVEX_LLM_API_KEY"
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class LLMConfig(BaseModel):
    """Where the endpoint is, how to call it, and what its tokens cost."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str = Field(description="endpoint root, e.g. http://127.0.0.1:8000/v1 (POST {base_url}/chat/completions)")
    model: str = Field(min_length=1)
    api_key: SecretStr | None = None
    timeout_s: float = Field(30.0, gt=0)
    max_retries: int = Field(4, ge=0, description="retries of one request on 429, 5xx, timeouts and connection errors")
    backoff_initial_s: float = Field(1.0, ge=0)
    backoff_max_s: float = Field(30.0, ge=0)
    max_invalid_answers: int = Field(1, ge=0, description="extra asks when an answer is not the JSON the task wants")
    max_concurrency: int = Field(4, ge=1, le=64)
    temperature: float = Field(0.0, ge=0, le=2)
    max_tokens: int = Field(256, ge=1)
    json_mode: bool = Field(True, description='send response_format={"type": "json_object"}')
    cache_dir: Path | None = None
    prompt_price_per_million: float = Field(0.0, ge=0, description="price of 1M prompt tokens")
    completion_price_per_million: float = Field(0.0, ge=0, description="price of 1M completion tokens")
    currency: str = "USD"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> "LLMConfig":
        """Read GOVEX_LLM_BASE_URL, GOVEX_LLM_MODEL and GOVEX_LLM_API_KEY; `overrides` win."""
        env = os.environ if env is None else env
        values = {"base_url": env.get(ENV_BASE_URL), "model": env.get(ENV_MODEL), "api_key": env.get(ENV_API_KEY)}
        values.update({k: v for k, v in overrides.items() if v is not None})
        missing = [name for name, var in (("base_url", ENV_BASE_URL), ("model", ENV_MODEL)) if not values.get(name)]
        if missing:
            raise LLMConfigError(
                f"LLM backend not configured: {', '.join(missing)} missing; set {ENV_BASE_URL} and {ENV_MODEL} "
                "(e.g. http://127.0.0.1:11434/v1 and llama3.1 for a local Ollama) or pass them explicitly"
            )
        return cls(**{k: v for k, v in values.items() if v is not None})


@dataclass
class RunUsage:
    """Requests, cache hits, tokens and cost of one run (thread-safe counters)."""

    requests: int = 0
    cache_hits: int = 0
    retries: int = 0
    invalid_answers: int = 0
    failed_items: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost: float = 0.0
    currency: str = "USD"
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **counts: float) -> None:
        with self._lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}


@dataclass(frozen=True)
class LLMRun:
    """Answers of one batch (None where an item failed, with the reason in `errors`) and its usage."""

    answers: list
    errors: list[str | None]
    usage: RunUsage

    def to_frame(self) -> pd.DataFrame:
        rows = [dict(answer.model_dump() if answer is not None else {}, error=error) for answer, error in zip(self.answers, self.errors)]
        return pd.DataFrame(rows)


class ResponseCache:
    """Answers on disk, one JSON file per key, written to a temporary name then renamed."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    @staticmethod
    def key(model: str, messages: list[prompts.Message], **params: Any) -> str:
        blob = json.dumps({"model": model, "messages": messages, "params": params}, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> str | None:
        path = self._path(key)
        try:
            return json.loads(path.read_text(encoding="utf-8"))["content"]
        except (FileNotFoundError, json.JSONDecodeError, KeyError, TypeError):
            return None

    def put(self, key: str, content: str) -> None:
        write_atomically(self._path(key), lambda temp: temp.write_text(json.dumps({"content": content}, ensure_ascii=False), encoding="utf-8"))


def parse_json_object(content: str) -> dict:
    """The JSON object in an answer, tolerating a ```json fence or text around it."""
    match = re.search(r"\{.*\}", content, flags=re.DOTALL)
    if match is None:
        raise LLMResponseError(f"answer holds no JSON object: {content[:120]!r}")
    try:
        value = json.loads(match.group(0))
    except json.JSONDecodeError as exc:
        raise LLMResponseError(f"answer is not valid JSON ({exc.msg} at char {exc.pos}): {content[:120]!r}") from exc
    return value


def _validated(schema: type[BaseModel], content: str) -> Any:
    try:
        return schema.model_validate(parse_json_object(content))
    except ValidationError as exc:
        first = exc.errors()[0]
        raise LLMResponseError(f"answer does not match the {schema.__name__} schema ({first['loc']}: {first['msg']}): {content[:120]!r}") from exc


def _match_label(label: str, allowed: Sequence[str], *, what: str) -> str:
    """The allowed label an answer names (exact, else ignoring case and spaces), or an error."""
    if label in allowed:
        return label
    folded = {a.strip().lower(): a for a in allowed}
    found = folded.get(label.strip().lower())
    if found is None:
        raise LLMResponseError(f"answer names {what} {label!r}, which is not in the allowed set {list(allowed)}")
    return found


class LLMClient:
    """Batch tasks over an OpenAI-compatible endpoint; each task returns an `LLMRun`.

    Parameters
    ----------
    config : LLMConfig
    http_client : httpx.Client, optional
        For a custom transport or proxy; by default one client with `config.timeout_s`.
    """

    def __init__(self, config: LLMConfig, *, http_client: httpx.Client | None = None):
        self.config = config
        self._http = http_client or httpx.Client(timeout=httpx.Timeout(config.timeout_s))
        self._cache = ResponseCache(config.cache_dir) if config.cache_dir is not None else None

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "LLMClient":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- one request -------------------------------------------------------------------------
    def _post(self, messages: list[prompts.Message], usage: RunUsage) -> str:
        """POST one chat completion, retrying 429/5xx/timeouts with exponential backoff."""
        cfg = self.config
        body: dict[str, Any] = {"model": cfg.model, "messages": messages, "temperature": cfg.temperature, "max_tokens": cfg.max_tokens}
        if cfg.json_mode:
            body["response_format"] = {"type": "json_object"}
        headers = {"Authorization": f"Bearer {cfg.api_key.get_secret_value()}"} if cfg.api_key else {}
        url = cfg.base_url.rstrip("/") + "/chat/completions"
        for attempt in range(cfg.max_retries + 1):
            retry_after: float | None = None
            usage.add(requests=1)
            try:
                response = self._http.post(url, json=body, headers=headers)
            except httpx.TimeoutException:
                problem = f"no answer within {cfg.timeout_s:g} s"
            except httpx.TransportError as exc:
                problem = f"connection failed ({exc.__class__.__name__}: {exc})"
            else:
                if response.status_code == 200:
                    return self._content(response, usage)
                problem = f"HTTP {response.status_code}: {response.text[:200]}"
                if response.status_code not in _RETRY_STATUS:
                    raise LLMError(f"{url}: {problem}; not retried (check the model name, key and base URL)")
                retry_after = _retry_after_s(response)
            if attempt == cfg.max_retries:
                raise LLMError(f"{url}: {problem}; gave up after {cfg.max_retries + 1} attempts")
            usage.add(retries=1)
            delay = min(cfg.backoff_max_s, cfg.backoff_initial_s * 2**attempt)
            time.sleep(min(cfg.backoff_max_s, retry_after) if retry_after is not None else delay)
        raise LLMError(f"{url}: no attempt was made (max_retries={cfg.max_retries})")

    def _content(self, response: httpx.Response, usage: RunUsage) -> str:
        try:
            payload = response.json()
            content = payload["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LLMResponseError(f"endpoint answered 200 but not a chat completion: {response.text[:200]!r}") from exc
        tokens = payload.get("usage") or {}
        prompt_tokens = int(tokens.get("prompt_tokens") or 0)
        completion_tokens = int(tokens.get("completion_tokens") or 0)
        cost = (prompt_tokens * self.config.prompt_price_per_million + completion_tokens * self.config.completion_price_per_million) / 1e6
        usage.add(prompt_tokens=prompt_tokens, completion_tokens=completion_tokens, cost=cost)
        if not isinstance(content, str):
            raise LLMResponseError(f"chat completion content is {type(content).__name__}, expected text")
        return content

    def _ask(self, messages: list[prompts.Message], parse: Callable[[str], T], usage: RunUsage) -> T:
        """A parsed answer: from the cache, else asked (again when the answer is invalid)."""
        cfg = self.config
        key = ResponseCache.key(cfg.model, messages, temperature=cfg.temperature, max_tokens=cfg.max_tokens, json_mode=cfg.json_mode)
        if self._cache is not None:
            cached = self._cache.get(key)
            if cached is not None:
                try:
                    answer = parse(cached)
                except LLMResponseError:
                    pass  # an entry that no longer parses (e.g. label set changed): ask again
                else:
                    usage.add(cache_hits=1)
                    return answer
        problem = ""
        for _ in range(cfg.max_invalid_answers + 1):
            try:
                content = self._post(messages, usage)
                answer = parse(content)
            except LLMResponseError as exc:
                usage.add(invalid_answers=1)
                problem = str(exc)
                continue
            if self._cache is not None:
                self._cache.put(key, content)
            return answer
        raise LLMResponseError(f"{problem} (after {cfg.max_invalid_answers + 1} asks)")

    def _run(self, items: Sequence[list[prompts.Message]], parse: Callable[[str], T]) -> LLMRun:
        usage = RunUsage(currency=self.config.currency)

        def one(messages: list[prompts.Message]) -> tuple[T | None, str | None]:
            try:
                return self._ask(messages, parse, usage), None
            except LLMError as exc:
                usage.add(failed_items=1)
                return None, str(exc)

        with ThreadPoolExecutor(max_workers=self.config.max_concurrency) as pool:
            outcomes = list(pool.map(one, items))
        return LLMRun(answers=[a for a, _ in outcomes], errors=[e for _, e in outcomes], usage=usage)

    # -- tasks -------------------------------------------------------------------------------
    def classify(self, texts: Sequence[object], *, labels: Sequence[str]) -> LLMRun:
        """One label from `labels` and a short rationale per text; unknown labels count as invalid."""
        text_list = check_texts(texts, where="texts to classify")
        allowed = _check_label_set(labels, what="labels")

        def parse(content: str) -> prompts.ClassifyAnswer:
            answer = _validated(prompts.ClassifyAnswer, content)
            return answer.model_copy(update={"label": _match_label(answer.label, allowed, what="label")})

        return self._run([prompts.classify_messages(text, allowed) for text in text_list], parse)

    def summarise_themes(self, themes: Mapping[str, tuple[Sequence[str], Sequence[str]]]) -> LLMRun:
        """A name and a two-sentence summary per theme, from its (phrases, example texts)."""
        if not themes:
            raise VocInputError("themes: nothing to summarise; pass {theme_id: (phrases, examples)}")
        items = []
        for theme_id, (phrases, examples) in themes.items():
            items.append(prompts.summarise_theme_messages(list(phrases), check_texts(examples, where=f"examples of theme {theme_id!r}")))
        return self._run(items, lambda content: _validated(prompts.ThemeAnswer, content))

    def extract_policy_signals(self, texts: Sequence[object], *, policies: Sequence[str]) -> LLMRun:
        """Possible policy violations per text (policy, quoted evidence, severity)."""
        text_list = check_texts(texts, where="texts to screen")
        allowed = _check_label_set(policies, what="policies", minimum=1)

        def parse(content: str) -> prompts.PolicyAnswer:
            answer = _validated(prompts.PolicyAnswer, content)
            signals = [s.model_copy(update={"policy": _match_label(s.policy, allowed, what="policy")}) for s in answer.signals]
            return answer.model_copy(update={"signals": signals})

        return self._run([prompts.policy_messages(text, allowed) for text in text_list], parse)


def _check_label_set(labels: Sequence[str], *, what: str, minimum: int = 2) -> list[str]:
    values = [str(v) for v in labels]
    if len(set(values)) < minimum or any(not v.strip() for v in values):
        raise VocInputError(
            f"{what}: {values!r} is not a usable set; give at least {minimum} distinct non-empty names"
            + (" (a label set of one class leaves nothing to decide)" if minimum == 2 else "")
        )
    return values


def _retry_after_s(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
