"""Reading the warehouse of a dbt target, read-only, and only what the export needs.

The target comes from the repository's ``profiles.yml`` (:func:`followup.profiles.read_target`).
A reader implements one method, :meth:`Warehouse.fetch` (SQL with ``%s`` parameters
to a DataFrame); everything else is shared SQL that runs on DuckDB and PostgreSQL:

* DuckDB (``type: duckdb``, ``path``): the file is opened ``read_only``.
* PostgreSQL (``type: postgres``, ``host``, ``port``, ``user``, ``password``,
  ``dbname``, ``schema``): psycopg2 in a read-only session.

Privacy: the queries name their columns; only the columns a profile maps (plus what
validation needs) leave the warehouse.
"""

from __future__ import annotations

import datetime as dt
import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from followup.export.errors import ConfigError
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
    """Read-only access to the analytics schema of one dbt target."""

    def __init__(self, schema: str, description: str) -> None:
        self.schema = schema
        self.description = description

    @abstractmethod
    def fetch(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        """Run a query (``%s`` parameters) and return its rows."""

    def close(self) -> None:  # noqa: B027 - optional for readers without a connection
        """Release the connection."""

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def table(self, name: str) -> str:
        return f"{quote(self.schema)}.{quote(name)}"

    def table_columns(self, name: str) -> list[WarehouseColumn]:
        """The columns of a table in order; empty if the table does not exist."""
        rows = self.fetch(
            "select column_name, data_type from information_schema.columns "
            "where table_schema = %s and table_name = %s order by ordinal_position",
            (self.schema, name),
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

    def sent_history(self, flow_id: str, start: dt.date, end: dt.date) -> dict[dt.date, int]:
        """Sends per run date of ``flow_id`` in [start, end] (flow_daily_summary)."""
        if not self.table_columns("flow_daily_summary"):
            return {}
        rows = self.fetch(
            f"select as_of_date, sent from {self.table('flow_daily_summary')} "
            "where flow_id = %s and as_of_date between %s and %s order by as_of_date",
            (flow_id, start, end),
        )
        return {_as_date(r.as_of_date): int(r.sent or 0) for r in rows.itertuples()}


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


class DuckDBWarehouse(Warehouse):
    """A DuckDB file, opened read-only."""

    def __init__(self, path: Path, schema: str, description: str) -> None:
        super().__init__(schema, description)
        import duckdb

        if not path.is_file():
            raise ConfigError(
                f"warehouse not found: {path} ({description}); build it first (make demo) "
                "or point FOLLOWUP_DUCKDB_PATH at it"
            )
        try:
            self.connection = duckdb.connect(str(path), read_only=True)
            self.connection.execute("set enable_progress_bar = false")
        except duckdb.Error as exc:
            first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ConfigError(
                f"cannot open the warehouse {path} read-only (is a dbt build running?): "
                f"{first_line}"
            ) from exc

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        relation = self.connection.sql(sql.replace("%s", "?"), params=list(params))
        return arrow_to_pandas(relation.to_arrow_table())

    def close(self) -> None:
        self.connection.close()


class PostgresWarehouse(Warehouse):
    """A PostgreSQL database (psycopg2), in a read-only session."""

    def __init__(self, settings: dict[str, Any], schema: str, description: str) -> None:
        super().__init__(schema, description)
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
            self.connection.set_session(readonly=True, autocommit=True)
        except psycopg2.Error as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else str(exc)
            raise ConfigError(f"cannot connect to {description}: {first_line}") from exc

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, tuple(params))
            names = [d[0] for d in cursor.description]
            return pd.DataFrame.from_records(cursor.fetchall(), columns=names)

    def close(self) -> None:
        self.connection.close()


def open_warehouse(settings: dict[str, Any]) -> Warehouse:
    """Open the warehouse of a dbt target (settings from followup.profiles.read_target)."""
    kind = settings.get("type")
    schema = str(settings.get("schema") or "analytics")
    name = settings.get("name", "?")
    if kind == "duckdb":
        path = Path(settings["path"])
        return DuckDBWarehouse(path, schema, f"target {name} (DuckDB {path})")
    if kind == "postgres":
        where = f"{settings.get('host')}:{settings.get('port')}/{settings.get('dbname')}"
        return PostgresWarehouse(settings, schema, f"target {name} (PostgreSQL {where})")
    raise ConfigError(f"target {name}: warehouse type {kind!r} is not supported (duckdb, postgres)")
