"""Tests of the data generator (followup.generate, `followup generate`): the raw data
contract, determinism, CSV output, bounded timestamps, and facts of the scenario personas
the flows rely on."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

import followup.generate as gen
from followup.generate.personas import check_personas
from followup.generate.registry import FLOWS, holdout_bucket

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "generate_data.py"
CONTRACT = ROOT / "models" / "staging" / "_raw__sources.yml"
AS_OF = dt.date(2025, 6, 30)
CONTACTS = 300
SEED = 5

# The contract's portable type names and the Arrow types the generator must write.
ARROW_TYPES: dict[str, pa.DataType] = {
    "text": pa.string(),
    "timestamp": pa.timestamp("us"),
    "date": pa.date32(),
    "decimal(18,2)": pa.decimal128(18, 2),
    "integer": pa.int32(),
    "boolean": pa.bool_(),
}


def contract() -> dict[str, list[tuple[str, str]]]:
    """Table -> [(column, data_type)] from the sources YAML, in contract order."""
    sources = yaml.safe_load(CONTRACT.read_text())["sources"]
    return {
        table["name"]: [(c["name"], c["data_type"]) for c in table["columns"]]
        for table in sources[0]["tables"]
    }


def run_generator(out: Path, contacts: int = CONTACTS, seed: int = SEED, fmt: str = "parquet"):
    """Generate a data set into ``out``; returns the rows written per table."""
    return gen.generate(contacts, seed, AS_OF, out, fmt, chunk_size=100)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small Parquet data set (N=300, three bulk chunks)."""
    out = tmp_path_factory.mktemp("parquet")
    run_generator(out)
    return out


@pytest.fixture(scope="module")
def con(data_dir: Path) -> duckdb.DuckDBPyConnection:
    """DuckDB with one view per generated table."""
    connection = duckdb.connect()
    for table in contract():
        connection.execute(
            f"create view {table} as select * from read_parquet('{data_dir / table}.parquet')"
        )
    return connection


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    """All result rows of ``sql``."""
    return con.execute(sql).fetchall()


# -- contract -----------------------------------------------------------------------------


def test_all_contract_tables_written_and_nothing_else(data_dir: Path) -> None:
    assert sorted(p.name for p in data_dir.iterdir()) == sorted(
        f"{table}.parquet" for table in contract()
    )


def test_columns_and_types_match_the_contract(data_dir: Path) -> None:
    assert len(contract()) == 13
    for table, columns in contract().items():
        schema = pq.read_schema(data_dir / f"{table}.parquet")
        assert schema.names == [name for name, _ in columns], table
        for name, data_type in columns:
            assert schema.field(name).type == ARROW_TYPES[data_type], (table, name)


def test_module_schemas_match_the_contract() -> None:
    for table, columns in contract().items():
        schema = gen.SCHEMAS[table]
        assert [(f.name, f.type) for f in schema] == [
            (name, ARROW_TYPES[data_type]) for name, data_type in columns
        ]


# -- determinism and size ------------------------------------------------------------------


def test_same_arguments_give_identical_bytes(data_dir: Path, tmp_path: Path) -> None:
    run_generator(tmp_path)
    for table in contract():
        name = f"{table}.parquet"
        assert (tmp_path / name).read_bytes() == (data_dir / name).read_bytes(), name


def test_another_seed_gives_other_bulk_data(data_dir: Path, tmp_path: Path) -> None:
    run_generator(tmp_path, seed=SEED + 1)
    name = "email_events.parquet"
    assert (tmp_path / name).read_bytes() != (data_dir / name).read_bytes()


def test_contact_ids_are_exactly_c000001_to_n(con: duckdb.DuckDBPyConnection) -> None:
    ids = [r[0] for r in rows(con, "select distinct contact_id from contacts order by 1")]
    assert ids == [f"C{k:06d}" for k in range(1, CONTACTS + 1)]


def test_bulk_population_has_realistic_volumes(con: duckdb.DuckDBPyConnection) -> None:
    (orders, lines, emails, webs) = rows(
        con,
        "select (select count(*) from orders), (select count(*) from order_lines),"
        " (select count(*) from email_events), (select count(*) from web_events)",
    )[0]
    assert 3 * CONTACTS < orders < 8 * CONTACTS
    assert 2 * orders < lines < 3 * orders
    assert 30 * CONTACTS < emails < 70 * CONTACTS
    assert 10 * CONTACTS < webs < 30 * CONTACTS


def test_nothing_later_than_as_of_except_the_future_order(con: duckdb.DuckDBPyConnection) -> None:
    limit = f"timestamp '{AS_OF} 23:59:59'"
    late: list[tuple] = []
    for table, columns in contract().items():
        for name, data_type in columns:
            if data_type == "timestamp":
                key = columns[0][0]
                late += rows(con, f"select '{table}', {key} from {table} where {name} > {limit}")
    assert late == [("orders", "O00000036")]
    assert rows(con, "select contact_id, ordered_at from orders where order_id = 'O00000036'") == [
        ("C000062", dt.datetime(2025, 7, 3, 10, 0))
    ]


def test_scenario_rows_do_not_depend_on_size_or_seed(
    con: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    run_generator(tmp_path, contacts=100, seed=1)
    persona = "contact_id between 'C000001' and 'C000081'"
    for table in ("contacts", "consent_events", "orders", "email_events", "web_events"):
        small = f"read_parquet('{tmp_path / table}.parquet')"
        diff = rows(
            con,
            f"select count(*) from ((select * from {table} where {persona})"
            f" except all (select * from {small} where {persona}))",
        )[0][0]
        count = rows(con, f"select count(*) from {table} where {persona}")[0][0]
        assert (diff, count > 0) == (0, True), table


# -- CSV ------------------------------------------------------------------------------------


def test_csv_format(data_dir: Path, con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    run_generator(tmp_path, fmt="csv")
    for table, columns in contract().items():
        path = tmp_path / f"{table}.csv"
        header = path.read_text().splitlines()[0]
        assert header == ",".join(f'"{name}"' for name, _ in columns)
        count = rows(con, f"select count(*) from read_csv('{path}')")[0][0]
        assert count == rows(con, f"select count(*) from {table}")[0][0], table
    text = (tmp_path / "web_events.csv").read_text()
    assert re.search(r',\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},"', text)
    assert ",true," in text and ",false," in text
    money = "types = {'total_amount': 'DECIMAL(18,2)'}"
    csv_orders = f"read_csv('{tmp_path}/orders.csv', {money})"
    assert rows(con, f"select * from {csv_orders} order by order_id limit 3") == rows(
        con, "select * from orders order by order_id limit 3"
    )


# -- CLI --------------------------------------------------------------------------------------


def test_cli_writes_files_and_explains_itself(tmp_path: Path) -> None:
    help_text = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, check=True
    ).stdout
    for option in ("--contacts", "--seed", "--as-of", "--out", "--format"):
        assert option in help_text
    result = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--contacts",
            "100",
            "--as-of",
            "2025-06-30",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "chunk 1/1" in result.stderr
    personas = subprocess.run(
        [sys.executable, str(SCRIPT), "--list-personas"], capture_output=True, text=True, check=True
    ).stdout
    assert "C000001  abandoned_cart:send\n         Logged-in (level 4) cart yesterday" in personas
    assert len(list(tmp_path.glob("*.parquet"))) == 13
    too_few = subprocess.run(
        [sys.executable, str(SCRIPT), "--contacts", "99", "--out", str(tmp_path)],
        capture_output=True,
    )
    assert too_few.returncode == 2


# -- scenario personas ----------------------------------------------------------------------

# Flows that trigger on the predictions fitted over the whole population (P(alive), the CLV
# ranking): whether a hand-built persona triggers depends on every other contact, so none
# is promised. Their edges are dbt unit tests (models/flows/triggers/_triggers__unit_tests.yml).
POPULATION_FLOWS = {"churn_prevention"}


def test_persona_registry_covers_every_flow_and_reason() -> None:
    check_personas()
    sends = [
        e.split(":")[0]
        for p in gen.PERSONAS
        if not p.only_when
        for e in p.expects
        if e.endswith(":send")
    ]
    for flow in set(FLOWS) - POPULATION_FLOWS:
        assert sends.count(flow) >= 2, flow
    assert set(FLOWS) >= POPULATION_FLOWS
    reasons = {e.split(":")[1] for p in gen.PERSONAS for e in p.expects}
    assert reasons >= {
        "send", "holdout", "invalid_email", "duplicate_email", "suppressed", "no_consent",
        "cooldown", "contact_pressure", "lower_priority",
    }  # fmt: skip
    assert all(p.purpose for p in gen.PERSONAS)


def test_holdout_hash_known_values() -> None:
    assert holdout_bucket("C000001", "abandoned_cart") == 57
    assert holdout_bucket("C000007", "win_back") == 6
    assert holdout_bucket("C000011", "abandoned_cart") == 6


def test_abandoned_cart_persona_added_to_cart_yesterday(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(
        con,
        "select product_id, occurred_at, is_logged_in, visitor_id from web_events"
        " where contact_id = 'C000001' and event_type = 'add_to_cart' order by occurred_at",
    ) == [
        ("P0010", dt.datetime(2025, 6, 29, 19, 4), True, "V00000001"),
        ("P0011", dt.datetime(2025, 6, 29, 19, 31), True, "V00000001"),
    ]
    assert rows(con, "select email from contacts where contact_id = 'C000001'") == [
        ("  Jan.De.Vries@Example.COM ",)
    ]


def test_level_3_cart_after_logout(con: duckdb.DuckDBPyConnection) -> None:
    visitor = "(select visitor_id from web_events where contact_id = 'C000002' limit 1)"
    assert rows(
        con,
        "select event_type, product_id, contact_id, is_logged_in from web_events"
        f" where visitor_id = {visitor} and occurred_at >= '2025-06-29' order by occurred_at",
    ) == [
        ("product_view", "P0012", None, False),
        ("add_to_cart", "P0012", None, False),
        ("product_view", "P0013", None, False),
        ("add_to_cart", "P0013", None, False),
    ]


def test_restock_of_requested_product_today(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(
        con,
        "select recorded_at, quantity_available from stock_levels"
        " where product_id = 'P0017' order by recorded_at",
    ) == [
        (dt.datetime(2024, 5, 26, 9, 0), 40),
        (dt.datetime(2025, 6, 10, 11, 0), 0),
        (dt.datetime(2025, 6, 30, 7, 0), 25),
    ]
    requests = rows(
        con,
        "select coalesce(contact_id, lower(trim(email))) from stock_alert_requests"
        " where product_id = 'P0017' and requested_at between '2025-06-10 11:00'"
        " and '2025-06-30 07:00' order by 1",
    )
    assert requests == [
        ("C000045",),
        ("C000046",),
        ("C000079",),
        ("C000080",),
        ("C90000001",),
        ("erik.visser@example.com",),
        ("koffie.liefhebber@example.org",),
    ]


def test_deliveries_today(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(
        con,
        "select contact_id, count(*) from orders where delivered_at::date = date '2025-06-30'"
        " and contact_id <= 'C000081' group by 1 order by 1",
    ) == [("C000047", 1), ("C000048", 2), ("C000049", 1), ("C000055", 1)]
    assert rows(
        con,
        "select l.product_id, p.manual_url is not null from orders o"
        " join order_lines l using (order_id) join products p using (product_id)"
        " where o.contact_id = 'C000047' order by 1",
    ) == [("P0012", False), ("P0019", True)]


def test_purchase_120_days_ago_with_accessories(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(
        con,
        "select o.contact_id, l.product_id from orders o join order_lines l using (order_id)"
        " where o.ordered_at::date = date '2025-06-30' - 120 and o.contact_id <= 'C000081'"
        " order by 1, 2",
    ) == [
        ("C000021", "P0001"),
        ("C000022", "P0001"),
        ("C000022", "P0002"),
        ("C000023", "P0001"),
        ("C000023", "P0006"),
        ("C000071", "P0006"),
    ]
    assert rows(
        con,
        "select related_product_id from product_relations"
        " where product_id = 'P0001' and relation_type = 'accessory' order by 1",
    ) == [("P0002",), ("P0003",), ("P0004",), ("P0005",), ("P0008",), ("P0009",)]


def test_duplicate_email_pair_is_the_only_shared_address(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(
        con,
        "select lower(trim(email)), list(distinct contact_id order by contact_id) from contacts"
        " where email is not null group by 1 having count(distinct contact_id) > 1",
    ) == [("sam.jansen@example.com", ["C000056", "C000057"])]


def test_erasure_requests_by_id_and_by_email(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(
        con,
        "select request_id, contact_id, email from erasure_requests"
        " where request_id in ('ER000001', 'ER000002') order by 1",
    ) == [("ER000001", "C000079", None), ("ER000002", None, "  Erik.Visser@EXAMPLE.com ")]
    assert rows(
        con,
        "select (select count(*) from orders where contact_id = 'C000080'),"
        " (select count(*) from web_events where contact_id = 'C000080'),"
        " (select count(*) from email_events where contact_id = 'C000080'),"
        " (select count(*) from stock_alert_requests where contact_id = 'C000080'"
        "   or lower(trim(email)) = 'erik.visser@example.com')",
    ) == [(1, 2, 3, 2)]


def test_duplicate_contact_rows(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(
        con,
        "select contact_id, count(*), count(distinct updated_at), count(distinct first_name)"
        " from contacts where contact_id <= 'C000081' group by 1 having count(*) > 1 order by 1",
    ) == [("C000006", 2, 2, 1), ("C000027", 2, 1, 1), ("C000081", 3, 2, 2)]


def test_messy_values(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(con, "select status from orders where status = 'lost_in_transit'") == [
        ("lost_in_transit",)
    ]
    assert rows(
        con, "select contact_id, total_amount::varchar from orders where total_amount < 0"
    ) == [("C000034", "-89.95")]
    assert rows(
        con, "select order_id from order_lines where order_id not in (select order_id from orders)"
    ) == [("O99000001",)]
    unknown = "contact_id = 'C90000001'"
    for table in ("orders", "consent_events", "email_events", "web_events"):
        assert rows(con, f"select count(*) > 0 from {table} where {unknown}") == [(True,)], table
    assert rows(
        con,
        "select contact_id, gender, first_name, last_name from contacts"
        " where contact_id in ('C000016', 'C000028', 'C000020', 'C000010') order by 1",
    ) == [
        ("C000010", "f", " Femke ", "Brouwer"),
        ("C000016", "?", "Jesse", "Goossens"),
        ("C000020", "f", "lotte", "de graaf"),
        ("C000028", "M ", "PIETER", "JANSSENS"),
    ]


def test_machine_open_only_and_reminder_already_sent(con: duckdb.DuckDBPyConnection) -> None:
    assert rows(
        con,
        "select event_type, is_machine_open, campaign_id from email_events"
        " where contact_id = 'C000043' order by occurred_at",
    ) == [
        ("sent", None, "CMP00313"),
        ("delivered", None, "CMP00313"),
        ("open", True, "CMP00313"),
    ]
    assert rows(
        con,
        "select flow_id, campaign_id, occurred_at::date from email_events"
        " where contact_id = 'C000074' and event_type = 'sent' order by occurred_at",
    ) == [
        (None, "CMP00313", dt.date(2025, 6, 27)),
        ("reminder_non_open", "CMP00313", dt.date(2025, 6, 29)),
    ]


def test_birthdays_today(con: duckdb.DuckDBPyConnection) -> None:
    born_today = rows(
        con,
        "select distinct contact_id from contacts where contact_id <= 'C000081'"
        " and month(birth_date) = 6 and day(birth_date) = 30 order by 1",
    )
    assert [r[0] for r in born_today] == [
        "C000003", "C000011", "C000020", "C000024", "C000025", "C000053", "C000056",
        "C000057", "C000059", "C000062", "C000063", "C000066", "C000068", "C000069",
        "C000070", "C000079", "C000080", "C000081",
    ]  # fmt: skip
    assert rows(con, "select birth_date from contacts where contact_id = 'C000026'") == [
        (dt.date(1992, 2, 29),)
    ]


def test_bulk_never_references_scenario_contacts(con: duckdb.DuckDBPyConnection) -> None:
    first_bulk = rows(con, "select min(order_id) from orders where contact_id = 'C000082'")[0][0]
    assert rows(
        con,
        f"select count(*) from orders where order_id >= '{first_bulk}' and contact_id <= 'C000081'",
    ) == [(0,)]
    first_web = rows(con, "select min(event_id) from web_events where contact_id >= 'C000082'")
    assert rows(
        con,
        f"select count(*) from web_events where event_id >= '{first_web[0][0]}'"
        " and contact_id <= 'C000081'",
    ) == [(0,)]
