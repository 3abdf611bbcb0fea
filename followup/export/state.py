"""The export's durable state in the warehouse: the send log and its batches.

One send log per warehouse (schema ``<target schema>_state``, e.g. ``analytics_state``;
source ``followup_state``, declared with its columns in
``models/staging/followup_state/_followup_state__sources.yml``; dbt and this module create the
tables when they are missing), so every export of that warehouse sees it, whatever
its ``--out`` folder. A recipient is recorded as the SHA-256 of the normalised email,
never in clear text, with the contact_id; erasure deletes an erased person's rows.

A batch is one flow's send list for one day, profile and output folder:

1. its files are written under temporary names;
2. ``commit``: the batch and all its recipients are recorded in one transaction;
3. the files are renamed into place and the manifest is written;
4. ``complete``: the batch is marked complete.

A crash between 2 and 4 leaves a *committed* batch. The next export finishes it
before anything else (its recipients count as exported already), so every recipient
is exported exactly once per (day, flow, step, channel).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd
import yaml

from followup import PROJECT_DIR
from followup.contract import ENGINE_TYPES
from followup.export.warehouse import Warehouse, quote

STATE_SOURCES = PROJECT_DIR / "models/staging/followup_state/_followup_state__sources.yml"
STATE_SUFFIX = "_state"


def email_sha256(email: str) -> str:
    """SHA-256 (hex) of a normalised email, as the warehouse's sha256_hex macro computes it."""
    return hashlib.sha256(email.encode("utf-8")).hexdigest()


def email_hashes(emails: Iterable[Any]) -> list[str | None]:
    return [None if e is None or e != e else email_sha256(str(e)) for e in emails]


@cache
def state_tables() -> dict[str, list[tuple[str, str]]]:
    """The state tables and their (column, contract type), from the sources YAML."""
    document = yaml.safe_load(STATE_SOURCES.read_text(encoding="utf-8"))
    source = next(s for s in document["sources"] if s["name"] == "followup_state")
    return {
        table["name"]: [(column["name"], column["data_type"]) for column in table["columns"]]
        for table in source["tables"]
    }


@dataclass
class Batch:
    """One export batch (a row of export_batches)."""

    batch_id: str
    as_of_date: dt.date
    flow_id: str
    channel: str
    profile: str
    batch_number: int
    out_dir: str
    manifest: str
    row_count: int
    status: str = "committed"
    committed_at: dt.datetime | None = None
    completed_at: dt.datetime | None = None
    manifest_document: str = "{}"

    @property
    def document(self) -> dict[str, Any]:
        return json.loads(self.manifest_document or "{}")


class ExportState:
    """The state tables of one warehouse, read and written through its connection."""

    def __init__(self, warehouse: Warehouse) -> None:
        self.warehouse = warehouse
        self.schema = warehouse.schema + STATE_SUFFIX

    def table(self, name: str) -> str:
        return f"{quote(self.schema)}.{quote(name)}"

    def exists(self) -> bool:
        return bool(self.warehouse.table_columns("send_log", self.schema))

    def ensure(self) -> None:
        """Create the schema and any missing state table (the warehouse must be writable)."""
        types = ENGINE_TYPES[self.warehouse.engine]
        self.warehouse.execute(f"create schema if not exists {quote(self.schema)}")
        for name, columns in state_tables().items():
            ddl = ", ".join(f"{quote(c)} {types[t]}" for c, t in columns)
            self.warehouse.execute(f"create table if not exists {self.table(name)} ({ddl})")

    # ------------------------------------------------------------ reading

    def exported(self, as_of: dt.date, flow_id: str, channel: str) -> pd.DataFrame:
        """(flow_step, email_sha256) of every recipient logged for the day, flow, channel."""
        if not self.exists():
            return pd.DataFrame({"flow_step": [], "email_sha256": []})
        return self.warehouse.fetch(
            f"select distinct flow_step, email_sha256 from {self.table('send_log')} "
            "where as_of_date = %s and flow_id = %s and channel = %s",
            (as_of, flow_id, channel),
        )

    def batch_rows(self, batch_id: str) -> pd.DataFrame:
        return self.warehouse.fetch(
            f"select flow_step, email_sha256 from {self.table('send_log')} where batch_id = %s",
            (batch_id,),
        )

    def batches(self, where: str = "", params: tuple[Any, ...] = ()) -> list[Batch]:
        if not self.exists():
            return []
        names = [c for c, _ in state_tables()["export_batches"]]
        rows = self.warehouse.fetch(
            f"select {', '.join(quote(n) for n in names)} from {self.table('export_batches')} "
            f"{'where ' + where if where else ''} order by committed_at, batch_id",
            params,
        )
        return [_batch(record) for record in rows.to_dict("records")]

    def day_batches(self, as_of: dt.date, flow_id: str, channel: str) -> list[Batch]:
        return self.batches(
            "as_of_date = %s and flow_id = %s and channel = %s", (as_of, flow_id, channel)
        )

    def unfinished(self) -> list[Batch]:
        return self.batches("status = %s", ("committed",))

    def next_batch_number(self, as_of: dt.date, flow_id: str, profile: str) -> int:
        numbers = [
            b.batch_number
            for b in self.batches(
                "as_of_date = %s and flow_id = %s and profile = %s", (as_of, flow_id, profile)
            )
        ]
        return max(numbers, default=0) + 1

    def history(self, flow_id: str, channel: str, start: dt.date, end: dt.date) -> dict:
        """Recipients exported per day of ``flow_id`` on ``channel`` in [start, end]."""
        if not self.exists():
            return {}
        rows = self.warehouse.fetch(
            f"select as_of_date, sum(row_count) as exported from {self.table('export_batches')} "
            "where flow_id = %s and channel = %s and as_of_date between %s and %s "
            "and row_count > 0 group by as_of_date order by as_of_date",
            (flow_id, channel, start, end),
        )
        return {_date(r.as_of_date): int(r.exported) for r in rows.itertuples()}

    # ------------------------------------------------------------ writing

    def commit(self, batch: Batch, recipients: pd.DataFrame) -> None:
        """Record the batch and its recipients (flow_step, email, contact_id) at once."""
        log = pd.DataFrame(
            {
                "as_of_date": batch.as_of_date,
                "flow_id": batch.flow_id,
                "flow_step": recipients["flow_step"].astype("int64").to_numpy(),
                "channel": batch.channel,
                "email_sha256": email_hashes(recipients["email"]),
                "contact_id": recipients["contact_id"]
                .astype(object)
                .where(recipients["contact_id"].notna(), None)
                .to_numpy(),
                "batch_id": batch.batch_id,
                "exported_at": batch.committed_at,
            }
        )
        record = pd.DataFrame(
            [{name: getattr(batch, name) for name, _ in state_tables()["export_batches"]}]
        )
        with self.warehouse.transaction():
            self.warehouse.insert_frame(self.table("export_batches"), record)
            self.warehouse.insert_frame(self.table("send_log"), log)

    def uncommit(self, batch_id: str) -> None:
        """Forget a batch whose files were never published (an error, not a crash)."""
        with self.warehouse.transaction():
            self.warehouse.execute(
                f"delete from {self.table('send_log')} where batch_id = %s", (batch_id,)
            )
            self.warehouse.execute(
                f"delete from {self.table('export_batches')} where batch_id = %s", (batch_id,)
            )

    def set_status(self, batch_id: str, status: str, when: dt.datetime) -> None:
        self.warehouse.execute(
            f"update {self.table('export_batches')} set status = %s, completed_at = %s "
            "where batch_id = %s",
            (status, when, batch_id),
        )

    def purge_erased(self) -> int:
        """Delete the send-log rows of erased people (the warehouse's erasure ledger)."""
        schema = self.warehouse.schema
        if not self.exists() or not self.warehouse.table_columns("base_erasure_ledger", schema):
            return 0
        ledger = f"{quote(schema)}.{quote('base_erasure_ledger')}"
        condition = (
            f"contact_id in (select subject from {ledger} where subject_type = 'contact') "
            f"or email_sha256 in (select subject from {ledger} where subject_type = 'email')"
        )
        count = self.warehouse.fetch(
            f"select count(*) as n from {self.table('send_log')} where {condition}"
        )["n"].iloc[0]
        if count:
            self.warehouse.execute(f"delete from {self.table('send_log')} where {condition}")
        return int(count)


def _date(value: Any) -> dt.date:
    return pd.Timestamp(value).date()


def _batch(record: dict[str, Any]) -> Batch:
    def when(value: Any) -> dt.datetime | None:
        return None if value is None or pd.isna(value) else pd.Timestamp(value).to_pydatetime()

    return Batch(
        batch_id=str(record["batch_id"]),
        as_of_date=_date(record["as_of_date"]),
        flow_id=str(record["flow_id"]),
        channel=str(record["channel"]),
        profile=str(record["profile"]),
        batch_number=int(record["batch_number"]),
        out_dir=str(record["out_dir"]),
        manifest=str(record["manifest"]),
        row_count=int(record["row_count"]),
        status=str(record["status"]),
        committed_at=when(record["committed_at"]),
        completed_at=when(record["completed_at"]),
        manifest_document=str(record["manifest_document"] or "{}"),
    )
