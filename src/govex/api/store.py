"""An on-disk, memory-mapped customer -> segment-combination store, for serving at any customer count.

The policy is a function of segments, so a customer needs only the index of its combination of
segments (a few hundred distinct ones); decisions are made per combination when the service loads
a version. A version is a directory under `<store>/versions/`:

- `base_ids.npy` (sorted customer ids, fixed-width UTF-8 bytes), `base_codes.npy` (int32
  combination per id), `base_scores.npy` (float64 per id and framework, NaN: none) and
  `base_reasons.npy` (int32 per id and framework into the reasons list, -1: none): the bulk,
  written in full only when a version is compacted, otherwise hard-linked from the previous
  version;
- `delta_*.npy`, the same four: the customers whose combination, scores or reasons differ from
  the base (new customers too; code -1 marks a customer gone since the base), so an incremental
  publish writes only the customers that changed;
- `meta.json`: as-of date, frameworks, the combinations (framework -> segment, append-only so
  codes stay stable across versions) with their customer counts and an example customer (the
  smallest id: what `govex.policy.policy_gaps` reports), the reasons (append-only too), counts.

`<store>/CURRENT` names the live version; it is replaced by rename after the version is complete,
so readers see the old version or the new one, never a mix. The service maps the arrays
read-only (`np.load(mmap_mode="r")`): its memory does not grow with the customer base, and
several worker processes share the same pages. Lookups search the small delta, then the base.
A version answers what the warehouse snapshot answers: segments with their scores and reasons,
and the combinations' counts from which the service lists the policy's gaps.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from govex.errors import ConfigError, EngineError
from govex.segments import ASSIGNMENTS_TABLE

CURRENT = "CURRENT"
PARTS = ("ids", "codes", "scores", "reasons")
BATCH_ROWS = 1_000_000
MEMORY_LIMIT = "1GB"

# Each customer's latest-as-of row per framework (the as-of date may differ between frameworks).
_LATEST = f"""
select s.entity_id, s.framework, s.segment, s.score, s.reasons from {ASSIGNMENTS_TABLE} s
join (select framework, max(as_of) as as_of from {ASSIGNMENTS_TABLE} where entity = 'customer' group by framework) m
  on s.framework = m.framework and s.as_of = m.as_of
where s.entity = 'customer'
"""


@dataclass(frozen=True)
class StoreVersion:
    """One published version, mapped read-only. A customer's handle is its row: i >= 0 in the base, -1 - i in the delta."""

    name: str
    path: Path
    as_of: str
    customers: int
    frameworks: tuple[str, ...]
    combinations: tuple[dict[str, str], ...]
    counts: tuple[int, ...]                  # customers per combination
    examples: tuple[str | None, ...]         # smallest customer id per combination
    reasons: tuple[tuple[str, ...], ...]
    base: dict[str, np.ndarray]              # PARTS -> array
    delta: dict[str, np.ndarray]

    def find(self, customer_id: str) -> int | None:
        """The customer's handle, or None when the version does not know the customer."""
        key = customer_id.encode()
        delta_ids = self.delta["ids"]
        i = int(delta_ids.searchsorted(key))
        if i < len(delta_ids) and delta_ids[i] == key:
            return None if self.delta["codes"][i] < 0 else -1 - i
        base_ids = self.base["ids"]
        i = int(base_ids.searchsorted(key))
        return i if i < len(base_ids) and base_ids[i] == key else None

    def _row(self, handle: int) -> tuple[dict[str, np.ndarray], int]:
        return (self.base, handle) if handle >= 0 else (self.delta, -1 - handle)

    def combination(self, handle: int) -> int:
        part, i = self._row(handle)
        return int(part["codes"][i])

    def segments(self, handle: int) -> dict[str, tuple[str, float | None, tuple[str, ...]]]:
        """framework -> (segment, score, reasons) of the customer."""
        part, i = self._row(handle)
        segments = self.combinations[int(part["codes"][i])]
        out = {}
        for column, framework in enumerate(self.frameworks):
            if framework in segments:
                score, reason = float(part["scores"][i, column]), int(part["reasons"][i, column])
                out[framework] = (segments[framework], None if np.isnan(score) else score,
                                  self.reasons[reason] if reason >= 0 else ())
        return out


def current_version(store: str | Path) -> str:
    store = Path(store)
    try:
        return (store / CURRENT).read_text().strip()
    except FileNotFoundError:
        raise ConfigError(f"{store}: no published version ({CURRENT} missing); run `govex api-publish` first") from None


def open_version(store: str | Path, name: str | None = None) -> StoreVersion:
    """Map a version (default: the current one) read-only."""
    store = Path(store)
    name = name or current_version(store)
    path = store / "versions" / name
    try:
        meta = json.loads((path / "meta.json").read_text())
        arrays = {f"{side}_{part}": np.load(path / f"{side}_{part}.npy", mmap_mode="r")
                  for side in ("base", "delta") for part in PARTS}
        frameworks = tuple(meta["frameworks"])
    except (OSError, ValueError, KeyError) as exc:
        raise ConfigError(f"{path}: not a complete store version ({exc}); run `govex api-publish` again") from None
    combinations = meta["combinations"]
    return StoreVersion(name, path, meta["as_of"], meta["customers"], frameworks,
                        tuple(c["segments"] for c in combinations), tuple(c["customers"] for c in combinations),
                        tuple(c.get("example_customer") for c in combinations),
                        tuple(tuple(r.split(";")) for r in meta["reasons"]),
                        {part: arrays[f"base_{part}"] for part in PARTS},
                        {part: arrays[f"delta_{part}"] for part in PARTS})


def _save(path: Path, name: str, array: np.ndarray) -> None:
    with open(path / f"{name}.npy", "wb") as out:
        np.save(out, array)
        out.flush()
        os.fsync(out.fileno())


@dataclass
class _Read:
    """Every customer of the warehouse, sorted by id, with what a version stores of each."""

    frameworks: list[str]
    rows: dict[str, np.ndarray]        # PARTS -> array, one row per customer
    as_of: str
    codes: dict[str, int]              # combination key -> code (the previous version's first)
    examples: dict[int, str]           # code -> smallest customer id
    reasons: dict[str, int]            # reasons text -> code (the previous version's first)


def _combination_key(frameworks: list[str], segments) -> str:
    return ";".join(f"{f}={seg}" for f, seg in zip(frameworks, segments) if seg is not None)


def _read_customers(db: Path, previous: StoreVersion | None, spill: Path) -> _Read:
    """Every customer's id, combination code, scores and reason codes; new combinations and reasons get the next codes."""
    if not db.exists():
        raise EngineError(f"{db}: no such DuckDB file")
    # A bounded engine: the group-by and the sort spill to disk rather than take the machine's memory;
    # plain aggregates per framework (not ordered string aggregates) so the group-by can spill.
    con = duckdb.connect(str(db), read_only=True, config={"memory_limit": MEMORY_LIMIT, "temp_directory": str(spill),
                                                          "preserve_insertion_order": False})
    try:
        con.execute("set enable_progress_bar = false")  # long queries would draw a bar on stdout
        frameworks = [row[0] for row in con.execute(
            f"select distinct framework from {ASSIGNMENTS_TABLE} where entity = 'customer' order by 1").fetchall()]
        if not frameworks:
            raise EngineError(f"{db}: {ASSIGNMENTS_TABLE} holds no customer segments; run `govex segment` first")
        n_fw = len(frameworks)
        seg, score, why = ([f"{p}{i}" for i in range(n_fw)] for p in ("f", "s", "r"))
        pivot = ", ".join(f"max({expr}) filter (where framework = '{name.replace(chr(39), chr(39) * 2)}') as {col}"
                          for i, name in enumerate(frameworks)
                          for expr, col in (("segment", seg[i]), ("score::double", score[i]), ("reasons", why[i])))
        con.execute(f"create temp table wide as select entity_id, {pivot} from ({_LATEST}) group by entity_id")
        codes = ({_combination_key(previous.frameworks, [c.get(f) for f in previous.frameworks]): i
                  for i, c in enumerate(previous.combinations)} if previous else {})
        found = con.execute(f"select {', '.join(seg)}, min(entity_id) from wide group by all").fetchall()
        keys = [_combination_key(frameworks, combo[:n_fw]) for combo in found]
        for key in sorted(keys):
            codes.setdefault(key, len(codes))
        examples = {codes[key]: combo[-1] for combo, key in zip(found, keys)}
        con.register("codes", pd.DataFrame([[*combo[:n_fw], codes[key]] for combo, key in zip(found, keys)],
                                           columns=[*seg, "code"]))
        count, width = con.execute("select count(*), coalesce(max(strlen(entity_id)), 1) from wide").fetchone()
        as_of = con.execute(f"select coalesce(max(as_of)::varchar, 'none') from {ASSIGNMENTS_TABLE}").fetchone()[0]
        rows = {"ids": np.empty(count, dtype=f"S{width}"), "codes": np.empty(count, dtype=np.int32),
                "scores": np.empty((count, n_fw)), "reasons": np.empty((count, n_fw), dtype=np.int32)}
        reasons = {";".join(r): i for i, r in enumerate(previous.reasons)} if previous else {}
        match = " and ".join(f"w.{c} is not distinct from k.{c}" for c in seg)
        reader = con.execute(f"select w.entity_id, k.code, {', '.join(f'w.{c}' for c in score + why)} from wide w "
                             f"join codes k on {match} order by w.entity_id").fetch_record_batch(BATCH_ROWS)
        at = 0
        for batch in reader:
            n = batch.num_rows
            rows["ids"][at:at + n] = np.array(batch.column(0).to_pylist(), dtype=object).astype(bytes)
            rows["codes"][at:at + n] = batch.column(1).to_numpy()
            for i in range(n_fw):
                rows["scores"][at:at + n, i] = batch.column(2 + i).to_numpy(zero_copy_only=False)
                encoded = batch.column(2 + n_fw + i).dictionary_encode()
                mapping = np.array([reasons.setdefault(r, len(reasons)) for r in encoded.dictionary.to_pylist()]
                                   + [-1], dtype=np.int32)  # the extra -1: a null reasons index
                rows["reasons"][at:at + n, i] = mapping[encoded.indices.fill_null(len(mapping) - 1).to_numpy()]
            at += n
    except duckdb.Error as exc:
        raise EngineError(f"{db}: reading customers' segment combinations failed (engine memory capped at "
                          f"{MEMORY_LIMIT}, spilling to {spill}): {exc}") from None
    finally:
        con.close()
    ids = rows["ids"]
    if count > 1 and not (ids[1:] > ids[:-1]).all():
        raise EngineError(f"{db}: customer ids are not unique or not in byte order after sorting")
    return _Read(frameworks, rows, as_of, codes, examples, reasons)


def _changes(read: _Read, previous: StoreVersion) -> dict[str, np.ndarray]:
    """The rows that differ from the previous version's base (new, changed, and gone with code -1), sorted by id."""
    rows, base = read.rows, previous.base
    ids, base_ids = rows["ids"], base["ids"]
    width = np.dtype(f"S{max(ids.itemsize, base_ids.itemsize)}")
    at = np.minimum(base_ids.searchsorted(ids), max(len(base_ids) - 1, 0))
    in_base = (base_ids[at] == ids) if len(base_ids) else np.zeros(len(ids), dtype=bool)
    old_scores = np.asarray(base["scores"])[at]
    same_scores = (old_scores == rows["scores"]) | (np.isnan(old_scores) & np.isnan(rows["scores"]))
    changed = (~in_base | (np.asarray(base["codes"])[at] != rows["codes"]) | ~same_scores.all(axis=1)
               | (np.asarray(base["reasons"])[at] != rows["reasons"]).any(axis=1))
    back = np.minimum(ids.searchsorted(base_ids), max(len(ids) - 1, 0))  # both sorted: no hashing needed
    gone = (ids[back] != base_ids) if len(ids) else np.ones(len(base_ids), dtype=bool)
    n_gone, n_fw = int(gone.sum()), rows["scores"].shape[1]
    delta = {"ids": np.concatenate([ids[changed].astype(width), np.asarray(base_ids[gone]).astype(width)]),
             "codes": np.concatenate([rows["codes"][changed], np.full(n_gone, -1, dtype=np.int32)]),
             "scores": np.concatenate([rows["scores"][changed], np.full((n_gone, n_fw), np.nan)]),
             "reasons": np.concatenate([rows["reasons"][changed], np.full((n_gone, n_fw), -1, dtype=np.int32)])}
    order = np.argsort(delta["ids"], kind="stable")
    return {part: array[order] for part, array in delta.items()}


def publish(db: str | Path, store: str | Path, *, compact_ratio: float = 0.2) -> dict:
    """Publish the warehouse's latest segments as a new store version and make it current.

    Writes only the customers whose combination, scores or reasons changed since the current
    version (hard-linking the base), unless the changes exceed `compact_ratio` of the base, the
    frameworks or the id width changed, or there is no version yet: then a fresh base. Returns
    what was written.
    """
    db, store = Path(db), Path(store)
    (store / "versions").mkdir(parents=True, exist_ok=True)
    previous = open_version(store) if (store / CURRENT).exists() else None
    spill = Path(tempfile.mkdtemp(prefix=".spill.", dir=store))
    try:
        read = _read_customers(db, previous, spill)
    finally:
        shutil.rmtree(spill, ignore_errors=True)
    rows = read.rows
    fresh_base = (previous is None or list(previous.frameworks) != read.frameworks
                  or rows["ids"].itemsize > previous.base["ids"].itemsize)
    if not fresh_base:
        delta = _changes(read, previous)
        fresh_base = len(delta["ids"]) > compact_ratio * max(len(previous.base["ids"]), 1)
    if fresh_base:
        delta = {part: array[:0] for part, array in rows.items()}
    counts = np.bincount(rows["codes"], minlength=len(read.codes))
    name = f"{int(current_version(store)) + 1 if previous else 1:06d}"
    final = store / "versions" / name
    work = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=store / "versions"))
    try:
        for part in PARTS:
            if fresh_base:
                _save(work, f"base_{part}", rows[part])
            else:
                os.link(previous.path / f"base_{part}.npy", work / f"base_{part}.npy")
            _save(work, f"delta_{part}", delta[part])
        combinations = [{"segments": dict(item.split("=", 1) for item in key.split(";")) if key else {},
                         "customers": int(counts[code]), "example_customer": read.examples.get(code)}
                        for key, code in read.codes.items()]
        meta = {"version": name, "as_of": read.as_of, "published": dt.datetime.now(dt.timezone.utc).isoformat(),
                "customers": int(len(rows["ids"])), "written": int(len(rows["ids"]) if fresh_base else len(delta["ids"])),
                "fresh_base": fresh_base, "frameworks": read.frameworks, "combinations": combinations,
                "reasons": list(read.reasons)}
        (work / "meta.json").write_text(json.dumps(meta, indent=1))
        os.rename(work, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    pointer = store / f".{CURRENT}.{name}.tmp"
    pointer.write_text(name + "\n")
    os.replace(pointer, store / CURRENT)  # the switch: readers see the old version or this one
    return {key: meta[key] for key in ("version", "as_of", "customers", "written", "fresh_base")}
