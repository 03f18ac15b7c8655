"""The demo's line per planted event: where, when and size, and no empty brackets or colons."""
from govex.demo import _describe_event


def test_an_event_without_sizes_is_described_by_its_definition():
    ring = {"type": "seller_fraud_ring", "seller_ids": ["S1", "S2"], "signals": {"x": "y"},
            "definition": "merchants colluding on fake redemptions"}
    assert _describe_event(ring) == "seller_fraud_ring (2 sellers): merchants colluding on fake redemptions"


def test_an_event_without_a_place_has_no_empty_brackets():
    effect = {"type": "education_effect", "programme": "academy", "violation_rate_multiplier": 0.6}
    assert _describe_event(effect) == "education_effect (programme=academy): violation_rate_multiplier 0.6"
    assert _describe_event({"type": "drift", "size": 2}) == "drift: size 2"


def test_a_windowed_event_names_its_dates():
    spike = {"type": "spike", "market": "BR", "start": "2025-02-06", "end_exclusive": "2025-03-29", "rate": 0.42}
    assert _describe_event(spike) == "spike (market=BR) from 2025-02-06 to 2025-03-29: rate 0.42"
