"""What an ingest did: tables loaded (rows, source), tables absent (features disabled), warnings."""
from __future__ import annotations

from dataclasses import dataclass, field

from govex.contract.validate import ContractIssue


@dataclass(frozen=True)
class LoadedTable:
    """One canonical table written by ingest."""

    name: str
    source: str
    rows: int


@dataclass(frozen=True)
class IngestReport:
    """The outcome of one ingest; every table in `loaded` was replaced in the same transaction."""

    database: str
    loaded: tuple[LoadedTable, ...]
    absent: dict[str, tuple[str, ...]] = field(default_factory=dict)
    warnings: tuple[ContractIssue, ...] = ()

    def rows(self, name: str) -> int:
        """Rows loaded into canonical table `name` (KeyError if it was not loaded)."""
        for loaded in self.loaded:
            if loaded.name == name:
                return loaded.rows
        raise KeyError(f"ingest did not load table {name!r}; loaded: {', '.join(t.name for t in self.loaded)}")

    def to_dict(self) -> dict:
        """A JSON-ready summary (for `--json` output and logs)."""
        return {
            "database": self.database,
            "loaded": [{"table": t.name, "rows": t.rows, "source": t.source} for t in self.loaded],
            "absent": {name: list(features) for name, features in self.absent.items()},
            "warnings": [w.render() for w in self.warnings],
        }
