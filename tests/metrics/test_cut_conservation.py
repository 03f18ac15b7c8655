"""Cutting a rate by a dimension its numerator reaches only through a key loses no event.

Contacts without an order have no category: the cut keeps them in a "(none)" cell with their count,
no orders and no value (never an infinite rate), so the category cells add up to the uncut total.
"""
import numpy as np

from govex.metrics import compute_metrics


def test_contacts_without_an_order_stay_in_a_category_cut(synth_wh, synth):
    contacts = synth.tables["contacts"]
    assert contacts["order_id"].isna().any(), "the synthetic marketplace has contacts without an order"
    total = compute_metrics(synth_wh, metrics=["contact_rate"], by=[], period="month")
    cut = compute_metrics(synth_wh, metrics=["contact_rate"], by=["category"], period="month")
    by_month = cut.groupby("period_start")[["numerator", "denominator"]].sum()
    whole = total.set_index("period_start")[["numerator", "denominator"]]
    assert np.allclose(by_month.loc[whole.index].to_numpy(), whole.to_numpy())
    orphans = cut[cut["category"] == "(none)"]
    assert len(orphans) and (orphans["denominator"] == 0).all() and orphans["value"].isna().all()
    assert np.isfinite(cut.drop(orphans.index)["value"]).all()
