"""The canonical data contract (schema) and its validation."""
from govex._renamed import renamed_names
from govex.contract.markdown import contract_markdown
from govex.contract.schema import JOURNEYS, LOAD_ORDER, TABLES, Column, ForeignKey, OrderCheck, Table, table
from govex.contract.types import cast_value, conform, ibis_type
from govex.contract.validate import FATAL_CHECKS, Check, ContractIssue, absent_tables, validate_tables

__all__ = [
    "Check", "Column", "ContractIssue", "FATAL_CHECKS", "ForeignKey", "JOURNEYS", "LOAD_ORDER", "OrderCheck",
    "TABLES", "Table", "absent_tables", "cast_value", "conform", "contract_markdown", "ibis_type", "table", "validate_tables",
]

# The enum of validation checks was `Rule` until a policy's and a segment framework's rules took the word.
__getattr__ = renamed_names(__name__, {"Rule": "Check", "FATAL_RULES": "FATAL_CHECKS"}, globals())
