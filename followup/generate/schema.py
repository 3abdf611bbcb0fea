"""The raw data contract as Arrow schemas, and the ids of every table."""

from __future__ import annotations

import pyarrow as pa

from followup.contract import load_contract

# The Arrow type the generator writes for each portable type of the raw contract.
TEXT = pa.string()
TIMESTAMP = pa.timestamp("us")
DATE = pa.date32()
MONEY = pa.decimal128(18, 2)
INT = pa.int32()
BOOL = pa.bool_()
ARROW_TYPES: dict[str, pa.DataType] = {
    "text": TEXT,
    "timestamp": TIMESTAMP,
    "date": DATE,
    "decimal(18,2)": MONEY,
    "integer": INT,
    "boolean": BOOL,
}


def contract_schemas() -> dict[str, pa.Schema]:
    """One Arrow schema per raw table, in the contract's table and column order."""
    return {
        name: pa.schema([(c.name, ARROW_TYPES[c.data_type]) for c in table.columns])
        for name, table in load_contract().items()
    }


# The raw data contract (models/staging/_raw__sources.yml): tables, columns, types.
SCHEMAS: dict[str, pa.Schema] = contract_schemas()

# Id prefixes and the zero-padded width of their number (the number simply grows
# past the width: C999999 is followed by C1000000).
ID_WIDTHS: dict[str, int] = {
    "C": 6,  # contacts
    "O": 8,  # orders
    "E": 9,  # email events
    "M": 9,  # messages (one email to one recipient)
    "W": 9,  # web events
    "V": 8,  # visitors (cookies)
    "S": 9,  # web sessions
    "P": 4,  # products
    "R": 7,  # stock alert requests
    "I": 7,  # service interactions
    "ER": 6,  # erasure requests
    "CMP": 5,  # campaigns
}


def make_id(prefix: str, number: int) -> str:
    """Return one id, e.g. ``make_id("C", 42) == "C000042"``."""
    return f"{prefix}{number:0{ID_WIDTHS[prefix]}d}"
