"""`govex init --sample FILE`: look at a user's file and propose its govex.yaml entry.

DuckDB sniffs the file (delimiter, header, column types) and reads a sample. Each contract
column of the target table is matched to a source column by name (the contract name itself,
then common names for the same thing in call-centre and ticketing exports) and checked by
type (a time column must hold timestamps, a duration must be numeric); a time column with no
name match takes the first timestamp column. Every guess is written with a comment that says
why, and every required column left unmatched with what to do, so the proposal is a start
to edit, never a silent mapping.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from govex.config.example import write_new_config
from govex.contract.schema import BOOL, DATE, FLOAT, INT, TABLES, TIMESTAMP
from govex.errors import ConfigError

__all__ = ["Proposal", "propose_mapping", "write_proposal"]

# Source names seen for a contract column (lower case, compared without separators).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "contact_id": ("callid", "ticketid", "interactionid", "conversationid", "caseid", "sessionid", "id"),
    "customer_id": ("customer", "clientid", "client", "callerid", "accountid", "userid"),
    "order_id": ("order", "ordernumber", "orderno"),
    "created_at": ("created", "createdtime", "starttime", "start", "calltime", "timestamp", "arrivaltime",
                   "arrival", "vruentry", "datetime", "openedat", "opened", "receivedat"),
    "channel": ("medium", "mediatype", "channeltype", "contacttype"),
    "queue": ("skill", "skillset", "split", "callqueue", "group", "department", "type", "calltype"),
    "reason": ("disposition", "topic", "category", "intent", "wrapup", "subject"),
    "wait_time_s": ("waittime", "qtime", "queuetime", "waitseconds", "holdtime"),
    "handle_time_s": ("handletime", "aht", "sertime", "servicetime", "talktime", "duration", "handleseconds"),
    "resolved_at": ("closedat", "closed", "endtime", "resolved", "solvedat"),
    "agent_id": ("agent", "agentname", "server", "operator", "rep", "employee", "employeeid", "assignee"),
    "vendor_id": ("vendor", "bpo", "outsourcer", "site"),
    "automated": ("selfservice", "ivronly", "bot", "botonly"),
    "first_contact_resolution": ("fcr", "resolvedfirstcontact"),
    "text": ("summary", "transcript", "message", "comment", "notes", "description"),
    "market": ("country", "region", "locale"),
}
NUMERIC = (INT, FLOAT)


def _key(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


@dataclass(frozen=True)
class SourceColumn:
    name: str
    dtype: str  # DuckDB type as sniffed
    examples: tuple[str, ...]
    unique: bool  # no repeated value in the sample

    @property
    def kind(self) -> str:
        t = self.dtype.upper()
        if t.startswith("TIMESTAMP") or t == "DATE":
            return "time"
        if t.startswith("TIME"):
            return "clock"
        if t in ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT", "DOUBLE", "FLOAT", "REAL") or t.startswith("DECIMAL"):
            return "number"
        if t == "BOOLEAN":
            return "bool"
        return "text"


@dataclass(frozen=True)
class Guess:
    column: str  # contract column
    source: str | None
    why: str


@dataclass(frozen=True)
class Proposal:
    """The proposed entry for one canonical table from one file."""

    table: str
    path: Path
    delimiter: str | None
    columns: tuple[SourceColumn, ...]
    guesses: tuple[Guess, ...]

    def yaml(self, relative_to: Path) -> str:
        """A commented govex.yaml proposing this mapping (paths relative to the config's folder)."""
        try:
            shown = Path(os.path.relpath(self.path.resolve(), relative_to.resolve()))
        except ValueError:  # another drive
            shown = self.path.resolve()
        contract = TABLES[self.table]
        lines = [
            f"# govex.yaml proposed by `govex init --sample {self.path.name}`: check every guess, then run",
            "#   govex ingest --config <this file>",
            f"# Columns found in {self.path.name}:",
            *(f"#   {c.name}: {c.dtype.lower()}, e.g. {', '.join(c.examples) or '(empty)'}" for c in self.columns),
            "engine: duckdb:///govex.duckdb",
            "reporting_currency: USD",
            "tables:",
            f"  {self.table}:",
            f"    file: {shown.as_posix()}",
        ]
        if self.delimiter not in (None, ","):
            lines.append(f"    delimiter: {self.delimiter!r}".replace("'\\t'", '"\\t"'))
        renames = [g for g in self.guesses if g.source and g.source != g.column]
        same = [g for g in self.guesses if g.source == g.column]
        if renames:
            lines.append("    rename:")
            width = max(len(g.source) for g in renames) + len(": ") + max(len(g.column) for g in renames)
            for g in renames:
                pair = f"{g.source}: {g.column}"
                lines.append(f"      {pair:<{width}}  # {g.why}")
        for g in same:
            lines.append(f"    # {g.column}: {g.why}")
        for g in self.guesses:
            if g.source is None:
                col = contract.column(g.column)
                if col.default is not None:
                    lines.append(f"    # {g.column}: no column found; every row gets the default {col.default!r}")
                elif not col.nullable:
                    hint = g.why or ("map one with rename, or compute it in a sql: source"
                                     + (" (e.g. select ..., 'phone' as channel)" if g.column == "channel" else ""))
                    lines.append(f"    # {g.column}: REQUIRED, no column found ({col.meaning}); {hint}")
        return "\n".join(lines) + "\n"


def _sniff(path: Path) -> tuple[str | None, list[SourceColumn]]:
    import duckdb

    if not path.is_file():
        raise ConfigError(f"govex init --sample: {path} does not exist or is not a file")
    con = duckdb.connect()
    name = path.name.lower()
    try:
        if name.endswith(".parquet"):
            delimiter, rel = None, con.sql("select * from read_parquet(?)", params=[str(path)])
        else:
            # ignore_errors: a few malformed rows must not stop a look at the columns
            delimiter = con.execute("select Delimiter from sniff_csv(?, ignore_errors = true)", [str(path)]).fetchone()[0]
            rel = con.sql("select * from read_csv(?, sample_size = 20000, ignore_errors = true)", params=[str(path)])
        sample = rel.limit(1000).df()
        types = dict(zip(rel.columns, (str(t) for t in rel.types)))
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0]
        raise ConfigError(f"govex init --sample: could not read {path} as CSV or Parquet: {first}") from exc
    finally:
        con.close()
    columns = []
    for col in sample.columns:
        values = sample[col].dropna().astype(str)
        columns.append(SourceColumn(col, types[col], tuple(v[:24] for v in values.unique()[:3]),
                                    bool(values.is_unique)))
    return delimiter, columns


def _fits(contract_dtype: str, source: SourceColumn) -> bool:
    if contract_dtype in (TIMESTAMP, DATE):
        return source.kind == "time"
    if contract_dtype in NUMERIC:
        return source.kind == "number"
    if contract_dtype == BOOL:
        return source.kind in ("bool", "number", "text")
    return True  # anything can be read as text


def _guess(table: str, columns: list[SourceColumn]) -> list[Guess]:
    contract = TABLES[table]
    by_key = {_key(c.name): c for c in columns}
    taken: set[str] = set()
    guesses = []
    for col in contract.columns:
        hit, why = None, ""
        for candidate in (col.name, *SYNONYMS.get(col.name, ())):
            source = by_key.get(_key(candidate))
            if source is None or source.name in taken:
                continue
            if _fits(col.dtype, source):
                hit = source
                why = ("same name" if candidate == col.name else f"name '{source.name}' is a usual name for "
                       f"{col.name}") + f"; {source.dtype.lower()} values like {', '.join(source.examples) or '(empty)'}"
                break
            why = f"'{source.name}' has the right name but holds {source.dtype.lower()}, not {col.dtype}: not mapped"
        if hit is None and col.dtype == TIMESTAMP and not col.nullable:
            hit = next((c for c in columns if c.kind == "time" and c.name not in taken), None)
            if hit is not None:
                why = f"first timestamp column ({', '.join(hit.examples)}); no column is named like {col.name}"
        if hit is not None:
            taken.add(hit.name)
            if col.name in contract.primary_key:
                why += ("; unique in the sample" if hit.unique else
                        "; NOT unique in the sample: build a unique key in a sql: source")
        elif col.dtype == TIMESTAMP and not col.nullable:
            clock = next((c for c in columns if c.kind == "clock"), None)
            day = next((c for c in columns if "date" in c.name.lower() or "day" in c.name.lower()), None)
            if clock is not None and day is not None:
                why = (f"the date ('{day.name}', e.g. {', '.join(day.examples[:1])}) and the clock time ('{clock.name}', "
                       f"e.g. {', '.join(clock.examples[:1])}) are separate columns: combine them in a sql: source "
                       "(docs/ingest.md shows one)")
        guesses.append(Guess(col.name, hit.name if hit else None, why))
    return guesses


def propose_mapping(path: str | Path, *, table: str | None = None) -> Proposal:
    """Sniff `path` and propose its mapping onto `table` (default: the table it matches best)."""
    path = Path(path)
    if table is not None and table not in TABLES:
        raise ConfigError(f"--table: unknown table {table!r}; expected one of {', '.join(TABLES)}")
    delimiter, columns = _sniff(path)
    if table is None:
        def score(name: str) -> tuple[int, int]:
            hits = [g for g in _guess(name, columns) if g.source]
            required = [g for g in hits if not TABLES[name].column(g.column).nullable]
            return len(required), len(hits)

        table = max(TABLES, key=score)
    return Proposal(table, path, delimiter, tuple(columns), tuple(_guess(table, columns)))


def write_proposal(proposal: Proposal, target: str | Path, *, force: bool = False) -> Path:
    """Write the proposal's YAML to `target` (temporary name, then rename; refuses to overwrite)."""
    target = Path(target)
    return write_new_config(target, proposal.yaml(target.parent), force=force)
