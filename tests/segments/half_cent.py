"""A tiny hand-made order history with one customer whose mean repeat spend lies on a half cent.

Customer H bought 100.00 on 2024-01-05, then 205.52 on 2024-02-05 and 205.53 on 2024-03-05:
two repeat purchase days, mean repeat spend (205.52 + 205.53) / 2 = 205.525 exactly. A float
sum of those two amounts, rounded to cents, can land on either side (the reported bug: the
customer dropped out of the value framework on some runs). The other customers follow simple
patterns so the CLV models have something to fit.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

AS_OF = dt.date(2024, 7, 1)
HALF_CENT = "H"
HALF_CENT_ORDERS = [("2024-01-05", 100.00), ("2024-02-05", 205.52), ("2024-03-05", 205.53)]


def orders() -> pd.DataFrame:
    stories: dict[str, list[tuple[str, float]]] = {HALF_CENT: HALF_CENT_ORDERS}
    start = dt.date(2024, 1, 1)
    for i in range(60):
        n_days = 40 if i % 3 == 0 else i % 5 + 1  # a third buy until the as-of date, the rest stop after 1-5 days
        gap = 9 + 3 * (i % 7)                   # every 9 to 27 days
        first = start + dt.timedelta(days=3 * i)
        days = [first + dt.timedelta(days=gap * k) for k in range(n_days)]
        stories[f"c{i:02d}"] = [(d.isoformat(), round((12.5 + 7.31 * (i % 9)) * (0.4 + 0.35 * ((3 * k + i) % 5)), 2))
                                for k, d in enumerate(days) if d < AS_OF]
    rows = []
    for customer, story in stories.items():
        for k, (day, amount) in enumerate(story):
            rows.append({
                "order_id": f"{customer}-o{k}", "customer_id": customer, "seller_id": "s1", "market": "US",
                "ordered_at": pd.Timestamp(day) + pd.Timedelta(hours=9 + k), "amount": amount, "currency": "USD",
                "status": "delivered", "category": "books", "carrier": "ups", "platform": "web",
                "promised_date": pd.NaT, "delivered_at": pd.NaT,
            })
    frame = pd.DataFrame(rows)
    frame["promised_date"] = frame["promised_date"].astype("datetime64[ns]")
    frame["delivered_at"] = frame["delivered_at"].astype("datetime64[ns]")
    return frame
