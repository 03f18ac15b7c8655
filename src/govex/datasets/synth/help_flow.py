"""A planted non-randomised change: a new help flow in one market from a date.

From the launch day on, the help flow answers a fixed share of the customer issues that start in
that market before any contact is made: those issues' contacts never happen (and neither do the
surveys sent after them). Nothing else changes, and no other market gets the flow, so the change
is the kind `govex impact` is for: one treated market, the others as controls, a known effect.

The share is drawn from its own random stream (seed, HELP_FLOW_STREAM), one uniform per issue
whatever the market or date, so every other table row stays exactly as it was without the change.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from govex.datasets.synth.config import MARKET_CODES, SynthConfig
from govex.datasets.synth.events import Window
from govex.datasets.synth.service import ContactSim

HELP_FLOW_STREAM = 18_001
MARKET = "DE"
START_FRACTION = 0.70  # after the other contact events (MX surge at 0.30, BR late spike at 0.55-0.62)
DEFLECTED_SHARE = 0.25


@dataclass(frozen=True)
class HelpFlowLaunch:
    market: str
    start_day: int
    deflected_share: float
    deflected: np.ndarray  # bool per contact: the contact does not happen

    def truth(self, start_iso: str, end_iso: str) -> dict:
        return {
            "type": "help_flow_launch", "market": self.market, "start": start_iso, "end_exclusive": end_iso,
            "metric": "contact_rate", "relative_effect": -self.deflected_share,
            "randomised": False,
            "definition": f"from start on, a share {self.deflected_share} of the customer issues starting in "
                          f"{self.market} is answered by the new help flow before any contact: those issues' "
                          "contacts (and the surveys after them) do not exist, so contacts per order in the "
                          f"market fall by {self.deflected_share:.0%} for issues started from that date to "
                          "end_exclusive; no other market gets the flow",
        }


def launch_help_flow(cfg: SynthConfig, contacts: ContactSim) -> HelpFlowLaunch:
    """Which contacts the help flow prevents (issues started in MARKET on or after the launch day)."""
    rng = np.random.default_rng([cfg.seed, HELP_FLOW_STREAM])
    start = Window.of(cfg, START_FRACTION, 1.0).start_day
    issues = int(contacts.issue.max()) + 1 if contacts.issue.size else 0
    answered = rng.random(issues) < DEFLECTED_SHARE
    deflected = (answered[contacts.issue] & (contacts.market == MARKET_CODES.index(MARKET))
                 & (contacts.issue_first_day >= start))
    return HelpFlowLaunch(MARKET, start, DEFLECTED_SHARE, deflected)
