"""Many worlds, one build: generate, load, build (full and incremental), export, check.

Each world's ids and emails carry the world's token, so one ``dbt build`` decides a
thousand worlds at once. What worlds still share is global by design: the flow registry
and the seeds (the same rules for everyone), the best overall send hour and the RFM
quintiles (neither decides who gets mail), the prediction fit and CLV ranking of D
(contact_predictions: they decide who triggers churn_prevention, but the oracle takes the
triggered pairs from the build, so they change which pairs are decided, never how), and
the export's spike guard (it needs 7 days of history, which a fuzz warehouse never has).
That the batch keeps worlds apart is
checked, not assumed: the oracle decides every world on its own rows only, so a decision
that leaked from one world into another would disagree with it and fail the run; and a
world whose rows carried no token, or another world's, is reported as a foreign row.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed

from followup import PROJECT_DIR
from followup.day_before import write_day_before
from followup.fuzz.world import World, place, world_from_json, worlds
from followup.generate.schema import contract_schemas

# The followup CLI of this copy of the project (the mutation check runs copies).
FOLLOWUP = (sys.executable, "-m", "followup.cli")
REGRESSIONS = PROJECT_DIR / "tests" / "fuzz" / "regressions"
Progress = Callable[[str], None]


def generate(count: int, seed: int, as_of: dt.date) -> list[World]:
    """`count` worlds drawn by hypothesis from `seed` (the same seed, the same worlds)."""
    collected: list[World] = []

    @settings(
        max_examples=count,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis_seed(seed)
    @given(worlds(as_of))
    def collect(world: World) -> None:
        collected.append(world)

    collect()
    return collected[:count]


def regression_worlds() -> list[tuple[str, World]]:
    """The saved minimal worlds of earlier failures (tests/fuzz/regressions/*.json)."""
    return [
        (path.stem, world_from_json(json.loads(path.read_text(encoding="utf-8"))["world"]))
        for path in sorted(REGRESSIONS.glob("*.json"))
    ]


def write_raw(worlds_by_index: dict[int, World], folder: Path) -> dict[str, int]:
    """One Parquet file per raw table with the rows of every world; rows per table."""
    folder.mkdir(parents=True, exist_ok=True)
    rows: dict[str, list[dict]] = {name: [] for name in contract_schemas()}
    for index, world in worlds_by_index.items():
        for name, table_rows in place(world, index).items():
            rows[name] += table_rows
    for name, schema in contract_schemas().items():
        pq.write_table(pa.Table.from_pylist(rows[name], schema=schema), folder / f"{name}.parquet")
    return {name: len(table_rows) for name, table_rows in rows.items()}


@dataclass
class Warehouse:
    """A DuckDB warehouse of its own for one fuzz run, driven through the followup CLI."""

    path: Path
    work: Path
    log: list[str] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "FOLLOWUP_DUCKDB_PATH": str(self.path),
            "DBT_PROFILES_DIR": str(PROJECT_DIR),
            "GX_ANALYTICS_ENABLED": "false",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
        env.pop("FOLLOWUP_TARGET", None)
        env.pop("FOLLOWUP_FAULT", None)
        return env

    def run(self, *command: str, allowed: tuple[int, ...] = (0,)) -> str:
        started = time.monotonic()
        result = subprocess.run(
            command, cwd=PROJECT_DIR, env=self.env, capture_output=True, text=True, timeout=3600
        )
        name = " ".join(Path(c).name for c in command[:5] if not c.startswith("-"))
        self.log.append(f"{name}: {time.monotonic() - started:.1f} s")
        if result.returncode not in allowed:
            tail = "\n".join((result.stdout + result.stderr).splitlines()[-40:])
            raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{tail}")
        return result.stdout

    def load(self, folder: Path) -> None:
        self.run(*FOLLOWUP, "load", "--from", str(folder))

    def build(self, as_of: dt.date, name: str, attempts: int = 4) -> None:
        """dbt build for D. A build stopped only by the erasure-closure guard is built again,
        as docs/semantics.md tells the operator: each build follows the links further."""
        target = self.work / f"target-{name}"
        vars_ = json.dumps({"as_of_date": as_of.isoformat()})
        for attempt in range(1, attempts + 1):
            try:
                self.run(
                    _bin("dbt"),
                    "build",
                    "--exclude",
                    "test_type:unit",
                    "--target-path",
                    str(target),
                    "--log-path",
                    str(self.work / "logs"),
                    "--vars",
                    vars_,
                )
                return
            except RuntimeError:
                if attempt == attempts or _failures(target) != {CLOSURE_GUARD}:
                    raise
                self.log.append(f"erasure closure not reached in build {attempt}: built again")

    def export(self, profile: str, out: Path) -> None:
        self.run(*FOLLOWUP, "export", "--all", "--esp", profile, "--out", str(out))

    def query(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.path), read_only=True) as con:
            return con.execute(sql).fetchall()


CLOSURE_GUARD = "test.followup.assert_erasure_ledger_is_closed"


def _failures(target: Path) -> set[str]:
    """The nodes that failed or errored in the last dbt invocation of `target`."""
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    return {r["unique_id"] for r in results["results"] if r["status"] in ("error", "fail")}


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


@dataclass
class Built:
    """What a fuzz run built: the full warehouse, the incremental one, the exports."""

    full: Warehouse
    incremental: Warehouse | None
    exports: Path
    raw_rows: dict[str, int]


MARKER = ".followup-fuzz"


def fresh_folder(work: Path) -> None:
    """Empty a fuzz work folder; refuse to empty a folder that holds anything else."""
    if work.exists() and any(work.iterdir()):
        if not (work / MARKER).exists():
            raise ValueError(f"{work} is not empty and is not a fuzz work folder: choose another")
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    (work / MARKER).touch()


def build_worlds(
    worlds_by_index: dict[int, World],
    as_of: dt.date,
    work: Path,
    progress: Progress,
    incremental: bool = True,
) -> Built:
    """Load and build the worlds for D (and D - 1 -> D incrementally), export D's lists.

    `work` is emptied first: a warehouse left by an earlier run would make this one an
    incremental build on other worlds."""
    fresh_folder(work)
    raw = work / "raw"
    raw_rows = write_raw(worlds_by_index, raw)
    progress(f"wrote {sum(raw_rows.values()):,} raw rows of {len(worlds_by_index):,} worlds")
    full = Warehouse(work / "full.duckdb", work)
    full.load(raw)
    full.build(as_of, "full")
    progress(f"built {as_of} ({full.log[-1]})")
    exports = work / "exports"
    exports.mkdir(exist_ok=True)
    # The export refuses a warehouse without contacts (a shrunk world may have none).
    if full.query("select count(*) from analytics.dim_contacts")[0][0]:
        for profile in ("generic", "google_customer_match"):
            full.export(profile, exports)
        progress(f"exported the send lists ({full.log[-2]}, {full.log[-1]})")
    inc = None
    if incremental:
        before = work / "raw-day-before"
        write_day_before(raw, before, as_of)
        inc = Warehouse(work / "incremental.duckdb", work)
        inc.load(before)
        inc.build(as_of - dt.timedelta(days=1), "day-before")
        inc.load(raw)
        inc.build(as_of, "incremental")
        progress(f"built {as_of - dt.timedelta(days=1)} then {as_of} incrementally")
    return Built(full, inc, exports, raw_rows)
