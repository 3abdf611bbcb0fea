"""Check a folder of raw files against the data contract and load it into a dbt target.

Nothing is loaded unless every file passes (``followup.rawfiles``) and no table shrinks
by more than the allowed share against the previous load (the shrink guard: an EL
tool that delivers a truncated table must not silently empty the warehouse). Each
problem is one line naming the file, the column and the row or line where it can.
All tables are then replaced together: in one transaction on DuckDB and PostgreSQL,
by swapping fully written tables on Spark.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from followup.contract import ENGINE_TYPES, Table, load_contract
from followup.faults import fault_point
from followup.rawfiles import FileCheck, check_file, find_files, literal, quote, typed_select_sql

DEFAULT_MAX_SHRINK = 0.5
Log = Callable[[str], None]


class LoadError(Exception):
    """The folder cannot be loaded; the message lists every problem found (exit code 1)."""


class WarehouseBusy(LoadError):
    """Another process holds the warehouse (a dbt build, an export): nothing was loaded."""


@dataclass(frozen=True)
class ShrinkGuard:
    """Refuse a table whose rows fall by more than ``max_shrink`` (0..1) or to zero."""

    max_shrink: float = DEFAULT_MAX_SHRINK
    allowed: frozenset[str] = field(default_factory=frozenset)

    def problems(self, checks: Iterable[FileCheck], previous: dict[str, int]) -> list[str]:
        errors = []
        for check in checks:
            name = check.raw_file.table.name
            before = previous.get(name)
            if not before or name in self.allowed:
                continue
            now = check.rows
            fall = (before - now) / before
            if now == 0 or fall > self.max_shrink:
                errors.append(
                    f"{check.raw_file.path}: {now:,} rows, the previous load of {name} had "
                    f"{before:,} (a fall of {fall:.0%}, more than the {self.max_shrink:.0%} "
                    f"allowed); if this is intended, load again with --allow-shrink {name}"
                )
        return errors


def check_folder(
    folder: Path, tables: dict[str, Table] | None = None, log: Log | None = None
) -> list[FileCheck]:
    """Check every file of the folder against the contract; raise LoadError listing problems."""
    tables = tables or load_contract()
    files, errors = find_files(folder, tables)
    checks: list[FileCheck] = []
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    try:
        for raw_file in files:
            check = check_file(con, raw_file)
            checks.append(check)
            errors.extend(check.errors)
    finally:
        con.close()
    if errors:
        raise LoadError("\n".join(errors))
    if log:
        for check in checks:
            for warning in check.warnings:
                log(f"warning: {warning}")
    return checks


# ---------------------------------------------------------------- DuckDB


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "Could not set lock" in text or "Conflicting lock" in text


def open_duckdb(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open a warehouse file; a file another process holds is WarehouseBusy, one line."""
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        if _is_lock_error(exc):
            raise WarehouseBusy(
                f"the warehouse {path} is in use by another process (a dbt build, an export "
                "or an open connection); nothing was loaded: try again when it has finished"
            ) from None
        raise LoadError(f"cannot open the warehouse {path}: {str(exc).splitlines()[0]}") from None


def _duckdb_counts(con: duckdb.DuckDBPyConnection, schema: str) -> dict[str, int]:
    names = [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = ?", [schema]
        ).fetchall()
    ]
    return {
        name: int(con.execute(f"select count(*) from {quote(schema)}.{quote(name)}").fetchone()[0])
        for name in names
    }


def load_duckdb(folder: Path, settings: dict[str, Any], schema: str, plan: LoadPlan) -> None:
    """Check, guard, then replace the raw tables of a DuckDB file in one transaction."""
    path = Path(settings["path"])
    path.parent.mkdir(parents=True, exist_ok=True)
    con = open_duckdb(path)  # held from the checks to the commit: nobody writes meanwhile
    try:
        checks = plan.check(folder, lambda: _duckdb_counts(con, schema))
        con.execute("set TimeZone = 'UTC'")
        con.execute("begin transaction")
        try:
            con.execute(f"create schema if not exists {quote(schema)}")
            for check in checks:
                started = time.monotonic()
                target = f"{quote(schema)}.{quote(check.raw_file.table.name)}"
                con.execute(f"create or replace table {target} as {typed_select_sql(check)}")
                plan.loaded(check, _count(con, target), time.monotonic() - started)
            fault_point("load.before_commit")
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    finally:
        con.close()


def _count(con: duckdb.DuckDBPyConnection, target: str) -> int:
    return int(con.execute(f"select count(*) from {target}").fetchone()[0])


# ---------------------------------------------------------------- PostgreSQL


def _postgres_connect(settings: dict[str, Any]) -> Any:
    import psycopg2

    try:
        return psycopg2.connect(
            host=settings.get("host"),
            port=settings.get("port"),
            user=settings.get("user"),
            password=settings.get("password") or None,
            dbname=settings.get("dbname") or settings.get("database"),
            connect_timeout=int(settings.get("connect_timeout", 10)),
        )
    except psycopg2.Error as exc:
        raise LoadError(f"cannot connect to PostgreSQL: {str(exc).strip()}") from None


def _postgres_counts(cursor: Any, schema: str) -> dict[str, int]:
    cursor.execute(
        "select table_name from information_schema.tables where table_schema = %s", (schema,)
    )
    counts = {}
    for (name,) in cursor.fetchall():
        cursor.execute(f"select count(*) from {quote(schema)}.{quote(name)}")
        counts[name] = int(cursor.fetchone()[0])
    return counts


def load_postgres(folder: Path, settings: dict[str, Any], schema: str, plan: LoadPlan) -> None:
    """Check, guard, then replace the raw tables in PostgreSQL with COPY, in one transaction.

    DuckDB casts each file to its contract types and writes it as CSV to a temporary
    file, which PostgreSQL reads with COPY ... FROM STDIN (no row inserts). The
    transaction takes an exclusive lock on each table it replaces, so two loads never
    interleave.
    """
    con = _postgres_connect(settings)
    duck = duckdb.connect()
    duck.execute("set TimeZone = 'UTC'")
    try:
        with con, con.cursor() as cursor, tempfile.TemporaryDirectory() as tmp:
            checks = plan.check(folder, lambda: _postgres_counts(cursor, schema))
            cursor.execute(f"create schema if not exists {quote(schema)}")
            for check in checks:
                started = time.monotonic()
                table = check.raw_file.table
                target = f"{quote(schema)}.{quote(table.name)}"
                pg_types = ENGINE_TYPES["postgres"]
                columns = ", ".join(
                    f"{quote(col.name)} {pg_types[col.data_type]}" for col in table.columns
                )
                cursor.execute(f"drop table if exists {target}")
                cursor.execute(f"create table {target} ({columns})")
                csv_path = Path(tmp) / f"{table.name}.csv"
                duck.execute(
                    f"copy ({typed_select_sql(check)}) to {literal(str(csv_path))} "
                    "(format csv, header true)"
                )
                column_list = ", ".join(quote(c.name) for c in table.columns)
                with csv_path.open("rb") as handle:
                    cursor.copy_expert(
                        f"copy {target} ({column_list}) from stdin with (format csv, header true)",
                        handle,
                    )
                csv_path.unlink()
                cursor.execute(f"analyze {target}")
                cursor.execute(f"select count(*) from {target}")
                plan.loaded(check, int(cursor.fetchone()[0]), time.monotonic() - started)
    finally:
        duck.close()
        con.close()


# ---------------------------------------------------------------- Spark


def load_spark(folder: Path, settings: dict[str, Any], schema: str, plan: LoadPlan) -> None:
    """Check, guard, then replace the raw tables in Spark (the dbt `spark` target's metastore).

    DuckDB casts each file to its contract types as Parquet; Spark writes each to a
    new table first and only when all are written swaps them in, so a failure
    leaves the previous tables in place (Spark has no multi-table transactions).
    """
    from followup.spark import spark_session

    spark = spark_session(settings)
    spark_types = ENGINE_TYPES["spark"]

    def counts() -> dict[str, int]:
        if not spark.catalog.databaseExists(schema):
            return {}
        return {
            t.name: spark.table(f"{schema}.{t.name}").count()
            for t in spark.catalog.listTables(schema)
        }

    checks = plan.check(folder, counts)
    duck = duckdb.connect()
    duck.execute("set TimeZone = 'UTC'")
    staged: list[str] = []
    try:
        spark.sql(f"create database if not exists `{schema}`")
        with tempfile.TemporaryDirectory() as tmp:
            for check in checks:
                started = time.monotonic()
                table = check.raw_file.table
                parquet_path = Path(tmp) / f"{table.name}.parquet"
                duck.execute(
                    f"copy ({typed_select_sql(check)}) to {literal(str(parquet_path))} "
                    "(format parquet)"
                )
                frame = spark.read.parquet(str(parquet_path))
                frame = frame.select(
                    *[
                        frame[c.name].cast(spark_types[c.data_type]).alias(c.name)
                        for c in table.columns
                    ]
                )
                loading = f"`{schema}`.`{table.name}__loading`"
                spark.sql(f"drop table if exists {loading}")
                frame.write.format("parquet").saveAsTable(f"{schema}.{table.name}__loading")
                staged.append(table.name)
                rows = spark.table(f"{schema}.{table.name}__loading").count()
                plan.loaded(check, rows, time.monotonic() - started)
        for name in staged:
            spark.sql(f"drop table if exists `{schema}`.`{name}`")
            spark.sql(f"alter table `{schema}`.`{name}__loading` rename to `{schema}`.`{name}`")
    finally:
        duck.close()


# ---------------------------------------------------------------- orchestration


@dataclass
class LoadPlan:
    """The checks and the guard one load applies, and what it reports."""

    guard: ShrinkGuard
    log: Log = print
    previous: dict[str, int] = field(default_factory=dict)
    rows: int = 0  # rows loaded, over all tables

    def check(self, folder: Path, previous_counts: Callable[[], dict[str, int]]) -> list[FileCheck]:
        """Check the files, then the shrink guard against the tables loaded before."""
        self.log(f"Checking {folder} against the data contract ...")
        checks = check_folder(folder, log=self.log)
        self.previous = previous_counts()
        problems = self.guard.problems(checks, self.previous)
        if problems:
            raise LoadError("\n".join(problems))
        self.log(f"All {len(checks)} files match the contract. Loading:")
        return checks

    def loaded(self, check: FileCheck, rows: int, seconds: float) -> None:
        name = check.raw_file.table.name
        self.rows += rows
        before = self.previous.get(name)
        change = "" if before is None else f"  (previous load {before:,})"
        self.log(f"  {name:<22} {rows:>12,} rows  ({seconds:.1f} s){change}")


LOADERS = {"duckdb": load_duckdb, "postgres": load_postgres, "spark": load_spark}


def load_folder(
    folder: Path,
    settings: dict[str, Any],
    schema: str,
    log: Log = print,
    guard: ShrinkGuard | None = None,
) -> int:
    """Check the folder, guard against shrinking tables, then load it into the target.

    Returns the number of rows loaded (all tables)."""
    engine = settings.get("type")
    if engine not in LOADERS:
        raise LoadError(
            f"target {settings.get('name')!r} is of type {engine!r}; the loader supports: "
            + ", ".join(LOADERS)
        )
    plan = LoadPlan(guard or ShrinkGuard(), log)
    LOADERS[engine](folder, settings, schema, plan)
    return plan.rows
