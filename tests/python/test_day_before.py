"""Tests of followup/day_before.py: the raw data folder as it was at the end of the day before."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from followup.contract import load_contract
from followup.day_before import DATING_COLUMNS, UNCHANGED_TABLES, write_day_before

ROOT = Path(__file__).resolve().parents[2]
AS_OF = dt.date(2026, 6, 15)

# followup generate --contacts 300 --seed 5 --as-of 2026-06-15 (default chunk size):
# table -> (rows in, rows out of the day before).
EXPECTED_COUNTS: dict[str, tuple[int, int]] = {
    "contacts": (310, 310),
    "consent_events": (261, 258),
    "products": (224, 224),
    "product_relations": (453, 453),
    "stock_levels": (1800, 1798),
    "orders": (1318, 1314),
    "order_lines": (3213, 3213),
    "email_events": (11040, 10990),
    "web_events": (4057, 4046),
    "stock_alert_requests": (21, 20),
    "service_interactions": (30, 25),
    "erasure_requests": (2, 2),
    "esp_suppressions": (6, 6),
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated data set of day D (300 contacts)."""
    out = tmp_path_factory.mktemp("day_d")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "followup.generate",
            "--contacts",
            "300",
            "--seed",
            "5",
            "--as-of",
            AS_OF.isoformat(),
            "--out",
            str(out),
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    return out


@pytest.fixture(scope="module")
def day_before(generated: Path, tmp_path_factory: pytest.TempPathFactory):
    """(the day-before folder, the counts returned by write_day_before)."""
    out = tmp_path_factory.mktemp("day_before")
    return out, write_day_before(generated, out, AS_OF)


def test_every_contract_table_has_a_rule() -> None:
    assert set(DATING_COLUMNS) | UNCHANGED_TABLES == set(load_contract())
    assert not set(DATING_COLUMNS) & UNCHANGED_TABLES


def test_exact_counts(day_before) -> None:
    _, counts = day_before
    assert counts == EXPECTED_COUNTS


def test_files_match_counts_and_keep_the_schema(generated: Path, day_before) -> None:
    out, counts = day_before
    for name, (rows_in, rows_out) in counts.items():
        source = pq.read_table(generated / f"{name}.parquet")
        target = pq.read_table(out / f"{name}.parquet")
        assert source.num_rows == rows_in
        assert target.num_rows == rows_out
        assert target.schema.names == source.schema.names
        assert target.schema.types == source.schema.types, name


def test_nothing_dated_on_d_or_later_remains(generated: Path, day_before) -> None:
    out, _ = day_before
    con = duckdb.connect()
    for name, column in DATING_COLUMNS.items():
        source = str(generated / f"{name}.parquet")
        target = str(out / f"{name}.parquet")
        (late,) = con.execute(
            f"select count(*) from read_parquet(?) where cast({column} as date) >= ?",
            [target, AS_OF],
        ).fetchone()
        assert late == 0, name
        # exactly the earlier rows, none lost (EXCEPT ALL keeps duplicates apart)
        (difference,) = con.execute(
            f"select count(*) from ("
            f"  (select * from read_parquet(?) where cast({column} as date) < ?)"
            f"  except all (select * from read_parquet(?))"
            f")",
            [source, AS_OF, target],
        ).fetchone()
        assert difference == 0, name


def test_unchanged_tables_are_byte_copies(generated: Path, day_before) -> None:
    out, _ = day_before
    for name in UNCHANGED_TABLES:
        assert (out / f"{name}.parquet").read_bytes() == (
            generated / f"{name}.parquet"
        ).read_bytes()


def test_boundaries_and_null_dates(generated: Path, tmp_path: Path) -> None:
    """23:59:59 of D-1 stays, 00:00:00 of D goes, a later day goes, a null date stays."""
    source = tmp_path / "source"
    source.mkdir()
    for path in generated.glob("*.parquet"):
        (source / path.name).write_bytes(path.read_bytes())
    events = pq.read_table(generated / "email_events.parquet").slice(0, 4)
    times = pa.array(
        [
            dt.datetime(2026, 6, 14, 23, 59, 59),
            dt.datetime(2026, 6, 15, 0, 0, 0),
            dt.datetime(2026, 7, 1, 12, 0, 0),
            None,
        ],
        pa.timestamp("us"),
    )
    index = events.schema.get_field_index("occurred_at")
    events = events.set_column(index, events.schema.field(index), times)
    pq.write_table(events, source / "email_events.parquet")

    counts = write_day_before(source, tmp_path / "out", AS_OF)

    assert counts["email_events"] == (4, 2)
    kept = pq.read_table(tmp_path / "out" / "email_events.parquet").column("occurred_at")
    assert sorted(kept.to_pylist(), key=lambda v: v is None) == [
        dt.datetime(2026, 6, 14, 23, 59, 59),
        None,
    ]


def test_missing_file_is_refused(generated: Path, tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for path in generated.glob("*.parquet"):
        if path.name != "orders.parquet":
            (source / path.name).write_bytes(path.read_bytes())
    with pytest.raises(FileNotFoundError, match=r"orders\.parquet"):
        write_day_before(source, tmp_path / "out", AS_OF)
