"""Run the decision service with uvicorn (uvloop and httptools when installed)."""
from __future__ import annotations

import uvicorn

from govex.api.app import ServiceSettings, create_app


def serve(settings: ServiceSettings, *, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Build the first snapshot, then serve until interrupted."""
    app = create_app(settings)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, loop="auto", http="auto")
