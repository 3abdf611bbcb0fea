"""Check a folder of raw files against the data contract and load it into a dbt target.

Nothing is loaded unless every file passes: a missing table or column, an unknown
column or a value that does not parse as its type each give one clear error naming
the file, the column and (for values) the first offending row.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from followup.contract import ENGINE_TYPES, Table, load_contract

FORMATS = ("parquet", "csv")


class LoadError(Exception):
    """The folder cannot be loaded; the message lists every problem found."""


@dataclass(frozen=True)
class RawFile:
    """A file that holds one raw table."""

    table: Table
    path: Path

    @property
    def format(self) -> str:
        return self.path.suffix.lstrip(".")


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def reader_sql(raw_file: RawFile, *, all_varchar: bool = True) -> str:
    """DuckDB table function that reads a raw file (CSV: every value as text)."""
    path = _literal(str(raw_file.path))
    if raw_file.format == "csv":
        varchar = "true" if all_varchar else "false"
        return (
            f"read_csv({path}, header = true, all_varchar = {varchar}, "
            "auto_detect = true, strict_mode = true)"
        )
    return f"read_parquet({path})"


def find_files(folder: Path, tables: dict[str, Table]) -> tuple[list[RawFile], list[str]]:
    """Match the files of a folder to the contract's tables; return files and errors."""
    errors: list[str] = []
    files: list[RawFile] = []
    if not folder.is_dir():
        return [], [f"{folder}: no such folder"]
    data_files = sorted(p for p in folder.iterdir() if p.suffix.lstrip(".") in FORMATS)
    for path in data_files:
        if path.stem not in tables:
            errors.append(
                f"{path}: file does not belong to the data contract "
                f"(known tables: {', '.join(tables)})"
            )
    for name, table in tables.items():
        candidates = [
            folder / f"{name}.{fmt}" for fmt in FORMATS if (folder / f"{name}.{fmt}").exists()
        ]
        if not candidates:
            errors.append(f"{folder}/{name}.parquet (or .csv): missing file for table {name!r}")
        elif len(candidates) > 1:
            given = ", ".join(p.name for p in candidates)
            errors.append(f"{folder}: table {name!r} is given twice ({given}); keep one")
        else:
            files.append(RawFile(table, candidates[0]))
    return files, errors


def _file_columns(con: duckdb.DuckDBPyConnection, raw_file: RawFile) -> list[tuple[str, str]]:
    rows = con.execute(f"describe select * from {reader_sql(raw_file)}").fetchall()
    return [(row[0], row[1]) for row in rows]


def _check_columns(raw_file: RawFile, columns: list[str]) -> list[str]:
    errors = []
    expected = raw_file.table.column_names
    seen: set[str] = set()
    for name in columns:
        if name in seen:
            errors.append(f"{raw_file.path}: column {name!r} appears twice in the header")
        seen.add(name)
    for name in expected:
        if name not in seen:
            errors.append(
                f"{raw_file.path}: missing column {name!r} "
                f"(table {raw_file.table.name} needs: {', '.join(expected)})"
            )
    for name in columns:
        if name not in expected:
            errors.append(
                f"{raw_file.path}: unknown column {name!r} "
                f"(table {raw_file.table.name} has: {', '.join(expected)})"
            )
    return errors


def _bad_value_counts(con: duckdb.DuckDBPyConnection, raw_file: RawFile) -> dict[str, int]:
    """How many values of each typed column do not cast to its type (one scan of the file)."""
    checks = {
        c.name: ENGINE_TYPES["duckdb"][c.data_type]
        for c in raw_file.table.columns
        if c.data_type != "text"
    }
    if not checks:
        return {}
    counts = ", ".join(
        f"count(*) filter (where {_quote(name)} is not null "
        f"and try_cast({_quote(name)} as {duck_type}) is null)"
        for name, duck_type in checks.items()
    )
    row = con.execute(f"select {counts} from {reader_sql(raw_file)}").fetchone()
    return dict(zip(checks, row, strict=True))


def _first_bad_row(
    con: duckdb.DuckDBPyConnection, raw_file: RawFile, column: str, duck_type: str
) -> tuple[int, str]:
    """The 1-based data row number and text of the first value that does not cast."""
    col = _quote(column)
    bad = f"v is not null and try_cast(v as {duck_type}) is null"
    if raw_file.format == "parquet":
        row = con.execute(
            f"select file_row_number + 1, cast(v as varchar) from ("
            f"select {col} as v, file_row_number "
            f"from read_parquet({_literal(str(raw_file.path))}, file_row_number = true)) "
            f"where {bad} order by file_row_number limit 1"
        ).fetchone()
        return int(row[0]), str(row[1])
    # Error path only: read the file in order on one thread to number its rows.
    con.execute("set threads = 1")
    try:
        con.execute(
            f"create or replace temp table _numbered as select {col} as v "
            f"from {reader_sql(raw_file)}"
        )
        row = con.execute(
            f"select rowid + 1, v from _numbered where {bad} order by rowid limit 1"
        ).fetchone()
    finally:
        con.execute("drop table if exists _numbered")
        con.execute("reset threads")
    return int(row[0]), str(row[1])


def check_file(con: duckdb.DuckDBPyConnection, raw_file: RawFile) -> list[str]:
    """Every problem of one file: unreadable, columns, and values that do not parse."""
    try:
        file_columns = _file_columns(con, raw_file)
    except duckdb.Error as exc:
        message = str(exc).splitlines()[0]
        return [f"{raw_file.path}: cannot be read as {raw_file.format.upper()}: {message}"]
    errors = _check_columns(raw_file, [name for name, _ in file_columns])
    if errors:
        return errors
    try:
        bad_counts = _bad_value_counts(con, raw_file)
        for column in raw_file.table.columns:
            if not bad_counts.get(column.name):
                continue
            duck_type = ENGINE_TYPES["duckdb"][column.data_type]
            row_number, value = _first_bad_row(con, raw_file, column.name, duck_type)
            where = f"row {row_number:,}"
            if raw_file.format == "csv":
                where += f" (line {row_number + 1:,} of the file)"
            errors.append(
                f"{raw_file.path}: column {column.name!r}: value {value!r} on {where} "
                f"does not parse as {column.data_type} "
                f"({bad_counts[column.name]:,} such value(s) in the file)"
            )
    except duckdb.Error as exc:
        message = str(exc).splitlines()[0]
        errors.append(f"{raw_file.path}: cannot be read: {message}")
    return errors


def check_folder(folder: Path, tables: dict[str, Table] | None = None) -> list[RawFile]:
    """Check every file of the folder against the contract; raise LoadError listing problems."""
    tables = tables or load_contract()
    files, errors = find_files(folder, tables)
    con = duckdb.connect()
    con.execute("set TimeZone = 'UTC'")
    try:
        for raw_file in files:
            errors.extend(check_file(con, raw_file))
    finally:
        con.close()
    if errors:
        raise LoadError("\n".join(errors))
    return files


def select_typed_sql(raw_file: RawFile) -> str:
    """A DuckDB select of the file with every column cast to its contract type."""
    columns = ", ".join(
        f"cast({_quote(c.name)} as {ENGINE_TYPES['duckdb'][c.data_type]}) as {_quote(c.name)}"
        for c in raw_file.table.columns
    )
    return f"select {columns} from {reader_sql(raw_file)}"


def load_duckdb(files: list[RawFile], settings: dict[str, Any], schema: str, log: Any) -> None:
    """Replace the raw tables in a DuckDB file, all of them in one transaction."""
    path = Path(settings["path"])
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("set TimeZone = 'UTC'")
        con.execute("begin transaction")
        con.execute(f"create schema if not exists {_quote(schema)}")
        for raw_file in files:
            started = time.monotonic()
            target = f"{_quote(schema)}.{_quote(raw_file.table.name)}"
            con.execute(f"create or replace table {target} as {select_typed_sql(raw_file)}")
            rows = con.execute(f"select count(*) from {target}").fetchone()[0]
            seconds = time.monotonic() - started
            log(f"  {raw_file.table.name:<22} {rows:>12,} rows  ({seconds:.1f} s)")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        con.close()


def _postgres_connect(settings: dict[str, Any]) -> Any:
    import psycopg2

    return psycopg2.connect(
        host=settings.get("host"),
        port=settings.get("port"),
        user=settings.get("user"),
        password=settings.get("password") or None,
        dbname=settings.get("dbname") or settings.get("database"),
        connect_timeout=int(settings.get("connect_timeout", 10)),
    )


def load_postgres(files: list[RawFile], settings: dict[str, Any], schema: str, log: Any) -> None:
    """Replace the raw tables in PostgreSQL with COPY, all of them in one transaction.

    DuckDB casts each file to its contract types and writes it as CSV to a temporary
    file, which PostgreSQL reads with COPY ... FROM STDIN (no row inserts).
    """
    import psycopg2

    try:
        con = _postgres_connect(settings)
    except psycopg2.Error as exc:
        raise LoadError(f"cannot connect to PostgreSQL: {str(exc).strip()}") from exc
    duck = duckdb.connect()
    duck.execute("set TimeZone = 'UTC'")
    try:
        with con, con.cursor() as cursor, tempfile.TemporaryDirectory() as tmp:
            cursor.execute(f"create schema if not exists {_quote(schema)}")
            for raw_file in files:
                started = time.monotonic()
                table = raw_file.table
                target = f"{_quote(schema)}.{_quote(table.name)}"
                pg_types = ENGINE_TYPES["postgres"]
                columns = ", ".join(
                    f"{_quote(col.name)} {pg_types[col.data_type]}" for col in table.columns
                )
                cursor.execute(f"drop table if exists {target}")
                cursor.execute(f"create table {target} ({columns})")
                csv_path = Path(tmp) / f"{table.name}.csv"
                duck.execute(
                    f"copy ({select_typed_sql(raw_file)}) to {_literal(str(csv_path))} "
                    "(format csv, header true)"
                )
                column_list = ", ".join(_quote(c.name) for c in table.columns)
                with csv_path.open("rb") as handle:
                    cursor.copy_expert(
                        f"copy {target} ({column_list}) from stdin with (format csv, header true)",
                        handle,
                    )
                csv_path.unlink()
                cursor.execute(f"analyze {target}")
                seconds = time.monotonic() - started
                rows = _pg_count(cursor, target)
                log(f"  {table.name:<22} {rows:>12,} rows  ({seconds:.1f} s)")
    finally:
        duck.close()
        con.close()


def _pg_count(cursor: Any, target: str) -> int:
    cursor.execute(f"select count(*) from {target}")
    return int(cursor.fetchone()[0])


def load_spark(files: list[RawFile], settings: dict[str, Any], schema: str, log: Any) -> None:
    """Replace the raw tables in Spark (the dbt `spark` target's metastore).

    DuckDB casts each file to its contract types as Parquet; Spark writes each to a
    new table first and only when all are written swaps them in, so a failure
    leaves the previous tables in place (Spark has no multi-table transactions).
    """
    from followup.spark import spark_session

    spark = spark_session(settings)
    spark_types = ENGINE_TYPES["spark"]
    duck = duckdb.connect()
    duck.execute("set TimeZone = 'UTC'")
    staged: list[str] = []
    try:
        spark.sql(f"create database if not exists `{schema}`")
        with tempfile.TemporaryDirectory() as tmp:
            for raw_file in files:
                started = time.monotonic()
                table = raw_file.table
                parquet_path = Path(tmp) / f"{table.name}.parquet"
                duck.execute(
                    f"copy ({select_typed_sql(raw_file)}) to {_literal(str(parquet_path))} "
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
                seconds = time.monotonic() - started
                log(f"  {table.name:<22} {rows:>12,} rows  ({seconds:.1f} s)")
        for name in staged:
            spark.sql(f"drop table if exists `{schema}`.`{name}`")
            spark.sql(f"alter table `{schema}`.`{name}__loading` rename to `{schema}`.`{name}`")
    finally:
        duck.close()


LOADERS = {"duckdb": load_duckdb, "postgres": load_postgres, "spark": load_spark}


def load_folder(folder: Path, settings: dict[str, Any], schema: str, log: Any = print) -> None:
    """Check the folder, then load it into the target described by `settings`."""
    engine = settings.get("type")
    if engine not in LOADERS:
        raise LoadError(
            f"target {settings.get('name')!r} is of type {engine!r}; the loader supports: "
            + ", ".join(LOADERS)
        )
    log(f"Checking {folder} against the data contract ...")
    files = check_folder(folder)
    log(f"All {len(files)} files match the contract. Loading into {engine} schema {schema!r}:")
    LOADERS[engine](files, settings, schema, log)
