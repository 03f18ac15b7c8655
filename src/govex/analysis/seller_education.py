"""The seller academy's effect on violations, adjusted for who enrols.

Sellers choose to enrol, and the ones with a clean record choose it more, so enrolled and
not-enrolled sellers differ before any lesson: their plain difference in violations overstates
what the programme does. The units (`govex.features.seller_programmes`) compare sellers enrolling
inside one window with sellers who did not, on violations after it, and the one adjusted
estimator (`govex.analysis.adjusted_effect`, AIPW) weighs them by their record before it.
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from govex.analysis.adjusted_effect import adjusted_effect
from govex.analysis.recovery import ProgrammeEffect
from govex.errors import ConfigError
from govex.features.programmes import default_as_of
from govex.features.seller_programmes import academy_units, academy_windows, first_order_day

if TYPE_CHECKING:
    from govex.engine.warehouse import Warehouse


def seller_education_effect(warehouse: Warehouse, *, as_of: dt.date | None = None, opens: dt.date | None = None,
                            closes: dt.date | None = None, programme: str | None = None) -> ProgrammeEffect:
    """Adjusted effect of enrolling in [opens, closes) on violations per seller-year from `closes` to `as_of`.

    By default the window runs from a quarter to half-way through the data, so a quarter of it is
    the baseline the adjustment reads and the second half the outcome.
    """
    as_of = as_of or default_as_of(warehouse)
    default_opens, default_closes = academy_windows(first_order_day(warehouse), as_of)
    opens, closes = opens or default_opens, closes or default_closes
    units = academy_units(warehouse, opens=opens, closes=closes, as_of=as_of, programme=programme)
    treated = int(units.treated.sum())
    if min(treated, len(units) - treated) < 2:
        raise ConfigError(f"seller education: {treated} sellers enrolled in [{opens}, {closes}) and "
                          f"{len(units) - treated} did not; not enough of both to estimate an effect")
    numeric = ["log_orders", "n_violations", *(["return_share"] if "return_share" in units.columns else [])]
    effect = adjusted_effect(
        units, treatment="treated", outcome="violations_per_year", numeric=numeric,
        categorical=[c for c in ("seller_type", "market") if units[c].nunique() > 1], segment="seller_type",
    )
    return ProgrammeEffect(f"seller education{f' ({programme})' if programme else ''}, enrolled {opens} to {closes}",
                           f"violations per seller-year from {closes} to {as_of}", units, effect)
