"""Adapter for the public Olist Brazilian e-commerce dataset (Kaggle `olistbr/brazilian-ecommerce`).

Maps Olist's CSVs onto the canonical customers, sellers, orders and surveys. Olist has no
contacts, disputes, returns, moderation, vendors, staffing, FX, enforcement or education tables; ingest reports them as
absent with the features they disable. Markets are Brazilian states as ISO 3166-2 codes (BR-SP).

References
----------
Olist (2018), Brazilian E-Commerce Public Dataset by Olist, Kaggle, CC BY-NC-SA 4.0.
"""
from __future__ import annotations

from pathlib import Path

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from govex.errors import ConfigError
from govex.ingest.load import load_tables, open_database
from govex.ingest.report import IngestReport
from govex.engine.sources import read_files

FILES = {
    "orders": "olist_orders_dataset",
    "customers": "olist_customers_dataset",
    "items": "olist_order_items_dataset",
    "payments": "olist_order_payments_dataset",
    "reviews": "olist_order_reviews_dataset",
    "sellers": "olist_sellers_dataset",
    "products": "olist_products_dataset",
    "categories": "product_category_name_translation",
}
REQUIRED = ("orders", "customers", "items")
CURRENCY = "BRL"
# Olist order_status -> canonical status: invoiced and processing are paid, not yet shipped.
STATUS = {"canceled": "cancelled", "invoiced": "approved", "processing": "approved"}


def find_olist_files(folder: str | Path) -> dict[str, Path]:
    """The Olist CSVs present in `folder` (plain or gzipped), keyed by short name.

    Raises ConfigError naming the missing files when the orders, customers or items table is absent.
    """
    folder = Path(folder)
    found = {}
    for key, stem in FILES.items():
        for candidate in (folder / f"{stem}.csv.gz", folder / f"{stem}.csv"):
            if candidate.is_file():
                found[key] = candidate
                break
    missing = [f"{FILES[key]}.csv(.gz)" for key in REQUIRED if key not in found]
    if missing:
        raise ConfigError(
            f"{folder}: not a complete Olist layout; missing {', '.join(missing)}. "
            "The orders, customers and order-items tables are needed (the Kaggle download has them)."
        )
    return found


def olist_tables(con: ibis.BaseBackend, folder: str | Path) -> tuple[dict[str, ir.Table], dict[str, str]]:
    """Canonical customers, sellers, orders and surveys built from the Olist CSVs in `folder`.

    Returns the tables (unexecuted, on `con`) and, per table, the Olist files it was built from.
    """
    files = find_olist_files(folder)
    raw = {key: read_files(con, str(path), file_format="csv") for key, path in files.items()}
    placed = _placed_orders(raw["orders"], raw["customers"])
    items = raw["items"].mutate(price=raw["items"].price.try_cast(dt.float64))
    items = items.left_join(_product_categories(raw), "product_id").select(items, "category")
    tables = {
        "orders": _orders(placed, items, raw.get("payments")),
        "customers": _customers(placed),
    }
    built_from = {"orders": "orders, customers, items", "customers": "customers, orders"}
    if "sellers" in raw:
        tables["sellers"] = _sellers(raw["sellers"], items, placed)
        built_from["sellers"] = "sellers, items, orders"
    if "reviews" in raw:
        tables["surveys"] = _surveys(raw["reviews"], placed)
        built_from["surveys"] = "reviews, orders, customers"
    names = {key: path.name for key, path in files.items()}
    sources = {
        name: "olist " + " + ".join(names[key.strip()] for key in keys.split(","))
        for name, keys in built_from.items()
    }
    return tables, sources


def ingest_olist(
    folder: str | Path, *, database: str | Path, warn_only: bool = False, progress: bool = False
) -> IngestReport:
    """Map the Olist dataset in `folder` onto canonical tables and load them into `database`."""
    find_olist_files(folder)  # fail before the database file is created
    con = open_database(database)
    try:
        tables, sources = olist_tables(con, folder)
        return load_tables(con, tables, database=str(database), sources=sources, warn_only=warn_only, progress=progress)
    finally:
        con.disconnect()


def _placed_orders(orders: ir.Table, customers: ir.Table) -> ir.Table:
    """Orders with the real person (customer_unique_id) and market of each order."""
    people = customers.select("customer_id", "customer_unique_id", "customer_state")
    joined = orders.left_join(people, "customer_id")
    return joined.select(
        "order_id",
        "order_status",
        person=joined.customer_unique_id,
        market=ibis.literal("BR-").concat(joined.customer_state),
        ordered_at=joined.order_purchase_timestamp.try_cast(dt.timestamp),
        delivered_at=joined.order_delivered_customer_date.try_cast(dt.timestamp),
        promised_date=joined.order_estimated_delivery_date.try_cast(dt.timestamp).date(),
    )


def _product_categories(raw: dict[str, ir.Table]) -> ir.Table:
    """product_id -> category (English name where the translation table has one)."""
    if "products" not in raw:
        return raw["items"].select("product_id", category=ibis.null(dt.string)).distinct()
    products = raw["products"].select("product_id", "product_category_name")
    if "categories" not in raw:
        return products.select("product_id", category=products.product_category_name)
    named = products.left_join(raw["categories"], "product_category_name")
    return named.select(
        "product_id", category=ibis.coalesce(named.product_category_name_english, named.product_category_name)
    )


def _orders(placed: ir.Table, items: ir.Table, payments: ir.Table | None) -> ir.Table:
    """One row per order; amount = goods value (sum of item prices), else the amount paid."""
    goods = items.group_by("order_id").aggregate(goods=items.price.sum())
    first = items.filter(items.order_item_id.try_cast(dt.int64) == 1).select("order_id", "seller_id", "category")
    out = placed.left_join(goods, "order_id").select(placed, "goods")
    out = out.left_join(first, "order_id").select(out, "seller_id", "category")
    paid = ibis.null(dt.float64)
    if payments is not None:
        totals = payments.group_by("order_id").aggregate(paid=payments.payment_value.try_cast(dt.float64).sum())
        out = out.left_join(totals, "order_id").select(out, "paid")
        paid = out.paid
    return out.select(
        "order_id",
        customer_id=out.person,
        seller_id=out.seller_id,
        market=out.market,
        ordered_at=out.ordered_at,
        amount=ibis.coalesce(out.goods, paid),
        currency=ibis.literal(CURRENCY),
        status=out.order_status.substitute(STATUS),
        category=out.category,
        promised_date=out.promised_date,
        delivered_at=out.delivered_at,
    )


def _customers(placed: ir.Table) -> ir.Table:
    """One row per customer_unique_id; Olist has no sign-up date, so the first order's date stands in."""
    return placed.group_by(customer_id=placed.person).aggregate(
        signup_date=placed.ordered_at.min().date(),
        market=placed.market.argmin(placed.ordered_at),
    )


def _sellers(sellers: ir.Table, items: ir.Table, placed: ir.Table) -> ir.Table:
    """Sellers with an onboarding date (first order they sold in) and their most sold category.

    Olist sellers ship goods (shop sellers); their main category is the vertical and their city
    the region. Olist has no verification or payout data: those columns load as null.
    """
    sold = items.join(placed.select("order_id", "ordered_at"), "order_id")
    first_sale = sold.group_by("seller_id").aggregate(onboarded_date=sold.ordered_at.min().date())
    counts = sold.filter(sold.category.notnull()).group_by(["seller_id", "category"]).aggregate(n=ibis._.count())
    ranked = counts.mutate(
        rank=ibis.row_number().over(group_by="seller_id", order_by=[ibis.desc("n"), ibis.asc("category")])
    )
    main_category = ranked.filter(ranked["rank"] == 0).select("seller_id", "category")
    out = sellers.join(first_sale, "seller_id").left_join(main_category, "seller_id")
    return out.select(
        "seller_id",
        "onboarded_date",
        market=ibis.literal("BR-").concat(out.seller_state),
        category=out.category,
        seller_tier=ibis.null(dt.string),
        seller_type=ibis.literal("shop_seller"),
        vertical=out.category,
        region=out.seller_city,
    )


def _surveys(reviews: ir.Table, placed: ir.Table) -> ir.Table:
    """One survey per (review, order): review_score is CSAT; the comment message is the comment.

    A few Olist review_ids cover several orders, so the survey id joins review and order ids.
    """
    joined = reviews.left_join(placed.select("order_id", "person", "market"), "order_id")
    answered = ibis.coalesce(
        joined.review_answer_timestamp.try_cast(dt.timestamp), joined.review_creation_date.try_cast(dt.timestamp)
    )
    return joined.select(
        survey_id=joined.review_id.concat("-", joined.order_id),
        customer_id=joined.person,
        order_id=joined.order_id,
        market=joined.market,
        responded_at=answered,
        touchpoint=ibis.literal("order"),
        csat=joined.review_score,
        comment=joined.review_comment_message,
    )
