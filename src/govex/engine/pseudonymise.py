"""Replace customer and seller ids by a salted SHA-256, consistently across every table.

The same id hashes to the same value in customers, orders, contacts and so on, so joins and
foreign keys survive; without the salt the original ids cannot be recovered by hashing guesses.
"""
from __future__ import annotations

import ibis
import ibis.expr.types as ir

from govex.contract.schema import Table


def pseudonymise(typed: ir.Table, contract: Table, *, salt: str) -> ir.Table:
    """`typed` with every pii_id column of `contract` replaced by sha256(salt || id) as hex.

    References
    ----------
    NIST SP 800-188 (2023), De-Identifying Government Datasets: Techniques and Governance
    (pseudonymisation of direct identifiers by keyed or salted cryptographic hashing).
    """
    columns = [col.name for col in contract.columns if col.pii_id and col.name in typed.columns]
    if not columns:
        return typed
    prefix = ibis.literal(salt)
    return typed.mutate(**{name: prefix.concat(typed[name]).hexdigest("sha256") for name in columns})
