"""scripts/load_raw.py: checks every file against the contract, loads all or nothing."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from followup.contract import load_contract
from followup.loader import LoadError, check_folder
from scripts.load_raw import main as load_main


def run_loader(folder: Path) -> tuple[int, str]:
    result = CliRunner().invoke(load_main, ["--from", str(folder)])
    return result.exit_code, result.output


def raw_count(path: Path, table: str) -> int:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(f"select count(*) from raw.{table}").fetchone()[0]


def test_valid_folder_loads_every_table(raw_csv_folder: Path, duckdb_target: Path) -> None:
    code, output = run_loader(raw_csv_folder)
    assert code == 0, output
    for table in load_contract():
        assert raw_count(duckdb_target, table) == 2
    with duckdb.connect(str(duckdb_target), read_only=True) as con:
        types = dict(
            con.execute(
                "select column_name, data_type from information_schema.columns "
                "where table_schema = 'raw' and table_name = 'orders'"
            ).fetchall()
        )
    assert types == {
        "order_id": "VARCHAR",
        "contact_id": "VARCHAR",
        "ordered_at": "TIMESTAMP",
        "status": "VARCHAR",
        "delivered_at": "TIMESTAMP",
        "total_amount": "DECIMAL(18,2)",
        "currency": "VARCHAR",
        "channel": "VARCHAR",
    }


def test_missing_column_is_refused_and_nothing_loaded(
    raw_csv_folder: Path, duckdb_target: Path, rewrite_csv
) -> None:
    assert run_loader(raw_csv_folder)[0] == 0
    # A second delivery: contacts gains a row, orders loses its ordered_at column.
    rewrite_csv(raw_csv_folder / "contacts.csv", lambda rows: [*rows, rows[1]])
    rewrite_csv(
        raw_csv_folder / "orders.csv",
        lambda rows: [[v for i, v in enumerate(r) if i != 2] for r in rows],
    )
    code, output = run_loader(raw_csv_folder)
    assert code == 1
    assert "orders.csv: missing column 'ordered_at'" in output
    assert output.count("  - ") == 1  # one clear error
    assert raw_count(duckdb_target, "contacts") == 2  # the first load is untouched


def test_unparsable_date_names_file_column_and_row(
    raw_csv_folder: Path, duckdb_target: Path, rewrite_csv
) -> None:
    def break_second_row(rows: list[list[str]]) -> list[list[str]]:
        rows[2][rows[0].index("ordered_at")] = "31/01/2026"
        return rows

    rewrite_csv(raw_csv_folder / "orders.csv", break_second_row)
    code, output = run_loader(raw_csv_folder)
    assert code == 1
    assert (
        "orders.csv: column 'ordered_at': value '31/01/2026' on row 2 (line 3 of the file) "
        "does not parse as timestamp (1 such value(s) in the file)"
    ) in output
    assert output.count("  - ") == 1
    assert not duckdb_target.exists() or "raw" not in _schemas(duckdb_target)


def test_unknown_column_is_refused(raw_csv_folder: Path, duckdb_target: Path, rewrite_csv) -> None:
    rewrite_csv(
        raw_csv_folder / "products.csv",
        lambda rows: [[*rows[0], "colour"]] + [[*r, "red"] for r in rows[1:]],
    )
    code, output = run_loader(raw_csv_folder)
    assert code == 1
    assert "products.csv: unknown column 'colour'" in output
    assert output.count("  - ") == 1
    assert not duckdb_target.exists() or "raw" not in _schemas(duckdb_target)


def test_missing_table_file_is_refused(raw_csv_folder: Path, duckdb_target: Path) -> None:
    (raw_csv_folder / "web_events.csv").unlink()
    code, output = run_loader(raw_csv_folder)
    assert code == 1
    assert "missing file for table 'web_events'" in output


def test_parquet_bad_value_names_the_row(raw_csv_folder: Path) -> None:
    table = pa.table(
        {
            "product_id": ["P1", "P2", "P3"],
            "recorded_at": ["2026-01-01 00:00:00", "2026-01-02 00:00:00", "2026-01-03 00:00:00"],
            "quantity_available": ["5", "many", "7"],
        }
    )
    (raw_csv_folder / "stock_levels.csv").unlink()
    pq.write_table(table, raw_csv_folder / "stock_levels.parquet")
    with pytest.raises(LoadError) as error:
        check_folder(raw_csv_folder)
    assert str(error.value) == (
        f"{raw_csv_folder}/stock_levels.parquet: column 'quantity_available': value 'many' on "
        "row 2 does not parse as integer (1 such value(s) in the file)"
    )


def test_unknown_target_is_a_usage_error(raw_csv_folder: Path, duckdb_target: Path) -> None:
    result = CliRunner().invoke(load_main, ["--from", str(raw_csv_folder), "--target", "nope"])
    assert result.exit_code == 2
    assert "unknown target 'nope'" in result.output


def _schemas(path: Path) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {
            row[0]
            for row in con.execute("select schema_name from information_schema.schemata").fetchall()
        }
