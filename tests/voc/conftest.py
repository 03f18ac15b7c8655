"""Shared VOC fixtures: the small English contacts file shipped beside the tests."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

CONTACTS_CSV = Path(__file__).parent / "data" / "contacts_en.csv"


@pytest.fixture(scope="session")
def contacts_en() -> pd.DataFrame:
    """120 English contacts, 24 per reason over five reasons, of 40 customers, written for these tests
    (in-house: vendor_id is empty)."""
    frame = pd.read_csv(CONTACTS_CSV, parse_dates=["created_at"], dtype={"vendor_id": object})
    frame["automated"] = frame["automated"].astype(bool)
    frame["vendor_id"] = pd.array([None] * len(frame), dtype="string")
    return frame
