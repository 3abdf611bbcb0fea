"""scripts/load_raw.py: checks every file against the contract, loads all or nothing."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from followup import PROJECT_DIR
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
            "recorded_at": pa.array(
                [dt.datetime(2026, 1, d) for d in (1, 2, 3)], pa.timestamp("us")
            ),
            # a 64-bit integer column is fine, a value beyond the contract's integer is not
            "quantity_available": pa.array([5, 3_000_000_000, 7], pa.int64()),
        }
    )
    (raw_csv_folder / "stock_levels.csv").unlink()
    pq.write_table(table, raw_csv_folder / "stock_levels.parquet")
    with pytest.raises(LoadError) as error:
        check_folder(raw_csv_folder)
    assert str(error.value) == (
        f"{raw_csv_folder}/stock_levels.parquet: column 'quantity_available': value "
        "'3000000000' on row 2 does not parse as integer (1 such value(s) in the file)"
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


# ---------------------------------------------------------------- guards (issue: safety)


def _rows(path: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(f"select * from raw.{table} order by all").fetchall()


def _all_rows(path: Path) -> dict[str, list[tuple]]:
    return {table: _rows(path, table) for table in load_contract()}


def test_header_only_protective_delivery_is_refused_and_changes_nothing(
    raw_csv_folder: Path, duckdb_target: Path, rewrite_csv
) -> None:
    assert run_loader(raw_csv_folder)[0] == 0
    before = _all_rows(duckdb_target)
    for table in ("erasure_requests", "esp_suppressions"):
        rewrite_csv(raw_csv_folder / f"{table}.csv", lambda rows: rows[:1])
    code, output = run_loader(raw_csv_folder)
    assert code == 1
    lines = [line for line in output.splitlines() if line.startswith("  - ")]
    assert lines == [
        f"  - {raw_csv_folder}/erasure_requests.csv: 0 rows, the previous load of "
        "erasure_requests had 2 (a fall of 100%, more than the 50% allowed); if this is "
        "intended, load again with --allow-shrink erasure_requests",
        f"  - {raw_csv_folder}/esp_suppressions.csv: 0 rows, the previous load of "
        "esp_suppressions had 2 (a fall of 100%, more than the 50% allowed); if this is "
        "intended, load again with --allow-shrink esp_suppressions",
    ]
    assert _all_rows(duckdb_target) == before


def test_shrink_guard_share_is_configurable_and_can_be_overridden(
    raw_csv_folder: Path, duckdb_target: Path, rewrite_csv
) -> None:
    rewrite_csv(raw_csv_folder / "orders.csv", lambda rows: rows[:1] + rows[1:2] * 10)
    assert run_loader(raw_csv_folder)[0] == 0
    # 10 -> 5 rows is a fall of 50 %: allowed by default
    rewrite_csv(raw_csv_folder / "orders.csv", lambda rows: rows[:6])
    assert run_loader(raw_csv_folder)[0] == 0
    # 5 -> 2 rows (60 %) is refused ...
    rewrite_csv(raw_csv_folder / "orders.csv", lambda rows: rows[:3])
    code, output = run_loader(raw_csv_folder)
    assert code == 1
    assert "orders.csv: 2 rows, the previous load of orders had 5 (a fall of 60%" in output
    assert raw_count(duckdb_target, "orders") == 5
    # ... unless --max-shrink allows it, or --allow-shrink names the table
    result = CliRunner().invoke(load_main, ["--from", str(raw_csv_folder), "--max-shrink", "60"])
    assert result.exit_code == 0, result.output
    rewrite_csv(raw_csv_folder / "orders.csv", lambda rows: rows[:1])
    assert run_loader(raw_csv_folder)[0] == 1
    result = CliRunner().invoke(
        load_main, ["--from", str(raw_csv_folder), "--allow-shrink", "orders"]
    )
    assert result.exit_code == 0, result.output
    assert raw_count(duckdb_target, "orders") == 0


def test_empty_contacts_table_is_refused(
    raw_csv_folder: Path, duckdb_target: Path, rewrite_csv
) -> None:
    assert run_loader(raw_csv_folder)[0] == 0
    rewrite_csv(raw_csv_folder / "contacts.csv", lambda rows: rows[:1])
    code, output = run_loader(raw_csv_folder)
    assert code == 1
    assert "contacts.csv: 0 rows, the previous load of contacts had 2" in output
    assert raw_count(duckdb_target, "contacts") == 2


def _write_parquet(folder: Path, table: str, columns: dict[str, pa.Array]) -> None:
    (folder / f"{table}.csv").unlink()
    pq.write_table(pa.table(columns), folder / f"{table}.parquet")


def test_parquet_with_an_integer_id_or_a_string_timestamp_is_refused(
    raw_csv_folder: Path, duckdb_target: Path
) -> None:
    _write_parquet(
        raw_csv_folder,
        "service_interactions",
        {
            "interaction_id": pa.array(["I1"]),
            "contact_id": pa.array([17], pa.int64()),
            "interaction_type": pa.array(["complaint"]),
            "channel": pa.array(["email"]),
            "opened_at": pa.array(["2026-06-01 10:00:00"]),
            "closed_at": pa.array([None], pa.timestamp("us")),
            "product_id": pa.array([None], pa.string()),
        },
    )
    code, output = run_loader(raw_csv_folder)
    assert code == 1
    path = raw_csv_folder / "service_interactions.parquet"
    assert [line for line in output.splitlines() if line.startswith("  - ")] == [
        f"  - {path}: column 'contact_id' is stored as BIGINT, but the contract says text (ids "
        "and codes are text, even when they look like numbers); write it with that type",
        f"  - {path}: column 'opened_at' is stored as VARCHAR, but the contract says timestamp "
        "(a Parquet TIMESTAMP, not text); write it with that type",
    ]
    assert not duckdb_target.exists() or "raw" not in _schemas(duckdb_target)


def test_parquet_money_with_more_than_two_decimals_is_refused(raw_csv_folder: Path) -> None:
    import decimal

    _write_parquet(
        raw_csv_folder,
        "order_lines",
        {
            "order_id": pa.array(["O1", "O1"]),
            "line_number": pa.array([1, 2], pa.int32()),
            "product_id": pa.array(["P1", "P2"]),
            "quantity": pa.array([1, 1], pa.int32()),
            "unit_price": pa.array(
                [decimal.Decimal("9.9900"), decimal.Decimal("9.9950")], pa.decimal128(18, 4)
            ),
        },
    )
    with pytest.raises(LoadError) as error:
        check_folder(raw_csv_folder)
    assert str(error.value) == (
        f"{raw_csv_folder}/order_lines.parquet: column 'unit_price': value '9.9950' on row 2 "
        "does not parse as decimal(18,2) (1 such value(s) in the file)"
    )


def test_timestamps_with_an_offset_are_stored_in_utc(
    raw_csv_folder: Path, duckdb_target: Path, rewrite_csv
) -> None:
    def offsets(rows: list[list[str]]) -> list[list[str]]:
        column = rows[0].index("ordered_at")
        rows[1][column] = "2026-06-01T10:00:00+02:00"
        rows[2][column] = "2026-06-01 10:00:00"
        return rows

    rewrite_csv(raw_csv_folder / "orders.csv", offsets)
    assert run_loader(raw_csv_folder)[0] == 0
    with duckdb.connect(str(duckdb_target), read_only=True) as con:
        times = con.execute("select ordered_at from raw.orders order by order_id").fetchall()
    assert times == [(dt.datetime(2026, 6, 1, 8, 0),), (dt.datetime(2026, 6, 1, 10, 0),)]


def test_nul_bytes_are_replaced_and_reported(
    raw_csv_folder: Path, duckdb_target: Path, rewrite_csv
) -> None:
    def nul(rows: list[list[str]]) -> list[list[str]]:
        rows[2][rows[0].index("first_name")] = "An\x00na"
        return rows

    rewrite_csv(raw_csv_folder / "contacts.csv", nul)
    code, output = run_loader(raw_csv_folder)
    assert code == 0, output
    assert (
        f"warning: {raw_csv_folder}/contacts.csv: column 'first_name': 1 value(s) with a NUL "
        "byte, the first on row 2 (line 3 of the file); the NUL is stored as U+FFFD and "
        "staging quarantines those rows (invalid_text)"
    ) in output
    with duckdb.connect(str(duckdb_target), read_only=True) as con:
        names = con.execute("select first_name from raw.contacts order by contact_id").fetchall()
    assert names == [("x0",), ("An\ufffdna",)]


def _refusal(folder: Path) -> list[str]:
    code, output = run_loader(folder)
    assert code == 1, output
    return [line[4:] for line in output.splitlines() if line.startswith("  - ")]


def test_latin1_file_names_the_line_and_the_byte(raw_csv_folder: Path) -> None:
    path = raw_csv_folder / "products.csv"
    text = path.read_text(encoding="utf-8").splitlines()
    text[2] = text[2].replace("x1", "caf\xe9", 1)
    path.write_bytes(("\n".join(text) + "\n").encode("latin-1"))
    assert _refusal(raw_csv_folder) == [
        f"{path}: not UTF-8: line 3, column 4 has the byte 0xe9, which UTF-8 does not allow "
        "there (the file looks Latin-1 or Windows-1252 encoded); save it as UTF-8"
    ]


def test_ragged_row_names_its_line(raw_csv_folder: Path, rewrite_csv) -> None:
    rewrite_csv(raw_csv_folder / "orders.csv", lambda rows: [*rows, rows[1][:5]])
    assert _refusal(raw_csv_folder) == [
        f"{raw_csv_folder}/orders.csv: line 4 has 5 field(s), the header has 8 (a ragged row: "
        "check its quotes and commas)"
    ]


def test_duplicate_column_names_are_named(raw_csv_folder: Path, rewrite_csv) -> None:
    rewrite_csv(raw_csv_folder / "stock_levels.csv", lambda rows: [[*r, r[0]] for r in rows])
    assert _refusal(raw_csv_folder) == [
        f"{raw_csv_folder}/stock_levels.csv: column 'product_id' appears twice in the header"
    ]


def test_empty_file_says_empty_file(raw_csv_folder: Path) -> None:
    (raw_csv_folder / "web_events.csv").write_bytes(b"")
    assert _refusal(raw_csv_folder) == [
        f"{raw_csv_folder}/web_events.csv: empty file (there is not even a header line)"
    ]


def test_a_warehouse_in_use_is_one_line_and_nothing_is_loaded(
    raw_csv_folder: Path, duckdb_target: Path
) -> None:
    assert run_loader(raw_csv_folder)[0] == 0
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(duckdb_target)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        result = subprocess.run(
            [sys.executable, "scripts/load_raw.py", "--from", str(raw_csv_folder)],
            cwd=PROJECT_DIR,
            env={**os.environ, "FOLLOWUP_DUCKDB_PATH": str(duckdb_target)},
            capture_output=True,
            text=True,
        )
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: nothing was loaded, because:",
        f"  - the warehouse {duckdb_target} is in use by another process (a dbt build, an "
        "export or an open connection); nothing was loaded: try again when it has finished",
    ]
    assert "Traceback" not in result.stdout + result.stderr


HOLD_LOCK = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
print("locked", flush=True)
time.sleep(60)
"""
