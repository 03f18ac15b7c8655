"""Map sources onto the canonical tables, validate them, and load them atomically into DuckDB."""
from govex.ingest.load import load_tables, open_database
from govex.ingest.pipeline import ingest, ingest_folder
from govex.engine.pseudonymise import pseudonymise
from govex.ingest.report import IngestReport, LoadedTable

__all__ = ["IngestReport", "LoadedTable", "ingest", "ingest_folder", "load_tables", "open_database", "pseudonymise"]
