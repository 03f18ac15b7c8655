"""Start the Streamlit dashboard on a DuckDB file, bound to loopback unless told otherwise."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from govex.errors import ConfigError

APP = Path(__file__).with_name("app.py")
DEFAULT_ADDRESS = "127.0.0.1"
DEFAULT_PORT = 8501


def dashboard_command(db: str | Path, *, port: int = DEFAULT_PORT, address: str = DEFAULT_ADDRESS) -> list[str]:
    """The `streamlit run` command line: headless, no usage statistics, no file watcher."""
    db = Path(db)
    if not db.is_file():
        raise ConfigError(f"--db {db}: no such DuckDB file; run `govex demo` or `govex ingest` first")
    return [sys.executable, "-m", "streamlit", "run", str(APP), "--server.headless", "true",
            "--server.address", address, "--server.port", str(port), "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none", "--client.toolbarMode", "viewer", "--", "--db", str(db.resolve())]


def run_dashboard(db: str | Path, *, port: int = DEFAULT_PORT, address: str = DEFAULT_ADDRESS) -> int:
    """Run the dashboard in the foreground until interrupted; returns Streamlit's exit code."""
    return subprocess.call(dashboard_command(db, port=port, address=address))
