"""Operations on protective data: lift an ESP suppression on purpose, purge erased people
from the raw tables the loader manages.

Both act on the warehouse of a dbt target (DuckDB or PostgreSQL) and need it writable
(no dbt build running). Both rely on what the last ``dbt build`` recorded: the erasure
ledger (``analytics.base_erasure_ledger``) and the state schema (``<schema>_state``).
"""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass
from typing import Any

from followup.export.errors import ConfigError
from followup.export.state import ExportState, email_sha256
from followup.export.warehouse import Warehouse, open_warehouse, quote

# Raw tables keyed by contact_id (and by email), purged of erased people; order lines
# go with the orders they belong to. esp_suppressions stays (it protects the address)
# and so does erasure_requests (the legal record of the erasure).
CONTACT_KEYED = ("consent_events", "orders", "email_events", "web_events",
                 "service_interactions")  # fmt: skip
EMAIL_KEYED = ("contacts", "stock_alert_requests")
WHITESPACE = "' ' || chr(9) || chr(10) || chr(13)"


def trimmed_sql(warehouse: Warehouse, column: str) -> str:
    """The value without leading and trailing ASCII whitespace, as staging trims it."""
    trim = "trim" if warehouse.engine == "duckdb" else "btrim"
    return f"{trim}({column}, {WHITESPACE})"


def normalised_email_sql(warehouse: Warehouse, column: str) -> str:
    """lower(trim(email)) as staging computes it, in the warehouse's SQL."""
    return f"lower({trimmed_sql(warehouse, column)})"


def sha256_sql(warehouse: Warehouse, expression: str) -> str:
    if warehouse.engine == "duckdb":
        return f"sha256({expression})"
    return f"encode(sha256(convert_to({expression}, 'UTF8')), 'hex')"


def normalise(email: str) -> str:
    return email.strip(" \t\r\n").lower()


@dataclass
class Lift:
    email_sha256: str
    lifted_at: dt.datetime
    reason: str
    lifted_by: str


def lift_suppression(
    settings: dict[str, Any], email: str, reason: str, by: str | None = None
) -> Lift:
    """Record that the ESP suppressions of ``email`` recorded until now no longer hold."""
    if not reason.strip():
        raise ConfigError("give the reason for lifting the suppression (--reason)")
    address = normalise(email)
    if "@" not in address:
        raise ConfigError(f"{email!r} is not an email address")
    lift = Lift(
        email_sha256=email_sha256(address),
        lifted_at=dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None),
        reason=reason.strip(),
        lifted_by=by or getpass.getuser(),
    )
    with open_warehouse(settings, read_only=False) as warehouse:
        state = ExportState(warehouse)
        state.ensure()
        import pandas as pd

        warehouse.insert_frame(state.table("suppression_lifts"), pd.DataFrame([lift.__dict__]))
    return lift


def list_lifts(settings: dict[str, Any]) -> list[Lift]:
    with open_warehouse(settings, read_only=True) as warehouse:
        state = ExportState(warehouse)
        if not warehouse.table_columns("suppression_lifts", state.schema):
            return []
        rows = warehouse.fetch(
            f"select email_sha256, lifted_at, reason, lifted_by from "
            f"{state.table('suppression_lifts')} order by lifted_at"
        )
    return [
        Lift(r.email_sha256, r.lifted_at.to_pydatetime(), r.reason, r.lifted_by)
        for r in rows.itertuples()
    ]


def purge_erased_raw(settings: dict[str, Any], raw_schema: str = "raw") -> dict[str, int]:
    """Delete every raw row of an erased person (by contact_id or normalised email).

    Uses the erasure ledger of the last dbt build. Returns the rows deleted per table.
    """
    with open_warehouse(settings, read_only=False) as warehouse:
        ledger = f"{quote(warehouse.schema)}.{quote('base_erasure_ledger')}"
        if not warehouse.table_columns("base_erasure_ledger"):
            raise ConfigError(
                f"{warehouse.schema}.base_erasure_ledger not found in {warehouse.description}: "
                "run dbt build first (it records the erasures)"
            )
        erased_ids = f"(select subject from {ledger} where subject_type = 'contact')"
        erased_hashes = f"(select subject from {ledger} where subject_type = 'email')"

        def raw(table: str) -> str:
            return f"{quote(raw_schema)}.{quote(table)}"

        def by_email(column: str) -> str:
            hashed = sha256_sql(warehouse, normalised_email_sql(warehouse, column))
            return f"{hashed} in {erased_hashes}"

        by_id = f"{trimmed_sql(warehouse, 'contact_id')} in {erased_ids}"
        conditions = {
            "order_lines": f"order_id in (select order_id from {raw('orders')} where {by_id})",
            **{table: by_id for table in CONTACT_KEYED},
            **{table: f"{by_id} or {by_email('email')}" for table in EMAIL_KEYED},
        }
        deleted: dict[str, int] = {}
        with warehouse.transaction():
            for table, condition in conditions.items():
                if not warehouse.table_columns(table, raw_schema):
                    continue
                count = warehouse.fetch(f"select count(*) as n from {raw(table)} where {condition}")
                deleted[table] = int(count["n"].iloc[0])
                if deleted[table]:
                    warehouse.execute(f"delete from {raw(table)} where {condition}")
    return deleted
