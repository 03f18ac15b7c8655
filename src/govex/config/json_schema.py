"""The JSON schema of govex.yaml, generated from the pydantic model (docs/govex.schema.json)."""
from __future__ import annotations

import json

from govex.config.model import GovexConfig


def config_json_schema() -> str:
    """GovexConfig's JSON schema as stable, indented JSON text (for editors' YAML validation)."""
    schema = GovexConfig.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "govex.yaml"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
