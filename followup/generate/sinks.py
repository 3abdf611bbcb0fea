"""Output: one file per table, written in row groups (Parquet) or incrementally (CSV)."""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from followup.generate.schema import SCHEMAS

# --------------------------------------------------------------------------------------
# Output: one file per table, written in row groups (Parquet) or incrementally (CSV).
# --------------------------------------------------------------------------------------

# Pinned so that the same arguments give byte-identical files.
PARQUET_OPTIONS: dict[str, object] = {
    "version": "2.6",
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "data_page_size": 1 << 20,
    "data_page_version": "1.0",
    "store_schema": True,
    "write_page_index": False,
}
CSV_OPTIONS = pacsv.WriteOptions(include_header=True, delimiter=",", quoting_style="needed")


def csv_schema(schema: pa.Schema) -> pa.Schema:
    """The schema written to CSV: timestamps at second precision ('YYYY-MM-DD HH:MM:SS')."""
    return pa.schema(
        [
            pa.field(f.name, pa.timestamp("s") if pa.types.is_timestamp(f.type) else f.type)
            for f in schema
        ]
    )


class TableSink:
    """Streams one raw table to ``DIR/<table>.<format>``, buffering small writes.

    The file is written under a temporary name and renamed when complete, so a
    half-written file never has the final name.
    """

    flush_rows = 500_000

    def __init__(self, directory: Path, name: str, fmt: str) -> None:
        self.path = directory / f"{name}.{fmt}"
        self.partial = directory / f".{name}.{fmt}.partial"
        self.schema = SCHEMAS[name]
        self.fmt = fmt
        self.buffer: list[pa.Table] = []
        self.buffered = 0
        self.rows = 0
        self.writer: pq.ParquetWriter | pacsv.CSVWriter
        if fmt == "parquet":
            self.writer = pq.ParquetWriter(self.partial, self.schema, **PARQUET_OPTIONS)
        else:
            self.writer = pacsv.CSVWriter(
                self.partial, csv_schema(self.schema), write_options=CSV_OPTIONS
            )

    def write(self, table: pa.Table) -> None:
        """Append rows (of exactly the contract's schema)."""
        if not table.schema.equals(self.schema):
            raise ValueError(f"{self.path.name}: schema mismatch:\n{table.schema}")
        if table.num_rows == 0:
            return
        self.buffer.append(table)
        self.buffered += table.num_rows
        self.rows += table.num_rows
        if self.buffered >= self.flush_rows:
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows as one row group."""
        if not self.buffer:
            return
        table = pa.concat_tables(self.buffer).combine_chunks()
        self.buffer, self.buffered = [], 0
        if isinstance(self.writer, pq.ParquetWriter):
            self.writer.write_table(table, row_group_size=table.num_rows)
        else:
            self.writer.write_table(table.cast(csv_schema(self.schema)))

    def close(self) -> None:
        """Flush, close and give the file its final name."""
        self.flush()
        self.writer.close()
        os.replace(self.partial, self.path)

    def abort(self) -> None:
        """Close and remove the partial file."""
        self.writer.close()
        self.partial.unlink(missing_ok=True)
