"""The day before: a copy of a raw data folder as it was at the end of the previous day.

The incremental benchmark (and anyone testing an incremental run) needs two deliveries
of the raw data: the one of day D - 1 and the one of day D. :func:`write_day_before`
turns the folder of day D into the folder of day D - 1 by removing every row dated on D
or later. Which column dates a row is fixed per table (docs/semantics.md, "Time"):

========================  ==============
table                     dated by
========================  ==============
orders                    ordered_at
email_events, web_events  occurred_at
consent_events            recorded_at
esp_suppressions          suppressed_at
stock_levels              recorded_at
stock_alert_requests      requested_at
service_interactions      opened_at
erasure_requests          requested_at
========================  ==============

contacts, products and product_relations are snapshots and order_lines follow their
orders: these are copied unchanged. Rows whose dating column is null are kept (nothing
says they are new). The work is done by DuckDB, one ``COPY (SELECT ...) TO`` per table.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb

from followup.contract import load_contract

# table -> the column that dates its rows; tables not listed are copied unchanged.
DATING_COLUMNS: dict[str, str] = {
    "orders": "ordered_at",
    "email_events": "occurred_at",
    "web_events": "occurred_at",
    "consent_events": "recorded_at",
    "esp_suppressions": "suppressed_at",
    "stock_levels": "recorded_at",
    "stock_alert_requests": "requested_at",
    "service_interactions": "opened_at",
    "erasure_requests": "requested_at",
}
UNCHANGED_TABLES: frozenset[str] = frozenset(
    {"contacts", "products", "product_relations", "order_lines"}
)


def _sql_string(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def write_day_before(
    source_dir: Path, target_dir: Path, as_of: dt.date
) -> dict[str, tuple[int, int]]:
    """Write ``source_dir`` without the rows dated ``as_of`` or later into ``target_dir``.

    ``source_dir`` holds one ``<table>.parquet`` per table of the raw data contract.
    Returns, per table, (rows in, rows out). The target folder is created if needed;
    existing files in it are replaced.
    """
    source_dir = Path(source_dir)
    target_dir = Path(target_dir)
    contract = load_contract()
    unknown = set(contract) - set(DATING_COLUMNS) - UNCHANGED_TABLES
    if unknown:
        raise ValueError(f"no dating rule for raw table(s): {', '.join(sorted(unknown))}")
    missing = [name for name in contract if not (source_dir / f"{name}.parquet").is_file()]
    if missing:
        raise FileNotFoundError(
            f"{source_dir}: missing {', '.join(f'{name}.parquet' for name in missing)}"
        )
    if source_dir.resolve() == target_dir.resolve():
        raise ValueError("the day-before folder must differ from the source folder")
    target_dir.mkdir(parents=True, exist_ok=True)

    counts: dict[str, tuple[int, int]] = {}
    cutoff = f"date {_sql_string(as_of.isoformat())}"
    with duckdb.connect() as con:
        con.execute("set preserve_insertion_order = true")
        for name, table in contract.items():
            source = source_dir / f"{name}.parquet"
            target = target_dir / f"{name}.parquet"
            reader = f"read_parquet({_sql_string(str(source))})"
            (rows_in,) = con.execute(f"select count(*) from {reader}").fetchone()
            if name in UNCHANGED_TABLES:
                shutil.copyfile(source, target)
                counts[name] = (rows_in, rows_in)
                continue
            column = DATING_COLUMNS[name]
            if column not in table.column_names:
                raise ValueError(f"{name}: the contract has no column {column}")
            # The column is typed by the contract (timestamp); cast in case a file
            # stores it as text. Null dates are kept.
            keep = f"{column} is null or cast({column} as date) < {cutoff}"
            (rows_out,) = con.execute(
                f"copy (select * from {reader} where {keep}) "
                f"to {_sql_string(str(target))} (format parquet)"
            ).fetchone()
            counts[name] = (rows_in, rows_out)
    return counts
