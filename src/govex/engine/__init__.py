"""Engine access through Ibis (DuckDB by default, Spark and others by URL)."""
from govex.engine.warehouse import DEFAULT_URL, Warehouse, connect

__all__ = ["DEFAULT_URL", "Warehouse", "connect"]
