"""The shipped KPIs written again, independently, in idiomatic pandas (test oracle and bench peer).

Money is converted to the reporting currency with fx_rates (the rate valid on the row's day),
as the catalogue's definitions say. Supports the cuts market, journey and segment:<framework> (customer segment from a
{customer_id: segment} mapping), seller_segment:<framework> for the seller metrics (from a {seller_id:
segment} mapping) and the periods day, week, month and all (the whole range). Each
metric lists the cuts its tables carry; a requested cut a metric cannot take is reported as "(all)", as govex's partial mode.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

ALL, NONE = "(all)", "(none)"
WHOLE_RANGE_KEY = pd.Timestamp("1970-01-01")  # period "all": every row in one cell (compare on the cuts)


def period_start(values: pd.Series, period: str) -> pd.Series:
    if period == "all":
        return pd.Series(WHOLE_RANGE_KEY, index=values.index)
    day = pd.to_datetime(values).dt.normalize()
    if period == "week":
        return day - pd.to_timedelta(day.dt.weekday, unit="D")
    if period == "month":
        return day.dt.to_period("M").dt.start_time
    if period == "day":
        return day
    raise ValueError(period)


class Reference:
    """KPIs from raw frames: `compute(name, by, period)` -> period_start, cuts..., value."""

    def __init__(self, tables: dict[str, pd.DataFrame], segments: dict[str, dict[str, str]] | None = None,
                 seller_segments: dict[str, dict[str, str]] | None = None):
        self.t = tables
        self.segments = segments or {}
        self.seller_segments = seller_segments or {}  # framework -> {seller_id: segment}
        self._keys: dict[tuple, pd.DataFrame] = {}

    # ---- cutting -------------------------------------------------------------------------
    def _keyed(self, frame: pd.DataFrame, time: str, by: list[str], cuts: set[str], period: str) -> tuple[pd.DataFrame, list[str]]:
        """Period and cut columns of a table's rows, built once per table, time column and cuts."""
        ident = (id(frame), time, tuple(by), tuple(sorted(cuts & set(by))), period)
        if ident not in self._keys:
            self._keys[ident] = self._build_keys(frame, time, by, cuts, period)
        return self._keys[ident], ["period_start", *by]

    def _build_keys(self, frame: pd.DataFrame, time: str, by: list[str], cuts: set[str], period: str) -> pd.DataFrame:
        out = pd.DataFrame({"period_start": period_start(frame[time], period)}, index=frame.index)
        for dim in by:
            if dim not in cuts:
                out[dim] = ALL
            elif dim == "journey" and "journey" not in frame:  # surveys reach it through their contact
                journeys = self.t["contacts"].set_index("contact_id")["journey"]
                out[dim] = frame["contact_id"].map(journeys).fillna(NONE)
            elif dim == "market" and "market" not in frame:  # education reaches it through its seller or customer
                owner = "seller_id" if "seller_id" in frame else "customer_id"
                markets = self.t["sellers" if owner == "seller_id" else "customers"].set_index(owner)["market"]
                out[dim] = frame[owner].map(markets).fillna(NONE)
            elif dim.startswith("segment:"):
                mapping = self.segments[dim.split(":", 1)[1]]
                out[dim] = frame["customer_id"].map(mapping).fillna(NONE)
            elif dim.startswith("seller_segment:"):  # surveys reach the seller through their order
                mapping = self.seller_segments[dim.split(":", 1)[1]]
                sellers = frame["seller_id"] if "seller_id" in frame else \
                    frame["order_id"].map(self.t["orders"].set_index("order_id")["seller_id"])
                out[dim] = sellers.map(mapping).fillna(NONE)
            else:
                out[dim] = frame[dim].fillna(NONE).astype(str)
        return out

    def _count(self, table, time, by, cuts, period, mask=None, value=None, distinct=None):
        frame = self.t[table]
        keys, names = self._keyed(frame, time, by, cuts, period)
        mask = pd.Series(True, index=frame.index) if mask is None else mask.fillna(False).astype(bool)
        keys = keys[mask]
        if distinct is not None:
            keys = keys.assign(v=frame.loc[mask, distinct])
            return keys.groupby(names)["v"].nunique().rename("x")
        if value is not None:
            keys = keys.assign(v=value[mask].astype(float))
            return keys.groupby(names)["v"].sum().rename("x")
        return keys.groupby(names).size().rename("x").astype(float)

    def money(self, table: str, column: str, time: str) -> pd.Series:
        """An amount in the reporting currency: times the rate of the latest fx row on or before the row's day.

        Independent of govex's range join: pandas' merge_asof (backward) per currency; a currency
        without any rate row is taken to be the reporting currency already.
        """
        frame = self.t[table]
        fx = self.t.get("fx_rates")
        if fx is None:
            return frame[column].astype(float)
        rows = pd.DataFrame({"day": pd.to_datetime(frame[time]).dt.normalize().astype("datetime64[ns]"),
                             "currency": frame["currency"].astype(object), "row": np.arange(len(frame))})
        rates = pd.DataFrame({"day": pd.to_datetime(fx["valid_from"]).astype("datetime64[ns]"),
                              "currency": fx["currency"].astype(object), "rate": fx["rate_to_reporting"].astype(float)})
        matched = pd.merge_asof(rows.sort_values("day"), rates.sort_values("day"), on="day", by="currency", direction="backward")
        rate = matched.set_index("row")["rate"].reindex(np.arange(len(frame)))
        unrated = ~rows["currency"].isin(set(rates["currency"])).to_numpy()
        rate = np.where(unrated, 1.0, rate.to_numpy())
        return pd.Series(frame[column].to_numpy(dtype=float) * rate, index=frame.index)

    # ---- building blocks -----------------------------------------------------------------
    def _ratio(self, num: pd.Series, den: pd.Series, drop_empty=True) -> pd.DataFrame:
        frame = pd.concat([num.rename("num"), den.rename("den")], axis=1).fillna(0.0)
        frame = frame[(frame["num"] != 0) | (frame["den"] != 0)] if drop_empty else frame
        # events without a denominator (contacts without an order, cut by the order's category) keep
        # their cell with no value, so the cells still add up to the total
        frame["value"] = (frame["num"] / frame["den"]).where(frame["den"] > 0)
        return frame.reset_index()

    def _mean(self, table, time, by, cuts, period, values: pd.Series, mask) -> pd.DataFrame:
        frame = self.t[table]
        keys, names = self._keyed(frame, time, by, cuts, period)
        keep = mask.fillna(False).astype(bool) & values.notna()
        grouped = keys[keep].assign(v=values[keep].astype(float)).groupby(names)["v"].mean()
        return grouped.rename("value").reset_index()

    # ---- the metrics ---------------------------------------------------------------------
    def _seller_metric(self, name: str, by: list[str], period: str, order_cuts: set[str]) -> pd.DataFrame | None:
        """The supply-side metrics (catalogue/sellers.yaml); None for any other name."""
        o, s, a, ed = (self.t[k] for k in ("orders", "surveys", "enforcement_actions", "education"))
        seller_cuts = {"market"} | {f"seller_segment:{f}" for f in self.seller_segments}
        order_cuts = order_cuts | seller_cuts
        count = lambda table, time, mask=None, **kw: self._count(table, time, by, seller_cuts, period, mask=mask, **kw)  # noqa: E731
        orders = lambda mask: self._count("orders", "ordered_at", by, order_cuts, period, mask=mask)  # noqa: E731
        if name == "late_shipment_rate":
            known = (o["fulfilment_type"] == "shipped") & o["delivered_at"].notna() & o["promised_date"].notna()
            late = known & (o["delivered_at"].dt.normalize() > pd.to_datetime(o["promised_date"]))
            return self._ratio(orders(late), orders(known))
        if name in ("redemption_refusal_rate", "no_show_rate"):
            kinds = ["voucher", "appointment"] if name == "redemption_refusal_rate" else ["appointment"]
            known = o["fulfilment_type"].isin(kinds) & o["fulfilment_outcome"].notna()
            outcome = "refused_by_merchant" if name == "redemption_refusal_rate" else "no_show"
            return self._ratio(orders(known & (o["fulfilment_outcome"] == outcome)), orders(known))
        if name == "seller_cancellation_rate":
            with_seller = o["seller_id"].notna()
            return self._ratio(orders(with_seller & o["status"].isin(["cancelled", "unavailable"])), orders(with_seller))
        if name == "seller_rating":
            rated = (s["touchpoint"] == "order") & s["order_id"].notna() & s["csat"].notna()
            return self._mean("surveys", "responded_at", by, order_cuts | {"journey"}, period, s["csat"], rated)
        rungs = {"warnings": "warning", "listing_removals": "listing_removal", "payout_holds": "payout_hold",
                 "suspensions": "suspension", "terminations": "termination"}
        if name == "violation_rate" or name.removesuffix("_per_1000_sellers") in rungs:
            if name == "violation_rate":
                events = count("enforcement_actions", "violation_at")
            else:
                events = count("enforcement_actions", "action_at", a["action"] == rungs[name.removesuffix("_per_1000_sellers")])
            # cut only where both tables can be: enforcement actions reach no customer segment
            active = self._count("orders", "ordered_at", by, seller_cuts, period, distinct="seller_id")
            out = self._ratio(events, active)
            return out.assign(value=out["value"] * 1000)
        if name == "repeat_violation_rate":
            earlier = a.sort_values("violation_at").groupby("seller_id")["violation_at"].shift().reindex(a.index)
            return self._ratio(count("enforcement_actions", "violation_at", earlier.notna()),
                               count("enforcement_actions", "violation_at"))
        if name in ("time_to_action_p50_h", "time_to_action_p90_h"):
            q = 0.5 if name.endswith("p50_h") else 0.9
            keys, names = self._keyed(a, "action_at", by, seller_cuts, period)
            hours = (a["action_at"].dt.floor("s") - a["violation_at"].dt.floor("s")).dt.total_seconds() / 3600
            grouped = keys.assign(v=hours).groupby(names)["v"]
            return grouped.agg(lambda v: np.quantile(v.to_numpy(), q, method="inverted_cdf")).rename("value").reset_index()
        if name == "appeal_rate":
            return self._ratio(count("enforcement_actions", "action_at", a["appeal_filed"] == True),  # noqa: E712
                               count("enforcement_actions", "action_at"))
        if name == "overturn_rate":
            decided = a["appeal_outcome"].isin(["upheld", "overturned"])
            return self._ratio(count("enforcement_actions", "action_at", decided & (a["appeal_outcome"] == "overturned")),
                               count("enforcement_actions", "action_at", decided))
        if name == "education_completion_rate":
            return self._ratio(count("education", "enrolled_at", ed["completed_at"].notna()), count("education", "enrolled_at"))
        return None

    def _moderation_metric(self, name: str, by: list[str], period: str, cuts: set[str]) -> pd.DataFrame | None:
        """The moderation-operations metrics (catalogue/moderation.yaml); None for any other name."""
        m = self.t["moderation_cases"]
        cases = lambda time, mask: self._count("moderation_cases", time, by, cuts, period, mask=mask)  # noqa: E731
        decided = m["decision"] != "pending"
        if name.startswith("moderation_time_to_action_"):
            timed = m["reported_at"].notna() & m["decided_at"].notna()
            hours = (m["decided_at"].dt.floor("s") - m["reported_at"].dt.floor("s")).dt.total_seconds() / 3600
            keys, names = self._keyed(m, "decided_at", by, cuts, period)
            order_stat = {"moderation_time_to_action_p50_h": 0.5, "moderation_time_to_action_p90_h": 0.9}[name]
            cells = keys[timed].assign(v=hours[timed]).groupby(names)["v"]
            # the order statistic x(ceil(q n)), written out (Hyndman & Fan type 1)
            return cells.agg(lambda v: np.sort(v.to_numpy())[int(np.ceil(order_stat * len(v))) - 1]).rename("value").reset_index()
        if name == "proactive_detection_share":
            known = m["detection_source"].notna()
            return self._ratio(cases("created_at", known & m["detection_source"].isin(["automated_detection", "staff_review"])),
                               cases("created_at", known))
        if name == "automated_decision_share":
            return self._ratio(cases("decided_at", decided & (m["automated"] == True)), cases("decided_at", decided))  # noqa: E712
        if name == "moderation_appeal_rate":
            recorded = decided & m["appeal_filed"].notna()
            return self._ratio(cases("decided_at", recorded & (m["appeal_filed"] == True)), cases("decided_at", recorded))  # noqa: E712
        if name == "moderation_overturn_rate":
            settled = m["appeal_outcome"].isin(["upheld", "overturned"])
            return self._ratio(cases("decided_at", settled & (m["appeal_outcome"] == "overturned")), cases("decided_at", settled))
        if name == "moderation_backlog":
            # a count keeps every cell that has cases, open or not
            frame = pd.concat([cases("created_at", m["decision"] == "pending").rename("num"),
                               cases("created_at", None).rename("all")], axis=1).fillna(0.0)
            return frame["num"].rename("value").reset_index()
        if name == "violating_view_prevalence":
            known = m["views"].notna() & m["violating_views"].notna()
            views = lambda column: self._count("moderation_cases", "decided_at", by, cuts, period, mask=known,  # noqa: E731
                                               value=m[column].astype(float))
            out = self._ratio(views("violating_views"), views("views"))
            return out.assign(value=out["value"] * 10_000)
        return None

    def _recovery_metric(self, name: str, by: list[str], period: str, cuts: set[str]) -> pd.DataFrame | None:
        """Service recovery (compensations per failed order, their cost) and customer education."""
        count = lambda table, time, **kw: self._count(table, time, by, cuts, period, **kw)  # noqa: E731
        if name.startswith("recovery_"):
            o, g = self.t["orders"], self.t["compensations"]
            failed = ((pd.to_datetime(o["delivered_at"]).dt.normalize() > pd.to_datetime(o["promised_date"]))
                      | (o["fulfilment_outcome"] == "refused_by_merchant"))
            answers = g["failure"].isin(["late_delivery", "refused_redemption"])
            amount = self.money("compensations", "amount", "granted_at")
            if name == "recovery_cost_per_order":
                return self._ratio(count("compensations", "granted_at", value=amount), count("orders", "ordered_at"))
            failures = count("orders", "ordered_at", mask=failed)
            if name == "recovery_cost_per_failure":
                return self._ratio(count("compensations", "granted_at", mask=answers, value=amount), failures)
            if name == "recovery_coverage":
                return self._ratio(count("compensations", "granted_at", mask=answers), failures)
        if name == "customer_education_reach":
            return self._ratio(count("customer_education", "enrolled_at"), count("customers", "signup_date"))
        if name == "customer_education_completion_rate":
            done = self.t["customer_education"]["completed_at"].notna()
            return self._ratio(count("customer_education", "enrolled_at", mask=done), count("customer_education", "enrolled_at"))
        return None

    def _service_metric(self, name: str, by: list[str], period: str, cuts: set[str]) -> pd.DataFrame | None:
        """Service standards (catalogue/service.yaml): each promise row with its contact's columns; the
        met tests are recomputed here from the waits, resolution times and promised values."""
        names = ("first_response_time_p50_s", "first_response_time_p90_s", "average_speed_of_answer_s",
                 "sla_attainment_first_response", "sla_attainment_resolution", "repeat_contact_rate_journey")
        if name not in names:
            return None
        if "_promised" not in self.t:
            contacts = self.t["contacts"][["contact_id", "customer_id", "market", "journey", "wait_time_s", "resolved_at"]]
            self.t["_promised"] = self.t["service_promises"].merge(contacts, on="contact_id", how="inner")
        p = self.t["_promised"]
        count = lambda **kw: self._count("_promised", "created_at", by, cuts, period, **kw)  # noqa: E731
        wait = p["wait_time_s"]
        if name == "average_speed_of_answer_s":
            return self._mean("_promised", "created_at", by, cuts, period, wait, wait.notna())
        if name.startswith("first_response_time"):
            q = 0.5 if name.endswith("p50_s") else 0.9
            keys, key_names = self._keyed(p, "created_at", by, cuts, period)
            grouped = keys[wait.notna()].assign(v=wait[wait.notna()]).groupby(key_names)["v"]
            return grouped.agg(lambda v: np.quantile(v.to_numpy(), q, method="inverted_cdf")).rename("value").reset_index()
        if name == "sla_attainment_first_response":
            return self._ratio(count(mask=wait <= p["first_response_s"]), count(mask=wait.notna()))
        if name == "sla_attainment_resolution":
            hours = (p["resolved_at"].dt.floor("s") - p["created_at"].dt.floor("s")).dt.total_seconds() / 3600
            return self._ratio(count(mask=hours <= p["resolution_h"]), count())
        ordered = p.sort_values("created_at")
        previous = ordered.groupby(["customer_id", "journey"])["created_at"].shift()
        gap_h = (ordered["created_at"].dt.floor("s") - previous.dt.floor("s")).dt.total_seconds() / 3600
        return self._ratio(count(mask=(gap_h <= 168).reindex(p.index, fill_value=False)), count())

    def compute(self, name: str, by: list[str], period: str) -> pd.DataFrame:
        t = self.t
        o, c, s, d, r, m, st = (t[k] for k in ("orders", "contacts", "surveys", "disputes", "returns", "moderation_cases", "staffing"))
        seg = {f"segment:{f}" for f in self.segments}
        order_cuts = {"market"} | seg
        contact_cuts = {"market", "journey"} | seg
        orders_n = lambda cuts: self._count("orders", "ordered_at", by, cuts, period)  # noqa: E731
        human_c = c["automated"] == False  # noqa: E712
        human_m = m["automated"] == False  # noqa: E712
        vendor_function = st["vendor_id"].map(t["vendors"].set_index("vendor_id")["function"])
        cs_staff, mod_staff = vendor_function == "customer_service", vendor_function == "moderation"

        def staff(mask, column):
            values = self.money("staffing", column, "date") if column == "actual_cost" else st[column]
            return self._count("staffing", "date", by, set(), period, mask=mask, value=values.fillna(0.0))

        if name in ("dispute_rate", "chargeback_rate"):
            kind = "dispute" if name == "dispute_rate" else "chargeback"
            return self._ratio(self._count("disputes", "opened_at", by, order_cuts, period, mask=d["kind"] == kind), orders_n(order_cuts))
        if name == "return_abuse_rate":
            return self._ratio(self._count("returns", "requested_at", by, order_cuts, period, mask=r["abuse_flag"] == True),  # noqa: E712
                               self._count("returns", "requested_at", by, order_cuts, period))
        if name == "fraud_loss_rate":
            return self._ratio(self._count("disputes", "opened_at", by, order_cuts, period, mask=d["outcome"] == "fraud_confirmed", value=self.money("disputes", "amount", "opened_at")),
                               self._count("orders", "ordered_at", by, order_cuts, period, value=self.money("orders", "amount", "ordered_at")))
        if name in ("policy_violation_rate", "moderation_accuracy"):
            base = m["decision"] != "pending" if name == "policy_violation_rate" else m["qa_result"].notna()
            hit = m["decision"].isin(["remove", "restrict"]) if name == "policy_violation_rate" else m["qa_result"] == "correct"
            return self._ratio(self._count("moderation_cases", "created_at", by, order_cuts, period, mask=base & hit),
                               self._count("moderation_cases", "created_at", by, order_cuts, period, mask=base))
        survey_cuts = contact_cuts
        if name == "csat":
            return self._mean("surveys", "responded_at", by, survey_cuts, period, s["csat"], s["csat"].notna())
        if name == "nps":
            score = pd.Series(np.select([s["nps"] >= 9, s["nps"] <= 6], [100.0, -100.0], 0.0), index=s.index)
            return self._mean("surveys", "responded_at", by, survey_cuts, period, score.where(s["nps"].notna()), s["nps"].notna())
        if name == "contact_rate":
            return self._ratio(self._count("contacts", "created_at", by, order_cuts, period), orders_n(order_cuts))
        if name == "first_contact_resolution":
            known = c["first_contact_resolution"].notna()
            return self._ratio(self._count("contacts", "created_at", by, contact_cuts, period, mask=known & (c["first_contact_resolution"] == True)),  # noqa: E712
                               self._count("contacts", "created_at", by, contact_cuts, period, mask=known))
        if name == "repeat_contact_rate":
            ordered = c[c["customer_id"].notna()].sort_values("created_at")
            previous = ordered.groupby(["customer_id", "reason"])["created_at"].shift()
            gap_h = (ordered["created_at"].dt.floor("s") - previous.dt.floor("s")).dt.total_seconds() / 3600
            repeat = (gap_h <= 168).reindex(c.index, fill_value=False)
            return self._ratio(self._count("contacts", "created_at", by, contact_cuts, period, mask=repeat),
                               self._count("contacts", "created_at", by, contact_cuts, period, mask=c["customer_id"].notna()))
        if name in ("resolution_time_p50_h", "resolution_time_p90_h"):
            q = 0.5 if name.endswith("p50_h") else 0.9
            keys, names = self._keyed(c, "created_at", by, contact_cuts, period)
            # whole seconds, as the definition says
            hours = (c["resolved_at"].dt.floor("s") - c["created_at"].dt.floor("s")).dt.total_seconds() / 3600
            keep = hours.notna()
            grouped = keys[keep].assign(v=hours[keep]).groupby(names)["v"]
            return grouped.agg(lambda v: np.quantile(v.to_numpy(), q, method="inverted_cdf")).rename("value").reset_index()
        if name == "late_delivery_rate":
            known = o["delivered_at"].notna() & o["promised_date"].notna()
            late = known & (o["delivered_at"].dt.normalize() > pd.to_datetime(o["promised_date"]))
            return self._ratio(self._count("orders", "ordered_at", by, order_cuts, period, mask=late),
                               self._count("orders", "ordered_at", by, order_cuts, period, mask=known))
        if name == "cancellation_rate":
            return self._ratio(self._count("orders", "ordered_at", by, order_cuts, period, mask=o["status"] == "cancelled"), orders_n(order_cuts))
        if name in ("aht_s", "handle_hours_per_contact"):
            scale = 1.0 if name == "aht_s" else 1 / 3600
            return self._mean("contacts", "created_at", by, contact_cuts, period, c["handle_time_s"] * scale, human_c)
        if name == "automation_rate":
            return self._ratio(self._count("contacts", "created_at", by, contact_cuts, period, mask=c["automated"] == True),  # noqa: E712
                               self._count("contacts", "created_at", by, contact_cuts, period))
        if name == "cost_per_contact":
            return self._ratio(staff(cs_staff, "actual_cost"), self._count("contacts", "created_at", by, set(), period, mask=human_c))
        if name == "cost_per_moderation_case":
            return self._ratio(staff(mod_staff, "actual_cost"), self._count("moderation_cases", "created_at", by, set(), period, mask=human_m))
        if name == "utilisation_rate":
            both = st["actual_hours"].notna() & st["productive_hours"].notna()
            return self._ratio(staff(both, "productive_hours"), staff(both, "actual_hours"))
        if name == "occupancy_rate":
            return self._ratio(self._count("contacts", "created_at", by, set(), period, mask=human_c, value=c["handle_time_s"].fillna(0) / 3600),
                               staff(cs_staff, "productive_hours"))
        if name in ("cs_cost_per_productive_hour", "moderation_cost_per_productive_hour"):
            mask = (cs_staff if name.startswith("cs") else mod_staff) & st["actual_cost"].notna() & st["productive_hours"].notna()
            return self._ratio(staff(mask, "actual_cost"), staff(mask, "productive_hours"))
        if name == "orders_per_customer":
            return self._ratio(orders_n(order_cuts), self._count("orders", "ordered_at", by, order_cuts, period, distinct="customer_id"))
        if name == "assisted_contacts_per_order":
            return self._ratio(self._count("contacts", "created_at", by, order_cuts, period, mask=human_c), orders_n(order_cuts))
        if name == "moderation_cases_per_order":
            return self._ratio(self._count("moderation_cases", "created_at", by, order_cuts, period, mask=human_m), orders_n(order_cuts))
        if name == "moderation_handle_hours_per_case":
            return self._mean("moderation_cases", "created_at", by, order_cuts, period, m["handle_time_s"] / 3600, human_m)
        if name == "refunds_per_order":
            return self._ratio(self._count("returns", "requested_at", by, order_cuts, period, mask=r["status"] == "refunded", value=self.money("returns", "refund_amount", "requested_at")),
                               orders_n(order_cuts))
        if name == "orders":
            return orders_n(order_cuts).rename("value").reset_index()
        if name == "gmv":
            # a week whose orders were all cancelled still has a GMV cell, of 0
            gmv = self.money("orders", "amount", "ordered_at").where(o["status"] != "cancelled", 0.0)
            return self._count("orders", "ordered_at", by, order_cuts, period, value=gmv).rename("value").reset_index()
        if name == "active_customers":
            return self._count("orders", "ordered_at", by, order_cuts, period, distinct="customer_id").rename("value").reset_index()
        if name == "new_customers":
            return self._count("customers", "signup_date", by, order_cuts, period).rename("value").reset_index()
        seller = self._seller_metric(name, by, period, order_cuts)
        if seller is not None:
            return seller
        moderation = self._moderation_metric(name, by, period, order_cuts)
        if moderation is not None:
            return moderation
        recovery = self._recovery_metric(name, by, period, order_cuts)
        if recovery is not None:
            return recovery
        service = self._service_metric(name, by, period, contact_cuts)
        if service is not None:
            return service
        trees = {
            "cs_cost_per_order": ("product", ["assisted_contacts_per_order", "handle_hours_per_contact", "cs_cost_per_productive_hour"]),
            "moderation_cost_per_order": ("product", ["moderation_cases_per_order", "moderation_handle_hours_per_case", "moderation_cost_per_productive_hour"]),
            "cost_to_serve_per_order": ("sum", ["cs_cost_per_order", "moderation_cost_per_order", "refunds_per_order"]),
            "cost_to_serve_per_customer": ("product", ["cost_to_serve_per_order", "orders_per_customer"]),
        }
        if name in trees:
            relation, kids = trees[name]
            sub_by = [dim for dim in by if dim in order_cuts]
            keys = ["period_start", *sub_by]
            frames = [self.compute(k, sub_by, period) for k in kids]
            # a cost per hour (staffing) has no customer cuts: it is broadcast over them
            cut_keys = [[k for k in keys if k == "period_start" or (frame[k] != ALL).any()] for frame in frames]
            full = [frame[keys] for frame, cut in zip(frames, cut_keys) if cut == keys]
            out = pd.concat(full).drop_duplicates().reset_index(drop=True)
            values = [out[cut].merge(frame[cut + ["value"]], on=cut, how="left")["value"].to_numpy()
                      for frame, cut in zip(frames, cut_keys)]
            out["value"] = np.prod(values, axis=0) if relation == "product" else np.sum(values, axis=0)
            for dim in by:
                if dim not in sub_by:
                    out[dim] = ALL
            return out[np.isfinite(out["value"])]
        raise KeyError(name)
