"""Safety under ordinary mistakes, end to end: generate -> load -> dbt build -> export.

Each test starts from the same built demo warehouse (400 contacts, its personas) and
makes one mistake an operator or an EL tool makes, then checks the exact outcome: an
empty protective delivery changes no audience, a contact sharing an erased email is
erased with nothing left in the quarantine, bad text never reaches a send list, and
erasure reaches the send log.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from followup import PROJECT_DIR

pytestmark = pytest.mark.slow

AS_OF = "2026-06-15"
PYTHON = sys.executable
DBT = str(Path(PYTHON).parent / "dbt")


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def append(table: pa.Table, rows: list[dict]) -> pa.Table:
    return pa.concat_tables([table, pa.Table.from_pylist(rows, table.schema)])


class World:
    """A generated delivery and a warehouse built from it, in a folder of its own."""

    def __init__(self, folder: Path, data: Path, warehouse: Path) -> None:
        self.folder = folder
        self.data = data
        self.warehouse = warehouse
        self.env = {
            **os.environ,
            "FOLLOWUP_DUCKDB_PATH": str(warehouse),
            "DBT_PROFILES_DIR": str(PROJECT_DIR),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "GX_ANALYTICS_ENABLED": "false",
        }
        self.env.pop("FOLLOWUP_TARGET", None)

    def run(self, *command: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            command, cwd=PROJECT_DIR, env=self.env, capture_output=True, text=True, timeout=900
        )
        if ok and result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
            pytest.fail(f"{' '.join(command)} failed ({result.returncode}):\n{tail}")
        return result

    def load(self, *extra: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run(PYTHON, "scripts/load_raw.py", "--from", str(self.data), *extra, ok=ok)

    def build(self, *extra: str, command: str = "run") -> None:
        """dbt run (the scenarios), or dbt build with the data tests (the first build)."""
        tests = ("--exclude", "test_type:unit") if command == "build" else ()
        self.run(DBT, command, "--target-path", str(self.folder / "target"), "--log-path",
                 str(self.folder / "logs"), "--vars", f'{{as_of_date: "{AS_OF}"}}',
                 *tests, *extra)  # fmt: skip

    def export(self, out: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        return self.run(PYTHON, "scripts/export_send_lists.py", "--out", str(out), *args, ok=ok)

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql).fetchall()

    def table(self, name: str) -> pa.Table:
        return pq.read_table(self.data / f"{name}.parquet")

    def write(self, name: str, table: pa.Table) -> None:
        pq.write_table(table, self.data / f"{name}.parquet")

    def copy(self, folder: Path) -> World:
        folder.mkdir(parents=True)
        shutil.copytree(self.data, folder / "data")
        shutil.copy(self.warehouse, folder / "warehouse.duckdb")
        return World(folder, folder / "data", folder / "warehouse.duckdb")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> World:
    folder = tmp_path_factory.mktemp("safety")
    world = World(folder, folder / "data", folder / "warehouse.duckdb")
    world.run(PYTHON, "scripts/generate_data.py", "--contacts", "400", "--seed", "42",
              "--as-of", AS_OF, "--out", str(world.data))  # fmt: skip
    world.load()
    world.build(command="build")
    return world


AUDIENCES = (
    "select flow_id, flow_step, contact_id, email, decision, exclusion_reason "
    f"from analytics.audience_decisions where as_of_date = date '{AS_OF}' order by all"
)


def test_an_empty_protective_delivery_changes_no_audience(built: World, tmp_path: Path) -> None:
    world = built.copy(tmp_path / "w")
    before = world.query(AUDIENCES)
    erased = world.query("select contact_id from analytics.base_erased_contacts order by 1")
    assert erased == [("C000079",), ("C000080",)]
    suppressed_sql = (
        "select contact_id from analytics.int_contact_suppressions where is_suppressed order by 1"
    )
    suppressed = world.query(suppressed_sql)
    opted_out = world.query(
        "select contact_id from analytics.int_contact_consent "
        "where consent_status = 'opt_out' order by 1"
    )
    # The EL tool delivers empty protective tables, and consent and email events without
    # any opt-out, unsubscribe, bounce or complaint.
    for name in ("erasure_requests", "esp_suppressions"):
        world.write(name, world.table(name).slice(0, 0))
    consent = world.table("consent_events")
    world.write("consent_events", consent.filter(pc.not_equal(consent["status"], "opt_out")))
    events = world.table("email_events")
    protective = pc.is_in(events["event_type"],
                          pa.array(["unsubscribe", "hard_bounce", "spam_complaint"]))  # fmt: skip
    world.write("email_events", events.filter(pc.invert(protective)))
    # The loader refuses the empty tables ...
    refused = world.load(ok=False)
    assert refused.returncode == 1
    assert "erasure_requests.parquet: 0 rows, the previous load of erasure_requests had 2" in (
        refused.stderr
    )
    # ... and even loaded on purpose and rebuilt from scratch (--full-refresh: the event
    # tables forget the old events), the build keeps every protection it has seen.
    world.load("--allow-shrink", "erasure_requests", "--allow-shrink", "esp_suppressions")
    world.build("--full-refresh")
    assert world.query(AUDIENCES) == before
    assert world.query("select contact_id from analytics.base_erased_contacts order by 1") == erased
    assert world.query("select count(*) from analytics.dim_contacts where contact_id in "
                       "('C000079', 'C000080')") == [(0,)]  # fmt: skip
    assert world.query(suppressed_sql) == suppressed
    assert (
        world.query(
            "select contact_id from analytics.int_contact_consent "
            "where consent_status = 'opt_out' order by 1"
        )
        == opted_out
    )


def test_a_contact_sharing_an_erased_email_is_erased_and_leaves_no_trace(
    built: World, tmp_path: Path
) -> None:
    world = built.copy(tmp_path / "w")
    erased_consent = (
        "select count(*) from analytics.base_raw__consent_events where row_fate = 'erased'"
    )
    erased_before = world.query(erased_consent)
    contacts = world.table("contacts")
    lars = contacts.filter(pc.equal(contacts["contact_id"], "C000079")).to_pylist()[0]
    # C000990 shares the email of C000079 (erased by id); C000991 shares C000990's other email
    extra = [
        {**lars, "contact_id": "C000990", "email": " LARS.WILLEMS@example.nl"},
        {**lars, "contact_id": "C000990", "email": "lw@example.org", "updated_at": None},
        {**lars, "contact_id": "C000991", "email": "LW@example.org"},
    ]
    world.write(
        "contacts", pa.concat_tables([contacts, pa.Table.from_pylist(extra, contacts.schema)])
    )
    consent = world.table("consent_events")
    row = {**consent.to_pylist()[0], "contact_id": "C000990"}
    world.write("consent_events", append(consent, [row]))
    world.load()
    world.build()
    erased = world.query("select contact_id from analytics.base_erased_contacts order by 1")
    assert erased == [("C000079",), ("C000080",), ("C000990",), ("C000991",)]
    quarantine = world.query("select * from analytics.stg_quarantine")
    assert [q for q in quarantine if "C00099" in str(q) or "C000079" in str(q)] == []
    # C000990's consent row counts as erased, not as an unknown contact's
    assert world.query(erased_consent) == [(erased_before[0][0] + 1,)]
    assert world.query(
        "select count(*) from analytics.dim_contacts where contact_id like 'C00099%'"
    ) == [(0,)]


def test_bad_text_never_reaches_a_send_list(built: World, tmp_path: Path) -> None:
    world = built.copy(tmp_path / "w")
    sent = world.query(
        "select contact_id from analytics.audience_decisions "
        "where decision = 'send' and flow_id = 'repeat_purchase' order by 1 limit 2"
    )
    nul, huge = sent[0][0], sent[1][0]
    contacts = world.table("contacts").to_pylist()
    for row in contacts:
        if row["contact_id"] == nul:
            row["first_name"] = "An\x00na"
        if row["contact_id"] == huge:
            row["first_name"] = "A" * 1_000_000
    world.write("contacts", pa.Table.from_pylist(contacts, world.table("contacts").schema))
    loaded = world.load()
    assert "value(s) with a NUL byte" in loaded.stdout
    world.build()
    assert world.query(
        "select detail from analytics.stg_quarantine where source_table = 'contacts' "
        f"and reason = 'invalid_text' and row_key in ('{nul}', '{huge}') order by row_key"
    ) == [("first_name has a control character",), ("first_name is longer than 255 bytes",)]
    out = tmp_path / "exports"
    world.export(out, "--all", "--esp", "generic")
    written = b"".join(p.read_bytes() for p in out.rglob("*.csv"))
    assert written and nul.encode() not in written and huge.encode() not in written
    assert b"\x00" not in written and b"\xef\xbf\xbd" not in written and b"A" * 256 not in written


def test_erasure_reaches_the_send_log(built: World, tmp_path: Path) -> None:
    world = built.copy(tmp_path / "w")
    out = tmp_path / "exports"
    world.export(out, "--all", "--esp", "generic")
    contact, email = world.query(
        "select contact_id, email from analytics.audience_decisions where decision = 'send' "
        "and flow_id = 'lead_nurture' order by 1 limit 1"
    )[0]
    log = (
        "select count(*) from analytics_state.send_log "
        "where contact_id = '{}' or email_sha256 = '{}'"
    )
    assert world.query(log.format(contact, sha(email))) == [(1,)]
    requests = world.table("erasure_requests")
    new = {"request_id": "ER000099", "contact_id": contact, "email": None,
           "requested_at": requests["requested_at"][0].as_py()}  # fmt: skip
    world.write("erasure_requests", append(requests, [new]))
    world.load()
    world.build()
    assert world.query(log.format(contact, sha(email))) == [(0,)]
    contacts = f"select count(*) from analytics.dim_contacts where contact_id = '{contact}'"
    assert world.query(contacts) == [(0,)]


def test_the_readme_export_commands_work_on_a_fresh_demo_warehouse(
    built: World, tmp_path: Path
) -> None:
    world = built.copy(tmp_path / "w")
    out = tmp_path / "exports"
    dry = world.export(out, "--all", "--esp", "mailchimp", "--dry-run")
    assert "spike guard not applied (fewer than 7 days of export history" in dry.stdout
    assert "abandoned_cart (0)" in dry.stdout
    # without history the guard warns, whatever the floor (the demo's lists exceed 100)
    world.export(out, "--all", "--esp", "mailchimp", "--dry-run", "--spike-floor", "1")
    assert not out.exists()
    world.export(out, "--all", "--esp", "generic")
    klaviyo = world.export(out, "--flow", "abandoned_cart", "--esp", "klaviyo")
    assert "the email ESPs share one channel: a recipient gets a flow's mail once" in klaviyo.stdout
    assert "--channel NAME to keep a separate send log for another ESP" in klaviyo.stdout
    again = world.export(
        out, "--flow", "abandoned_cart", "--esp", "klaviyo", "--channel", "klaviyo"
    )
    assert "abandoned_cart" in again.stdout and "rows  -> abandoned_cart" in again.stdout


def test_an_empty_contacts_table_fails_the_build_loudly(built: World, tmp_path: Path) -> None:
    world = built.copy(tmp_path / "w")
    world.write("contacts", world.table("contacts").slice(0, 0))
    assert world.load(ok=False).returncode == 1  # the loader refuses it ...
    world.load("--allow-shrink", "contacts")  # ... and an EL tool of your own would not
    result = world.run(DBT, "test", "--select", "source:raw.contacts", "--target-path",
                       str(world.folder / "target"), ok=False)  # fmt: skip
    assert result.returncode == 1
    assert "Failure in test source_not_empty_raw_contacts_" in result.stdout
