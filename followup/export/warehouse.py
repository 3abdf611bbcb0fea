"""The warehouse of a dbt target: read what the export needs, write only its state.

The target comes from the repository's ``profiles.yml`` (:func:`followup.profiles.read_target`).
A connection implements :meth:`Warehouse.fetch` (SQL with ``%s`` parameters to a
DataFrame), :meth:`Warehouse.execute`, :meth:`Warehouse.insert_frame` and
:meth:`Warehouse.transaction`; everything else is shared SQL that runs on DuckDB and
PostgreSQL:

* DuckDB (``type: duckdb``, ``path``): a dry run opens the file ``read_only``; an
  export opens it for writing (the send log lives in it), which DuckDB grants one
  process at a time.
* PostgreSQL (``type: postgres``, ``host``, ``port``, ``user``, ``password``,
  ``dbname``, ``schema``): psycopg2; a dry run is a read-only session.

The analytics tables are only ever read; the export writes only the state tables
(``followup.export.state``). Privacy: the queries name their columns; only the
columns a profile maps (plus what validation needs) leave the warehouse.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from followup.export.errors import ConfigError, WarehouseBusy
from followup.export.fields import WarehouseColumn

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def quote(identifier: str) -> str:
    """A double-quoted SQL identifier (only plain names are accepted)."""
    if not _IDENTIFIER.match(identifier):
        raise ConfigError(f"not a valid SQL name: {identifier!r}")
    return f'"{identifier}"'


@dataclass(frozen=True)
class FlowInfo:
    """A flow of the registry (seed ``flows``)."""

    flow_id: str
    name: str
    category: str
    enabled: bool


class Warehouse(ABC):
    """The analytics schema of one dbt target (read) and its state schema (written)."""

    engine = "duckdb"

    def __init__(self, schema: str, description: str, read_only: bool = True) -> None:
        self.schema = schema
        self.description = description
        self.read_only = read_only

    @abstractmethod
    def fetch(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        """Run a query (``%s`` parameters) and return its rows."""

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Run a statement (``%s`` parameters)."""

    @abstractmethod
    def insert_frame(self, table: str, frame: pd.DataFrame) -> None:
        """Append the rows of ``frame`` to ``table`` (columns by name)."""

    @abstractmethod
    def transaction(self) -> contextlib.AbstractContextManager[None]:
        """A transaction: committed at the end of the block, rolled back on an error."""

    @abstractmethod
    def lock(self, wait_seconds: float) -> contextlib.AbstractContextManager[None]:
        """Hold the warehouse's export lock (one export writes at a time)."""

    def close(self) -> None:  # noqa: B027 - optional for readers without a connection
        """Release the connection."""

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def table(self, name: str) -> str:
        return f"{quote(self.schema)}.{quote(name)}"

    def table_columns(self, name: str, schema: str | None = None) -> list[WarehouseColumn]:
        """The columns of a table in order; empty if the table does not exist."""
        rows = self.fetch(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = %s and table_name = %s order by ordinal_position",
            (schema or self.schema, name),
        )
        return [WarehouseColumn(str(r.column_name), str(r.data_type)) for r in rows.itertuples()]

    def require_table(self, name: str) -> list[WarehouseColumn]:
        columns = self.table_columns(name)
        if not columns:
            raise ConfigError(
                f"table {self.schema}.{name} not found in {self.description}: "
                "build the warehouse first (dbt build)"
            )
        return columns

    def flows(self) -> dict[str, FlowInfo]:
        """The flow registry (seed ``flows``), by flow id."""
        self.require_table("flows")
        rows = self.fetch(
            f"select flow_id, name, category, enabled from {self.table('flows')} order by flow_id"
        )
        return {
            str(r.flow_id): FlowInfo(str(r.flow_id), str(r.name), str(r.category), bool(r.enabled))
            for r in rows.itertuples()
        }

    def built_dates(self) -> list[dt.date]:
        """The day(s) the warehouse was built for (``dim_contacts.as_of_date``)."""
        self.require_table("dim_contacts")
        rows = self.fetch(
            f"select distinct as_of_date from {self.table('dim_contacts')} "
            "where as_of_date is not null order by 1"
        )
        return [_as_date(v) for v in rows["as_of_date"]]

    def audience_dates(self, flow_id: str) -> list[dt.date]:
        rows = self.fetch(
            f"select distinct as_of_date from {self.table('audience_' + flow_id)} order by 1"
        )
        return [_as_date(v) for v in rows["as_of_date"]]

    def read_audience(
        self, flow_id: str, columns: Sequence[str], contact_columns: Sequence[str]
    ) -> pd.DataFrame:
        """The named audience columns, with dim_contacts columns joined on contact_id."""
        audience = self.table("audience_" + flow_id)
        selected = [f"a.{quote(c)}" for c in columns]
        selected += [f"c.{quote(c)}" for c in contact_columns]
        join = ""
        if contact_columns:
            join = f" left join {self.table('dim_contacts')} as c on a.contact_id = c.contact_id"
        order = " order by a.contact_id, a.email"
        return self.fetch(f"select {', '.join(selected)} from {audience} as a{join}{order}")


def arrow_to_pandas(table: pa.Table) -> pd.DataFrame:
    """A DataFrame with fast types: decimals as float64, dates as datetime64, Arrow strings."""
    fields = []
    for field in table.schema:
        if pa.types.is_decimal(field.type):
            fields.append(pa.field(field.name, pa.float64()))
        elif pa.types.is_date(field.type):
            fields.append(pa.field(field.name, pa.timestamp("s")))
        else:
            fields.append(field)
    return table.cast(pa.schema(fields)).to_pandas()


def _as_date(value: Any) -> dt.date:
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return pd.Timestamp(value).date()


LOCK_POLL_SECONDS = 0.5


def _busy(description: str, waited: float) -> WarehouseBusy:
    return WarehouseBusy(
        f"another export of {description} is running (waited {waited:.0f} s); nothing was "
        "written: try again when it has finished, or give --wait SECONDS"
    )


class DuckDBWarehouse(Warehouse):
    """A DuckDB file: read-only for a dry run, else opened for writing its state."""

    def __init__(
        self,
        path: Path,
        schema: str,
        description: str,
        read_only: bool = True,
        wait_seconds: float = 0.0,
    ) -> None:
        super().__init__(schema, description, read_only)
        import duckdb

        if not path.is_file():
            raise ConfigError(
                f"warehouse not found: {path} ({description}); build it first (make demo) "
                "or point FOLLOWUP_DUCKDB_PATH at it"
            )
        self.path = path
        started = time.monotonic()
        while True:
            try:
                self.connection = duckdb.connect(str(path), read_only=read_only)
                self.connection.execute("set enable_progress_bar = false")
                break
            except duckdb.Error as exc:
                first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                if "lock" not in first_line.lower():
                    raise ConfigError(f"cannot open the warehouse {path}: {first_line}") from exc
                waited = time.monotonic() - started
                if waited >= wait_seconds:
                    raise WarehouseBusy(
                        f"the warehouse {path} is in use by another process (a dbt build, an "
                        f"export or an open connection; waited {waited:.0f} s); nothing was "
                        "written: try again when it has finished, or give --wait SECONDS"
                    ) from None
                time.sleep(LOCK_POLL_SECONDS)

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        relation = self.connection.sql(sql.replace("%s", "?"), params=list(params))
        if relation is None:
            return pd.DataFrame()
        return arrow_to_pandas(relation.to_arrow_table())

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.connection.execute(sql.replace("%s", "?"), list(params))

    def insert_frame(self, table: str, frame: pd.DataFrame) -> None:
        self.connection.register("_followup_rows", frame)
        try:
            names = ", ".join(quote(c) for c in frame.columns)
            self.connection.execute(
                f"insert into {table} ({names}) select {names} from _followup_rows"
            )
        finally:
            self.connection.unregister("_followup_rows")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self.connection.execute("begin transaction")
        try:
            yield
        except BaseException:
            self.connection.execute("rollback")
            raise
        self.connection.execute("commit")

    @contextlib.contextmanager
    def lock(self, wait_seconds: float) -> Iterator[None]:
        """An advisory file lock beside the warehouse file (``<file>.export.lock``)."""
        import fcntl

        lock_path = self.path.with_name(self.path.name + ".export.lock")
        started = time.monotonic()
        with lock_path.open("a") as handle:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    waited = time.monotonic() - started
                    if waited >= wait_seconds:
                        raise _busy(self.description, waited) from None
                    time.sleep(LOCK_POLL_SECONDS)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def close(self) -> None:
        self.connection.close()


class PostgresWarehouse(Warehouse):
    """A PostgreSQL database (psycopg2); a dry run is a read-only session."""

    engine = "postgres"

    def __init__(
        self, settings: dict[str, Any], schema: str, description: str, read_only: bool = True
    ) -> None:
        super().__init__(schema, description, read_only)
        import psycopg2

        try:
            self.connection = psycopg2.connect(
                host=settings.get("host"),
                port=settings.get("port"),
                user=settings.get("user"),
                password=settings.get("password") or settings.get("pass"),
                dbname=settings.get("dbname") or settings.get("database"),
                connect_timeout=10,
            )
            self.connection.set_session(readonly=read_only, autocommit=True)
        except psycopg2.Error as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else str(exc)
            raise ConfigError(f"cannot connect to {description}: {first_line}") from exc
        self._in_transaction = False

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, tuple(params))
            names = [d[0] for d in cursor.description]
            return pd.DataFrame.from_records(cursor.fetchall(), columns=names)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, tuple(params))

    def insert_frame(self, table: str, frame: pd.DataFrame) -> None:
        import io

        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, header=False, na_rep="\\N")
        buffer.seek(0)
        names = ", ".join(quote(c) for c in frame.columns)
        with self.connection.cursor() as cursor:
            cursor.copy_expert(
                f"copy {table} ({names}) from stdin with (format csv, null '\\N')", buffer
            )

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self.connection.autocommit = False
        try:
            yield
            self.connection.commit()
        except BaseException:
            self.connection.rollback()
            raise
        finally:
            self.connection.autocommit = True

    @contextlib.contextmanager
    def lock(self, wait_seconds: float) -> Iterator[None]:
        """A session-level advisory lock, one per database."""
        started = time.monotonic()
        key = "select hashtext('followup.export')"
        while True:
            locked = self.fetch(f"select pg_try_advisory_lock(({key})) as ok")["ok"].iloc[0]
            if locked:
                break
            waited = time.monotonic() - started
            if waited >= wait_seconds:
                raise _busy(self.description, waited)
            time.sleep(LOCK_POLL_SECONDS)
        try:
            yield
        finally:
            self.execute(f"select pg_advisory_unlock(({key}))")

    def close(self) -> None:
        self.connection.close()


def open_warehouse(
    settings: dict[str, Any], read_only: bool = True, wait_seconds: float = 0.0
) -> Warehouse:
    """Open the warehouse of a dbt target (settings from followup.profiles.read_target);
    a DuckDB file another process holds is retried for up to ``wait_seconds``."""
    kind = settings.get("type")
    schema = str(settings.get("schema") or "analytics")
    name = settings.get("name", "?")
    if kind == "duckdb":
        path = Path(settings["path"])
        description = f"target {name} (DuckDB {path})"
        return DuckDBWarehouse(path, schema, description, read_only, wait_seconds)
    if kind == "postgres":
        where = f"{settings.get('host')}:{settings.get('port')}/{settings.get('dbname')}"
        return PostgresWarehouse(settings, schema, f"target {name} (PostgreSQL {where})", read_only)
    raise ConfigError(f"target {name}: warehouse type {kind!r} is not supported (duckdb, postgres)")
