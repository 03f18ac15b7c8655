"""An on-disk, memory-mapped customer -> segment-combination store, for serving at any customer count.

The policy is a function of segments, so a customer needs only the index of its combination of
segments (a few hundred distinct ones); decisions are made per combination when the service loads
a version. A version is a directory under `<store>/versions/`:

- `base_ids.npy` (sorted customer ids, fixed-width UTF-8 bytes), `base_codes.npy` (int32
  combination per id), `base_scores.npy` (float64 per id and framework, NaN: none) and
  `base_reasons.npy` (int32 per id and framework into the reasons list, -1: none): the bulk,
  written in full only when a version is compacted, otherwise hard-linked from the previous
  version;
- `delta_*.npy`, the same four: the customers whose combination, scores or reasons changed since
  the base (new customers too; code -1 marks a customer gone since the base), so an incremental
  publish writes only the customers that changed;
- `base_rows.parquet`, `delta_rows.parquet`: the same rows as the warehouse had them (segment,
  score and reasons text per framework, a `gone` flag), for the engine to find the next publish's
  changes by a join, never reading every customer into Python;
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


class _ArrayFiles:
    """The four `.npy` files of one side of a version, written batch by batch (header first, rows appended in order)."""

    def __init__(self, folder: Path, side: str, rows: int, width: int, n_fw: int):
        shapes = {"ids": ((rows,), f"S{width}"), "codes": ((rows,), np.int32),
                  "scores": ((rows, n_fw), np.float64), "reasons": ((rows, n_fw), np.int32)}
        self.rows, self.written, self.last = rows, 0, None
        self.dtypes = {part: np.dtype(dtype) for part, (_, dtype) in shapes.items()}
        self.files = {part: open(folder / f"{side}_{part}.npy", "wb") for part in PARTS}
        for part, (shape, _) in shapes.items():
            np.lib.format.write_array_header_1_0(self.files[part], {
                "descr": np.lib.format.dtype_to_descr(self.dtypes[part]), "fortran_order": False, "shape": shape})

    def append(self, batch: dict[str, np.ndarray]) -> None:
        ids = batch["ids"]
        if len(ids) and ((self.last is not None and ids[0] <= self.last) or not (ids[1:] > ids[:-1]).all()):
            raise EngineError("customer ids are not unique or not in byte order after sorting")
        for part, array in batch.items():
            self.files[part].write(np.ascontiguousarray(array, dtype=self.dtypes[part]).tobytes())
        self.written += len(ids)
        self.last = ids[-1] if len(ids) else self.last

    def close(self) -> None:
        if self.written != self.rows:
            raise EngineError(f"{self.rows:,} rows expected, {self.written:,} read")
        for out in self.files.values():
            out.flush()
            os.fsync(out.fileno())
            out.close()


def _batches(reader, width: int, n_fw: int, reasons: dict[str, int]):
    """Arrow batches of (id, code, scores..., reasons...) as numpy parts; new reasons texts get the next codes."""
    for batch in reader:
        rows = {"ids": np.array(batch.column(0).to_pylist(), dtype=object).astype(f"S{width}"),
                "codes": batch.column(1).to_numpy(zero_copy_only=False),
                "scores": np.empty((batch.num_rows, n_fw)), "reasons": np.empty((batch.num_rows, n_fw), dtype=np.int32)}
        for i in range(n_fw):
            rows["scores"][:, i] = batch.column(2 + i).to_numpy(zero_copy_only=False)
            encoded = batch.column(2 + n_fw + i).dictionary_encode()
            mapping = np.array([reasons.setdefault(r, len(reasons)) for r in encoded.dictionary.to_pylist()]
                               + [-1], dtype=np.int32)  # the extra -1: a null reasons index
            rows["reasons"][:, i] = mapping[encoded.indices.fill_null(len(mapping) - 1).to_numpy()]
        yield rows


@dataclass
class _Read:
    """The warehouse's customers as the engine sees them: table `wide` (one row per customer) and `codes`."""

    frameworks: list[str]
    customers: int
    width: int                         # bytes of the longest id
    as_of: str
    codes: dict[str, int]              # combination key -> code (the previous version's first)
    counts: dict[int, int]             # code -> customers
    examples: dict[int, str]           # code -> smallest customer id
    columns: tuple[list[str], list[str], list[str]]  # segment, score and reasons columns of `wide`


def _combination_key(frameworks: list[str], segments) -> str:
    return ";".join(f"{f}={seg}" for f, seg in zip(frameworks, segments) if seg is not None)


def _read_customers(con: duckdb.DuckDBPyConnection, db: Path, previous: StoreVersion | None) -> _Read:
    """Pivot every customer's latest segments into temp table `wide` and number the combinations (table `codes`)."""
    frameworks = [row[0] for row in con.execute(
        f"select distinct framework from {ASSIGNMENTS_TABLE} where entity = 'customer' order by 1").fetchall()]
    if not frameworks:
        raise EngineError(f"{db}: {ASSIGNMENTS_TABLE} holds no customer segments; run `govex segments assign` first")
    n_fw = len(frameworks)
    seg, score, why = ([f"{p}{i}" for i in range(n_fw)] for p in ("f", "s", "r"))
    # Plain aggregates per framework (not ordered string aggregates) so the group-by can spill.
    pivot = ", ".join(f"max({expr}) filter (where framework = '{name.replace(chr(39), chr(39) * 2)}') as {col}"
                      for i, name in enumerate(frameworks)
                      for expr, col in (("segment", seg[i]), ("score::double", score[i]), ("reasons", why[i])))
    con.execute(f"create temp table wide as select entity_id, {pivot} from ({_LATEST}) group by entity_id")
    codes = ({_combination_key(previous.frameworks, [c.get(f) for f in previous.frameworks]): i
              for i, c in enumerate(previous.combinations)} if previous else {})
    found = con.execute(f"select {', '.join(seg)}, min(entity_id), count(*) from wide group by all").fetchall()
    keys = [_combination_key(frameworks, combo[:n_fw]) for combo in found]
    for key in sorted(keys):
        codes.setdefault(key, len(codes))
    con.register("codes_frame", pd.DataFrame([[*combo[:n_fw], codes[key]] for combo, key in zip(found, keys)],
                                             columns=[*seg, "code"]))
    con.execute("create temp table codes as select * from codes_frame")
    con.unregister("codes_frame")
    count, width = con.execute("select count(*), coalesce(max(strlen(entity_id)), 1) from wide").fetchone()
    as_of = con.execute(f"select coalesce(max(as_of)::varchar, 'none') from {ASSIGNMENTS_TABLE}").fetchone()[0]
    return _Read(frameworks, count, width, as_of, codes, {codes[k]: combo[-1] for combo, k in zip(found, keys)},
                 {codes[k]: combo[-2] for combo, k in zip(found, keys)}, (seg, score, why))


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _write_side(con, read: _Read, folder: Path, side: str, table: str, width: int, reasons: dict[str, int]) -> int:
    """Stream `table` (rows of `wide` and a `gone` flag) into `folder`'s `<side>_*.npy` (in id byte order) and
    `<side>_rows.parquet`; returns its rows.

    The Parquet copy keeps the rows as the warehouse had them, so the next publish can find the changes in
    the engine; the arrays are what the service maps. Memory: one batch, besides the capped engine.
    """
    seg, score, why = read.columns
    con.execute(f"copy (select entity_id, {', '.join(seg + score + why)}, gone from {table}) "
                f"to {_quoted(folder / f'{side}_rows.parquet')} (format parquet)")
    rows = con.execute(f"select count(*) from {table}").fetchone()[0]
    match = " and ".join(f"t.{c} is not distinct from k.{c}" for c in seg)
    reader = con.execute(f"select t.entity_id, coalesce(k.code, -1)::int, {', '.join(f't.{c}' for c in score + why)} "
                         f"from {table} t left join codes k on {match} and not t.gone "
                         f"order by t.entity_id").fetch_record_batch(BATCH_ROWS)
    files = _ArrayFiles(folder, side, rows, width, len(seg))
    try:
        for batch in _batches(reader, width, len(seg), reasons):
            files.append(batch)
    finally:
        files.close()
    return rows


def _find_changes(con, read: _Read, previous: StoreVersion) -> int:
    """Temp table `delta`: the previous version's delta updated with the customers that changed since that version
    (new, moved, rescored, gone), found by a join in the engine; returns how many changed."""
    seg, score, why = read.columns
    base, delta = (_quoted(previous.path / f"{side}_rows.parquet") for side in ("base", "delta"))
    con.execute(f"""create temp view previous as
        select b.* exclude (gone) from read_parquet({base}) b anti join read_parquet({delta}) d using (entity_id)
        union all select d.* exclude (gone) from read_parquet({delta}) d where not d.gone""")
    differs = " or ".join(f"w.{c} is distinct from p.{c}" for c in seg + score + why)
    nulls = ", ".join(f"null as {c}" for c in seg + score + why)
    con.execute(f"""create temp table changes as
        select w.*, false as gone from wide w left join previous p on w.entity_id = p.entity_id
        where p.entity_id is null or {differs}
        union all by name
        select p.entity_id, {nulls}, true as gone from previous p anti join wide w using (entity_id)""")
    con.execute(f"""create temp table delta as
        select d.* from read_parquet({delta}) d anti join changes c using (entity_id)
        union all by name select * from changes""")
    return con.execute("select count(*) from changes").fetchone()[0]


def _has_rows(version: StoreVersion) -> bool:
    return all((version.path / f"{side}_rows.parquet").exists() for side in ("base", "delta"))


def publish(db: str | Path, store: str | Path, *, compact_ratio: float = 0.2) -> dict:
    """Publish the warehouse's latest segments as a new store version and make it current.

    Writes only the customers whose combination, scores or reasons changed since the current version
    (into the delta, hard-linking the base), found by a join in DuckDB so Python sees only those, unless
    the delta would exceed `compact_ratio` of the base, the frameworks or the id width changed, or there
    is no version yet (or one from before the Parquet rows): then a fresh base, streamed in id order.
    Returns what was written.
    """
    db, store = Path(db), Path(store)
    if not db.exists():
        raise EngineError(f"{db}: no such DuckDB file")
    (store / "versions").mkdir(parents=True, exist_ok=True)
    previous = open_version(store) if (store / CURRENT).exists() else None
    name = f"{int(current_version(store)) + 1 if previous else 1:06d}"
    spill = Path(tempfile.mkdtemp(prefix=".spill.", dir=store))
    work = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=store / "versions"))
    # A bounded engine: the group-by, joins and sorts spill to disk rather than take the machine's memory.
    con = duckdb.connect(str(db), read_only=True, config={"memory_limit": MEMORY_LIMIT, "temp_directory": str(spill),
                                                          "preserve_insertion_order": False})
    try:
        con.execute("set enable_progress_bar = false")  # long queries would draw a bar on stdout
        read = _read_customers(con, db, previous)
        reasons = {";".join(r): i for i, r in enumerate(previous.reasons)} if previous else {}
        fresh_base = (previous is None or list(previous.frameworks) != read.frameworks or not _has_rows(previous)
                      or read.width > previous.base["ids"].itemsize)
        changed = read.customers
        if not fresh_base:
            changed = _find_changes(con, read, previous)
            in_delta = con.execute("select count(*) from delta").fetchone()[0]
            fresh_base = in_delta > compact_ratio * max(len(previous.base["ids"]), 1)
        if fresh_base:
            changed = read.customers
            written = _write_side(con, read, work, "base", "(select *, false as gone from wide)", read.width, reasons)
            con.execute("create or replace temp table delta as select *, false as gone from wide limit 0")
            _write_side(con, read, work, "delta", "delta", read.width, reasons)
        else:
            for part in [*(f"base_{p}.npy" for p in PARTS), "base_rows.parquet"]:
                os.link(previous.path / part, work / part)
            written = _write_side(con, read, work, "delta", "delta", previous.base["ids"].itemsize, reasons)
        combinations = [{"segments": dict(item.split("=", 1) for item in key.split(";")) if key else {},
                         "customers": read.counts.get(code, 0), "example_customer": read.examples.get(code)}
                        for key, code in read.codes.items()]
        meta = {"version": name, "as_of": read.as_of, "published": dt.datetime.now(dt.timezone.utc).isoformat(),
                "customers": read.customers, "changed": changed, "written": written, "fresh_base": fresh_base,
                "frameworks": read.frameworks, "combinations": combinations, "reasons": list(reasons)}
        (work / "meta.json").write_text(json.dumps(meta, indent=1))
        os.rename(work, store / "versions" / name)
    except duckdb.Error as exc:
        shutil.rmtree(work, ignore_errors=True)
        raise EngineError(f"{db}: publishing customers' segment combinations failed (engine memory capped at "
                          f"{MEMORY_LIMIT}, spilling to {spill}): {exc}") from None
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)
    pointer = store / f".{CURRENT}.{name}.tmp"
    pointer.write_text(name + "\n")
    os.replace(pointer, store / CURRENT)  # the switch: readers see the old version or this one
    return {key: meta[key] for key in ("version", "as_of", "customers", "changed", "written", "fresh_base")}
