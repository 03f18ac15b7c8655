"""Which dimensions a canonical table can be cut by, and the key joins that reach them.

Joins only follow the contract's foreign keys towards the referenced primary key
(many-to-one), so joining never duplicates a fact row and a metric's value never depends on
whether a dimension was asked for. A dimension is reachable from a table when its home column
sits on that table or on a table reachable this way; `segment:<framework>` is reachable from any
table that reaches `customers` (it joins the latest `segment_assignments` row per customer), and
`seller_segment:<framework>` from any table that reaches `sellers` (entity 'seller' rows).
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from govex.contract.schema import METRIC_TABLES as TABLES  # canonical and derived tables (service_promises)

SEGMENT_PREFIX = "segment:"
SELLER_SEGMENT_PREFIX = "seller_segment:"
# segment prefix -> (entity in segment_assignments, the entity's table, its key column)
SEGMENT_ENTITIES = {SEGMENT_PREFIX: ("customer", "customers", "customer_id"),
                    SELLER_SEGMENT_PREFIX: ("seller", "sellers", "seller_id")}
SELLER_CARRIER = "seller_type"  # lives on sellers only: a metric that reaches it reaches each row's seller
SEGMENT_TABLE = "segment_assignments"
MISSING_LABEL = "(none)"  # dimension value of a row whose key leads nowhere (e.g. a contact without an order)
ALL_LABEL = "(all)"  # dimension value of a metric not cut by a requested dimension

# dimension -> home (table, column) pairs, in order of preference when several are reachable.
DIMENSIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "market": tuple((t, "market") for t in (
        "orders", "contacts", "surveys", "disputes", "returns", "moderation_cases", "compensations", "customers",
        "sellers")),
    "journey": (("contacts", "journey"),),
    "channel": (("contacts", "channel"),),
    "queue": (("contacts", "queue"), ("staffing", "queue")),
    "vendor_id": (("contacts", "vendor_id"), ("moderation_cases", "vendor_id"), ("staffing", "vendor_id")),
    "reason": (("contacts", "reason"), ("disputes", "reason"), ("returns", "reason")),
    "carrier": (("orders", "carrier"),),
    "category": (("orders", "category"), ("sellers", "category")),
    "seller_tier": (("sellers", "seller_tier"),),
    "seller_type": (("sellers", "seller_type"),),
    "vertical": (("sellers", "vertical"),),
    "region": (("sellers", "region"),),
    "creator_id": (("orders", "creator_id"),),
    "policy": (("moderation_cases", "policy"),),
    "detection_source": (("moderation_cases", "detection_source"),),
    "automated": (("moderation_cases", "automated"),),
    "decision": (("moderation_cases", "decision"),),
    "tier": (("service_promises", "tier"),),  # the customer's service tier when the contact arrived
}


@dataclass(frozen=True)
class Edge:
    """One many-to-one step: `table.column` references `ref_table.ref_column` (its primary key)."""

    table: str
    column: str
    ref_table: str
    ref_column: str


Path = tuple[Edge, ...]


def paths_from(table: str) -> dict[str, Path]:
    """Shortest foreign-key path from `table` to every table it reaches (itself: the empty path)."""
    found: dict[str, Path] = {table: ()}
    queue = deque([table])
    while queue:
        current = queue.popleft()
        for fk in TABLES[current].foreign_keys:
            if fk.table not in found:
                found[fk.table] = found[current] + (Edge(current, fk.column, fk.table, fk.ref_column),)
                queue.append(fk.table)
    return found


def segment_entity(dimension: str) -> tuple[str, str, str, str] | None:
    """(entity, table, key column, framework) of a customer or seller segment dimension, else None."""
    for prefix, (entity, table, key) in SEGMENT_ENTITIES.items():
        if dimension.startswith(prefix) and len(dimension) > len(prefix):
            return entity, table, key, dimension[len(prefix):]
    return None


def is_segment(dimension: str) -> bool:
    """A customer or seller segment dimension."""
    return segment_entity(dimension) is not None


def is_seller_segment(dimension: str) -> bool:
    return dimension.startswith(SELLER_SEGMENT_PREFIX) and is_segment(dimension)


def known_dimension(dimension: str) -> bool:
    return dimension in DIMENSIONS or is_segment(dimension)


def dimension_path(table: str, dimension: str) -> tuple[Path, str] | None:
    """(path, column) that cuts `table` by `dimension`, or None when the table cannot reach it.

    For a segment the column is the customer (seller) id on the last table of the path.
    """
    reach = paths_from(table)
    if is_segment(dimension):
        _, home, key, _ = segment_entity(dimension)
        if table == home:
            return (), key
        if home not in reach:
            return None
        last = reach[home][-1]
        # stop one step early: the referencing column already holds the entity's id
        return reach[home][:-1], last.column
    best: tuple[Path, str] | None = None
    for home_table, column in DIMENSIONS[dimension]:
        if home_table in reach and (best is None or len(reach[home_table]) < len(best[0])):
            best = (reach[home_table], column)
    return best


def reachable_dimensions(table: str) -> list[str]:
    """Plain dimension names the table can be cut by (segments: see `reaches_segments`)."""
    return [d for d in DIMENSIONS if dimension_path(table, d) is not None]


def reaches_segments(table: str) -> bool:
    return dimension_path(table, SEGMENT_PREFIX + "any") is not None


def column_path(table: str, ref_table: str | None) -> Path | None:
    """Path from `table` to the table named in a `table.column` expression reference."""
    if ref_table is None or ref_table == table:
        return ()
    return paths_from(table).get(ref_table)
