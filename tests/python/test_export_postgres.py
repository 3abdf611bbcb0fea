"""The PostgreSQL reader: the same fixture audiences give byte-identical exports.

Needs a PostgreSQL server: run through scripts/with_postgres.sh (a throwaway server,
PGHOST etc. set), as `make test` does. Without PGHOST the test is skipped. The tables
go into a schema of their own, dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from followup.export.warehouse import open_warehouse
from tests.python.fixtures.export.helpers import AS_OF, EXPECTED, read_json, run_cli
from tests.python.fixtures.export.warehouse import load_tables, table_types

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def schema() -> Iterator[str]:
    if not os.environ.get("PGHOST"):
        if os.environ.get("FOLLOWUP_REQUIRE_POSTGRES"):
            pytest.fail("PGHOST is not set: run the tests through scripts/with_postgres.sh")
        pytest.skip("no PostgreSQL server (run through scripts/with_postgres.sh)")
    import psycopg2

    name = f"export_test_{secrets.token_hex(4)}"
    connection = psycopg2.connect(connect_timeout=10)
    connection.autocommit = True
    types = table_types()
    with connection.cursor() as cursor:
        cursor.execute(f'create schema "{name}"')
        for table, frame in load_tables().items():
            columns = types[table]
            if table == "dim_contacts":
                columns = {c: ("varchar" if c == "zip" else columns[c]) for c in frame.columns}
            ddl = ", ".join(f'"{c}" {t}' for c, t in columns.items())
            cursor.execute(f'create table "{name}"."{table}" ({ddl})')
            data = frame.reindex(columns=list(columns))
            rows = [
                tuple(None if v is None or v != v else v for v in row)
                for row in data.itertuples(index=False)
            ]
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f'insert into "{name}"."{table}" values ({placeholders})', rows)
    try:
        yield name
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'drop schema "{name}" cascade')
            cursor.execute(f'drop schema if exists "{name}_state" cascade')
        connection.close()


def write_profiles(folder: Path, schema: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "profiles.yml").write_text(
        "followup:\n"
        "  target: pg\n"
        "  outputs:\n"
        "    pg:\n"
        "      type: postgres\n"
        "      host: \"{{ env_var('PGHOST') }}\"\n"
        "      port: \"{{ env_var('PGPORT', '5432') | as_number }}\"\n"
        "      user: \"{{ env_var('PGUSER', 'postgres') }}\"\n"
        "      password: \"{{ env_var('PGPASSWORD', '') }}\"\n"
        "      dbname: \"{{ env_var('PGDATABASE', 'followup') }}\"\n"
        f"      schema: {schema}\n",
        encoding="utf-8",
    )
    return folder


def test_the_postgres_reader(schema: str) -> None:
    settings = {
        "type": "postgres",
        "name": "pg",
        "host": os.environ["PGHOST"],
        "port": int(os.environ.get("PGPORT", "5432")),
        "user": os.environ.get("PGUSER"),
        "password": os.environ.get("PGPASSWORD", ""),
        "dbname": os.environ.get("PGDATABASE"),
        "schema": schema,
    }
    with open_warehouse(settings) as warehouse:
        assert sorted(warehouse.flows()) == ["abandoned_cart", "back_in_stock", "welcome"]
        assert [str(d) for d in warehouse.built_dates()] == [AS_OF]
        frame = warehouse.read_audience("abandoned_cart", ["contact_id", "product_1_price"], [])
        assert frame["contact_id"].tolist() == ["C001", "C002", "C003"]


@pytest.mark.parametrize("profile", ["generic", "klaviyo", "braze"])
def test_exports_from_postgres_equal_those_from_duckdb(
    schema: str, tmp_path: Path, profile: str
) -> None:
    profiles_dir = write_profiles(tmp_path / "dbt", schema)
    out = tmp_path / "out"
    # --channel: each profile gets the whole list (the email profiles share one send log)
    result = run_cli(
        "--all", "--esp", profile, "--out", str(out), "--profiles-dir", str(profiles_dir),
        "--channel", f"test-{profile}",
    )  # fmt: skip
    assert result.code == 0, result.output
    for expected in (EXPECTED / profile).iterdir():
        written = out / AS_OF / profile / expected.name
        if expected.suffix == ".json":
            assert read_json(written) == read_json(expected)
        else:
            assert written.read_bytes() == expected.read_bytes(), expected.name


def test_the_send_log_on_postgres_is_one_per_warehouse(schema: str, tmp_path: Path) -> None:
    profiles_dir = write_profiles(tmp_path / "dbt", schema)
    common = ("--flow", "abandoned_cart", "--profiles-dir", str(profiles_dir))
    first = run_cli(*common, "--esp", "generic", "--out", str(tmp_path / "one"))
    assert first.code == 0, first.output
    second = run_cli(*common, "--esp", "generic", "--out", str(tmp_path / "two"))
    assert second.code == 0, second.output
    assert "nothing new: all 3 recipients were exported before" in second.stdout
    assert not (tmp_path / "two").exists()
    import psycopg2

    with psycopg2.connect(connect_timeout=10) as connection, connection.cursor() as cursor:
        cursor.execute(
            f'select contact_id, length(email_sha256) from "{schema}_state".send_log '
            "where flow_id = 'abandoned_cart' and channel = 'email' order by contact_id"
        )
        assert cursor.fetchall() == [("C001", 64), ("C002", 64), ("C003", 64)]
