"""The delivery of a simulated day: the generated data as it was at the end of day d,
plus everything the simulated ESP and customers wrote on the days before.

The generated data set is made for the last simulated day (END), so its background
(web visits, opt-ins, campaigns, orders) covers every day. Day d's delivery keeps
(followup/day_before.py, "the day before", gives the dating column of each table):

* the rows of the dated tables whose dating column is on or before d (null kept);
* the contacts created on or before d (``created_at``; null kept): a contact who signs
  up later does not exist yet;
* the order lines of every order that is kept (a line of an order dated after d goes
  with its order; a line of an unknown order stays, as the generator wrote it);
* products and product relations unchanged (snapshots).

The simulated rows (``SIMULATED/<table>/<day>.parquet``, written after each day's run)
are cut by the same rules: an order planted for d + 3 is delivered on d + 3. One
``COPY (SELECT ...) TO`` per table, by DuckDB.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import duckdb

from followup.contract import load_contract
from followup.day_before import DATING_COLUMNS, UNCHANGED_TABLES

# Contacts are dated by their creation (day_before copies them unchanged).
CUT_COLUMNS: dict[str, str] = {**DATING_COLUMNS, "contacts": "created_at"}
SNAPSHOT_TABLES: frozenset[str] = UNCHANGED_TABLES - {"contacts", "order_lines"}
# The tables the simulator writes (in SIMULATED/<table>/<day>.parquet).
SIMULATED_TABLES: tuple[str, ...] = ("email_events", "esp_suppressions", "orders", "order_lines")


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def simulated_files(simulated: Path, table: str) -> list[Path]:
    """The simulator's files of a table, in day order."""
    return sorted((simulated / table).glob("*.parquet"))


def _source(generated: Path, simulated: Path, table: str, columns: list[str]) -> str:
    """The generated rows of a table, and the simulator's if it wrote any."""
    select = ", ".join(f'"{c}"' for c in columns)
    parts = [f"select {select} from read_parquet({_literal(str(generated / f'{table}.parquet'))})"]
    files = simulated_files(simulated, table)
    if files:
        listed = ", ".join(_literal(str(f)) for f in files)
        parts.append(f"select {select} from read_parquet([{listed}])")
    return " union all ".join(parts)


def _cut(column: str, day: dt.date) -> str:
    return f'"{column}" is null or cast("{column}" as date) <= date {_literal(day.isoformat())}'


def write_delivery(generated: Path, simulated: Path, target: Path, day: dt.date) -> dict[str, int]:
    """Rebuild ``target`` as the delivery of ``day``; returns the rows per table."""
    contract = load_contract()
    unknown = set(contract) - set(CUT_COLUMNS) - SNAPSHOT_TABLES - {"order_lines"}
    if unknown:
        raise ValueError(f"no cut rule for raw table(s): {', '.join(sorted(unknown))}")
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    counts: dict[str, int] = {}
    with duckdb.connect() as con:
        con.execute("set preserve_insertion_order = true")
        orders = _source(generated, simulated, "orders", contract["orders"].column_names)
        con.execute(
            "create temp table later_orders as select distinct order_id from "
            f"({orders}) where not ({_cut(CUT_COLUMNS['orders'], day)}) and order_id is not null"
        )
        for name, table in contract.items():
            source = _source(generated, simulated, name, table.column_names)
            if name in SNAPSHOT_TABLES:
                keep = "true"
            elif name == "order_lines":
                keep = "order_id is null or order_id not in (select order_id from later_orders)"
            else:
                keep = _cut(CUT_COLUMNS[name], day)
            out = _literal(str(target / f"{name}.parquet"))
            (rows,) = con.execute(
                f"copy (select * from ({source}) where {keep}) to {out} (format parquet)"
            ).fetchone()
            counts[name] = int(rows)
    return counts


def strip_flow_events(generated: Path, start: dt.date) -> int:
    """Remove the generator's flow mails dated on or after ``start`` (the simulator plays
    the ESP for those days); returns the events removed."""
    path = generated / "email_events.parquet"
    scratch = path.with_suffix(".parquet.tmp")
    drop = (
        f"flow_id is not null and cast(occurred_at as date) >= date {_literal(start.isoformat())}"
    )
    with duckdb.connect() as con:
        con.execute("set preserve_insertion_order = true")
        reader = f"read_parquet({_literal(str(path))})"
        (removed,) = con.execute(f"select count(*) from {reader} where {drop}").fetchone()
        con.execute(
            f"copy (select * from {reader} where not coalesce({drop}, false)) "
            f"to {_literal(str(scratch))} (format parquet)"
        )
    scratch.replace(path)
    return int(removed)
