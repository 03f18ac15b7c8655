"""Run the decision service with uvicorn (uvloop and httptools when installed), loopback unless told otherwise.

Binding to any other address needs `allow_remote`, and without a certificate the service says to put
TLS in front (a reverse proxy; see docs/api.md). Log records go to stderr as one JSON object per
line through the standard `logging` module.
"""
from __future__ import annotations

import ipaddress
import json
import logging
from pathlib import Path

import uvicorn

from govex.api.app import ServiceSettings, create_app
from govex.errors import ConfigError
from govex.logs import route_library_logs

log = logging.getLogger("govex.api")


class JsonLines(logging.Formatter):
    """A log record as one JSON line: time, level, logger, message (and the exception, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"), "level": record.levelname,
               "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=True)


def configure_logging(level: int = logging.INFO) -> None:
    route_library_logs(JsonLines(), level)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_binding(host: str, *, allow_remote: bool, tls: bool) -> None:
    """Refuse a non-loopback address without `allow_remote`; warn when it will be served without TLS."""
    if is_loopback(host):
        return
    if not allow_remote:
        raise ConfigError(f"--host {host} would expose the decision API beyond this machine; pass --allow-remote "
                          f"and put TLS in front of it (a reverse proxy, or --ssl-certfile/--ssl-keyfile)")
    if not tls:
        log.warning("serving on %s without TLS: API keys cross the network in clear text unless a TLS-terminating "
                    "proxy sits in front", host)


def serve(settings: ServiceSettings, *, host: str = "127.0.0.1", port: int = 8000, allow_remote: bool = False,
          ssl_certfile: Path | None = None, ssl_keyfile: Path | None = None) -> None:
    """Build the first snapshot, then serve until interrupted."""
    if (ssl_certfile is None) != (ssl_keyfile is None):
        raise ConfigError("--ssl-certfile and --ssl-keyfile go together; give both or neither")
    configure_logging()
    check_binding(host, allow_remote=allow_remote, tls=ssl_certfile is not None)
    app = create_app(settings)
    # No proxy headers: the client address (per-address failure limits, audit) is the peer's, never a header's.
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, loop="auto", http="auto",
                proxy_headers=False, server_header=False, ssl_certfile=str(ssl_certfile) if ssl_certfile else None,
                ssl_keyfile=str(ssl_keyfile) if ssl_keyfile else None)
