"""The canonical data contract: the single source of truth for every table govex reads.

Every other part of govex (validation, ingest, synthetic data, docs) derives from the objects
declared here; `docs/data-contract.md` is generated from them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Logical types; each engine maps them through ibis (see govex.contract.types).
STRING, INT, FLOAT, BOOL, DATE, TIMESTAMP = "string", "int64", "float64", "boolean", "date", "timestamp"

MARKET_NOTE = "market code (ISO 3166-1 alpha-2 country, or a region name the user chooses)"
JOURNEYS = ("onboarding", "purchase", "fulfilment", "cancellation", "dispute", "return", "account_safety")
FUNCTIONS = ("customer_service", "moderation", "education", "service_recovery")
CHANNELS = ("phone", "chat", "email", "messaging", "self_service")
# A contact centre that is not a marketplace's (a bank's, a utility's) has contacts outside the
# marketplace journeys: they are `other` (policies and tiers only cover the journeys above).
CONTACT_JOURNEYS = (*JOURNEYS, "other")


@dataclass(frozen=True)
class Column:
    """One column: its logical type, meaning, nullability and allowed values or range."""

    name: str
    dtype: str
    meaning: str
    nullable: bool = False
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    pii_id: bool = False  # an identifier of a person that ingest may pseudonymise
    default: str | bool | None = None  # value of every row when the source has no such column

    def rule(self) -> str:
        """A human-readable statement of the value constraint (for docs and messages)."""
        if self.allowed is not None:
            return "one of " + ", ".join(self.allowed)
        if self.min is not None and self.max is not None:
            return f"{self.min:g} to {self.max:g}"
        if self.min is not None:
            return f">= {self.min:g}"
        if self.max is not None:
            return f"<= {self.max:g}"
        return ""


@dataclass(frozen=True)
class ForeignKey:
    column: str
    table: str
    ref_column: str


@dataclass(frozen=True)
class OrderCheck:
    """A row-level ordering rule: `later` must not be before `earlier` when both are present."""

    earlier: str
    later: str

    def describe(self) -> str:
        return f"{self.later} >= {self.earlier}"


@dataclass(frozen=True)
class RequiresCheck:
    """A row-level consistency rule: when `column` is not null, `other` must equal `value`."""

    column: str
    other: str
    value: str | bool

    @property
    def shown_value(self) -> str:
        return str(self.value).lower() if isinstance(self.value, bool) else self.value

    def describe(self) -> str:
        return f"{self.column} only when {self.other} = {self.shown_value}"


@dataclass(frozen=True)
class AfterParentCheck:
    """A cross-table ordering rule: this row's `later` must not be before `earlier` of the row its
    foreign key `column` points at in `table` (a compensation granted before its order was placed)."""

    column: str
    table: str
    ref_column: str
    earlier: str
    later: str

    def describe(self) -> str:
        return f"{self.later} >= {self.table}.{self.earlier}"


@dataclass(frozen=True)
class Table:
    name: str
    meaning: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[ForeignKey, ...] = ()
    order_checks: tuple[OrderCheck, ...] = ()
    requires_checks: tuple[RequiresCheck, ...] = ()
    after_parent_checks: tuple[AfterParentCheck, ...] = ()
    needed_by: tuple[str, ...] = field(default=())

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"table {self.name!r} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _money(prefix: str, meaning: str, nullable: bool = False) -> tuple[Column, Column]:
    return (
        Column(prefix, FLOAT, meaning, nullable=nullable, min=0),
        Column("currency", STRING, "ISO 4217 code of the money columns in this row", nullable=nullable),
    )


CUSTOMERS = Table(
    "customers",
    "Buyers of the marketplace, one row per customer (identifiers only, no personal data).",
    (
        Column("customer_id", STRING, "stable customer identifier", pii_id=True),
        Column("signup_date", DATE, "date the customer account was created"),
        Column("market", STRING, MARKET_NOTE),
        Column("acquisition_channel", STRING, "how the customer was acquired (organic, paid, referral, ...)", nullable=True),
    ),
    primary_key=("customer_id",),
    needed_by=("segmentation", "metrics", "policy"),
)

SELLER_TYPES = ("shop_seller", "local_merchant", "service_provider")
KYC_STATUSES = ("not_started", "pending", "verified", "rejected", "expired")

SELLERS = Table(
    "sellers",
    "Merchants or service providers, one row per seller; an entity in its own right (seller risk, lifecycle).",
    (
        Column("seller_id", STRING, "stable seller identifier", pii_id=True),
        Column("onboarded_date", DATE, "date the seller was onboarded"),
        Column("market", STRING, MARKET_NOTE),
        Column("category", STRING, "main product or service category", nullable=True),
        Column("seller_tier", STRING, "seller programme tier (e.g. top, standard, new)", nullable=True),
        Column("seller_type", STRING, "shop seller (ships goods), local merchant (vouchers redeemed on site) or "
               "service provider (appointments)", allowed=SELLER_TYPES, default="shop_seller"),
        Column("vertical", STRING, "business vertical (restaurants, beauty, home_services, electronics, ...)",
               nullable=True),
        Column("region", STRING, "region or city within the market where the seller operates", nullable=True),
        Column("kyc_status", STRING, "identity and business verification (KYC) status", nullable=True,
               allowed=KYC_STATUSES),
        Column("kyc_submitted_date", DATE, "date verification documents were submitted", nullable=True),
        Column("kyc_verified_date", DATE, "date verification succeeded (null if not verified)", nullable=True),
        Column("payout_account_id", STRING, "identifier (or hash) of the bank account payouts go to; sellers "
               "sharing one are linked accounts", nullable=True, pii_id=True),
    ),
    primary_key=("seller_id",),
    order_checks=(OrderCheck("kyc_submitted_date", "kyc_verified_date"),),
    needed_by=("seller metrics", "seller segmentation", "moderation metrics"),
)

ORDER_STATUSES = ("created", "approved", "shipped", "delivered", "cancelled", "unavailable")
FULFILMENT_TYPES = ("shipped", "voucher", "appointment")
FULFILMENT_OUTCOMES = ("redeemed", "refused_by_merchant", "no_show", "expired")

ORDERS = Table(
    "orders",
    "Purchases, one row per order; the denominator of most experience and trust rates.",
    (
        Column("order_id", STRING, "order identifier"),
        Column("customer_id", STRING, "buyer of the order", pii_id=True),
        Column("seller_id", STRING, "seller who fulfils the order (first seller for multi-seller orders)", nullable=True, pii_id=True),
        Column("market", STRING, MARKET_NOTE),
        Column("ordered_at", TIMESTAMP, "when the order was placed"),
        *_money("amount", "order value (goods, excluding freight)"),
        Column("status", STRING, "latest order status", allowed=ORDER_STATUSES),
        Column("category", STRING, "product or service category", nullable=True),
        Column("carrier", STRING, "delivery carrier or logistics partner", nullable=True),
        Column("platform", STRING, "where the order was placed (web, app, ...)", nullable=True),
        Column("promised_date", DATE, "delivery date promised to the customer at purchase", nullable=True),
        Column("delivered_at", TIMESTAMP, "when the order reached the customer (null if not delivered)", nullable=True),
        Column("fulfilment_type", STRING, "how the order is fulfilled: shipped goods, a voucher redeemed on site, or "
               "an appointment", allowed=FULFILMENT_TYPES, default="shipped"),
        Column("fulfilment_outcome", STRING, "outcome of a voucher or appointment (null for shipped orders and "
               "while open): redeemed/attended, refused by the merchant, buyer no-show, expired unused",
               nullable=True, allowed=FULFILMENT_OUTCOMES),
        Column("redeemed_at", TIMESTAMP, "when the voucher was redeemed or the appointment took place", nullable=True),
        Column("creator_id", STRING, "creator or affiliate whose content drove the sale, if any", nullable=True,
               pii_id=True),
    ),
    primary_key=("order_id",),
    foreign_keys=(ForeignKey("customer_id", "customers", "customer_id"), ForeignKey("seller_id", "sellers", "seller_id")),
    order_checks=(OrderCheck("ordered_at", "delivered_at"), OrderCheck("ordered_at", "promised_date"),
                  OrderCheck("ordered_at", "redeemed_at")),
    needed_by=("segmentation", "metrics", "analysis", "planning drivers"),
)

CONTACTS = Table(
    "contacts",
    "Customer-service contacts (one row per contact, any channel, human or automated).",
    (
        Column("contact_id", STRING, "contact identifier"),
        Column("customer_id", STRING, "customer who made contact (null for seller contacts)", nullable=True, pii_id=True),
        Column("seller_id", STRING, "seller who made contact or is concerned", nullable=True, pii_id=True),
        Column("order_id", STRING, "order the contact is about, if any", nullable=True),
        Column("market", STRING, MARKET_NOTE, default="all"),
        Column("created_at", TIMESTAMP, "when the contact arrived"),
        Column("channel", STRING, "contact channel (self_service contacts are left out of forecasts and plans)",
               allowed=CHANNELS),
        Column("queue", STRING, "routing queue that handled the contact"),
        Column("journey", STRING, "customer journey the contact belongs to", allowed=CONTACT_JOURNEYS,
               default="other"),
        Column("reason", STRING, "contact reason code (e.g. where_is_my_order)", default="unspecified"),
        Column("automated", BOOL, "true when fully handled by self-service or a bot (left out of forecasts and "
               "plans)", default=False),
        Column("wait_time_s", FLOAT, "seconds waited before an agent answered (live channels)", nullable=True, min=0),
        Column("handle_time_s", FLOAT, "agent handle time in seconds (talk/chat + after-contact work)", nullable=True, min=0),
        Column("first_contact_resolution", BOOL, "resolved without a further contact on the same issue", nullable=True),
        Column("resolved_at", TIMESTAMP, "when the issue was resolved (null if open)", nullable=True),
        Column("vendor_id", STRING, "BPO vendor whose agent handled the contact (null if in-house/automated)", nullable=True),
        Column("agent_id", STRING, "agent who handled the contact (null if automated or not recorded)", nullable=True),
        Column("text", STRING, "first customer message or call summary, for VOC", nullable=True),
    ),
    primary_key=("contact_id",),
    foreign_keys=(
        ForeignKey("customer_id", "customers", "customer_id"),
        ForeignKey("seller_id", "sellers", "seller_id"),
        ForeignKey("order_id", "orders", "order_id"),
        ForeignKey("vendor_id", "vendors", "vendor_id"),
    ),
    order_checks=(OrderCheck("created_at", "resolved_at"),),
    needed_by=("contact metrics", "intent segmentation", "planning", "voc"),
)

SURVEYS = Table(
    "surveys",
    "Satisfaction survey responses after an order or a contact (CSAT 1-5, NPS 0-10).",
    (
        Column("survey_id", STRING, "survey response identifier"),
        Column("customer_id", STRING, "respondent", pii_id=True),
        Column("order_id", STRING, "order surveyed, if any", nullable=True),
        Column("contact_id", STRING, "contact surveyed, if any", nullable=True),
        Column("market", STRING, MARKET_NOTE),
        Column("responded_at", TIMESTAMP, "when the customer answered"),
        Column("touchpoint", STRING, "what was surveyed", allowed=("order", "contact", "relationship")),
        Column("csat", INT, "customer satisfaction score", nullable=True, min=1, max=5),
        Column("nps", INT, "likelihood to recommend", nullable=True, min=0, max=10),
        Column("comment", STRING, "free-text comment", nullable=True),
    ),
    primary_key=("survey_id",),
    foreign_keys=(
        ForeignKey("customer_id", "customers", "customer_id"),
        ForeignKey("order_id", "orders", "order_id"),
        ForeignKey("contact_id", "contacts", "contact_id"),
    ),
    needed_by=("experience metrics", "driver analysis"),
)

DISPUTES = Table(
    "disputes",
    "Buyer disputes and card chargebacks raised on orders.",
    (
        Column("dispute_id", STRING, "dispute identifier"),
        Column("order_id", STRING, "disputed order"),
        Column("customer_id", STRING, "buyer who raised it", pii_id=True),
        Column("market", STRING, MARKET_NOTE),
        Column("opened_at", TIMESTAMP, "when the dispute was opened"),
        Column("kind", STRING, "platform dispute or card-network chargeback", allowed=("dispute", "chargeback")),
        Column("reason", STRING, "dispute reason (item_not_received, not_as_described, unauthorised, ...)"),
        *_money("amount", "amount disputed"),
        Column("outcome", STRING, "resolution", allowed=("open", "buyer_won", "seller_won", "split", "fraud_confirmed")),
        Column("resolved_at", TIMESTAMP, "when it was resolved (null while open)", nullable=True),
    ),
    primary_key=("dispute_id",),
    foreign_keys=(ForeignKey("order_id", "orders", "order_id"), ForeignKey("customer_id", "customers", "customer_id")),
    order_checks=(OrderCheck("opened_at", "resolved_at"),),
    needed_by=("risk segmentation", "trust metrics"),
)

RETURNS = Table(
    "returns",
    "Return and refund requests on orders.",
    (
        Column("return_id", STRING, "return identifier"),
        Column("order_id", STRING, "returned order"),
        Column("customer_id", STRING, "buyer who asked", pii_id=True),
        Column("market", STRING, MARKET_NOTE),
        Column("requested_at", TIMESTAMP, "when the return or refund was requested"),
        Column("reason", STRING, "return reason (damaged, not_as_described, changed_mind, ...)"),
        *_money("refund_amount", "amount refunded (0 if rejected)"),
        Column("status", STRING, "state of the request", allowed=("requested", "approved", "rejected", "refunded")),
        Column("abuse_flag", BOOL, "confirmed return/refund abuse by investigation", nullable=True),
    ),
    primary_key=("return_id",),
    foreign_keys=(ForeignKey("order_id", "orders", "order_id"), ForeignKey("customer_id", "customers", "customer_id")),
    needed_by=("risk segmentation", "trust metrics"),
)

ENFORCEMENT_LADDER = ("warning", "listing_removal", "payout_hold", "suspension", "termination")
DETECTION_SOURCES = ("automated_detection", "user_report", "staff_review", "external_report")
APPEAL_OUTCOMES = ("pending", "upheld", "overturned")
# Detection sources that count as proactive: the platform found the violation itself.
PROACTIVE_SOURCES = ("automated_detection", "staff_review")

MODERATION_CASES = Table(
    "moderation_cases",
    "Trust & safety review cases on listings, reviews, messages, sellers or customers.",
    (
        Column("case_id", STRING, "case identifier"),
        Column("object_type", STRING, "what was reviewed", allowed=("listing", "review", "message", "seller", "customer")),
        Column("object_id", STRING, "identifier of the reviewed object"),
        Column("seller_id", STRING, "seller concerned, if any", nullable=True, pii_id=True),
        Column("customer_id", STRING, "customer concerned, if any", nullable=True, pii_id=True),
        Column("market", STRING, MARKET_NOTE),
        Column("policy", STRING, "policy area (counterfeit, prohibited_item, fraud, harassment, ...)"),
        Column("created_at", TIMESTAMP, "when the case entered the queue"),
        Column("decided_at", TIMESTAMP, "when a decision was taken (null while pending)", nullable=True),
        Column("decision", STRING, "outcome", allowed=("pending", "approve", "remove", "restrict", "escalate")),
        Column("automated", BOOL, "decided by an automated system without a human"),
        Column("handle_time_s", FLOAT, "reviewer handle time in seconds", nullable=True, min=0),
        Column("vendor_id", STRING, "BPO vendor of the reviewer (null if in-house/automated)", nullable=True),
        Column("qa_result", STRING, "quality-assurance audit result (null if not sampled)", nullable=True, allowed=("correct", "incorrect")),
        Column("reported_at", TIMESTAMP, "when the report came in or the content was uploaded (the clock of time to "
               "action; null when unknown)", nullable=True),
        Column("detection_source", STRING, "how the case was found (automated_detection and staff_review are proactive)",
               nullable=True, allowed=DETECTION_SOURCES),
        Column("appeal_filed", BOOL, "the decision was appealed (null when appeals are not recorded)", nullable=True),
        Column("appeal_outcome", STRING, "outcome of the appeal (null when no appeal)", nullable=True,
               allowed=APPEAL_OUTCOMES),
        Column("appeal_decided_at", TIMESTAMP, "when the appeal was decided", nullable=True),
        Column("views", INT, "times the content was viewed (null where view data does not exist)", nullable=True, min=0),
        Column("violating_views", INT, "views while the content was up and violating (0 when it did not violate)",
               nullable=True, min=0),
    ),
    primary_key=("case_id",),
    foreign_keys=(
        ForeignKey("seller_id", "sellers", "seller_id"),
        ForeignKey("customer_id", "customers", "customer_id"),
        ForeignKey("vendor_id", "vendors", "vendor_id"),
    ),
    order_checks=(OrderCheck("created_at", "decided_at"), OrderCheck("reported_at", "created_at"),
                  OrderCheck("reported_at", "decided_at"), OrderCheck("decided_at", "appeal_decided_at")),
    requires_checks=(RequiresCheck("appeal_outcome", "appeal_filed", True),
                     RequiresCheck("appeal_decided_at", "appeal_filed", True)),
    needed_by=("moderation metrics", "planning (back office)"),
)

VENDORS = Table(
    "vendors",
    "Outsourced (BPO) vendor sites and their commercial terms.",
    (
        Column("vendor_id", STRING, "vendor-site identifier"),
        Column("vendor_name", STRING, "vendor company name"),
        Column("function", STRING, "functional domain served", allowed=FUNCTIONS),
        Column("site", STRING, "delivery site (city or country)"),
        Column("languages", STRING, "comma-separated ISO 639-1 languages served"),
        Column("pricing_model", STRING, "how the vendor bills", allowed=("per_hour", "per_fte_month", "per_transaction")),
        *_money("rate", "price per billing unit (hour, FTE-month or transaction)"),
        Column("capacity_hours_week", FLOAT, "maximum productive hours per week", min=0),
        Column("min_commit_hours_week", FLOAT, "contractual minimum hours per week", nullable=True, min=0),
        Column("ramp_up_weeks", FLOAT, "weeks to bring new agents to full productivity", nullable=True, min=0),
        Column("qa_target", FLOAT, "contractual QA accuracy target (0-1)", nullable=True, min=0, max=1),
    ),
    primary_key=("vendor_id",),
    needed_by=("vendor costs in plans (else an assumed in-house rate)", "vendor metrics"),
)

STAFFING = Table(
    "staffing",
    "Planned and actual staffed hours and cost per queue, vendor and day.",
    (
        Column("date", DATE, "calendar day"),
        Column("queue", STRING, "queue staffed"),
        Column("vendor_id", STRING, "vendor-site providing the hours"),
        Column("planned_hours", FLOAT, "hours planned (paid)", min=0),
        Column("actual_hours", FLOAT, "hours actually paid", nullable=True, min=0),
        Column("productive_hours", FLOAT, "hours logged on contacts or cases", nullable=True, min=0),
        *_money("planned_cost", "planned cost of the day"),
        Column("actual_cost", FLOAT, "actual cost of the day", nullable=True, min=0),
    ),
    primary_key=("date", "queue", "vendor_id"),
    foreign_keys=(ForeignKey("vendor_id", "vendors", "vendor_id"),),
    needed_by=("efficiency metrics", "plan vs actual"),
)

FX_RATES = Table(
    "fx_rates",
    "Currency conversion into the reporting currency, valid from a date until the next row.",
    (
        Column("currency", STRING, "ISO 4217 code converted from"),
        Column("valid_from", DATE, "first day the rate applies"),
        Column("rate_to_reporting", FLOAT, "units of reporting currency per unit of `currency`", min=0),
    ),
    primary_key=("currency", "valid_from"),
    needed_by=("reporting-currency conversion",),
)


ENFORCEMENT_ACTIONS = Table(
    "enforcement_actions",
    "Actions taken against sellers for policy violations, one row per action, on an escalation ladder.",
    (
        Column("action_id", STRING, "action identifier"),
        Column("seller_id", STRING, "seller acted against", pii_id=True),
        Column("market", STRING, MARKET_NOTE),
        Column("policy", STRING, "policy violated (fake_redemption, review_manipulation, counterfeit, ...)"),
        Column("action", STRING, "rung of the enforcement ladder, mildest first", allowed=ENFORCEMENT_LADDER),
        Column("detection_source", STRING, "how the violation was found", allowed=DETECTION_SOURCES),
        Column("automated", BOOL, "true when the action was taken by a system without a human decision"),
        Column("violation_at", TIMESTAMP, "when the violation happened (or was first observed)"),
        Column("action_at", TIMESTAMP, "when the action was taken"),
        Column("appeal_filed", BOOL, "the seller appealed the action", default=False),
        Column("appeal_outcome", STRING, "outcome of the appeal (null when no appeal)", nullable=True,
               allowed=APPEAL_OUTCOMES),
        Column("appeal_decided_at", TIMESTAMP, "when the appeal was decided", nullable=True),
        Column("reinstated_at", TIMESTAMP, "when the action was lifted (listing restored, account reinstated)",
               nullable=True),
    ),
    primary_key=("action_id",),
    foreign_keys=(ForeignKey("seller_id", "sellers", "seller_id"),),
    order_checks=(OrderCheck("violation_at", "action_at"), OrderCheck("action_at", "appeal_decided_at"),
                  OrderCheck("action_at", "reinstated_at")),
    requires_checks=(RequiresCheck("appeal_outcome", "appeal_filed", True),
                     RequiresCheck("appeal_decided_at", "appeal_filed", True)),
    needed_by=("enforcement metrics", "seller risk"),
)

EDUCATION = Table(
    "education",
    "Seller education: one row per seller enrolment in a programme (course, coaching, webinar).",
    (
        Column("enrolment_id", STRING, "enrolment identifier"),
        Column("seller_id", STRING, "seller enrolled", pii_id=True),
        Column("programme", STRING, "education programme"),
        Column("enrolled_at", TIMESTAMP, "when the seller enrolled"),
        Column("completed_at", TIMESTAMP, "when the seller completed it (null if not completed)", nullable=True),
        Column("score", FLOAT, "final assessment score, 0-100 (null if not assessed)", nullable=True, min=0, max=100),
    ),
    primary_key=("enrolment_id",),
    foreign_keys=(ForeignKey("seller_id", "sellers", "seller_id"),),
    order_checks=(OrderCheck("enrolled_at", "completed_at"),),
    needed_by=("education metrics",),
)

COMPENSATION_KINDS = ("voucher", "credit", "refund_beyond_policy")
FAILURES = ("late_delivery", "lost_order", "refused_redemption", "wrong_item", "damaged_item", "bad_contact", "other")

COMPENSATIONS = Table(
    "compensations",
    "Service recovery: one row per goodwill gesture or compensation granted to a customer after a failure "
    "(vouchers, account credits, refunds beyond what the return policy owes).",
    (
        Column("compensation_id", STRING, "compensation identifier"),
        Column("customer_id", STRING, "customer compensated", pii_id=True),
        Column("order_id", STRING, "order the failure concerns (null for a failure not tied to an order, e.g. a "
               "bad contact)", nullable=True),
        Column("contact_id", STRING, "contact in which it was granted, if any", nullable=True),
        Column("market", STRING, MARKET_NOTE),
        Column("granted_at", TIMESTAMP, "when it was granted"),
        Column("kind", STRING, "what was given", allowed=COMPENSATION_KINDS),
        Column("failure", STRING, "the failure it answers", allowed=FAILURES),
        Column("reason", STRING, "why it was granted (the business's own code: proactive, on_complaint, "
               "escalation, ...)", default="unspecified"),
        *_money("amount", "value granted (face value of a voucher or credit, amount refunded beyond policy)"),
        Column("vendor_id", STRING, "BPO vendor whose agent granted it (null if in-house or automatic)", nullable=True),
    ),
    primary_key=("compensation_id",),
    foreign_keys=(
        ForeignKey("customer_id", "customers", "customer_id"),
        ForeignKey("order_id", "orders", "order_id"),
        ForeignKey("contact_id", "contacts", "contact_id"),
        ForeignKey("vendor_id", "vendors", "vendor_id"),
    ),
    after_parent_checks=(AfterParentCheck("order_id", "orders", "order_id", "ordered_at", "granted_at"),),
    needed_by=("service-recovery metrics and effects (govex recovery)",),
)

# Customer education sits beside the seller table rather than inside it: every seller reader keys the
# `education` rows on a seller, and one audience per table keeps both free of an audience filter.
CUSTOMER_EDUCATION = Table(
    "customer_education",
    "Customer education: one row per customer enrolment in a help or onboarding programme (guided first "
    "purchase, help-centre course, onboarding messages).",
    (
        Column("enrolment_id", STRING, "enrolment identifier"),
        Column("customer_id", STRING, "customer enrolled", pii_id=True),
        Column("programme", STRING, "education programme"),
        Column("enrolled_at", TIMESTAMP, "when the customer enrolled (or was first shown the guidance)"),
        Column("completed_at", TIMESTAMP, "when the customer completed it (null if not completed)", nullable=True),
    ),
    primary_key=("enrolment_id",),
    foreign_keys=(ForeignKey("customer_id", "customers", "customer_id"),),
    order_checks=(OrderCheck("enrolled_at", "completed_at"),),
    needed_by=("customer education metrics and effects (govex recovery)",),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (CUSTOMERS, SELLERS, ORDERS, CONTACTS, SURVEYS, DISPUTES, RETURNS, MODERATION_CASES, VENDORS, STAFFING, FX_RATES,
              ENFORCEMENT_ACTIONS, EDUCATION, COMPENSATIONS, CUSTOMER_EDUCATION)
}

# Tables ingest loads first, so foreign keys always point at something already validated.
LOAD_ORDER: tuple[str, ...] = (
    "customers", "sellers", "vendors", "fx_rates", "orders", "contacts", "surveys",
    "disputes", "returns", "moderation_cases", "staffing", "enforcement_actions", "education",
    "compensations", "customer_education",
)
assert set(LOAD_ORDER) == set(TABLES), "LOAD_ORDER must list every canonical table"

SERVICE_PROMISES = Table(
    "service_promises",
    "The service each customer contact was promised: its customer's tier in the contact's journey, decided by "
    "the prioritisation policy on the segments valid when the contact arrived, and that tier's targets. govex "
    "derives it (`govex policy promises`); one row per customer contact in a policy journey, with whether each "
    "promise was met (decided once here, read by every standards figure).",
    (
        Column("contact_id", STRING, "the contact"),
        Column("created_at", TIMESTAMP, "when the contact arrived (as in contacts; the period of the standards)"),
        Column("tier", STRING, "service tier the policy gives the customer in the contact's journey"),
        Column("policy", STRING, "policy name and version the promise comes from"),
        Column("segments_as_of", DATE, "segment snapshot the tier was decided on"),
        Column("first_response_s", FLOAT, "promised seconds to the first agent response", min=0),
        Column("resolution_h", FLOAT, "promised hours to resolution", min=0),
        Column("first_response_met", BOOL, "the wait (contacts.wait_time_s) was within first_response_s (null: not "
               "answered by an agent)", nullable=True),
        Column("resolution_met", BOOL, "resolved within resolution_h of arriving (false while still open)"),
    ),
    primary_key=("contact_id",),
    foreign_keys=(ForeignKey("contact_id", "contacts", "contact_id"),),
    needed_by=("service-standard metrics (promised vs delivered)",),
)
# Tables govex derives and writes itself (never ingested); the metric layer reads them as it reads
# the canonical tables, and they follow the same foreign keys.
DERIVED_TABLES: dict[str, Table] = {SERVICE_PROMISES.name: SERVICE_PROMISES}
METRIC_TABLES: dict[str, Table] = {**TABLES, **DERIVED_TABLES}


def table(name: str) -> Table:
    """The contract of one canonical table; raises KeyError naming the known tables."""
    try:
        return TABLES[name]
    except KeyError:
        raise KeyError(f"unknown canonical table {name!r}; known: {', '.join(TABLES)}") from None
