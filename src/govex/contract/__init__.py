"""The canonical data contract (schema) and its validation."""
from govex.contract.schema import JOURNEYS, LOAD_ORDER, TABLES, Column, ForeignKey, OrderCheck, Table, table

__all__ = ["Column", "ForeignKey", "JOURNEYS", "LOAD_ORDER", "OrderCheck", "TABLES", "Table", "table"]
