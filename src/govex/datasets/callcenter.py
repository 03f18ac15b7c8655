"""Hourly interval actuals from the Anonymous Bank (1999) per-call records in ../shared/data/callcenter.

Brown, Gans, Mandelbaum, Sakov, Shen, Zeltyn & Zhao, "Statistical Analysis of a Telephone Call
Center", JASA 100(469), 2005; data published by the Technion SEE Center. The files are read as
the data's README prescribes (whitespace-separated, PHANTOM calls dropped). Internet support
(`IN`) has its own agent group and is left out; an `AGENT` record with `NO_SERVER` or no talk
time is not counted as service (README "doubtful AGENT records").

One row per hour with calls offered to the agents, in the interval-actuals layout that
`govex plan calibrate` reads: calls = served + abandoned from the queue (a caller who hangs up
in the IVR never reached the agents), aht_s = mean talk time of the calls served, agents =
distinct agents who started a service in the hour, abandoned = hung up in the queue,
answered_in_target = served after waiting at most the answer target.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from govex.planning.calibration import ACTUALS_COLUMNS


def read_calls(path: Path) -> pd.DataFrame:
    """One month of per-call records with timestamps, outcome and waits (PHANTOM calls dropped)."""
    df = pd.read_csv(path, sep=r"\s+", dtype=str)
    for col in ("q_time", "ser_time"):
        df[col] = df[col].astype(int)
    df = df[df["outcome"] != "PHANTOM"]
    day = pd.to_datetime("19" + df["date"], format="%Y%m%d")
    df = df.assign(
        entry=day + pd.to_timedelta(df["vru_exit"]),
        queued=df["q_start"] != "0:00:00",
        served=(df["outcome"] == "AGENT") & (df["server"] != "NO_SERVER") & (df["ser_time"] > 0),
    )
    # a call crossing midnight in the IVR leaves it on the next day
    late = pd.to_timedelta(df["vru_exit"]) < pd.to_timedelta(df["vru_entry"])
    df.loc[late, "entry"] += pd.Timedelta(days=1)
    return df


def hourly_actuals(paths: list[Path], *, answer_target_s: float = 20.0) -> pd.DataFrame:
    """Hourly interval actuals of every hour with at least one call offered to the agents."""
    calls = pd.concat([read_calls(p) for p in paths], ignore_index=True)
    calls = calls[calls["type"] != "IN"]
    abandoned = calls["queued"] & (calls["outcome"] == "HANG")
    offered = calls[calls["served"] | abandoned].copy()
    offered["abandoned"] = abandoned[offered.index]
    offered["in_target"] = offered["served"] & (offered["q_time"] <= answer_target_s)
    offered["interval_start"] = offered["entry"].dt.floor("h")
    offered["talk_s"] = offered["ser_time"].where(offered["served"])
    g = offered.groupby("interval_start")
    agents = offered[offered["served"]].groupby("interval_start")["server"].nunique()
    out = pd.DataFrame({
        "calls": g.size(),
        "aht_s": g["talk_s"].mean(),
        "agents": agents.reindex(g.size().index, fill_value=0),
        "abandoned": g["abandoned"].sum(),
        "answered_in_target": g["in_target"].sum(),
    }).reset_index()
    out.insert(1, "interval_s", 3600)
    return out[list(ACTUALS_COLUMNS)]
