"""`followup report`: the page of a built day, its numbers against the warehouse cells."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from followup.cli import main
from tests.python.fixtures.report import (
    EMPTY_CHARTS,
    EXPECTED_CHARTS,
    UNBUILT,
    D,
    Page,
    build_report_warehouse,
    marks,
    mismatches,
    untagged_numbers,
)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["report", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_report_warehouse(tmp_path_factory.mktemp("report") / "followup.duckdb")


@pytest.fixture(scope="module")
def page(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Page, str]:
    out = tmp_path_factory.mktemp("out") / "reports"
    code, stdout, stderr = run(
        "--as-of", D.isoformat(), "--out", str(out), "--warehouse", str(warehouse)
    )
    assert (code, stderr) == (0, "")
    path = out / f"followup-report-{D}.html"
    assert stdout.strip() == str(path)
    html = path.read_text(encoding="utf-8")
    return path, Page(html), html


def test_every_chart_is_there_with_marks_or_an_empty_message(page: tuple[Path, Page, str]) -> None:
    charts = page[1].charts()
    assert set(charts) == EXPECTED_CHARTS
    for name, chart in charts.items():
        assert chart.tag == "svg"
        empty = [e for e in chart.children if e.attrs.get("data-empty") == "true"]
        if name in EMPTY_CHARTS:
            assert empty and not marks(chart), name
        else:
            assert marks(chart) and not empty, name


def test_every_number_is_its_warehouse_cell(page: tuple[Path, Page, str], warehouse: Path) -> None:
    assert mismatches(page[1], warehouse) == []
    assert untagged_numbers(page[1]) == []
    assert len(page[1].tagged()) > 400


def test_known_cells(page: tuple[Path, Page, str]) -> None:
    p = page[1]
    day = D.isoformat()
    assert p.value("flow_daily_summary", "sent", flow="abandoned_cart") == {"80"}
    assert p.value("flow_daily_summary", "excluded_no_consent", flow="abandoned_cart") == {"8"}
    assert p.value("flow_daily_summary", "triggered", flow="welcome", date=day) == {"50"}
    assert p.value("flow_uplift", "uplift", flow="abandoned_cart") == {repr(0.1 + 0.2 - 0.265)}
    assert p.value("flow_uplift", "uplift_ci_low", flow="welcome") == {"-0.09"}
    assert p.value("flow_uplift", "relative_uplift", flow="welcome") == {"null"}
    assert p.value("flow_uplift", "is_too_small", flow="welcome") == {"true"}
    assert p.value("flow_engagement_period", "open_rate", flow="welcome") == {repr(400 / 990)}
    assert p.value("flow_engagement_daily", "sent", flow="abandoned_cart", step="2", date=day) == {
        "42"
    }
    assert p.value("segment_size_history", "share", segment="hibernating", date=day) == {
        repr(200 / 1000)
    }
    assert p.value(
        "lifecycle_transition_matrix",
        "share_of_from_stage",
        period="day",
        **{"from": "active", "to": "at_risk"},
    ) == {repr(1 / 300)}
    assert p.value("rfm_grid_history", "contacts", r="3", f="4") == {"34"}
    assert p.value("rfm_grid_history", "avg_monetary", r="5", f="1") == {repr(62.5 + 1 / 3)}


def test_only_the_day_and_its_windows_are_shown(page: tuple[Path, Page, str]) -> None:
    p = page[1]
    dates = {e.attrs["data-date"] for e in p.tagged()}
    by_table: dict[str, set[str]] = {}
    for e in p.tagged():
        by_table.setdefault(e.attrs["data-table"], set()).add(e.attrs["data-date"])
    for table in (
        "flow_daily_summary",
        "flow_uplift",
        "flow_engagement_period",
        "lifecycle_transition_matrix",
        "rfm_grid_history",
    ):
        assert by_table[table] == {D.isoformat()}, table
    engagement = sorted(by_table["flow_engagement_daily"])
    assert engagement[0] == (D - dt.timedelta(days=29)).isoformat()
    assert engagement[-1] == D.isoformat()
    assert max(dates) == D.isoformat()
    # the trends draw 90 days as lines; their tagged points are the day's
    assert by_table["segment_size_history"] == {D.isoformat()}
    assert (
        p.value("flow_engagement_daily", "sent", flow="welcome", date=str(D - dt.timedelta(4)))
        == set()
    )


def test_the_header_and_the_explanations(page: tuple[Path, Page, str], warehouse: Path) -> None:
    p, html = page[1], page[2]
    header = {e.attrs["data-report"]: e.text for e in p.elements if "data-report" in e.attrs}
    assert header["as-of"] == D.isoformat()
    assert header["warehouse"] == str(warehouse.resolve())
    assert header["built-at"] == "not recorded in this warehouse"
    assert " ".join(header["too-small-rule"].split()) == (
        "Too small to conclude: fewer than 100 people in the send group or in the holdout "
        "group, or fewer than 5 conversions or non-conversions in either group. Below that "
        "the interval and the p-value cannot be trusted; such flows are greyed out."
    )
    assert p.value("flow_uplift", "uplift_min_group_size", flow="abandoned_cart") == {"100"}
    assert "95 % Wald" in html and "two-proportion z-test" in html
    too_small = [e for e in p.elements if e.attrs.get("data-flag") == "too-small"]
    assert [e.text for e in too_small] == ["welcome (too small)", "win_back (too small)"]


def test_the_page_loads_nothing_from_anywhere(page: tuple[Path, Page, str]) -> None:
    html = page[2]
    urls = re.findall(r"https?://[^\s\"'<>)]+", html)
    assert set(urls) <= {"http://www.w3.org/2000/svg"}  # the SVG namespace, not a download
    assert not re.search(r"<(script|link|img|iframe)\b|@import|url\(", html, re.I)


def test_an_unbuilt_day_is_refused_with_exit_code_2(warehouse: Path, tmp_path: Path) -> None:
    code, stdout, stderr = run(
        "--as-of", UNBUILT.isoformat(), "--out", str(tmp_path), "--warehouse", str(warehouse)
    )
    assert code == 2
    assert stdout == ""
    assert stderr.count("\n") == 1 and f"{UNBUILT} was not built" in stderr
    assert list(tmp_path.iterdir()) == []


def test_a_missing_warehouse_is_a_usage_error(tmp_path: Path) -> None:
    code, _, stderr = run(
        "--as-of",
        D.isoformat(),
        "--out",
        str(tmp_path),
        "--warehouse",
        str(tmp_path / "nope.duckdb"),
    )
    assert code == 2 and "no DuckDB warehouse" in stderr


def test_the_published_copy_is_read_by_default(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = tmp_path / "wh" / "followup.duckdb"
    build_report_warehouse(own)
    monkeypatch.setenv("FOLLOWUP_DUCKDB_PATH", str(own))
    code, stdout, _ = run("--as-of", D.isoformat(), "--out", str(tmp_path / "a"))
    assert code == 0
    assert Page(Path(stdout.strip()).read_text()).elements  # the warehouse itself: no copy yet
    published = own.parent / "published" / own.name
    published.parent.mkdir()
    published.write_bytes(warehouse.read_bytes())
    with duckdb.connect(str(published)) as con:  # only the copy has the next day
        con.execute(
            "create table analytics.daily_runs as select ?::date as as_of_date, "
            "'build' as step, 'done' as status, "
            "timestamp '2026-06-16 06:01:02' as finished_at",
            [UNBUILT],
        )
        con.execute(
            "insert into analytics.flow_daily_summary select * replace (?::date as "
            "as_of_date) from analytics.flow_daily_summary where as_of_date = ?",
            [UNBUILT, D],
        )
    code, stdout, _ = run("--as-of", UNBUILT.isoformat(), "--out", str(tmp_path / "b"))
    assert code == 0
    header = {
        e.attrs["data-report"]: e.text
        for e in Page(Path(stdout.strip()).read_text()).elements
        if "data-report" in e.attrs
    }
    assert header["warehouse"] == str(published.resolve())
    assert header["built-at"] == "2026-06-16 06:01:02 UTC"


def test_missing_tables_are_said_not_failed(tmp_path: Path) -> None:
    warehouse = build_report_warehouse(tmp_path / "followup.duckdb")
    with duckdb.connect(str(warehouse)) as con:
        for table in ("flow_uplift", "flow_engagement_daily", "rfm_grid_history"):
            con.execute(f"drop table analytics.{table}")
    code, stdout, _ = run(
        "--as-of", D.isoformat(), "--out", str(tmp_path), "--warehouse", str(warehouse)
    )
    assert code == 0
    charts = Page(Path(stdout.strip()).read_text()).charts()
    assert set(charts) == EXPECTED_CHARTS
    for name, table in (
        ("uplift", "flow_uplift"),
        ("rfm-grid", "rfm_grid_history"),
        ("engagement-abandoned_cart", "flow_engagement_daily"),
    ):
        (message,) = [e for e in charts[name].children if e.attrs.get("data-empty") == "true"]
        assert message.text == f"Table analytics.{table} is not in this warehouse (yet)."
