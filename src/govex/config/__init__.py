"""govex.yaml: pydantic models, a loader that reports file:line, and the example `govex init` writes."""
from govex.config.example import EXAMPLE_CONFIG, write_example_config
from govex.config.json_schema import config_json_schema
from govex.config.loader import load_config
from govex.config.model import GovexConfig, Pseudonymisation, TableSource

__all__ = ["EXAMPLE_CONFIG", "GovexConfig", "Pseudonymisation", "TableSource", "config_json_schema", "load_config", "write_example_config"]
