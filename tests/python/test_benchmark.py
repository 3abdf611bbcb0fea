"""Fast tests of followup/bench/: the pieces that need no benchmark run."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from followup import bench as bm

AS_OF = dt.date(2026, 6, 15)
SEGMENTS = pd.read_csv(bm.PROJECT_DIR / "seeds" / "rfm_segments.csv")


# ---------------------------------------------------------------- bookkeeping


def test_median_and_peak_ignore_missing_values() -> None:
    assert bm.median([3.0, None, 1.0, 2.0]) == 2.0
    assert bm.median([4.0, 1.0]) == 2.5
    assert bm.median([None]) is None
    assert bm.peak([None, 5, 7, None]) == 7
    assert bm.peak([]) is None


def test_step_stats_json() -> None:
    stats = bm.StepStats()
    for seconds, rss in [(3.0, 100), (1.0, 300), (2.0, None)]:
        stats.add(bm.Sample(seconds, rss))
    document = stats.to_json()
    assert document["runs"] == 3
    assert document["seconds"] == [3.0, 1.0, 2.0]
    assert document["median_s"] == 2.0
    assert (document["min_s"], document["max_s"]) == (1.0, 3.0)
    assert document["peak_rss_bytes"] == [100, 300, None]
    assert document["peak_rss_max_bytes"] == 300
    assert "process_wall_seconds" not in document


def test_runs_for_size() -> None:
    assert bm.runs_for_size(100_000, 3, 1) == 3
    assert bm.runs_for_size(1_000_000, 3, 1) == 1
    assert bm.runs_for_size(2_000_000, 3, None) == 3


def test_run_process_measures_the_whole_tree(tmp_path: Path) -> None:
    """A child that holds 200 MB shows in the parent's peak."""
    child = "import time; data = bytearray(200 * 1024 * 1024); time.sleep(0.6)"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {child!r}])"
    ran = bm.run_process(
        [sys.executable, "-c", parent], env=dict(os.environ), log_file=tmp_path / "log.txt"
    )
    assert ran.returncode == 0
    assert ran.peak_rss_bytes > 200 * 1024 * 1024
    assert ran.seconds >= 0.6


def test_run_process_fails_loudly(tmp_path: Path) -> None:
    command = [sys.executable, "-c", "print('line one'); print('the reason'); raise SystemExit(3)"]
    with pytest.raises(bm.BenchmarkError) as caught:
        bm.run_process(command, env=dict(os.environ), log_file=tmp_path / "log.txt")
    message = str(caught.value)
    assert "exit code 3" in message
    assert "the reason" in message
    assert "raise SystemExit(3)" in message  # the command itself


def test_sampler_of_a_finished_process_is_zero() -> None:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    time.sleep(0.05)
    assert bm.TreeMemorySampler(process.pid).sample() == 0


# ---------------------------------------------------------------- the floor


def manifest(models: dict[str, list[str]], materialized: dict[str, str] | None = None) -> dict:
    """A minimal manifest: model name -> the names of its parents (models, seeds, sources)."""
    materialized = materialized or {}
    nodes = {}
    for name, parents in models.items():
        nodes[f"model.p.{name}"] = {
            "resource_type": "model",
            "name": name,
            "schema": "analytics",
            "fqn": ["p", "marts", name],
            "relation_name": f'"db"."analytics"."{name}"',
            "compiled_code": f"select 1 as x -- {name}",
            "config": {"materialized": materialized.get(name, "table")},
            "depends_on": {
                "nodes": [
                    parent if parent.startswith(("seed.", "source.")) else f"model.p.{parent}"
                    for parent in parents
                ]
            },
        }
    nodes["seed.p.rules"] = {"resource_type": "seed", "name": "rules", "depends_on": {}}
    nodes["test.p.some_test"] = {
        "resource_type": "test",
        "name": "some_test",
        "depends_on": {"nodes": ["model.p.d"]},
    }
    return {"nodes": nodes}


def test_topological_order_parents_first_then_alphabetical() -> None:
    graph = manifest(
        {
            "d": ["b", "c"],
            "c": ["a", "seed.p.rules"],
            "b": ["a", "source.p.raw.orders"],
            "a": [],
            "e": [],
        }
    )
    order = [uid.split(".")[-1] for uid in bm.topological_models(graph)]
    assert order == ["a", "b", "c", "d", "e"]


def test_topological_order_puts_every_parent_first() -> None:
    graph = manifest({"z": [], "y": ["z"], "x": ["y"], "w": ["x", "z"]})
    order = [uid.split(".")[-1] for uid in bm.topological_models(graph)]
    assert order == ["z", "y", "x", "w"]


def test_topological_order_refuses_a_cycle() -> None:
    with pytest.raises(ValueError, match="cycle"):
        bm.topological_models(manifest({"a": ["b"], "b": ["a"], "c": []}))


def test_floor_statements() -> None:
    graph = manifest(
        {"v": [], "t": ["v"], "i": ["t"], "eph": []},
        {"v": "view", "i": "incremental", "eph": "ephemeral"},
    )
    statements = bm.floor_statements(graph)
    assert [(s.unique_id, s.materialized) for s in statements] == [
        ("model.p.v", "view"),
        ("model.p.t", "table"),
        ("model.p.i", "incremental"),
    ]
    assert statements[0].sql.startswith('create or replace view "db"."analytics"."v" as (')
    assert statements[2].sql.startswith('create or replace table "db"."analytics"."i" as (')
    # a trailing comment must not swallow the closing parenthesis
    assert statements[0].sql.endswith("-- v\n)")


def test_floor_statements_run_in_duckdb(tmp_path: Path) -> None:
    graph = manifest({"a": [], "b": ["a"]}, {"a": "view"})
    graph["nodes"]["model.p.b"]["compiled_code"] = 'select x + 1 as y from "db"."analytics"."a"'
    con = duckdb.connect(str(tmp_path / "db.duckdb"))
    con.execute("create schema analytics")
    for statement in bm.floor_statements(graph):
        con.execute(statement.sql)
    assert con.execute("select y from analytics.b").fetchall() == [(2,)]


def test_upstream_models_and_history_dependents() -> None:
    graph = manifest({"a": [], "b": ["a"], "c": ["b"], "h": ["a"], "t": ["h"], "u": ["t", "c"]})
    assert bm.upstream_models(graph, ["c"]) == {"model.p.a", "model.p.b", "model.p.c"}
    history = graph["nodes"]["model.p.h"]["config"]
    history.update(materialized="incremental", unique_key="as_of_date")
    assert bm.history_dependent_models(graph) == {"t", "u"}


# ---------------------------------------------------------------- pandas RFM


def orders_frame(rows: list[tuple[str | None, int, str]]) -> pd.DataFrame:
    """Valid orders: (contact_id, days_ago, total_amount as text)."""
    return pd.DataFrame(
        {
            "contact_id": [row[0] for row in rows],
            "days_ago": [row[1] for row in rows],
            "total_amount": [float(row[2]) for row in rows],
        }
    )


def test_pandas_rfm_scores_by_hand() -> None:
    """Four customers; ties score alike; the lookback is days_ago <= 729."""
    valid = orders_frame(
        [
            ("A", 10, "100.00"),
            ("A", 400, "50.10"),
            ("B", 10, "150.10"),  # same recency as A; same monetary as A (0.1 + ...)
            ("C", 200, "20.00"),
            ("C", 300, "20.00"),
            ("C", 500, "20.00"),
            ("D", 729, "5.00"),
            ("D", 730, "999.00"),  # outside the window
            (None, 1, "42.00"),  # a guest order
        ]
    )
    rfm = pandas_rfm_dict(valid)
    # n = 4. recency: c = customers with recency_days >= own: A,B 10 -> 4 -> 5; C 200 -> 2
    # -> ceil(10/4) = 3; D 729 -> 1 -> 2. frequency: c = customers with frequency <= own:
    # A 2 -> 3 -> 4; B 1 -> 2 -> 3; C 3 -> 4 -> 5; D 1 -> 2 -> 3.
    # monetary (cents): A 15010, B 15010 -> 4 -> 5; C 6000 -> 2 -> 3; D 500 -> 1 -> 2.
    # Segments, first rule that holds: A (5, 4) champions; B (5, 3) potential_loyalists;
    # C (3, 5) loyal_customers; D (2, 3) at_risk.
    assert rfm == {
        "A": (10, 2, 15010, 5, 4, 5, "champions"),
        "B": (10, 1, 15010, 5, 3, 5, "potential_loyalists"),
        "C": (200, 3, 6000, 3, 5, 3, "loyal_customers"),
        "D": (729, 1, 500, 2, 3, 2, "at_risk"),
    }


def pandas_rfm_dict(valid: pd.DataFrame) -> dict[str, tuple]:
    result = bm.pandas_rfm(valid, SEGMENTS)
    return {
        contact: (
            int(row.recency_days),
            int(row.frequency),
            int(row.monetary_cents),
            int(row.r_score),
            int(row.f_score),
            int(row.m_score),
            row.rfm_segment,
        )
        for contact, row in result.iterrows()
    }


def test_pandas_rfm_single_customer_scores_five() -> None:
    rfm = pandas_rfm_dict(orders_frame([("A", 3, "1.00")]))
    assert rfm == {"A": (3, 1, 100, 5, 5, 5, "champions")}  # the first rule wins


def test_pandas_rfm_matches_the_sql_formula() -> None:
    """The same customers scored by DuckDB with the SQL of contact_rfm."""
    rows = [(f"C{i:02d}", (i * 37) % 700, f"{(i * 13) % 50}.{i % 100:02d}") for i in range(40)]
    rows += [(f"C{i:02d}", (i * 11) % 300, "10.00") for i in range(0, 40, 3)]
    valid = orders_frame(rows)
    expected = duckdb.sql(
        """
        with customers as (
            select contact_id, min(days_ago) as r, count(*) as f,
                sum(cast(round(total_amount * 100) as bigint)) as m
            from valid group by contact_id
        ),
        ranked as (
            select *, count(*) over () as n,
                count(*) over (order by r desc) as rc,
                count(*) over (order by f) as fc,
                count(*) over (order by m) as mc
            from customers
        )
        select contact_id, (5 * rc + n - 1) // n, (5 * fc + n - 1) // n, (5 * mc + n - 1) // n
        from ranked order by contact_id
        """
    ).fetchall()
    rfm = pandas_rfm_dict(valid)
    assert [(key, *value[3:6]) for key, value in sorted(rfm.items())] == expected


# ---------------------------------------------------------------- pandas: staging and cart


def test_staged_contact_ids() -> None:
    t = pd.Timestamp
    contacts = pd.DataFrame(
        {
            "contact_id": ["C1", " C2 ", "C2", "C3", "C3", "C4", "C5", None, "C6"],
            "email": [
                "a@x.nl",
                "b@x.nl",
                "b@x.nl",
                "c@x.nl",
                "c2@x.nl",
                "E@X.NL ",
                "e@x.nl",
                "z@x.nl",
                "f@x.nl",
            ],
            "updated_at": [
                t("2026-01-01"),
                t("2026-01-02"),
                t("2026-01-01"),
                t("2026-01-05"),
                t("2026-01-05"),
                t("2026-01-01"),
                t("2026-01-01"),
                t("2026-01-01"),
                t("2026-01-01"),
            ],
        }
    )
    erasures = pd.DataFrame({"contact_id": ["C6"], "email": ["  e@x.nl"]})
    known, erased = bm.staged_contact_ids(contacts, erasures)
    # C3 ambiguous (two differing rows at the latest time); C4 and C5 erased by email
    assert sorted(known) == ["C1", "C2"]
    assert sorted(erased) == ["C4", "C5", "C6"]


def test_recognition_levels() -> None:
    t = pd.Timestamp
    web = pd.DataFrame(
        {
            "event_id": ["W1", "W2", "W3", "W4", "W5", "W6", "W7"],
            "visitor_id": ["V1", "V1", "V1", "V1", "V1", "V2", "V2"],
            "contact_id": [None, "C1", None, "C2", None, None, "C9"],
            "is_logged_in": [False, True, False, True, None, False, False],
            "occurred_at": [
                t("2026-06-01 10:00"),  # V1 first event: 1
                t("2026-06-01 11:00"),  # logged in: 4
                t("2026-06-01 11:00"),  # same second as the login: not strictly later: 2
                t("2026-06-02 09:00"),  # logged in as C2: 4
                t("2026-06-03 09:00"),  # after the C2 login: 3, C2
                t("2026-06-01 10:00"),  # V2 first: 1
                t("2026-06-01 12:00"),  # contact without login: ignored, 2
            ],
        }
    )
    result = bm.recognise_web_events(web).set_index("event_id").sort_index()
    assert result["recognition_level"].tolist() == [1, 4, 2, 4, 3, 1, 2]
    contacts = result["contact_id"].tolist()
    assert contacts[1] == "C1" and contacts[3] == "C2" and contacts[4] == "C2"
    assert all(pd.isna(contacts[i]) for i in (0, 2, 5, 6))


def test_abandoned_cart_by_hand() -> None:
    t = pd.Timestamp
    recognised = pd.DataFrame(
        {
            "contact_id": ["C1", "C1", "C1", "C1", "C2", "C2", "C3"],
            "recognition_level": [4, 3, 4, 4, 4, 4, 4],
            "event_type": [
                "add_to_cart",
                "add_to_cart",
                "remove_from_cart",
                "add_to_cart",
                "add_to_cart",
                "add_to_cart",
                "add_to_cart",
            ],
            "product_id": ["P1", "P2", "P2", "P3", "P1", "P1", "P1"],
            "occurred_at": [
                t("2026-06-14 09:00"),  # C1: P1 added yesterday
                t("2026-06-10 09:00"),  # C1: P2 added, later removed
                t("2026-06-11 09:00"),
                t("2026-06-12 09:00"),  # C1: P3
                t("2026-06-14 08:00"),  # C2: added yesterday ...
                t("2026-06-15 07:00"),  # ... and again this morning: still shopping
                t("2026-06-14 10:00"),  # C3: ordered after the add
            ],
        }
    )
    valid = pd.DataFrame({"contact_id": ["C3"], "ordered_at": [t("2026-06-14 11:00")]})
    products = pd.DataFrame({"product_id": ["P1", "P2", "P3"], "price_cents": [1000, 250, 199]})
    cart = bm.pandas_abandoned_cart(recognised, valid, products, AS_OF)
    records = cart.to_dict("records")
    assert len(records) == 1
    assert pd.isna(records[0].pop("product_3_id"))
    assert records == [
        {
            "contact_id": "C1",
            "trigger_at": t("2026-06-14 09:00"),
            "cart_item_count": 2,
            "cart_value_cents": 1199,
            "product_1_id": "P1",
            "product_2_id": "P3",
        }
    ]


# ---------------------------------------------------------------- the report


def size_entry(size: int, seconds: dict[str, float], rss: int = 10**9) -> dict:
    steps = {
        step: {
            "runs": 3,
            "seconds": [value] * 3,
            "median_s": value,
            "min_s": value,
            "max_s": value,
            "peak_rss_bytes": [rss] * 3,
            "peak_rss_max_bytes": rss,
        }
        for step, value in seconds.items()
    }
    return {"contacts": size, "runs": 3, "steps": steps, "same_models_in_floor_s": 1.5}


def report() -> dict:
    base = {"load": 1.0, "seed": 2.0, "run_full": 10.0, "build_full": 20.0, "floor": 5.0,
            "daily_load": 1.0, "daily_run": 5.0, "pandas": 1.0, "export": 3.0,
            "run_same": 2.0}  # fmt: skip
    large = {"load": 80.0, "seed": 2.0, "run_full": 300.0, "build_full": 700.0,
             "floor": 250.0, "daily_load": 80.0, "daily_run": 40.0, "pandas": 90.0,
             "export": 30.0, "run_same": 45.0}  # fmt: skip
    return {
        "machine": {"cores_logical": 2, "memory_bytes": 24 * 10**9, "cpu_model": "Test CPU"},
        "settings": {"seed": 1, "as_of": "2026-06-15"},
        "git": {"commit": "abcdef1234567890", "models_changed_since_commit": []},
        "started_at": "2026-06-15T00:00:00+00:00",
        "sizes": {
            "100000": size_entry(100_000, base),
            "1000000": size_entry(1_000_000, large, rss=9 * 10**9),
        },
    }


def test_format_helpers() -> None:
    assert bm.format_seconds(None) == "n/a"
    assert bm.format_seconds(4.25) == "4.2 s"
    assert bm.format_seconds(42.4) == "42 s"
    assert bm.format_seconds(245) == "4 min 05 s"
    assert bm.format_bytes(2_310_000_000) == "2.31 GB"


def test_growth_rows() -> None:
    rows = bm.growth_rows(report()["sizes"])
    assert len(rows) == 1
    assert (rows[0]["from"], rows[0]["to"]) == (100_000, 1_000_000)
    assert rows[0]["per_contact"]["run_full"] == pytest.approx(3.0)  # 30x time for 10x contacts
    assert rows[0]["per_contact"]["daily_run"] == pytest.approx(0.8)


def test_render_markdown() -> None:
    text = bm.render_markdown(report())
    assert text.startswith("# followup benchmark\n")
    assert "2 cores (Test CPU)" in text
    assert "## 100,000 contacts" in text and "## 1,000,000 contacts" in text
    assert (
        "| full run | dbt run --full-refresh for D (models only, seed excluded) | 3 | 10 s |"
        in (text)
    )
    # summary: overhead 300 / 250, speed-up 300 / 40
    assert "| 1,000,000 | 5 min 00 s | 11 min 40 s | 4 min 10 s | 1.20x | 40 s | 7.50x |" in text
    targets = text.split("### Targets")[1]
    assert (
        "full build within 10 min (dbt seed + dbt run --full-refresh) | 5 min 02 s | **met**"
        in (targets)
    )
    assert "with tests within 10 min (dbt build --full-refresh) | 11 min 40 s | **missed**" in (
        targets
    )
    assert "peak memory under 8 GB" in targets and "9.00 GB | **missed**" in targets
    assert "at least 5x faster than the full run | 7.50x | **met**" in targets
    assert "below 1.5x (full run / floor) | 1.20x | **met**" in targets
    # pandas 90 s vs same models 2 s at 1M: dbt faster; at 100k 1 s vs 2 s: slower
    assert "100,000: faster than pandas" in targets
    lines = [line for line in targets.splitlines() if "faster than pandas" in line]
    assert lines[0].endswith("**missed** |") and lines[1].endswith("**met** |")
    assert "no worse than linear, 100,000 → 1,000,000" in targets
    assert "worst 8.00x | **missed**" in targets  # load: 80x the time for 10x


def test_write_results_merges_earlier_sizes(tmp_path: Path) -> None:
    first = report()
    first["sizes"] = {"100000": first["sizes"]["100000"]}
    bm.write_results(first, tmp_path, merge=True)
    second = report()
    second["sizes"] = {"1000000": second["sizes"]["1000000"]}
    merged = bm.write_results(second, tmp_path, merge=True)
    assert list(merged["sizes"]) == ["100000", "1000000"]
    on_disk = json.loads((tmp_path / "results.json").read_text())
    assert list(on_disk["sizes"]) == ["100000", "1000000"]
    assert "## 100,000 contacts" in (tmp_path / "results.md").read_text()
    # another as-of day: nothing is merged
    third = report()
    third["settings"]["as_of"] = "2026-07-01"
    third["sizes"] = {"1000000": third["sizes"]["1000000"]}
    assert list(bm.write_results(third, tmp_path, merge=True)["sizes"]) == ["1000000"]
