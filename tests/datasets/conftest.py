"""One mid-sized synthetic marketplace shared by the dataset tests (large enough to see events)."""
from __future__ import annotations

import pytest

from govex.datasets import Marketplace, generate

EVENT_CUSTOMERS = 40_000
EVENT_SEED = 11


@pytest.fixture(scope="session")
def market() -> Marketplace:
    return generate(customers=EVENT_CUSTOMERS, seed=EVENT_SEED)
