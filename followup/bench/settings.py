"""The benchmark's settings: its steps, targets, context, and the project values it reads.

The pandas baseline reproduces rules the project already defines; it reads their
parameters from where the project keeps them, through :func:`project_var` (the
``vars:`` of dbt_project.yml), :func:`raw_accepted_values` (the raw contract) and
:func:`flow_setting` (the flow registry, seeds/flows.csv).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from followup import PROJECT_DIR

# The steps, in report order: key -> (label, what it measures).
STEPS: dict[str, tuple[str, str]] = {
    "load": ("load", "followup load of day D into a fresh DuckDB file"),
    "seed": ("dbt seed", "the seeds (rule tables), before every full run"),
    "run_full": ("full run", "dbt run --full-refresh for D (models only, seed excluded)"),
    "build_full": (
        "full build + tests",
        "dbt build --full-refresh for D (seeds, models, data tests, unit tests)",
    ),
    "export": ("export", "export_send_lists.py --all --esp generic after the build"),
    "floor": ("floor (SQL only)", "the compiled SQL of every model, run by DuckDB without dbt"),
    "run_same": (
        "dbt: RFM + cart only",
        "dbt run --full-refresh -s +contact_rfm +flow_trigger__abandoned_cart (what pandas does)",
    ),
    "daily_load": ("daily load", "load_raw.py of day D into the warehouse built for D-1"),
    "daily_run": ("daily run", "dbt run for D (incremental) on the warehouse built for D-1"),
    "pandas": ("pandas RFM + cart", "pandas: read the raw Parquet, RFM + abandoned cart"),
}
LARGE_SIZE = 1_000_000
OUTPUT_TAIL_LINES = 40

# The scale targets the benchmark checks (README, "Performance").
TARGET_FULL_BUILD_S = 600.0
TARGET_PEAK_RSS_BYTES = 8 * 10**9
TARGET_INCREMENTAL_SPEEDUP = 5.0
TARGET_FLOOR_RATIO = 1.5
TARGET_PANDAS_FROM_SIZE = 100_000


class BenchmarkError(RuntimeError):
    """A step of the benchmark failed; the message names the command and its output."""


# The dbt models that compute what the pandas step computes.
PANDAS_EQUIVALENT_MODELS = ("contact_rfm", "flow_trigger__abandoned_cart")


@dataclass
class Context:
    """What every step needs: settings, environment, where to write."""

    as_of: dt.date
    threads: int | None
    work: Path
    say: Callable[[str], None]
    started: float = field(default_factory=time.perf_counter)
    # dbt target folder -> (vars, database) of its last parse
    parsed: dict[Path, tuple[str, str]] = field(default_factory=dict)

    @property
    def vars_d(self) -> str:
        return json.dumps({"as_of_date": self.as_of.isoformat()})

    @property
    def vars_before(self) -> str:
        return json.dumps({"as_of_date": (self.as_of - dt.timedelta(days=1)).isoformat()})

    def elapsed(self) -> str:
        seconds = int(time.perf_counter() - self.started)
        return f"{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


# --------------------------------------------------------------------------------------
# Values the project defines: dbt vars, the raw contract, the flow registry.
# --------------------------------------------------------------------------------------

DBT_PROJECT_FILE = PROJECT_DIR / "dbt_project.yml"
FLOW_REGISTRY_FILE = PROJECT_DIR / "seeds" / "flows.csv"


@cache
def _dbt_vars() -> dict[str, Any]:
    document = yaml.safe_load(DBT_PROJECT_FILE.read_text(encoding="utf-8"))
    return dict(document.get("vars") or {})


def project_var(name: str) -> Any:
    """The default of a dbt var, from the `vars:` of dbt_project.yml."""
    variables = _dbt_vars()
    if name not in variables:
        raise KeyError(f"{DBT_PROJECT_FILE} defines no var {name!r}")
    return variables[name]


@cache
def raw_accepted_values(table: str, column: str) -> tuple[str, ...]:
    """The accepted values of a code column of a raw table, from the raw contract."""
    from followup.contract import load_contract

    columns = {spec.name: spec for spec in load_contract()[table].columns}
    values = columns[column].accepted_values
    if not values:
        raise ValueError(f"the raw contract has no accepted values for {table}.{column}")
    return values


@cache
def flow_setting(flow_id: str, column: str) -> str:
    """One column of a flow's row in the flow registry (seeds/flows.csv), as text."""
    with FLOW_REGISTRY_FILE.open(encoding="utf-8", newline="") as registry:
        for row in csv.DictReader(registry):
            if row["flow_id"] == flow_id:
                return row[column]
    raise KeyError(f"{FLOW_REGISTRY_FILE} has no flow {flow_id!r}")
