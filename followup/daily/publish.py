"""Publishing for BI tools: one consistent day, replaced in one atomic step.

BI tools never read the warehouse dbt writes; they read a published copy of its
segment and flow tables (every relation of the target schema except the staging and
intermediate ones, ``stg_*``, ``base_*`` and ``int_*``) and of the run ledger
(``daily_runs``), all from one run.

DuckDB: the tables are copied into a new file beside the published one, which is then
renamed over it (``rename(2)`` is atomic). A reader that has the old file open keeps
reading the old day until it reconnects; a reader that connects afterwards gets the new
day; nobody ever waits for a lock or gets an error, and an open BI connection never
blocks the job, because nothing writes to a file a reader can have open.

PostgreSQL: the tables are copied into the schema ``<schema>_published_next`` and swapped
in for ``<schema>_published`` in the same transaction; readers see the old day until the
commit and the new day after it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from followup.daily.ledger import DONE, TABLE, utc_now
from followup.export.state import STATE_SUFFIX
from followup.export.warehouse import quote
from followup.faults import fault_point
from followup.rawfiles import literal

NOT_PUBLISHED = ("stg_", "base_", "int_")
PUBLISHED_SUFFIX = "_published"


@dataclass(frozen=True)
class Published:
    """Where BI tools read the day, and how many tables it holds."""

    where: str
    tables: int


def bi_tables(names: list[str]) -> list[str]:
    """The relations BI tools get: everything but staging and intermediate models."""
    return sorted(name for name in names if not name.startswith(NOT_PUBLISHED))


def default_published_path(warehouse: Path) -> Path:
    """``warehouse/followup.duckdb`` publishes to ``warehouse/published/followup.duckdb``."""
    return warehouse.parent / "published" / warehouse.name


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove_temporaries(target: Path) -> None:
    """Copies a killed run left half-written (never under the published name)."""
    for leftover in target.parent.glob(f".{target.name}.*.tmp*"):
        leftover.unlink(missing_ok=True)


def publish_duckdb(warehouse: Path, target: Path, schema: str, run_id: str) -> Published:
    """Copy the BI tables of ``warehouse`` into a new file and rename it to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_temporaries(target)
    temporary = target.with_name(f".{target.name}.{run_id}.tmp")
    state = schema + STATE_SUFFIX
    con = duckdb.connect(str(temporary))
    try:
        con.execute("set enable_progress_bar = false")
        con.execute(f"attach {literal(str(warehouse))} as src (read_only)")
        names = [
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables "
                "where table_catalog = 'src' and table_schema = ?",
                [schema],
            ).fetchall()
        ]
        tables = bi_tables(names)
        con.execute(f"create schema {quote(schema)}")
        for name in tables:
            con.execute(
                f"create table {quote(schema)}.{quote(name)} as "
                f"select * from src.{quote(schema)}.{quote(name)}"
            )
        fault_point("publish.after_copy")
        con.execute(
            f"create table {quote(schema)}.{TABLE} as select * from src.{quote(state)}.{TABLE}"
        )
        _close_run_in_copy(con, f"{quote(schema)}.{TABLE}", run_id, len(tables) + 1)
        con.execute("detach src")
        con.execute("checkpoint")
    finally:
        con.close()
    _fsync(temporary)
    fault_point("publish.before_rename")
    os.replace(temporary, target)
    _fsync(target.parent)
    fault_point("publish.after_rename")
    return Published(str(target), len(tables) + 1)


def _close_run_in_copy(con: Any, table: str, run_id: str, tables: int) -> None:
    """In the copy, this run's publish step and the run itself read as done."""
    now = utc_now()
    con.execute(
        f"update {table} set status = ?, finished_at = ?, rows = ?, message = ? "
        "where run_id = ? and step = 'publish'",
        [DONE, now, tables, f"{tables} tables published", run_id],
    )
    con.execute(
        f"update {table} set status = ?, finished_at = ?, message = ? "
        "where run_id = ? and step = 'run'",
        [DONE, now, "published", run_id],
    )


def publish_postgres(
    settings: dict[str, Any], schema: str, run_id: str, grant_to: tuple[str, ...] = ()
) -> Published:
    """Copy the BI tables into ``<schema>_published_next`` and swap it in, one transaction."""
    import psycopg2

    published = schema + PUBLISHED_SUFFIX
    upcoming = published + "_next"
    connection = psycopg2.connect(
        host=settings.get("host"),
        port=settings.get("port"),
        user=settings.get("user"),
        password=settings.get("password") or settings.get("pass"),
        dbname=settings.get("dbname") or settings.get("database"),
        connect_timeout=10,
        application_name="followup daily (publish)",
    )
    try:
        with connection, connection.cursor() as cursor:  # one transaction
            cursor.execute(
                "select table_name from information_schema.tables where table_schema = %s",
                (schema,),
            )
            tables = bi_tables([row[0] for row in cursor.fetchall()])
            cursor.execute(f"drop schema if exists {quote(upcoming)} cascade")
            cursor.execute(f"create schema {quote(upcoming)}")
            for name in tables:
                cursor.execute(
                    f"create table {quote(upcoming)}.{quote(name)} as "
                    f"select * from {quote(schema)}.{quote(name)}"
                )
            fault_point("publish.after_copy")
            ledger = f"{quote(upcoming)}.{TABLE}"
            cursor.execute(
                f"create table {ledger} as select * from {quote(schema + STATE_SUFFIX)}.{TABLE}"
            )
            _close_run_in_copy(_PsycopgQmark(cursor), ledger, run_id, len(tables) + 1)
            for role in grant_to:
                cursor.execute(f"grant usage on schema {quote(upcoming)} to {quote(role)}")
                cursor.execute(
                    f"grant select on all tables in schema {quote(upcoming)} to {quote(role)}"
                )
            cursor.execute(f"drop schema if exists {quote(published)} cascade")
            cursor.execute(f"alter schema {quote(upcoming)} rename to {quote(published)}")
            fault_point("publish.before_rename")
        fault_point("publish.after_rename")
    finally:
        connection.close()
    where = (
        f"postgresql://{settings.get('host')}:{settings.get('port')}/"
        f"{settings.get('dbname')} schema {published}"
    )
    return Published(where, len(tables) + 1)


class _PsycopgQmark:
    """``?`` parameters on a psycopg2 cursor, so one function updates both engines."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def execute(self, sql: str, params: list[Any]) -> None:
        self.cursor.execute(sql.replace("?", "%s"), tuple(params))
