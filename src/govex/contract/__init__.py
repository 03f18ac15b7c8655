"""The canonical data contract (schema) and its validation."""
from govex.contract.markdown import contract_markdown
from govex.contract.schema import JOURNEYS, LOAD_ORDER, TABLES, Column, ForeignKey, OrderCheck, Table, table
from govex.contract.types import cast_value, conform, ibis_type
from govex.contract.validate import FATAL_RULES, ContractIssue, Rule, absent_tables, validate_tables

__all__ = [
    "Column", "ContractIssue", "FATAL_RULES", "ForeignKey", "JOURNEYS", "LOAD_ORDER", "OrderCheck", "Rule",
    "TABLES", "Table", "absent_tables", "cast_value", "conform", "contract_markdown", "ibis_type", "table", "validate_tables",
]
