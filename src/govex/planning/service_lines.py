"""The four service lines as queues: customer service, moderation, education and service recovery.

Customer service and moderation arrive as contacts and cases with their own handle times
(`history.contacts_by_interval`, `history.cases_by_interval`). The other two lines' work is read
from their own tables, one queue per programme or failure:

- education: each seller enrolment (`education.enrolled_at`) is one coaching session and each
  customer enrolment (`customer_education.enrolled_at`) one guided onboarding session, delivered
  by the education line (queue ``education_<programme>``);
- service recovery: each goodwill or compensation case (`compensations.granted_at`) is one case
  reviewed and granted by the recovery line (queue ``service_recovery_<failure>``).

Those tables carry no handle time, so each work item takes a stated standard time
(EDUCATION_SESSION_S, GUIDANCE_SESSION_S, RECOVERY_CASE_S; override them per call). A queue's function is its
channel, and each queue is served by the vendor of its function with the most capacity, so plans,
costs and vendor routing keep the four lines apart.
"""
from __future__ import annotations

import pandas as pd

from govex.contract.schema import FUNCTIONS
from govex.planning.vendors import VendorTerms

EDUCATION = "education"
SERVICE_RECOVERY = "service_recovery"
EDUCATION_SESSION_S = 1800.0  # assumption: one 30-minute coaching session per seller enrolment
GUIDANCE_SESSION_S = 600.0  # assumption: one 10-minute guided onboarding session per customer enrolment
RECOVERY_CASE_S = 480.0  # assumption: 8 minutes to review a failure and grant its compensation
# (line, table, time column, column naming the queue) of the work read from the lines' own tables
_SOURCES = ((EDUCATION, "education", "enrolled_at", "programme"),
            (EDUCATION, "customer_education", "enrolled_at", "programme"),
            (SERVICE_RECOVERY, "compensations", "granted_at", "failure"))
COLUMNS = ["queue", "channel", "reason", "period_start", "contacts", "work_s", "handled"]


def function_of(channel: str) -> str:
    """The service line of a queue, from its channel (contact channels are customer service)."""
    return channel if channel in FUNCTIONS else "customer_service"


def service_line_history(warehouse, *, interval_minutes: int = 30, education_session_s: float = EDUCATION_SESSION_S,
                         guidance_session_s: float = GUIDANCE_SESSION_S,
                         recovery_case_s: float = RECOVERY_CASE_S) -> pd.DataFrame:
    """Work items per education and service-recovery queue and interval (the planning history
    schema); empty when the warehouse has none of their tables."""
    seconds = {"education": education_session_s, "customer_education": guidance_session_s,
               "compensations": recovery_case_s}
    parts = []
    for line, name, time, label in _SOURCES:
        if not warehouse.has(name):
            continue
        t = warehouse.table(name, purpose=f"planning ({line.replace('_', ' ')} workload)")
        bucket = (t[time].epoch_seconds() // (interval_minutes * 60)).cast("int64")
        t = t.mutate(queue=f"{line}_" + t[label], reason=t[label], bucket=bucket)
        frame = t.group_by(["queue", "reason", "bucket"]).aggregate(contacts=t.count()).to_pandas()
        frame["period_start"] = pd.to_datetime(frame.pop("bucket").astype("int64") * interval_minutes * 60, unit="s")
        frame["contacts"] = frame["contacts"].astype("float64")
        parts.append(frame.assign(channel=line, work_s=frame["contacts"] * seconds[name], handled=frame["contacts"]))
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    return pd.concat(parts, ignore_index=True)[COLUMNS].sort_values(["queue", "period_start"]).reset_index(drop=True)


def line_vendors(queues: pd.Series, channels: pd.Series, vendors: dict[str, VendorTerms]) -> dict[str, str]:
    """Education and service-recovery queues -> the vendor of that function with the most capacity."""
    best = {}
    for v in sorted(vendors.values(), key=lambda v: (-v.capacity_hours_week, v.vendor_id)):
        best.setdefault(v.function, v.vendor_id)
    return {q: best[c] for q, c in zip(queues, channels) if c in (EDUCATION, SERVICE_RECOVERY) and c in best}
