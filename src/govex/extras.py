"""Which optional extra provides each optional package, so a missing one is named with its fix.

`pip install govex` gives the library and the CLI; the decision API, the dashboard, the PDF and
slide report and local Spark each need an extra (see pyproject.toml).
"""
from __future__ import annotations

from govex.errors import MissingExtraError

# top-level import name -> extra that installs it
EXTRA_OF_PACKAGE = {
    "fastapi": "api",
    "uvicorn": "api",
    "streamlit": "dashboard",
    "altair": "dashboard",
    "matplotlib": "report",
    "weasyprint": "report",
    "pptx": "report",
    "pyspark": "spark",
}


def missing_extra(exc: ImportError) -> MissingExtraError | None:
    """The error naming the extra to install when `exc` is a missing optional package, else None."""
    package = (getattr(exc, "name", None) or "").split(".")[0]
    extra = EXTRA_OF_PACKAGE.get(package)
    if extra is None:
        return None
    return MissingExtraError(f"this needs the optional package {package!r}, which is not installed; "
                             f"install it with: pip install 'govex[{extra}]'  (or 'govex[all]' for every extra)")
