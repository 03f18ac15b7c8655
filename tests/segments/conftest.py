"""Shared fixtures: the hand-built tiny marketplace of tests/features."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "features"))
