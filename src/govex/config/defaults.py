"""Defaults that code below the config stage needs without loading the pydantic models."""
from __future__ import annotations

DEFAULT_URL = "duckdb:///govex.duckdb"  # the engine when govex.yaml names none
