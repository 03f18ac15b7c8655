"""An on-disk, memory-mapped customer -> segment-combination store, for serving at any customer count.

The policy is a function of segments, so a customer needs only the index of its combination of
segments (a few hundred distinct ones); decisions are made per combination when the service loads
a version. A version is a directory under `<store>/versions/`:

- `base_ids.npy` (sorted customer ids, fixed-width UTF-8 bytes) and `base_codes.npy` (int32
  combination per id): the bulk, written in full only when a version is compacted, otherwise
  hard-linked from the previous version;
- `delta_ids.npy` / `delta_codes.npy`: the customers whose combination differs from the base
  (new customers too; -1 marks a customer gone since the base), so an incremental publish writes
  only the customers whose combination changed;
- `meta.json`: as-of date, the combinations (framework -> segment, append-only so codes stay
  stable across versions) with their customer counts, and counts.

`<store>/CURRENT` names the live version; it is replaced by rename after the version is complete,
so readers see the old version or the new one, never a mix. The service maps the arrays
read-only (`np.load(mmap_mode="r")`): its memory does not grow with the customer base, and
several worker processes share the same pages. Lookups search the small delta, then the base.
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
BATCH_ROWS = 1_000_000
MEMORY_LIMIT = "1GB"

# Each customer's latest-as-of row per framework (the as-of date may differ between frameworks).
_LATEST = f"""
select s.entity_id, s.framework, s.segment from {ASSIGNMENTS_TABLE} s
join (select framework, max(as_of) as as_of from {ASSIGNMENTS_TABLE} where entity = 'customer' group by framework) m
  on s.framework = m.framework and s.as_of = m.as_of
where s.entity = 'customer'
"""


@dataclass(frozen=True)
class StoreVersion:
    """One published version, mapped read-only."""

    name: str
    path: Path
    as_of: str
    customers: int
    combinations: tuple[dict[str, str], ...]
    base_ids: np.ndarray
    base_codes: np.ndarray
    delta_ids: np.ndarray
    delta_codes: np.ndarray

    def find(self, customer_id: str) -> int | None:
        """The customer's combination code, or None when the version does not know the customer."""
        key = customer_id.encode()
        for ids, codes in ((self.delta_ids, self.delta_codes), (self.base_ids, self.base_codes)):
            i = int(ids.searchsorted(key))
            if i < len(ids) and ids[i] == key:
                found = int(codes[i])
                return None if found < 0 else found
        return None

    def combination(self, handle: int) -> int:
        return handle

    def segments(self, handle: int) -> dict[str, tuple[str, float | None, tuple[str, ...]]]:
        """framework -> (segment, no score, no reasons): the store keeps segments only."""
        return {framework: (segment, None, ()) for framework, segment in self.combinations[handle].items()}


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
        arrays = {part: np.load(path / f"{part}.npy", mmap_mode="r")
                  for part in ("base_ids", "base_codes", "delta_ids", "delta_codes")}
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: not a complete store version: {exc}") from None
    return StoreVersion(name, path, meta["as_of"], meta["customers"],
                        tuple(c["segments"] for c in meta["combinations"]), **arrays)


def _save(path: Path, name: str, array: np.ndarray) -> None:
    with open(path / f"{name}.npy", "wb") as out:
        np.save(out, array)
        out.flush()
        os.fsync(out.fileno())


def _read_customers(db: Path, known: dict[str, int], spill: Path) -> tuple[np.ndarray, np.ndarray, str, dict[str, int]]:
    """Every customer's id (sorted bytes) and combination code; new combinations get the next codes."""
    if not db.exists():
        raise EngineError(f"{db}: no such DuckDB file")
    # A bounded engine: the group-by and the sort spill to disk rather than take the machine's memory;
    # one plain aggregate per framework (not an ordered string aggregate) so the group-by can spill.
    con = duckdb.connect(str(db), read_only=True, config={"memory_limit": MEMORY_LIMIT, "temp_directory": str(spill),
                                                          "preserve_insertion_order": False})
    try:
        frameworks = [row[0] for row in con.execute(
            f"select distinct framework from {ASSIGNMENTS_TABLE} where entity = 'customer' order by 1").fetchall()]
        if not frameworks:
            raise EngineError(f"{db}: {ASSIGNMENTS_TABLE} holds no customer segments; run `govex segment` first")
        columns = [f"f{i}" for i in range(len(frameworks))]
        pivot = ", ".join(f"max(segment) filter (where framework = '{name.replace(chr(39), chr(39) * 2)}') as {col}"
                          for name, col in zip(frameworks, columns))
        con.execute(f"create temp table wide as select entity_id, {pivot} from ({_LATEST}) group by entity_id")
        codes = dict(known)
        found = con.execute(f"select distinct {', '.join(columns)} from wide").fetchall()
        keys = [";".join(f"{f}={seg}" for f, seg in zip(frameworks, combo) if seg is not None) for combo in found]
        for key in sorted(keys):
            codes.setdefault(key, len(codes))
        con.register("codes", pd.DataFrame([[*combo, codes[key]] for combo, key in zip(found, keys)],
                                           columns=[*columns, "code"]))
        count, width = con.execute("select count(*), coalesce(max(strlen(entity_id)), 1) from wide").fetchone()
        as_of = con.execute(f"select coalesce(max(as_of)::varchar, 'none') from {ASSIGNMENTS_TABLE}").fetchone()[0]
        ids = np.empty(count, dtype=f"S{width}")
        out = np.empty(count, dtype=np.int32)
        match = " and ".join(f"w.{c} is not distinct from k.{c}" for c in columns) or "true"
        reader = con.execute(f"select w.entity_id, k.code from wide w join codes k on {match} "
                             f"order by w.entity_id").fetch_record_batch(BATCH_ROWS)
        at = 0
        for batch in reader:
            n = batch.num_rows
            ids[at:at + n] = np.array(batch.column(0).to_pylist(), dtype=object).astype(bytes)
            out[at:at + n] = batch.column(1).to_numpy()
            at += n
    except duckdb.Error as exc:
        raise EngineError(f"{db}: reading customers' segment combinations failed (engine memory capped at "
                          f"{MEMORY_LIMIT}, spilling to {spill}): {exc}") from None
    finally:
        con.close()
    if count > 1 and not (ids[1:] > ids[:-1]).all():
        raise EngineError(f"{db}: customer ids are not unique or not in byte order after sorting")
    return ids, out, as_of, codes


def publish(db: str | Path, store: str | Path, *, compact_ratio: float = 0.2) -> dict:
    """Publish the warehouse's latest segments as a new store version and make it current.

    Writes only the customers whose combination changed since the current version (hard-linking
    the base), unless the changes exceed `compact_ratio` of the base, or there is no version yet:
    then a fresh base. Returns what was written.
    """
    db, store = Path(db), Path(store)
    (store / "versions").mkdir(parents=True, exist_ok=True)
    previous = open_version(store) if (store / CURRENT).exists() else None
    known = {";".join(f"{k}={v}" for k, v in sorted(c.items())): i
             for i, c in enumerate(previous.combinations)} if previous else {}
    spill = Path(tempfile.mkdtemp(prefix=".spill.", dir=store))
    try:
        ids, codes, as_of, all_codes = _read_customers(db, known, spill)
    finally:
        shutil.rmtree(spill, ignore_errors=True)
    delta_ids, delta_codes = np.empty(0, dtype=ids.dtype), np.empty(0, dtype=np.int32)
    fresh_base = previous is None
    if previous is not None:
        base_ids, base_codes = previous.base_ids, previous.base_codes
        width = np.dtype(f"S{max(ids.itemsize, base_ids.itemsize)}")
        at = np.minimum(base_ids.searchsorted(ids), max(len(base_ids) - 1, 0))
        in_base = (base_ids[at] == ids) if len(base_ids) else np.zeros(len(ids), dtype=bool)
        changed = ~in_base | (np.asarray(base_codes)[at] != codes)
        back = np.minimum(ids.searchsorted(base_ids), max(len(ids) - 1, 0))  # both sorted: no hashing needed
        gone = (ids[back] != base_ids) if len(ids) else np.ones(len(base_ids), dtype=bool)
        delta_ids = np.concatenate([ids[changed].astype(width), np.asarray(base_ids[gone]).astype(width)])
        delta_codes = np.concatenate([codes[changed], np.full(int(gone.sum()), -1, dtype=np.int32)])
        order = np.argsort(delta_ids, kind="stable")
        delta_ids, delta_codes = delta_ids[order], delta_codes[order]
        fresh_base = len(delta_ids) > compact_ratio * max(len(base_ids), 1)
    if fresh_base:
        delta_ids, delta_codes = np.empty(0, dtype=ids.dtype), np.empty(0, dtype=np.int32)
    if not fresh_base and ids.itemsize > previous.base_ids.itemsize:
        fresh_base = True  # ids wider than the base's fixed width: rewrite the base at the new width
        delta_ids, delta_codes = np.empty(0, dtype=ids.dtype), np.empty(0, dtype=np.int32)
    counts = np.bincount(codes, minlength=len(all_codes))
    name = f"{int(current_version(store)) + 1 if previous else 1:06d}"
    final = store / "versions" / name
    work = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=store / "versions"))
    try:
        if fresh_base:
            _save(work, "base_ids", ids)
            _save(work, "base_codes", codes)
        else:
            for part in ("base_ids", "base_codes"):
                os.link(previous.path / f"{part}.npy", work / f"{part}.npy")
        _save(work, "delta_ids", delta_ids)
        _save(work, "delta_codes", delta_codes)
        combinations = [{"segments": dict(part.split("=", 1) for part in key.split(";")) if key else {},
                         "customers": int(counts[code])} for key, code in all_codes.items()]
        meta = {"version": name, "as_of": as_of, "published": dt.datetime.now(dt.timezone.utc).isoformat(),
                "customers": int(len(ids)), "written": int(len(ids) if fresh_base else len(delta_ids)),
                "fresh_base": fresh_base, "combinations": combinations}
        (work / "meta.json").write_text(json.dumps(meta, indent=1))
        os.rename(work, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    pointer = store / f".{CURRENT}.{name}.tmp"
    pointer.write_text(name + "\n")
    os.replace(pointer, store / CURRENT)  # the switch: readers see the old version or this one
    return {key: meta[key] for key in ("version", "as_of", "customers", "written", "fresh_base")}
