"""The send log: every (as_of_date, flow_id, recipient, flow_step) already exported.

A folder of Parquet files next to the exports (``<out>/send_log/<as_of>/``), one file
per export batch, written by rename like every other output. Reading a day's log for
one flow is a single Parquet read, fast at a million rows.

Sends are keyed per *channel*: every email profile shares the channel ``email`` (a
recipient exported to Mailchimp is not exported again to SendGrid the same day for
the same flow step), ad audiences have their own channel per profile.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

SCHEMA = pa.schema(
    [
        ("as_of_date", pa.date32()),
        ("flow_id", pa.string()),
        ("flow_step", pa.int32()),
        ("recipient", pa.string()),
        ("channel", pa.string()),
        ("profile", pa.string()),
        ("batch", pa.int32()),
        ("manifest", pa.string()),
        ("exported_at", pa.timestamp("s", tz="UTC")),
    ]
)


@dataclass
class LoggedBatch:
    profile: str
    batch: int
    manifest: str
    rows: int


class SendLog:
    """The send log of one output folder."""

    def __init__(self, out: Path) -> None:
        self.root = out / "send_log"

    def _files(self, as_of: dt.date, flow_id: str, channel: str) -> list[Path]:
        folder = self.root / as_of.isoformat()
        if not folder.is_dir():
            return []
        return sorted(folder.glob(f"{flow_id}.{channel}.*.parquet"))

    def read(self, as_of: dt.date, flow_id: str, channel: str) -> pd.DataFrame:
        files = self._files(as_of, flow_id, channel)
        if not files:
            return pd.DataFrame({name: [] for name in SCHEMA.names})
        tables = [pq.read_table(f, schema=SCHEMA) for f in files]
        return pa.concat_tables(tables).to_pandas()

    def already_exported(
        self, as_of: dt.date, flow_id: str, channel: str, frame: pd.DataFrame
    ) -> pd.Series:
        """True for the rows of ``frame`` (recipient, flow_step) logged before."""
        log = self.read(as_of, flow_id, channel)
        if log.empty or frame.empty:
            return pd.Series(False, index=frame.index)
        logged = pd.MultiIndex.from_arrays(
            [log["recipient"].astype(str), log["flow_step"].astype("int64")]
        )
        keys = pd.MultiIndex.from_arrays(
            [frame["recipient"].astype(str), frame["flow_step"].astype("int64")]
        )
        return pd.Series(keys.isin(logged), index=frame.index)

    def batches(self, as_of: dt.date, flow_id: str, channel: str) -> list[LoggedBatch]:
        log = self.read(as_of, flow_id, channel)
        if log.empty:
            return []
        grouped = log.groupby(["profile", "batch", "manifest"], sort=True).size()
        return [LoggedBatch(p, int(b), str(m), int(n)) for (p, b, m), n in grouped.items()]

    def record(
        self,
        as_of: dt.date,
        flow_id: str,
        channel: str,
        profile: str,
        batch: int,
        manifest: str,
        frame: pd.DataFrame,
        exported_at: dt.datetime,
    ) -> Path:
        """Append the recipients of one export batch (one Parquet file, written by rename)."""
        count = len(frame)
        table = pa.table(
            {
                "as_of_date": pa.array([as_of] * count, pa.date32()),
                "flow_id": pa.array([flow_id] * count, pa.string()),
                "flow_step": pa.array(frame["flow_step"].astype("int64").to_numpy(), pa.int32()),
                "recipient": pa.array(frame["recipient"].astype(str).tolist(), pa.string()),
                "channel": pa.array([channel] * count, pa.string()),
                "profile": pa.array([profile] * count, pa.string()),
                "batch": pa.array([batch] * count, pa.int32()),
                "manifest": pa.array([manifest] * count, pa.string()),
                "exported_at": pa.array([exported_at] * count, pa.timestamp("s", tz="UTC")),
            },
            schema=SCHEMA,
        )
        folder = self.root / as_of.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{flow_id}.{channel}.{profile}.b{batch}.parquet"
        temporary = folder / f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp"
        try:
            pq.write_table(table, temporary)
            os.replace(temporary, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
        return path
