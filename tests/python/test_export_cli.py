"""scripts/export_send_lists.py: exit codes, dry run, idempotency, atomicity, manifest."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from followup import PROJECT_DIR
from followup.export import output
from tests.python.fixtures.export.helpers import (
    bodies,
    export,
    files_written,
    output_dir,
    read_json,
    run_cli,
    use_warehouse,
)
from tests.python.fixtures.export.warehouse import build_warehouse


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_warehouse(tmp_path, monkeypatch)


def test_help_explains_every_option_examples_and_exit_codes() -> None:
    result = subprocess.run(
        [sys.executable, str(PROJECT_DIR / "scripts" / "export_send_lists.py"), "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    text = result.stdout
    for option in (
        "--flow", "--all", "--esp", "--out", "--as-of", "--target", "--dry-run", "--force",
        "--allow-spike", "--spike-factor", "--spike-floor", "--progress", "--list-profiles",
        "--channel", "--wait",
    ):  # fmt: skip
        assert option in text
    assert "Examples:" in text and "Exit codes:" in text
    assert "1  refused: a check failed, or another export or a dbt build holds" in text
    assert "3  failed on the way" in text
    assert "OUT/<day>/<profile>/<flow>.manifest.json" in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--flow", "nope", "--esp", "generic"], "error: unknown flow 'nope' (known: "),
        (["--flow", "welcome", "--esp", "nope"], "error: unknown ESP profile 'nope' (known: "),
        (["--flow", "welcome", "--esp", "generic", "--as-of", "2026-13-01"], "is not a date"),
        (["--flow", "welcome", "--esp", "generic", "--as-of", "2026-06-14"], "does not match"),
        (["--esp", "generic"], "give either --flow FLOW_ID (one or more) or --all"),
        (["--all", "--flow", "welcome", "--esp", "generic"], "give either --flow"),
        (["--flow", "welcome"], "--esp PROFILE is required"),
        (["--flow", "welcome", "--esp", "generic", "--target", "prod"], "unknown target 'prod'"),
        (["--flow", "back_in_stock", "--esp", "mailchimp_batch"], "takes marketing flows only"),
        (["--flow", "welcome", "--esp", "generic", "--bogus"], "No such option '--bogus'"),
    ],
)
def test_usage_and_configuration_errors_exit_2_with_one_line(
    warehouse: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    result = run_cli(*args, "--out", str(tmp_path / "out"))
    assert result.code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert files_written(tmp_path / "out") == []


def test_a_missing_warehouse_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOWUP_DUCKDB_PATH", str(tmp_path / "missing.duckdb"))
    result = export(tmp_path / "out", "generic", "welcome")
    assert result.code == 2
    assert "error: warehouse not found:" in result.stderr
    assert "Traceback" not in result.output


def test_a_half_built_warehouse_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def drop_audience(tables: dict[str, pd.DataFrame]) -> None:
        del tables["audience_welcome"]

    use_warehouse(tmp_path, monkeypatch, change=drop_audience)
    result = export(tmp_path / "out", "generic", "welcome")
    assert result.code == 2
    assert "table analytics.audience_welcome not found" in result.stderr


def test_as_of_defaults_to_the_day_the_warehouse_was_built_for(
    warehouse: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert export(out, "generic", "welcome", extra=("--as-of", "2026-06-15")).code == 0
    assert export(out, "generic", "welcome", extra=("--force",)).code == 0
    assert (output_dir(out, "generic") / "welcome.b2.csv").exists()


def test_dry_run_counts_and_masked_rows_and_writes_nothing(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = export(out, "mailchimp", "abandoned_cart", "back_in_stock", extra=("--dry-run",))
    assert result.code == 0, result.output
    assert (
        "abandoned_cart: 3 recipients on 2026-06-15, 0 exported before, 3 would be exported "
        "(mailchimp)"
    ) in result.stdout
    assert "j***@example.com,Jan,de Vries,Beste meneer De Vries" in result.stdout
    assert "k***@example.org" in result.stdout
    assert "jan.de.vries@example.com" not in result.stdout
    assert files_written(out) == []


def test_idempotent_a_second_run_exports_nothing_new_and_says_so(
    warehouse: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = export(out, "generic")
    assert first.code == 0, first.output
    before = files_written(out)
    second = export(out, "mailchimp")  # another email ESP: the same sends
    assert second.code == 0
    assert "nothing new: all 3 recipients were exported before" in second.stdout
    assert "use --force to export them again" in second.stdout
    assert files_written(out) == before  # nothing written at all
    # An ad audience is not a send: it has its own channel in the send log.
    assert export(out, "google_customer_match", "welcome").code == 0
    # --force exports on purpose, as a new batch next to the first (never overwritten).
    forced = export(out, "generic", "welcome", extra=("--force",))
    assert forced.code == 0
    folder = output_dir(out, "generic")
    assert (folder / "welcome.csv").read_bytes() == (folder / "welcome.b2.csv").read_bytes()
    manifest = read_json(folder / "welcome.b2.manifest.json")
    assert manifest["forced"] is True and manifest["batch"] == 2  # type: ignore[index]


def test_only_new_recipients_are_exported_after_a_rebuild(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"

    def one_row(tables: dict[str, pd.DataFrame]) -> None:
        tables["audience_abandoned_cart"] = tables["audience_abandoned_cart"].iloc[:1]

    path = use_warehouse(tmp_path, monkeypatch, change=one_row)
    assert export(out, "generic", "abandoned_cart").code == 0
    # the warehouse is rebuilt for the same day: two more recipients
    full = build_warehouse(tmp_path / "full.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute(f"attach '{full}' as full_build (read_only)")
        con.execute(
            "insert into analytics.audience_abandoned_cart select * from "
            "full_build.analytics.audience_abandoned_cart where contact_id <> 'C001'"
        )
    result = export(out, "generic", "abandoned_cart")
    assert result.code == 0
    folder = output_dir(out, "generic")
    batch2 = (folder / "abandoned_cart.b2.csv").read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[3] for line in batch2[1:]] == ["C002", "C003"]
    manifest = read_json(folder / "abandoned_cart.b2.manifest.json")
    assert manifest["exported_before"] == 1 and manifest["row_count"] == 2  # type: ignore[index]


def test_a_second_out_folder_exports_nothing_new(warehouse: Path, tmp_path: Path) -> None:
    assert export(tmp_path / "first", "generic").code == 0
    second = export(tmp_path / "second", "generic")
    assert second.code == 0
    assert "0 rows written" in second.stdout
    assert files_written(tmp_path / "second") == []
    assert second.stdout.count("nothing new") == 3
    assert (
        f"nothing new: all 3 recipients were exported before (generic "
        f"{(tmp_path / 'first').resolve()}/2026-06-15/generic/abandoned_cart.manifest.json) "
        "(the email ESPs share one channel: a recipient gets a flow's mail once, whichever "
        "ESP exported it); use --force to export them again, or --channel NAME to keep a "
        "separate send log for another ESP"
    ) in second.stdout


def test_a_separate_channel_exports_to_another_esp_on_purpose(
    warehouse: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert export(out, "generic", "welcome").code == 0
    assert "nothing new" in export(out, "klaviyo", "welcome").stdout
    result = export(out, "klaviyo", "welcome", extra=("--channel", "klaviyo"))
    assert result.code == 0
    assert "welcome                          2 rows" in result.stdout
    assert "nothing new" in export(out, "klaviyo", "welcome", extra=("--channel", "klaviyo")).stdout


def test_manifest_is_written_last_with_hashes_and_commit(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert export(out, "generic", "abandoned_cart").code == 0
    folder = output_dir(out, "generic")
    manifest = read_json(folder / "abandoned_cart.manifest.json")
    assert isinstance(manifest, dict)
    data = (folder / "abandoned_cart.csv").read_bytes()
    assert manifest["flow_id"] == "abandoned_cart"
    assert manifest["as_of_date"] == "2026-06-15"
    assert manifest["profile"] == "generic"
    assert manifest["row_count"] == 3
    assert manifest["files"] == [
        {
            "name": "abandoned_cart.csv",
            "rows": 3,
            "bytes": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
    ]
    assert len(manifest["git_commit"]) == 40
    assert manifest["exported_at"].endswith("Z")
    assert all(c["passed"] for c in manifest["checks"])
    assert (folder / "abandoned_cart.manifest.json").stat().st_mtime_ns >= (
        folder / "abandoned_cart.csv"
    ).stat().st_mtime_ns


def send_log(path: Path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(
            "select as_of_date::varchar, flow_id, flow_step, channel, email_sha256, contact_id "
            "from analytics_state.send_log order by flow_id, contact_id nulls last"
        ).fetchall()


def sha(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()


def test_the_send_log_records_every_recipient_and_step_without_clear_emails(
    warehouse: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    assert export(out, "generic").code == 0
    rows = send_log(warehouse)
    day = "2026-06-15"
    assert rows == [
        (day, "abandoned_cart", 1, "email", sha("jan.de.vries@example.com"), "C001"),
        (day, "abandoned_cart", 1, "email", sha("sanne@example.nl"), "C002"),
        (day, "abandoned_cart", 1, "email", sha("lou@example.be"), "C003"),
        (day, "back_in_stock", 1, "email", sha("mila@example.be"), "C006"),
        (day, "back_in_stock", 1, "email", sha("koffie@example.org"), None),  # email-only
        (day, "welcome", 1, "email", sha("anna@example.nl"), "C004"),
        (day, "welcome", 2, "email", sha("peter@example.com"), "C005"),
    ]
    with duckdb.connect(str(warehouse), read_only=True) as con:
        state = con.execute(
            "select * from analytics_state.send_log, analytics_state.export_batches"
        ).fetchall()
    assert "@" not in str(state)  # no clear-text email anywhere in the state


def test_a_crash_mid_write_leaves_no_final_file_and_no_manifest(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[bytes] = []

    def crash_after_partial_output(handle, data):  # type: ignore[no-untyped-def]
        if written:  # the header went out; the first rows half-way: then the crash
            handle.write(data[: len(data) // 2])
            handle.flush()
            raise OSError("disk full (simulated)")
        written.append(data)
        handle.write(data)

    monkeypatch.setattr(output, "_write_chunk", crash_after_partial_output)
    out = tmp_path / "out"
    result = export(out, "generic", "abandoned_cart")
    assert result.code == 3
    assert "disk full (simulated)" in result.stderr
    assert "nothing of it was kept and the send log does not count it" in result.stderr
    assert files_written(out) == []  # no final file, no manifest, no temp file
    leftovers = [p for p in out.rglob("*") if p.is_dir() and p.name.startswith(".tmp")]
    assert leftovers == []
    assert send_log(warehouse) == []
    # The failure recorded nothing: the next run exports everything.
    monkeypatch.undo()
    monkeypatch.setenv("FOLLOWUP_DUCKDB_PATH", str(warehouse))
    assert export(out, "generic", "abandoned_cart").code == 0
    assert (output_dir(out, "generic") / "abandoned_cart.csv").exists()
    assert len(send_log(warehouse)) == 3


def test_a_crash_between_parts_removes_the_parts_already_renamed(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = output.os.replace
    calls: list[Path] = []

    def replace_then_crash(source, target):  # type: ignore[no-untyped-def]
        if calls:
            raise OSError("killed (simulated)")
        calls.append(Path(target))
        real_replace(source, target)

    monkeypatch.setattr(output.os, "replace", replace_then_crash)
    out = tmp_path / "out"
    result = export(out, "braze", "back_in_stock")  # two files: main and .alias
    assert result.code == 3
    assert calls and not calls[0].exists()
    assert files_written(out) == []
    assert send_log(warehouse) == []  # the batch was forgotten with its files


def test_all_flows_and_a_progress_bar(warehouse: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = export(out, "mailchimp_batch", extra=("--progress",))
    assert result.code == 0, result.output
    assert "back_in_stock" in result.stdout and "takes marketing flows only" in result.stdout
    assert sorted(p.name for p in bodies(output_dir(out, "mailchimp_batch"))) == [
        "abandoned_cart.json",
        "welcome.json",
    ]


def test_list_profiles() -> None:
    result = run_cli("--list-profiles")
    assert result.code == 0
    assert "klaviyo" in result.stdout
    assert "https://developers.klaviyo.com/en/reference/bulk_import_profiles" in result.stdout
