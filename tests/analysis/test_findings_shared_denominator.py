"""A rate cut further than its denominator (contacts per order by market and reason): causes are read
against their market's orders, and their shares of the movement add up with the unexplained rest.

Hand calculation: four markets with 1,000 / 2,000 / 1,500 / 500 orders in both weeks, four contact
reasons with 200 contacts each per market in the first week (3,200 contacts over 5,000 orders:
0.64 per order). In the second week MX x b goes 200 -> 1,200 (+1,000) and BR x a 200 -> 100 (-100):
4,100 contacts, 0.82 per order, a change of +0.18. MX x b contributes +1,000 / 5,000 = +0.20 and
BR x a -100 / 5,000 = -0.02: gross movement 0.22, so their shares are 0.20 / 0.22 and 0.02 / 0.22,
while MX x b alone "explains" 0.20 / 0.18 = 111% of the net change (the figure users misread).
"""
import pandas as pd
import pytest

from govex.analysis.findings import explain_change

ORDERS = {"BR": 1000, "MX": 2000, "CO": 1500, "AR": 500}


def _cube() -> pd.DataFrame:
    rows = []
    for period, moved in (("2026-01-05", {}), ("2026-01-12", {("MX", "b"): 1200, ("BR", "a"): 100})):
        for market, orders in ORDERS.items():
            for reason in "abcd":
                contacts = moved.get((market, reason), 200)
                rows.append({"metric": "contact_rate", "period_start": period, "market": market, "reason": reason,
                             "numerator": contacts, "denominator": orders, "value": contacts / orders})
    return pd.DataFrame(rows)


def test_shares_of_the_movement_add_up_on_a_shared_denominator():
    change = explain_change(_cube(), metric="contact_rate", before="2026-01-05", after="2026-01-12",
                            by=["market", "reason"], denominator_by=["market"])
    assert change.value_before == pytest.approx(3200 / 5000)
    assert change.value_after == pytest.approx(4100 / 5000)
    causes = {c.label(): c for c in change.localization.root_causes}
    mx, br = causes["market=MX & reason=b"], causes["market=BR & reason=a"]
    assert (mx.expected, mx.actual) == (pytest.approx(200 / 2000), pytest.approx(1200 / 2000))
    assert (br.expected, br.actual) == (pytest.approx(200 / 1000), pytest.approx(100 / 1000))
    assert mx.contribution == pytest.approx(0.20) and br.contribution == pytest.approx(-0.02)
    assert mx.share == pytest.approx(0.20 / 0.22) and br.share == pytest.approx(0.02 / 0.22)
    assert mx.explained_share == pytest.approx(0.20 / 0.18)
    assert change.localization.unexplained_share == pytest.approx(0.0, abs=1e-9)
    text = change.render()
    assert "91% of the movement (up)" in text and "9% of the movement (down)" in text
    assert "111%" not in text
