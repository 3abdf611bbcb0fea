"""The CDNOW records become raw files the loader accepts (without downloading anything)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from followup.generate.schema import SCHEMAS
from followup.loader import check_folder
from followup.predict.cdnow import raw_tables

RECORDS = [  # master id, sample id, yyyymmdd, CDs, dollars (the sample's first records)
    ("00004", "0001", "19970101", "2", "29.33"),
    ("00004", "0001", "19970118", "2", "29.73"),
    ("00004", "0001", "19970118", "3", "10.00"),
    ("00021", "0002", "19970101", "3", "0.00"),
]


def sample() -> pd.DataFrame:
    names = ["master_id", "sample_id", "day", "cds", "dollars"]
    return pd.DataFrame(RECORDS, columns=names, dtype=str)


def test_each_record_is_one_delivered_order_with_one_line(tmp_path: Path) -> None:
    tables = raw_tables(sample())
    assert set(tables) == set(SCHEMAS)
    for name, table in tables.items():
        assert table.schema == SCHEMAS[name], name
        assert table.num_rows == {"contacts": 2, "orders": 4, "order_lines": 4}.get(name, 0)
    orders = tables["orders"].to_pylist()
    assert [o["order_id"] for o in orders] == ["00004-001", "00004-002", "00004-003", "00021-001"]
    assert [o["total_amount"] for o in orders] == [Decimal(d) for *_, d in RECORDS]
    assert {(o["status"], o["channel"], o["currency"]) for o in orders} == {
        ("delivered", "web", "USD")
    }
    assert str(orders[1]["ordered_at"]) == "1997-01-18 00:00:00"
    lines = tables["order_lines"].to_pylist()
    assert [(line["quantity"], line["unit_price"]) for line in lines] == [
        (2, Decimal("14.67")),  # 29.33 / 2, half up
        (2, Decimal("14.87")),  # 29.73 / 2
        (3, Decimal("3.33")),
        (3, Decimal("0.00")),
    ]
    contacts = tables["contacts"].to_pylist()
    assert [(c["contact_id"], str(c["created_at"])) for c in contacts] == [
        ("00004", "1997-01-01 00:00:00"),
        ("00021", "1997-01-01 00:00:00"),
    ]


def test_the_loader_accepts_the_folder(tmp_path: Path) -> None:
    for name, table in raw_tables(sample()).items():
        pq.write_table(table, tmp_path / f"{name}.parquet")
    checks = check_folder(tmp_path)
    assert {c.raw_file.table.name: c.rows for c in checks}["orders"] == 4
