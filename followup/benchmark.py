"""The scale benchmark: how long each step of the daily job takes, and how it grows.

For each data set size (contacts) the benchmark measures, as the median of several runs:

* ``load``         scripts/load_raw.py of day D's raw files into a fresh DuckDB file;
* ``seed``         ``dbt seed`` on that file (reported separately, not part of run/build);
* ``run_full``     ``dbt run --full-refresh`` for D: every model, no tests;
* ``build_full``   ``dbt build --full-refresh`` for D: seeds, models, data and unit tests;
* ``export``       scripts/export_send_lists.py --all --esp generic after the build;
* ``floor``        the compiled SQL of the same models run directly by DuckDB, one
                   connection, no dbt (what the SQL itself costs);
* ``daily_load``   loading day D's files into a warehouse built for D - 1;
* ``daily_run``    ``dbt run`` for D (no full refresh) on that warehouse: the daily job;
* ``pandas``       a plain pandas RFM and abandoned-cart flow from the raw Parquet files.

Every step runs in its own process; its peak memory is the peak resident set size
(RSS) of the whole process tree, sampled every 0.1 s. :func:`run_benchmark` does the
work, :func:`render_markdown` writes the report. ``python -m followup.benchmark floor``
and ``... pandas`` are the worker processes of the floor and the pandas steps.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import itertools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from followup import PROJECT_DIR
from followup.daysplit import write_day_before

# The steps, in report order: key -> (label, what it measures).
STEPS: dict[str, tuple[str, str]] = {
    "load": ("load", "scripts/load_raw.py of day D into a fresh DuckDB file"),
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
        "dbt run --full-refresh -s +contact_rfm +int_triggers__abandoned_cart (what pandas does)",
    ),
    "daily_load": ("daily load", "load_raw.py of day D into the warehouse built for D-1"),
    "daily_run": ("daily run", "dbt run for D (incremental) on the warehouse built for D-1"),
    "pandas": ("pandas RFM + cart", "pandas: read the raw Parquet, RFM + abandoned cart"),
}
# Steps that are done to prepare another one: measured, reported apart, not a target.
SETUP_STEPS: dict[str, str] = {
    "parse": "dbt parse, full (what a cold start adds to each dbt command; untimed otherwise)",
    "prior_load": "load_raw.py of day D-1 into a fresh file (incremental path, setup)",
    "prior_seed": "dbt seed (incremental path, setup)",
    "prior_run": "dbt run --full-refresh for D-1 (incremental path, setup)",
}
LARGE_SIZE = 1_000_000
OUTPUT_TAIL_LINES = 40

# The targets of the scale issue (issue 7).
TARGET_FULL_BUILD_S = 600.0
TARGET_PEAK_RSS_BYTES = 8 * 10**9
TARGET_INCREMENTAL_SPEEDUP = 5.0
TARGET_FLOOR_RATIO = 1.5
TARGET_PANDAS_FROM_SIZE = 100_000


class BenchmarkError(RuntimeError):
    """A step of the benchmark failed; the message names the command and its output."""


# --------------------------------------------------------------------------------------
# Bookkeeping: samples, medians, peaks.
# --------------------------------------------------------------------------------------


@dataclass
class Sample:
    """One measurement of one step."""

    seconds: float
    peak_rss_bytes: int | None = None
    wall_seconds: float | None = None  # the whole process, when `seconds` is measured inside it


@dataclass
class StepStats:
    """All samples of one step at one size."""

    samples: list[Sample] = field(default_factory=list)

    def add(self, sample: Sample) -> None:
        self.samples.append(sample)

    @property
    def runs(self) -> int:
        return len(self.samples)

    @property
    def seconds(self) -> list[float]:
        return [sample.seconds for sample in self.samples]

    @property
    def median_seconds(self) -> float | None:
        return median(self.seconds)

    @property
    def peak_rss_bytes(self) -> int | None:
        return peak([sample.peak_rss_bytes for sample in self.samples])

    def to_json(self) -> dict[str, Any]:
        seconds = self.seconds
        document: dict[str, Any] = {
            "runs": self.runs,
            "seconds": [round(value, 3) for value in seconds],
            "median_s": _round(self.median_seconds),
            "min_s": _round(min(seconds)) if seconds else None,
            "max_s": _round(max(seconds)) if seconds else None,
            "peak_rss_bytes": [sample.peak_rss_bytes for sample in self.samples],
            "peak_rss_max_bytes": self.peak_rss_bytes,
        }
        walls = [sample.wall_seconds for sample in self.samples if sample.wall_seconds]
        if walls:
            document["process_wall_seconds"] = [round(value, 3) for value in walls]
        return document


def median(values: Iterable[float | None]) -> float | None:
    """The median of the values that are not None (None if there are none)."""
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None


def peak(values: Iterable[int | None]) -> int | None:
    """The largest value that is not None (None if there are none)."""
    present = [value for value in values if value is not None]
    return max(present) if present else None


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def runs_for_size(size: int, runs: int, runs_large: int | None) -> int:
    """How many runs a size gets: --runs, or --runs-large at 1,000,000 contacts and more."""
    if runs_large is not None and size >= LARGE_SIZE:
        return runs_large
    return runs


# --------------------------------------------------------------------------------------
# Processes: run one, check it, and sample the memory of its whole tree.
# --------------------------------------------------------------------------------------


class TreeMemorySampler:
    """Samples the summed RSS of a process and all its descendants in a thread."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_bytes = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> TreeMemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def sample(self) -> int:
        """The RSS of the tree now, in bytes (0 once the process is gone)."""
        import psutil

        try:
            root = psutil.Process(self.pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0
        total = 0
        for process in processes:
            try:
                total += process.memory_info().rss
            except psutil.Error:
                continue  # ended between listing and reading
        return total

    def _loop(self) -> None:
        while True:
            current = self.sample()
            self.samples += 1
            self.peak_bytes = max(self.peak_bytes, current)
            if self._stop.wait(self.interval):
                return


def tail(text: str, lines: int = OUTPUT_TAIL_LINES) -> str:
    """The last lines of a command's output."""
    return "\n".join(text.rstrip().splitlines()[-lines:])


@dataclass
class Ran:
    """A finished process: wall time, peak tree RSS, exit code, output."""

    seconds: float
    peak_rss_bytes: int
    returncode: int
    output: str


def run_process(
    command: Sequence[str],
    *,
    env: Mapping[str, str],
    log_file: Path,
    cwd: Path = PROJECT_DIR,
    check: bool = True,
) -> Ran:
    """Run `command`, time it, sample its tree's memory; its output goes to `log_file`.

    With `check`, a non-zero exit raises BenchmarkError with the command and the tail of
    its output.
    """
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("w", encoding="utf-8", errors="replace") as log:
        log.write("$ " + " ".join(command) + "\n")
        log.flush()
        started = time.perf_counter()
        process = subprocess.Popen(
            list(command), cwd=cwd, env=dict(env), stdout=log, stderr=subprocess.STDOUT
        )
        with TreeMemorySampler(process.pid) as sampler:
            returncode = process.wait()
        seconds = time.perf_counter() - started
    output = log_file.read_text(encoding="utf-8", errors="replace")
    ran = Ran(seconds, sampler.peak_bytes, returncode, output)
    if check and returncode != 0:
        raise BenchmarkError(
            f"command failed with exit code {returncode}:\n  {' '.join(command)}\n"
            f"(full output: {log_file})\n--- last lines of its output ---\n{tail(output)}"
        )
    return ran


# --------------------------------------------------------------------------------------
# Data sets: generated once per (size, seed, as_of), with the day before.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dataset:
    """The cached raw folders of one size: day D and the day before."""

    root: Path
    day: Path
    day_before: Path
    meta: dict[str, Any]


def dataset_dir(cache: Path, size: int, seed: int, as_of: dt.date) -> Path:
    """Where the data set of these parameters is cached."""
    return cache / "datasets" / f"contacts{size}_seed{seed}_{as_of.isoformat()}"


def ensure_dataset(
    cache: Path,
    size: int,
    seed: int,
    as_of: dt.date,
    *,
    env: Mapping[str, str],
    say: Callable[[str], None] = print,
) -> Dataset:
    """Return the cached data set, generating it (and its day before) only if missing."""
    root = dataset_dir(cache, size, seed, as_of)
    meta_file = root / "dataset.json"
    if meta_file.is_file():
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        say(f"  data set cached: {root}")
        return Dataset(root, root / "D", root / "D-1", meta)

    if root.exists():  # an interrupted earlier attempt
        shutil.rmtree(root)
    root.mkdir(parents=True)
    say(f"  generating {size:,} contacts (seed {seed}, as of {as_of}) into {root} ...")
    ran = run_process(
        [
            sys.executable,
            str(PROJECT_DIR / "scripts" / "generate_data.py"),
            "--contacts",
            str(size),
            "--seed",
            str(seed),
            "--as-of",
            as_of.isoformat(),
            "--out",
            str(root / "D"),
        ],
        env=env,
        log_file=root / "generate.log",
    )
    say(f"  generated in {ran.seconds:.1f} s; writing the day before ({as_of - dt.timedelta(1)})")
    started = time.perf_counter()
    counts = write_day_before(root / "D", root / "D-1", as_of)
    split_seconds = time.perf_counter() - started
    meta = {
        "contacts": size,
        "seed": seed,
        "as_of": as_of.isoformat(),
        "generate_seconds": round(ran.seconds, 1),
        "generate_peak_rss_bytes": ran.peak_rss_bytes,
        "day_before_seconds": round(split_seconds, 1),
        "rows": {
            name: {"D": rows_in, "D-1": rows_out} for name, (rows_in, rows_out) in counts.items()
        },
        "bytes_D": sum(path.stat().st_size for path in (root / "D").glob("*.parquet")),
    }
    meta_file.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return Dataset(root, root / "D", root / "D-1", meta)


# --------------------------------------------------------------------------------------
# The floor: the compiled SQL of the models, in dependency order, without dbt.
# --------------------------------------------------------------------------------------


def topological_models(manifest: Mapping[str, Any]) -> list[str]:
    """The model nodes of a dbt manifest in dependency order (parents first).

    Only model-to-model edges count (sources and seeds exist before). Among the models
    that are ready at the same time, the order is alphabetical by unique_id, so the
    result is the same on every run. Raises ValueError on a cycle.
    """
    nodes = manifest["nodes"]
    models = {
        unique_id: node for unique_id, node in nodes.items() if node["resource_type"] == "model"
    }
    parents = {
        unique_id: {
            parent
            for parent in node.get("depends_on", {}).get("nodes", [])
            if parent in models and parent != unique_id
        }
        for unique_id, node in models.items()
    }
    children: dict[str, set[str]] = {unique_id: set() for unique_id in models}
    for unique_id, ups in parents.items():
        for parent in ups:
            children[parent].add(unique_id)

    import heapq

    waiting = {unique_id: len(ups) for unique_id, ups in parents.items()}
    ready = [unique_id for unique_id, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        unique_id = heapq.heappop(ready)
        order.append(unique_id)
        for child in children[unique_id]:
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, child)
    if len(order) != len(models):
        stuck = sorted(set(models) - set(order))
        raise ValueError(f"the models form a cycle: {', '.join(stuck[:10])}")
    return order


def upstream_models(manifest: Mapping[str, Any], names: Iterable[str]) -> set[str]:
    """The unique_ids of the named models and of every model they depend on."""
    nodes = manifest["nodes"]
    by_name = {
        node["name"]: unique_id
        for unique_id, node in nodes.items()
        if node["resource_type"] == "model"
    }
    missing = [name for name in names if name not in by_name]
    if missing:
        raise ValueError(f"no such model(s) in the manifest: {', '.join(missing)}")
    todo = [by_name[name] for name in names]
    seen: set[str] = set()
    while todo:
        unique_id = todo.pop()
        if unique_id in seen:
            continue
        seen.add(unique_id)
        for parent in nodes[unique_id].get("depends_on", {}).get("nodes", []):
            if parent in nodes and nodes[parent]["resource_type"] == "model":
                todo.append(parent)
    return seen


@dataclass(frozen=True)
class FloorStatement:
    """One model of the floor: its id and the statement that builds it."""

    unique_id: str
    materialized: str
    sql: str


def floor_statements(manifest: Mapping[str, Any]) -> list[FloorStatement]:
    """The CREATE OR REPLACE statements of every model, in dependency order.

    Views stay views; tables and incremental models become tables (compiled for a full
    refresh, so their SQL selects everything). Ephemeral models are inlined by dbt into
    their children's compiled SQL and get no statement.
    """
    statements: list[FloorStatement] = []
    for unique_id in topological_models(manifest):
        node = manifest["nodes"][unique_id]
        materialized = node["config"].get("materialized", "table")
        if materialized == "ephemeral":
            continue
        code = node.get("compiled_code")
        if not code:
            raise ValueError(f"{unique_id} has no compiled SQL: run dbt compile first")
        relation = node.get("relation_name")
        if not relation:
            raise ValueError(f"{unique_id} has no relation name in the manifest")
        kind = "view" if materialized == "view" else "table"
        # the newline keeps a trailing -- comment from swallowing the parenthesis
        sql = f"create or replace {kind} {relation} as (\n{code.rstrip().rstrip(';')}\n)"
        statements.append(FloorStatement(unique_id, materialized, sql))
    return statements


def floor_worker(database: Path, manifest_file: Path, result_file: Path) -> None:
    """Run the floor in this process: every model's SQL in one DuckDB connection."""
    import duckdb

    from followup.profiles import read_target

    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    statements = floor_statements(manifest)
    settings = read_target("dev").get("settings", {}) or {}
    schemas = sorted(
        {
            (manifest["nodes"][s.unique_id]["schema"])
            for s in statements
            if manifest["nodes"][s.unique_id].get("schema")
        }
    )
    con = duckdb.connect(str(database))
    for name, value in settings.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        con.execute(f"set {name} = '{value}'")
    for schema in schemas:
        con.execute(f'create schema if not exists "{schema}"')
    per_model: dict[str, float] = {}
    started = time.perf_counter()
    for statement in statements:
        one = time.perf_counter()
        try:
            con.execute(statement.sql)
        except duckdb.Error as exc:
            raise BenchmarkError(f"floor: {statement.unique_id} failed: {exc}") from exc
        per_model[statement.unique_id] = round(time.perf_counter() - one, 4)
    seconds = time.perf_counter() - started
    con.close()
    result_file.write_text(
        json.dumps({"seconds": seconds, "models": per_model, "settings": settings}, indent=1),
        encoding="utf-8",
    )


# --------------------------------------------------------------------------------------
# pandas: RFM and the abandoned-cart flow, as an analyst would write them.
# --------------------------------------------------------------------------------------

ORDER_STATUSES = ("placed", "paid", "shipped", "delivered", "cancelled", "returned")
ORDER_CHANNELS = ("web", "app", "store")
WEB_EVENT_TYPES = (
    "page_view",
    "product_view",
    "add_to_cart",
    "remove_from_cart",
    "checkout_start",
    "whitepaper_download",
    "webinar_signup",
    "search",
)
WEB_PAGE_TYPES = ("home", "category", "product", "pricing", "blog", "checkout", "account", "other")
# The dbt models that compute what the pandas step computes.
PANDAS_EQUIVALENT_MODELS = ("contact_rfm", "int_triggers__abandoned_cart")
WEB_COLUMNS = (
    "event_id",
    "visitor_id",
    "contact_id",
    "is_logged_in",
    "event_type",
    "page_type",
    "product_id",
    "occurred_at",
)
RFM_LOOKBACK_DAYS = 730
CART_OFFSET_DAYS = 1
CART_WINDOW_DAYS = 7
MAX_PRODUCTS = 3
WHITESPACE = " \t\r\n"


def _clean_text(series):  # type: ignore[no-untyped-def]
    """Trim ASCII whitespace; empty becomes missing (like staging's clean_text)."""
    import pandas as pd

    cleaned = series.astype("string").str.strip(WHITESPACE)
    return cleaned.mask(cleaned == "", pd.NA)


def _days_ago(timestamps, as_of: dt.date):  # type: ignore[no-untyped-def]
    """D minus the date of each timestamp, in whole days."""
    import pandas as pd

    return (pd.Timestamp(as_of) - timestamps.dt.normalize()).dt.days


def _drop_duplicate_keys(frame, key: str):  # type: ignore[no-untyped-def]
    """Rows with a missing key go; identical copies collapse; a key on differing rows goes.

    Only the few rows whose key repeats are compared in full.
    """
    frame = frame[frame[key].notna()]
    repeated = frame[key].duplicated(keep=False)
    if not repeated.any():
        return frame
    copies = frame[repeated].drop_duplicates()
    conflicting = copies[key][copies[key].duplicated(keep=False)]
    copies = copies[~copies[key].isin(conflicting)]
    import pandas as pd

    return pd.concat([frame[~repeated], copies])


def staged_contact_ids(contacts, erasures):  # type: ignore[no-untyped-def]
    """(known contact ids, erased contact ids) from the raw contacts and erasure requests.

    A contact is known when its id is set, it is not erased (by id, or by any of its raw
    emails), its winning row (latest updated_at) does not carry an erased email, and the
    rows at its latest updated_at are not different from one another (ambiguous).
    """
    import pandas as pd

    contacts = contacts.assign(
        _id=_clean_text(contacts["contact_id"]),
        _email=_clean_text(contacts["email"]).str.lower(),
    )
    request_ids = set(_clean_text(erasures["contact_id"]).dropna())
    request_emails = set(_clean_text(erasures["email"]).str.lower().dropna())
    by_email = set(contacts.loc[contacts["_email"].isin(request_emails), "_id"].dropna())
    erased_ids = request_ids | by_email
    erased_emails = request_emails | set(
        contacts.loc[contacts["_id"].isin(erased_ids), "_email"].dropna()
    )

    contacts = contacts[contacts["_id"].notna()]
    latest = contacts.groupby("_id")["updated_at"].transform("max")
    is_latest = (contacts["updated_at"] == latest) | (contacts["updated_at"].isna() & latest.isna())
    winners = contacts[is_latest].drop_duplicates()
    ambiguous = set(winners.loc[winners["_id"].duplicated(), "_id"])
    winners = winners.drop_duplicates("_id")
    known = winners[
        ~winners["_id"].isin(erased_ids)
        & ~winners["_email"].isin(erased_emails)
        & ~winners["_id"].isin(ambiguous)
    ]["_id"]
    return pd.Index(known.unique()), pd.Index(sorted(erased_ids))


def staged_orders(orders, known_ids, erased_ids):  # type: ignore[no-untyped-def]
    """The usable orders: the filters of staging, without its quarantine bookkeeping."""
    orders = orders.assign(
        order_id=_clean_text(orders["order_id"]),
        contact_id=_clean_text(orders["contact_id"]),
        status=_clean_text(orders["status"]).str.lower(),
        channel=_clean_text(orders["channel"]).str.lower(),
        currency=_clean_text(orders["currency"]).str.upper(),
    )
    orders = orders[~orders["contact_id"].isin(erased_ids)]
    orders = _drop_duplicate_keys(orders, "order_id")
    orders = orders[
        orders["ordered_at"].notna()
        & orders["total_amount"].notna()
        & orders["status"].isin(ORDER_STATUSES)
        & orders["channel"].isin(ORDER_CHANNELS)
        & (orders["total_amount"] >= 0)
        & (orders["contact_id"].isna() | orders["contact_id"].isin(known_ids))
    ]
    return orders


def valid_orders(orders, as_of: dt.date):  # type: ignore[no-untyped-def]
    """Orders that count: not cancelled or returned, placed on D or before."""
    orders = orders[~orders["status"].isin(["cancelled", "returned"])]
    days_ago = _days_ago(orders["ordered_at"], as_of)
    return orders[days_ago >= 0].assign(days_ago=days_ago[days_ago >= 0])


def pandas_rfm(valid, segments, lookback_days: int = RFM_LOOKBACK_DAYS):  # type: ignore[no-untyped-def]
    """RFM scores and segment of every customer, from valid orders.

    `valid` has contact_id, days_ago and total_amount; `segments` is seeds/rfm_segments.csv.
    Scores are ceil(5 * c / n) with ties alike; money is summed in whole cents.
    """
    import numpy as np
    import pandas as pd

    window = valid[valid["contact_id"].notna() & (valid["days_ago"] <= lookback_days - 1)]
    cents = (window["total_amount"].astype("float64") * 100).round().astype("int64")
    customers = (
        window.assign(cents=cents)
        .groupby("contact_id")
        .agg(
            recency_days=("days_ago", "min"),
            frequency=("days_ago", "size"),
            monetary_cents=("cents", "sum"),
        )
    )
    n = len(customers)
    if n == 0:
        return customers.assign(r_score=[], f_score=[], m_score=[], rfm_segment=[])

    def score(ranks: pd.Series) -> pd.Series:
        counts = ranks.astype("int64")
        return ((5 * counts + n - 1) // n).astype("int64")

    customers["r_score"] = score(customers["recency_days"].rank(method="max", ascending=False))
    customers["f_score"] = score(customers["frequency"].rank(method="max"))
    customers["m_score"] = score(customers["monetary_cents"].rank(method="max"))

    rules = segments.sort_values("rule_order")
    conditions = [
        customers["r_score"].between(rule.r_min, rule.r_max)
        & customers["f_score"].between(rule.f_min, rule.f_max)
        & customers["m_score"].between(rule.m_min, rule.m_max)
        for rule in rules.itertuples()
    ]
    labels = rules["segment"].to_numpy()
    customers["rfm_segment"] = np.select(conditions, labels, default=None)
    return customers


def staged_web_events(web, known_ids, erased_ids):  # type: ignore[no-untyped-def]
    """The usable web events: the filters of staging, without the quarantine."""
    web = web.assign(
        event_id=_clean_text(web["event_id"]),
        visitor_id=_clean_text(web["visitor_id"]),
        contact_id=_clean_text(web["contact_id"]),
        event_type=_clean_text(web["event_type"]).str.lower(),
        page_type=_clean_text(web["page_type"]).str.lower(),
        product_id=_clean_text(web["product_id"]),
    )
    web = web[~web["contact_id"].isin(erased_ids)]
    web = _drop_duplicate_keys(web, "event_id")
    return web[
        web["visitor_id"].notna()
        & web["occurred_at"].notna()
        & web["event_type"].isin(WEB_EVENT_TYPES)
        & (web["page_type"].isna() | web["page_type"].isin(WEB_PAGE_TYPES))
        & (web["contact_id"].isna() | web["contact_id"].isin(known_ids))
    ]


def recognise_web_events(web):  # type: ignore[no-untyped-def]
    """Recognition level (1-4) and attributed contact of every web event.

    4 logged in (is_logged_in and a contact_id); 3 a logged-in event of the same visitor
    strictly earlier (its contact: the latest such event, ties the smallest event_id);
    1 the visitor's first event; 2 otherwise.
    """
    import numpy as np
    import pandas as pd

    identified = web["is_logged_in"].fillna(False).astype(bool) & web["contact_id"].notna()
    logins = (
        web.loc[identified, ["visitor_id", "occurred_at", "event_id", "contact_id"]]
        .sort_values(["visitor_id", "occurred_at", "event_id"])
        .drop_duplicates(["visitor_id", "occurred_at"])
        .rename(columns={"occurred_at": "login_at", "contact_id": "login_contact_id"})
        .drop(columns="event_id")
        .sort_values("login_at")
    )
    events = web.assign(_identified=identified).sort_values("occurred_at")
    events = pd.merge_asof(
        events,
        logins,
        left_on="occurred_at",
        right_on="login_at",
        by="visitor_id",
        allow_exact_matches=False,
        direction="backward",
    )
    first_seen = events.groupby("visitor_id")["occurred_at"].transform("min")
    identified = events["_identified"].to_numpy()
    after_login = events["login_at"].notna().to_numpy()
    events["recognition_level"] = np.select(
        [identified, after_login, (events["occurred_at"] == first_seen).to_numpy()],
        [4, 3, 1],
        default=2,
    )
    events["contact_id"] = events["contact_id"].where(
        identified, events["login_contact_id"].where(after_login)
    )
    return events.drop(columns=["_identified", "login_at", "login_contact_id"])


def pandas_abandoned_cart(recognised, valid, products, as_of: dt.date):  # type: ignore[no-untyped-def]
    """The abandoned-cart triggers of D, one row per contact (int_triggers__abandoned_cart)."""
    cart = recognised[
        (recognised["recognition_level"] >= 3)
        & recognised["event_type"].isin(["add_to_cart", "remove_from_cart"])
    ]
    last_orders = valid.groupby("contact_id")["ordered_at"].max().rename("last_order_at")
    adds = cart[cart["event_type"] == "add_to_cart"]
    latest_adds = adds.groupby("contact_id")["occurred_at"].max().rename("latest_add_at")
    contacts = latest_adds.to_frame().join(last_orders, how="left")
    contacts = contacts[
        (_days_ago(contacts["latest_add_at"], as_of) == CART_OFFSET_DAYS)
        & (
            contacts["last_order_at"].isna()
            | (contacts["last_order_at"] < contacts["latest_add_at"])
        )
    ]

    moves = cart[cart["product_id"].notna() & cart["contact_id"].isin(contacts.index)]
    moves = moves.assign(
        add_at=moves["occurred_at"].where(moves["event_type"] == "add_to_cart"),
        remove_at=moves["occurred_at"].where(moves["event_type"] == "remove_from_cart"),
    )
    moves = moves.groupby(["contact_id", "product_id"], as_index=False).agg(
        add_at=("add_at", "max"), remove_at=("remove_at", "max")
    )
    moves = moves.merge(contacts[["last_order_at"]], left_on="contact_id", right_index=True)
    moves = moves.merge(products[["product_id", "price_cents"]], on="product_id")
    add_days = _days_ago(moves["add_at"], as_of)
    moves = moves[
        add_days.between(CART_OFFSET_DAYS, CART_WINDOW_DAYS)
        & (moves["last_order_at"].isna() | (moves["add_at"] > moves["last_order_at"]))
        & (moves["remove_at"].isna() | (moves["remove_at"] <= moves["add_at"]))
    ]
    moves = moves.sort_values(["contact_id", "add_at", "product_id"], ascending=[True, False, True])
    moves["rank"] = moves.groupby("contact_id").cumcount() + 1
    carts = moves.groupby("contact_id").agg(
        cart_item_count=("product_id", "size"), cart_value_cents=("price_cents", "sum")
    )
    top = moves[moves["rank"] <= MAX_PRODUCTS].pivot(
        index="contact_id", columns="rank", values="product_id"
    )
    top = top.reindex(columns=range(1, MAX_PRODUCTS + 1))
    top.columns = [f"product_{rank}_id" for rank in top.columns]
    result = contacts[["latest_add_at"]].join(carts, how="inner").join(top, how="inner")
    result = result.rename(columns={"latest_add_at": "trigger_at"})
    return result.reset_index()


def staged_products(products):  # type: ignore[no-untyped-def]
    """Products with a usable key and their price in cents."""
    products = products.assign(product_id=_clean_text(products["product_id"]))
    products = _drop_duplicate_keys(products, "product_id")
    price = products["price"].astype("float64")
    return products.assign(price_cents=(price * 100).round().astype("Int64"))


def pandas_worker(data_dir: Path, as_of: dt.date, out_dir: Path, result_file: Path) -> None:
    """Run the pandas step in this process: read the raw Parquet files, RFM and the cart."""
    import pandas as pd

    timings: dict[str, float] = {}
    started = time.perf_counter()
    contacts = pd.read_parquet(data_dir / "contacts.parquet")
    erasures = pd.read_parquet(data_dir / "erasure_requests.parquet")
    orders = pd.read_parquet(data_dir / "orders.parquet")
    # the columns the recognition levels and the cart need (not url, session_id)
    web = pd.read_parquet(data_dir / "web_events.parquet", columns=list(WEB_COLUMNS))
    products = pd.read_parquet(data_dir / "products.parquet")
    segments = pd.read_csv(PROJECT_DIR / "seeds" / "rfm_segments.csv")
    timings["read"] = time.perf_counter() - started

    mark = time.perf_counter()
    known_ids, erased_ids = staged_contact_ids(contacts, erasures)
    valid = valid_orders(staged_orders(orders, known_ids, erased_ids), as_of)
    rfm = pandas_rfm(valid, segments)
    timings["rfm"] = time.perf_counter() - mark

    mark = time.perf_counter()
    # each step replaces `web`, so that pandas can free the frame before it
    web = staged_web_events(web, known_ids, erased_ids)
    web = recognise_web_events(web)
    web = web[_days_ago(web["occurred_at"], as_of) >= 0]
    cart = pandas_abandoned_cart(web, valid, staged_products(products), as_of)
    timings["abandoned_cart"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - started

    out_dir.mkdir(parents=True, exist_ok=True)
    rfm.reset_index().to_parquet(out_dir / "rfm.parquet", index=False)
    cart.to_parquet(out_dir / "abandoned_cart.parquet", index=False)
    result_file.write_text(
        json.dumps(
            {
                "seconds": timings["total"],
                "timings": timings,
                "customers": len(rfm),
                "abandoned_carts": len(cart),
                "web_events_up_to_d": len(web),
                "orders": len(orders),
            },
            indent=1,
        ),
        encoding="utf-8",
    )


def compare_with_dbt(database: Path, pandas_dir: Path) -> dict[str, Any]:
    """Compare the pandas results with the dbt build's contact_rfm and abandoned cart."""
    import duckdb

    con = duckdb.connect(str(database), read_only=True)
    try:
        con.execute(
            f"create temp view p_rfm as select * from read_parquet('{pandas_dir / 'rfm.parquet'}')"
        )
        con.execute(
            "create temp view p_cart as select * from "
            f"read_parquet('{pandas_dir / 'abandoned_cart.parquet'}')"
        )
        rfm = con.execute(
            """
            select
                count(*) filter (where d.contact_id is not null) as dbt_customers,
                count(*) filter (where p.contact_id is not null) as pandas_customers,
                count(*) filter (where d.contact_id is not null and p.contact_id is not null)
                    as both_,
                count(*) filter (
                    where d.r_score = p.r_score and d.f_score = p.f_score
                    and d.m_score = p.m_score
                ) as same_scores,
                count(*) filter (where d.rfm_segment is not distinct from p.rfm_segment
                    and d.contact_id is not null and p.contact_id is not null) as same_segment,
                count(*) filter (where d.recency_days = p.recency_days
                    and d.frequency = p.frequency
                    and cast(d.monetary * 100 as bigint) = p.monetary_cents) as same_values
            from analytics.contact_rfm as d
            full outer join p_rfm as p on d.contact_id = p.contact_id
            """
        ).fetchone()
        cart = con.execute(
            """
            with d as (
                select contact_id, trigger_at, product_1_id, product_2_id, product_3_id,
                    cart_item_count, cast(cart_value * 100 as bigint) as cart_value_cents
                from analytics.int_triggers__abandoned_cart
            ),
            p as (
                select contact_id, trigger_at, product_1_id, product_2_id, product_3_id,
                    cast(cart_item_count as integer) as cart_item_count,
                    cast(cart_value_cents as bigint) as cart_value_cents
                from p_cart
            )
            select
                (select count(*) from d), (select count(*) from p),
                (select count(*) from (select * from d intersect all select * from p))
            """
        ).fetchone()
    finally:
        con.close()
    dbt_customers, pandas_customers, both, same_scores, same_segment, same_values = rfm
    union = dbt_customers + pandas_customers - both
    return {
        "rfm": {
            "dbt_customers": dbt_customers,
            "pandas_customers": pandas_customers,
            "customers_in_both": both,
            "identical_scores": same_scores,
            "identical_segment": same_segment,
            "identical_recency_frequency_monetary": same_values,
            "identical_scores_share": same_scores / union if union else 1.0,
        },
        "abandoned_cart": {
            "dbt_rows": cart[0],
            "pandas_rows": cart[1],
            "identical_rows": cart[2],
            "identical_share": cart[2] / max(cart[0], cart[1]) if max(cart[0], cart[1]) else 1.0,
        },
    }


# --------------------------------------------------------------------------------------
# dbt and the scripts, as subprocesses.
# --------------------------------------------------------------------------------------


def base_env(database: Path | None = None) -> dict[str, str]:
    """The environment of every subprocess: the repository's profile, the dev target."""
    env = dict(os.environ)
    env.pop("FOLLOWUP_TARGET", None)
    env.update(
        DBT_PROFILES_DIR=str(PROJECT_DIR),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DBT_USE_COLORS="false",
        GX_ANALYTICS_ENABLED="false",
        PYTHONUNBUFFERED="1",
    )
    if database is not None:
        env["FOLLOWUP_DUCKDB_PATH"] = str(database)
    return env


def dbt_executable() -> str:
    """The dbt of this virtualenv."""
    candidate = Path(sys.executable).parent / "dbt"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("dbt")
    if not found:
        raise BenchmarkError("dbt is not installed in this environment")
    return found


def summarise_run_results(path: Path) -> dict[str, Any]:
    """Status counts, elapsed time and per-model execution times of a run_results.json."""
    document = json.loads(path.read_text(encoding="utf-8"))
    statuses: dict[str, int] = {}
    models: list[dict[str, Any]] = []
    failures: list[str] = []
    for result in document.get("results", []):
        status = str(result.get("status"))
        statuses[status] = statuses.get(status, 0) + 1
        unique_id = result.get("unique_id", "")
        if status not in ("success", "pass", "warn", "skipped"):
            failures.append(f"{unique_id}: {status}")
        if unique_id.startswith("model."):
            models.append(
                {
                    "model": unique_id.split(".", 2)[-1],
                    "seconds": round(float(result.get("execution_time") or 0.0), 3),
                    "status": status,
                }
            )
    models.sort(key=lambda item: item["seconds"], reverse=True)
    return {
        "elapsed_s": _round(document.get("elapsed_time")),
        "statuses": statuses,
        "failures": failures,
        "models": models,
    }


def only_test_failures(summary: Mapping[str, Any]) -> bool:
    """True when everything that did not succeed is a data or unit test that failed."""
    failures = summary.get("failures", [])
    return bool(failures) and all(
        item.startswith(("test.", "unit_test.")) and item.endswith(": fail") for item in failures
    )


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


def dbt_command(ctx: Context, args: Sequence[str], target_dir: Path) -> list[str]:
    """A dbt command line with this benchmark's own target and log paths."""
    command = [
        dbt_executable(),
        "--no-use-colors",
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(target_dir / "target"),
        "--log-path",
        str(target_dir / "logs"),
    ]
    if ctx.threads and args and args[0] in ("run", "build", "seed", "compile"):
        command += ["--threads", str(ctx.threads)]
    return command


def timed_step(
    ctx: Context,
    label: str,
    command: Sequence[str],
    database: Path,
    log_name: str,
    *,
    allow_test_failures: bool = False,
    run_results_dir: Path | None = None,
) -> tuple[Ran, dict[str, Any] | None]:
    """Run one step, print its progress, check it; return it and its dbt run results."""
    ctx.say(f"    {label} ...")
    ran = run_process(
        command,
        env=base_env(database),
        log_file=ctx.work / "logs" / f"{log_name}.log",
        check=not allow_test_failures,
    )
    summary = None
    if run_results_dir is not None:
        results_file = run_results_dir / "target" / "run_results.json"
        if results_file.is_file():
            summary = summarise_run_results(results_file)
            shutil.copyfile(results_file, ctx.work / "logs" / f"{log_name}.run_results.json")
    if ran.returncode != 0:
        if not (summary and only_test_failures(summary)):
            raise BenchmarkError(
                f"command failed with exit code {ran.returncode}:\n  {' '.join(command)}\n"
                f"--- last lines of its output ---\n{tail(ran.output)}"
            )
        ctx.say(f"    !! {len(summary['failures'])} test(s) failed (recorded, not fatal)")
    ctx.say(
        f"    {label}: {ran.seconds:.1f} s, peak {format_bytes(ran.peak_rss_bytes)}"
        f"  [elapsed {ctx.elapsed()}]"
    )
    return ran, summary


def worker_command(*args: str) -> list[str]:
    """The command line of a worker of this module (floor, pandas)."""
    return [sys.executable, "-m", "followup.benchmark", *args]


# --------------------------------------------------------------------------------------
# One size: every step, --runs times.
# --------------------------------------------------------------------------------------


@dataclass
class SizeResult:
    """The measurements of one size."""

    size: int
    runs: int
    dataset: dict[str, Any]
    steps: dict[str, StepStats] = field(default_factory=dict)
    setup: dict[str, StepStats] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    def stats(self, step: str, setup: bool = False) -> StepStats:
        table = self.setup if setup else self.steps
        return table.setdefault(step, StepStats())

    def to_json(self) -> dict[str, Any]:
        in_dbt = self.details.get("same_models_in_dbt_samples_s", [])
        in_floor = self.details.get("same_models_in_floor_samples_s", [])
        return {
            "contacts": self.size,
            "same_models_in_dbt_s": _round(median(in_dbt)),
            "same_models_in_floor_s": _round(median(in_floor)),
            "runs": self.runs,
            "dataset": self.dataset,
            "steps": {key: stats.to_json() for key, stats in self.steps.items()},
            "setup_steps": {key: stats.to_json() for key, stats in self.setup.items()},
            **self.details,
        }


# Columns that record which run wrote a row: they differ by design.
BOOKKEEPING_COLUMNS = frozenset({"processed_by", "invocation_id", "dbt_invocation_id"})


def compare_incremental(
    full_db: Path, daily_db: Path, as_of: dt.date, skip: Iterable[str] = ()
) -> dict[str, Any]:
    """Rows that differ between the full build for D and the incremental run for D.

    Every table of the analytics schema (not views) is compared but those in `skip`
    (built on the history of earlier runs); a table with an as_of_date column is compared
    on the rows of D (history tables keep D-1 in the daily path). Doubles are compared
    rounded to 6 decimals: a sum of doubles differs in its last bits with the order the
    engine adds it up in, and rounding to 9 decimals still splits such a pair now and then
    at a million rows. Bookkeeping columns (which run wrote a row) are left out.
    """
    skip = set(skip)
    import duckdb

    con = duckdb.connect()
    con.execute("set memory_limit = '4GB'")
    con.execute("set preserve_insertion_order = false")
    con.execute(f"attach '{full_db}' as full_db (read_only)")
    con.execute(f"attach '{daily_db}' as daily_db (read_only)")
    tables = [
        row[0]
        for row in con.execute(
            "select table_name from duckdb_tables() where database_name = 'full_db' "
            "and schema_name = 'analytics' order by table_name"
        ).fetchall()
    ]
    differing: dict[str, dict[str, int]] = {}
    skipped = sorted(table for table in tables if table in skip)
    tables = [table for table in tables if table not in skip]
    for table in tables:
        columns = con.execute(
            "select column_name, data_type from duckdb_columns() where database_name = "
            "'full_db' and schema_name = 'analytics' and table_name = ? order by column_index",
            [table],
        ).fetchall()
        columns = [(name, kind) for name, kind in columns if name not in BOOKKEEPING_COLUMNS]
        select = ", ".join(
            f'round("{name}", 6)' if kind in ("DOUBLE", "FLOAT") else f'"{name}"'
            for name, kind in columns
        )
        where = (
            f"where as_of_date = date '{as_of.isoformat()}'"
            if any(name == "as_of_date" for name, _ in columns)
            else ""
        )
        try:
            only_full, only_daily = con.execute(
                f"""
                select
                    (select count(*) from (select {select} from full_db.analytics."{table}" {where}
                        except all select {select} from daily_db.analytics."{table}" {where})),
                    (select count(*) from (select {select} from daily_db.analytics."{table}" {where}
                        except all select {select} from full_db.analytics."{table}" {where}))
                """
            ).fetchone()
        except duckdb.Error as exc:
            differing[table] = {"error": str(exc).splitlines()[0]}  # type: ignore[dict-item]
            continue
        if only_full or only_daily:
            differing[table] = {"only_full_build": only_full, "only_daily_run": only_daily}
    con.close()
    return {"tables_compared": len(tables), "skipped": skipped, "differing": differing}


def benchmark_size(
    ctx: Context,
    dataset: Dataset,
    size: int,
    runs: int,
    *,
    skip_floor: bool,
    skip_pandas: bool,
) -> SizeResult:
    """Measure every step of one size, `runs` times."""
    result = SizeResult(size, runs, dataset.meta)
    tag = f"{size:,}"
    for run in range(1, runs + 1):
        ctx.say(f"  [{tag} contacts] run {run}/{runs}  [elapsed {ctx.elapsed()}]")
        run_dir = ctx.work / f"size{size}_run{run}"
        if run_dir.exists():
            shutil.rmtree(run_dir)
        run_dir.mkdir(parents=True)
        try:
            full_db = _full_path(ctx, result, dataset, run_dir, run, skip_floor, skip_pandas)
            _incremental_path(ctx, result, dataset, full_db, run_dir, run)
        finally:
            shutil.rmtree(run_dir, ignore_errors=True)  # the warehouses of this run
    return result


def _record(result: SizeResult, step: str, ran: Ran, setup: bool = False) -> None:
    result.stats(step, setup).add(Sample(ran.seconds, ran.peak_rss_bytes))


def dbt_step(
    ctx: Context,
    result: SizeResult,
    label: str,
    args: Sequence[str],
    *,
    dbt_vars: str,
    dbt_dir: Path,
    database: Path,
    log_name: str,
    allow_test_failures: bool = False,
) -> tuple[Ran, dict[str, Any] | None]:
    """Run one dbt command for `database`, with dbt's parse cache warm.

    dbt re-parses the whole project when the vars or the profile (the DuckDB path)
    changed since the last command in the same target folder. So that every timed command
    starts alike, an untimed `dbt parse` with the same vars runs first when needed; its
    time is recorded as the setup step `parse` (what a cold start adds).
    """
    if ctx.parsed.get(dbt_dir) != (dbt_vars, str(database)):
        ran, _ = timed_step(
            ctx,
            "setup: dbt parse",
            dbt_command(ctx, ["parse", "--vars", dbt_vars], dbt_dir),
            database,
            f"{log_name}-parse",
        )
        _record(result, "parse", ran, setup=True)
        ctx.parsed[dbt_dir] = (dbt_vars, str(database))
    return timed_step(
        ctx,
        label,
        dbt_command(ctx, [*args, "--vars", dbt_vars], dbt_dir),
        database,
        log_name,
        allow_test_failures=allow_test_failures,
        run_results_dir=dbt_dir,
    )


def _full_path(
    ctx: Context,
    result: SizeResult,
    dataset: Dataset,
    run_dir: Path,
    run: int,
    skip_floor: bool,
    skip_pandas: bool,
) -> Path:
    """Load, seed, full run, full build, export, floor and pandas; returns the warehouse."""
    python = sys.executable
    scripts = PROJECT_DIR / "scripts"
    database = run_dir / "full" / "bench.duckdb"
    database.parent.mkdir()
    dbt_dir = run_dir / "dbt-full"
    name = f"{result.size}-{run}"
    ran, _ = timed_step(
        ctx,
        "load D",
        [python, str(scripts / "load_raw.py"), "--from", str(dataset.day)],
        database,
        f"{name}-load",
    )
    _record(result, "load", ran)
    ran, _ = dbt_step(
        ctx,
        result,
        "dbt seed",
        ["seed", "--full-refresh"],
        dbt_vars=ctx.vars_d,
        dbt_dir=dbt_dir,
        database=database,
        log_name=f"{name}-seed",
    )
    _record(result, "seed", ran)

    floor_db = run_dir / "floor" / database.name
    if not skip_floor:  # the loaded and seeded warehouse, before any model
        floor_db.parent.mkdir()
        shutil.copyfile(database, floor_db)

    ran, summary = dbt_step(
        ctx,
        result,
        "dbt run --full-refresh",
        ["run", "--full-refresh"],
        dbt_vars=ctx.vars_d,
        dbt_dir=dbt_dir,
        database=database,
        log_name=f"{name}-run_full",
    )
    _record(result, "run_full", ran)
    if summary:
        result.details.setdefault("run_results", {}).setdefault("run_full", []).append(summary)
        manifest_file = dbt_dir / "target" / "manifest.json"
        if manifest_file.is_file():
            manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
            same = {
                unique_id.split(".", 2)[-1]
                for unique_id in upstream_models(manifest, PANDAS_EQUIVALENT_MODELS)
            }
            seconds = sum(item["seconds"] for item in summary["models"] if item["model"] in same)
            result.details.setdefault("same_models_in_dbt_samples_s", []).append(round(seconds, 3))
            result.details["same_models"] = sorted(same)

    ran, summary = dbt_step(
        ctx,
        result,
        "dbt build --full-refresh",
        ["build", "--full-refresh"],
        dbt_vars=ctx.vars_d,
        dbt_dir=dbt_dir,
        database=database,
        log_name=f"{name}-build_full",
        allow_test_failures=True,
    )
    _record(result, "build_full", ran)
    if summary:
        summary_short = {key: summary[key] for key in ("elapsed_s", "statuses", "failures")}
        result.details.setdefault("run_results", {}).setdefault("build_full", []).append(
            summary_short
        )

    exports = run_dir / "exports"
    ran, _ = timed_step(
        ctx,
        "export (all flows, generic)",
        [
            python,
            str(scripts / "export_send_lists.py"),
            "--all",
            "--esp",
            "generic",
            "--out",
            str(exports),
            "--allow-spike",
            "--as-of",
            ctx.as_of.isoformat(),
            "--no-progress",
        ],
        database,
        f"{name}-export",
    )
    _record(result, "export", ran)

    if not skip_floor:
        _floor(ctx, result, floor_db, run_dir, run)

    if not skip_pandas:
        selection = " ".join(f"+{model}" for model in PANDAS_EQUIVALENT_MODELS)
        ran, _ = dbt_step(
            ctx,
            result,
            "dbt run --full-refresh of the models pandas replicates",
            ["run", "--full-refresh", "--select", selection],
            dbt_vars=ctx.vars_d,
            dbt_dir=dbt_dir,
            database=database,
            log_name=f"{name}-run_same",
        )
        _record(result, "run_same", ran)
        pandas_dir = run_dir / "pandas"
        result_file = pandas_dir / "result.json"
        ran, _ = timed_step(
            ctx,
            "pandas RFM + abandoned cart",
            worker_command(
                "pandas",
                str(dataset.day),
                ctx.as_of.isoformat(),
                str(pandas_dir),
                str(result_file),
            ),
            database,
            f"{name}-pandas",
        )
        inside = json.loads(result_file.read_text(encoding="utf-8"))
        result.stats("pandas").add(Sample(inside["seconds"], ran.peak_rss_bytes, ran.seconds))
        result.details.setdefault("pandas_timings", []).append(inside)
        if run == 1:
            try:
                comparison = compare_with_dbt(database, pandas_dir)
            except Exception as exc:  # a renamed model must not cost the whole benchmark
                result.details["pandas_vs_dbt_error"] = str(exc).splitlines()[0]
                ctx.say(f"    !! pandas vs dbt: could not compare: {exc}")
                return database
            result.details["pandas_vs_dbt"] = comparison
            ctx.say(
                "    pandas vs dbt: identical RFM scores for "
                f"{comparison['rfm']['identical_scores_share']:.2%} of customers, identical "
                f"abandoned-cart rows {comparison['abandoned_cart']['identical_share']:.2%}"
            )
    return database


def _floor(ctx: Context, result: SizeResult, floor_db: Path, run_dir: Path, run: int) -> None:
    """Compile for D against the seeded copy (untimed), then time the SQL without dbt."""
    compile_dir = run_dir / "dbt-compile"
    timed_step(
        ctx,
        "setup: dbt compile --full-refresh (for the floor)",
        dbt_command(ctx, ["compile", "--full-refresh", "--vars", ctx.vars_d], compile_dir),
        floor_db,
        f"{result.size}-{run}-compile",
    )
    result_file = run_dir / "floor.json"
    ran, _ = timed_step(
        ctx,
        "floor: compiled SQL in one DuckDB connection",
        worker_command(
            "floor",
            str(floor_db),
            str(compile_dir / "target" / "manifest.json"),
            str(result_file),
        ),
        floor_db,
        f"{result.size}-{run}-floor",
    )
    inside = json.loads(result_file.read_text(encoding="utf-8"))
    result.stats("floor").add(Sample(inside["seconds"], ran.peak_rss_bytes, ran.seconds))
    models = sorted(inside["models"].items(), key=lambda item: item[1], reverse=True)
    result.details.setdefault("floor_models", []).append(
        [{"model": key.split(".", 2)[-1], "seconds": value} for key, value in models]
    )
    manifest = json.loads((compile_dir / "target" / "manifest.json").read_text(encoding="utf-8"))
    same = upstream_models(manifest, PANDAS_EQUIVALENT_MODELS)
    result.details.setdefault("same_models_in_floor_samples_s", []).append(
        round(sum(value for key, value in inside["models"].items() if key in same), 3)
    )
    shutil.rmtree(floor_db.parent, ignore_errors=True)


def history_dependent_models(manifest: Mapping[str, Any]) -> set[str]:
    """Names of the models whose rows depend on earlier runs (not only on D's data).

    The history tables keep one slice per as_of_date (incremental keyed on as_of_date);
    they and every model built on them differ between a warehouse that was also built
    for D-1 and a fresh one. The history tables' own rows of D do not.
    """
    nodes = manifest["nodes"]
    models = {uid: node for uid, node in nodes.items() if node["resource_type"] == "model"}

    def keyed_by_run_date(node: Mapping[str, Any]) -> bool:
        config = node.get("config", {})
        key = config.get("unique_key")
        partition = config.get("partition_by")
        keys = key if isinstance(key, list) else [key]
        partitions = partition if isinstance(partition, list) else [partition]
        return config.get("materialized") == "incremental" and (
            "as_of_date" in keys or "as_of_date" in partitions
        )

    history = {uid for uid, node in models.items() if keyed_by_run_date(node)}
    children: dict[str, set[str]] = {uid: set() for uid in models}
    for uid, node in models.items():
        for parent in node.get("depends_on", {}).get("nodes", []):
            if parent in children:
                children[parent].add(uid)
    dependent: set[str] = set()
    todo = [child for uid in history for child in children[uid]]
    while todo:
        uid = todo.pop()
        if uid not in dependent:
            dependent.add(uid)
            todo.extend(children[uid])
    return {models[uid]["name"] for uid in dependent - history}


def _incremental_path(
    ctx: Context,
    result: SizeResult,
    dataset: Dataset,
    full_db: Path,
    run_dir: Path,
    run: int,
) -> None:
    """Build D-1 (setup), then time loading D and the incremental dbt run for D."""
    python = sys.executable
    load = str(PROJECT_DIR / "scripts" / "load_raw.py")
    database = run_dir / "daily" / "bench.duckdb"
    database.parent.mkdir()
    dbt_dir = run_dir / "dbt-daily"
    name = f"{result.size}-{run}"
    ran, _ = timed_step(
        ctx,
        "setup: load D-1",
        [python, load, "--from", str(dataset.day_before)],
        database,
        f"{name}-prior_load",
    )
    _record(result, "prior_load", ran, setup=True)
    ran, _ = dbt_step(
        ctx,
        result,
        "setup: dbt seed",
        ["seed", "--full-refresh"],
        dbt_vars=ctx.vars_before,
        dbt_dir=dbt_dir,
        database=database,
        log_name=f"{name}-prior_seed",
    )
    _record(result, "prior_seed", ran, setup=True)
    ran, _ = dbt_step(
        ctx,
        result,
        "setup: dbt run --full-refresh for D-1",
        ["run", "--full-refresh"],
        dbt_vars=ctx.vars_before,
        dbt_dir=dbt_dir,
        database=database,
        log_name=f"{name}-prior_run",
    )
    _record(result, "prior_run", ran, setup=True)
    ran, _ = timed_step(
        ctx,
        "daily load: D into the warehouse of D-1",
        [python, load, "--from", str(dataset.day)],
        database,
        f"{name}-daily_load",
    )
    _record(result, "daily_load", ran)
    ran, summary = dbt_step(
        ctx,
        result,
        "daily run: dbt run for D (incremental)",
        ["run"],
        dbt_vars=ctx.vars_d,
        dbt_dir=dbt_dir,
        database=database,
        log_name=f"{name}-daily_run",
    )
    _record(result, "daily_run", ran)
    if summary:
        result.details.setdefault("run_results", {}).setdefault("daily_run", []).append(summary)
    if run == 1:
        started = time.perf_counter()
        manifest = json.loads((dbt_dir / "target" / "manifest.json").read_text(encoding="utf-8"))
        skip = history_dependent_models(manifest)
        if result.size >= LARGE_SIZE:  # the big event tables take minutes to compare
            skip |= {
                node["name"]
                for node in manifest["nodes"].values()
                if node["resource_type"] == "model"
                and node["fqn"][1:2] not in (["marts"], ["audiences"])
            }
        check = compare_incremental(full_db, database, ctx.as_of, skip=skip)
        check["seconds"] = round(time.perf_counter() - started, 1)
        result.details["incremental_vs_full"] = check
        if check["differing"]:
            ctx.say(
                f"    !! the daily run differs from the full build in "
                f"{len(check['differing'])} table(s): {', '.join(sorted(check['differing']))}"
            )
        else:
            ctx.say(
                f"    daily run = full build: {check['tables_compared']} tables identical "
                f"(checked in {check['seconds']} s; {len(check['skipped'])} not compared)"
            )


# --------------------------------------------------------------------------------------
# The whole benchmark, the machine, the report.
# --------------------------------------------------------------------------------------


def machine_info() -> dict[str, Any]:
    """Cores, memory, CPU model and the versions that matter."""
    import psutil

    cpu_model = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def version(package: str) -> str | None:
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return None

    return {
        "cores_logical": os.cpu_count(),
        "cores_physical": psutil.cpu_count(logical=False),
        "memory_bytes": psutil.virtual_memory().total,
        "cpu_model": cpu_model,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": version("duckdb"),
        "dbt_core": version("dbt-core"),
        "dbt_duckdb": version("dbt-duckdb"),
        "pandas": version("pandas"),
        "pyarrow": version("pyarrow"),
    }


def git_state() -> dict[str, Any]:
    """The commit measured and whether the models differ from it (read-only git calls)."""

    def git(*args: str) -> str | None:
        try:
            return subprocess.run(
                ["git", "--no-optional-locks", *args],
                cwd=PROJECT_DIR,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.rstrip("\n")
        except (OSError, subprocess.CalledProcessError):
            return None

    changed = git("status", "--porcelain", "--", "models", "macros", "seeds", "dbt_project.yml")
    return {
        "commit": git("rev-parse", "HEAD"),
        "models_changed_since_commit": sorted(
            line[3:] for line in (changed or "").splitlines() if line.strip()
        ),
    }


def run_benchmark(
    sizes: Sequence[int],
    *,
    runs: int,
    runs_large: int | None,
    seed: int,
    as_of: dt.date,
    out: Path,
    cache: Path,
    skip_pandas: bool,
    skip_floor: bool,
    threads: int | None,
    work_dir: Path | None = None,
    merge: bool = True,
    say: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Measure every size, write results.json and results.md into `out`, return the results."""
    out.mkdir(parents=True, exist_ok=True)
    cache.mkdir(parents=True, exist_ok=True)
    work_parent = work_dir or Path(tempfile.gettempdir())
    work_parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="followup-benchmark-", dir=work_parent))
    ctx = Context(as_of=as_of, threads=threads, work=work, say=say)
    started_at = dt.datetime.now(dt.UTC)
    document: dict[str, Any] = {
        "benchmark": "followup scale benchmark (issue 7)",
        "started_at": started_at.isoformat(timespec="seconds"),
        "machine": machine_info(),
        "git": git_state(),
        "settings": {
            "sizes": list(sizes),
            "runs": runs,
            "runs_large": runs_large,
            "seed": seed,
            "as_of": as_of.isoformat(),
            "threads": threads,
            "skip_pandas": skip_pandas,
            "skip_floor": skip_floor,
            "duckdb_memory_limit": os.environ.get("FOLLOWUP_DUCKDB_MEMORY_LIMIT", "6GB"),
        },
        "steps": {key: {"label": label, "what": what} for key, (label, what) in STEPS.items()},
        "sizes": {},
    }
    say(f"benchmark: sizes {', '.join(f'{s:,}' for s in sizes)}; work dir {work}")
    try:
        for size in sizes:
            size_runs = runs_for_size(size, runs, runs_large)
            say(f"[{size:,} contacts] {size_runs} run(s)  [elapsed {ctx.elapsed()}]")
            dataset = ensure_dataset(cache, size, seed, as_of, env=base_env(), say=say)
            result = benchmark_size(
                ctx, dataset, size, size_runs, skip_floor=skip_floor, skip_pandas=skip_pandas
            )
            entry = result.to_json()
            entry["measured_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            state = git_state()
            entry["git_commit"] = state["commit"]
            entry["models_changed_since_commit"] = state["models_changed_since_commit"]
            document["sizes"][str(size)] = entry
            write_results(document, out, merge=merge)  # after every size: nothing is lost
    except BaseException:
        # keep the logs to look at; the warehouses of the failed run are already gone
        say(f"the logs of every step are kept in {work / 'logs'}")
        raise
    shutil.rmtree(work, ignore_errors=True)
    document["finished_at"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    document["total_seconds"] = round(time.perf_counter() - ctx.started, 1)
    return write_results(document, out, merge=merge)


def write_results(document: dict[str, Any], out: Path, *, merge: bool) -> dict[str, Any]:
    """Write results.json and results.md; with `merge`, keep other sizes of an earlier file.

    Earlier sizes are kept only if they were measured with the same seed and as-of day.
    """
    merged = json.loads(json.dumps(document))
    path = out / "results.json"
    if merge and path.is_file():
        try:
            earlier = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            earlier = {}
        same = all(
            earlier.get("settings", {}).get(key) == document["settings"][key]
            for key in ("seed", "as_of")
        )
        if same:
            kept = {
                size: entry
                for size, entry in earlier.get("sizes", {}).items()
                if size not in document["sizes"]
            }
            for entry in kept.values():
                entry.setdefault("from_earlier_invocation", earlier.get("started_at"))
            merged["sizes"] = dict(
                sorted({**kept, **merged["sizes"]}.items(), key=lambda item: int(item[0]))
            )
    path.write_text(json.dumps(merged, indent=1) + "\n", encoding="utf-8")
    (out / "results.md").write_text(render_markdown(merged), encoding="utf-8")
    return merged


# --------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------


def format_seconds(seconds: float | None) -> str:
    """12.3 s, 4 min 05 s."""
    if seconds is None:
        return "n/a"
    if seconds < 60:
        return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


def format_bytes(value: int | None) -> str:
    """2.31 GB (decimal units, like the targets)."""
    if value is None:
        return "n/a"
    return f"{value / 10**9:.2f} GB"


def _median(entry: Mapping[str, Any], step: str) -> float | None:
    return entry.get("steps", {}).get(step, {}).get("median_s")


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def _fmt_ratio(value: float | None, suffix: str = "x") -> str:
    return "n/a" if value is None else f"{value:.2f}{suffix}"


def size_summary(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The derived figures of one size: ratios and peaks."""
    run_full = _median(entry, "run_full")
    seed = _median(entry, "seed")
    daily = _median(entry, "daily_run")
    daily_load = _median(entry, "daily_load")
    peaks = [
        step.get("peak_rss_max_bytes")
        for key, step in entry.get("steps", {}).items()
        if key != "pandas"
    ]
    full_with_seed = None if run_full is None else run_full + (seed or 0.0)
    return {
        "full_run_with_seed_s": full_with_seed,
        "build_full_s": _median(entry, "build_full"),
        "floor_ratio": _ratio(run_full, _median(entry, "floor")),
        "incremental_speedup": _ratio(run_full, daily),
        "incremental_speedup_with_load": _ratio(
            None
            if run_full is None or entry["steps"].get("load") is None
            else run_full + (_median(entry, "load") or 0.0),
            None if daily is None else daily + (daily_load or 0.0),
        ),
        "pandas_vs_dbt_run": _ratio(_median(entry, "pandas"), run_full),
        "pandas_vs_same_models": _ratio(_median(entry, "pandas"), _median(entry, "run_same")),
        "pandas_vs_same_models_floor": _ratio(
            _median(entry, "pandas"), entry.get("same_models_in_floor_s")
        ),
        "peak_rss_dbt_bytes": peak(peaks),
    }


def growth_rows(sizes: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """For consecutive sizes: how much the time per contact changed, per step."""
    ordered = sorted(sizes.items(), key=lambda item: int(item[0]))
    rows = []
    for (small_key, small), (large_key, large) in itertools.pairwise(ordered):
        factor = int(large_key) / int(small_key)
        per_step = {}
        for step in STEPS:
            a, b = _median(small, step), _median(large, step)
            per_step[step] = None if not a or b is None else (b / a) / factor
        rows.append({"from": int(small_key), "to": int(large_key), "per_contact": per_step})
    return rows


def _target_rows(document: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) for each target of the issue."""
    sizes = document.get("sizes", {})
    rows: list[tuple[str, str, str]] = []

    def verdict(ok: bool | None) -> str:
        return "not measured" if ok is None else ("**met**" if ok else "**missed**")

    large = sizes.get(str(LARGE_SIZE))
    if large:
        summary = size_summary(large)
        full = summary["full_run_with_seed_s"]
        build = summary["build_full_s"]
        rows.append(
            (
                "1M: full build within 10 min (dbt seed + dbt run --full-refresh)",
                format_seconds(full),
                verdict(None if full is None else full <= TARGET_FULL_BUILD_S),
            )
        )
        rows.append(
            (
                "1M: full build with tests within 10 min (dbt build --full-refresh)",
                format_seconds(build),
                verdict(None if build is None else build <= TARGET_FULL_BUILD_S),
            )
        )
        peak_bytes = summary["peak_rss_dbt_bytes"]
        rows.append(
            (
                "1M: peak memory under 8 GB (any step but pandas, whole process tree)",
                format_bytes(peak_bytes),
                verdict(None if peak_bytes is None else peak_bytes < TARGET_PEAK_RSS_BYTES),
            )
        )
        speedup = summary["incremental_speedup"]
        rows.append(
            (
                "1M: daily run at least 5x faster than the full run",
                _fmt_ratio(speedup),
                verdict(None if speedup is None else speedup >= TARGET_INCREMENTAL_SPEEDUP),
            )
        )
        ratio = summary["floor_ratio"]
        rows.append(
            (
                "1M: dbt overhead over the floor below 1.5x (full run / floor)",
                _fmt_ratio(ratio),
                verdict(None if ratio is None else ratio < TARGET_FLOOR_RATIO),
            )
        )
    else:
        rows.append(("1M targets (build, memory, daily run, floor)", "1M not measured", "-"))

    for key, entry in sorted(sizes.items(), key=lambda item: int(item[0])):
        if int(key) < TARGET_PANDAS_FROM_SIZE:
            continue
        summary = size_summary(entry)
        same = summary["pandas_vs_same_models"]
        whole = summary["pandas_vs_dbt_run"]
        measured = (
            f"pandas {format_seconds(_median(entry, 'pandas'))} vs dbt "
            f"{format_seconds(_median(entry, 'run_same'))} for the same models: "
            f"pandas / dbt {_fmt_ratio(same)} (whole dbt run: {_fmt_ratio(whole)}; same "
            f"models' SQL in the floor: {_fmt_ratio(summary['pandas_vs_same_models_floor'])})"
        )
        rows.append(
            (
                f"{int(key):,}: faster than pandas (RFM + abandoned cart)",
                measured,
                verdict(None if same is None else same > 1.0),
            )
        )
    for row in growth_rows(sizes):
        worst = [
            row["per_contact"][step]
            for step in ("run_full", "build_full", "daily_run", "load")
            if row["per_contact"].get(step) is not None
        ]
        ok = None if not worst else max(worst) <= 1.0
        rows.append(
            (
                f"no worse than linear, {row['from']:,} → {row['to']:,} "
                "(time per contact ratio ≤ 1 for load, full run, build, daily run)",
                "worst " + _fmt_ratio(max(worst) if worst else None),
                verdict(ok),
            )
        )
    return rows


def render_markdown(document: Mapping[str, Any]) -> str:
    """The report: machine, a table per size, summary ratios, growth, targets."""
    machine = document.get("machine", {})
    sizes = document.get("sizes", {})
    lines: list[str] = ["# followup benchmark", ""]
    lines.append(
        f"Machine: {machine.get('cores_logical')} cores ({machine.get('cpu_model')}), "
        f"{format_bytes(machine.get('memory_bytes'))} memory; Python {machine.get('python')}, "
        f"DuckDB {machine.get('duckdb')}, dbt-core {machine.get('dbt_core')}, "
        f"dbt-duckdb {machine.get('dbt_duckdb')}, pandas {machine.get('pandas')}."
    )
    settings = document.get("settings", {})
    git = document.get("git", {})
    lines.append(
        f"Data: scripts/generate_data.py --seed {settings.get('seed')} --as-of "
        f"{settings.get('as_of')}. Run {document.get('started_at')} at commit "
        f"`{(git.get('commit') or '?')[:12]}`"
        + (
            f" with uncommitted changes to {len(git['models_changed_since_commit'])} files of "
            "models/, macros/, seeds/ or dbt_project.yml (listed in results.json)"
            if git.get("models_changed_since_commit")
            else ""
        )
        + "."
    )
    lines += [
        "",
        "Each figure is the median of the runs shown; peak memory is the largest peak RSS "
        "of the step's whole process tree over those runs. dbt timings are the wall time of "
        "the dbt command (start-up and parsing included); the floor and pandas are timed "
        "inside their process (the SQL statements; reading the files and computing).",
        "",
    ]
    for key, entry in sorted(sizes.items(), key=lambda item: int(item[0])):
        lines += _size_section(int(key), entry)
    if sizes:
        lines += _summary_section(document)
    return "\n".join(lines).rstrip() + "\n"


def _size_section(size: int, entry: Mapping[str, Any]) -> list[str]:
    dataset = entry.get("dataset", {})
    rows = dataset.get("rows", {})

    def rows_of(table: str) -> str:
        return f"{rows.get(table, {}).get('D', 0):,}"

    lines = [
        f"## {size:,} contacts",
        "",
        f"{rows_of('email_events')} email events, {rows_of('web_events')} web events, "
        f"{rows_of('orders')} orders; measured {entry.get('measured_at', '?')} at commit "
        f"`{(entry.get('git_commit') or '?')[:12]}`.",
        "",
        "| step | what | runs | median | min - max | peak memory |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for step, (label, what) in STEPS.items():
        stats = entry.get("steps", {}).get(step)
        if not stats:
            continue
        lines.append(
            f"| {label} | {what} | {stats['runs']} | {format_seconds(stats['median_s'])} | "
            f"{format_seconds(stats['min_s'])} - {format_seconds(stats['max_s'])} | "
            f"{format_bytes(stats['peak_rss_max_bytes'])} |"
        )
    setup = entry.get("setup_steps", {})
    if setup:

        def setup_time(key: str) -> str:
            return format_seconds(setup.get(key, {}).get("median_s"))

        lines += [
            "",
            f"Not in the figures above: a full dbt parse takes {setup_time('parse')} (every "
            "dbt command above ran with a warm parse cache; a cold start adds this). The "
            f"daily run's warehouse was prepared by loading D-1 ({setup_time('prior_load')}), "
            f"dbt seed ({setup_time('prior_seed')}) and dbt run --full-refresh for D-1 "
            f"({setup_time('prior_run')}).",
        ]
    comparison = entry.get("pandas_vs_dbt")
    if comparison:
        rfm, cart = comparison["rfm"], comparison["abandoned_cart"]
        lines += [
            "",
            f"pandas vs dbt: identical r/f/m scores for {rfm['identical_scores']:,} of "
            f"{rfm['dbt_customers']:,} customers ({rfm['identical_scores_share']:.2%}; pandas "
            f"found {rfm['pandas_customers']:,}); abandoned cart: {cart['identical_rows']:,} "
            f"identical rows of {cart['dbt_rows']:,} (pandas {cart['pandas_rows']:,}).",
        ]
    check = entry.get("incremental_vs_full")
    if check:
        if check["differing"]:
            names = ", ".join(sorted(check["differing"]))
            lines += ["", f"**The daily run differs from the full build** in: {names}."]
        else:
            lines += [
                "",
                f"The daily run's tables equal the full build's ({check['tables_compared']} "
                "tables of the analytics schema compared on the rows of D; not compared: "
                f"{len(check.get('skipped', []))} tables built on the history of earlier runs"
                + (" or outside marts and audiences" if size >= LARGE_SIZE else "")
                + ").",
            ]
    failures = [
        item
        for summary in entry.get("run_results", {}).get("build_full", [])
        for item in summary.get("failures", [])
    ]
    if failures:
        lines += [
            "",
            f"dbt build: {len(set(failures))} failing test(s): "
            + ", ".join(sorted(set(failures))[:10])
            + ".",
        ]
    slow = entry.get("run_results", {}).get("run_full", [])
    if slow:
        top = slow[0]["models"][:8]
        lines += [
            "",
            "Slowest models of the full run (first run): "
            + ", ".join(f"{item['model']} {format_seconds(item['seconds'])}" for item in top)
            + ".",
        ]
    daily = entry.get("run_results", {}).get("daily_run", [])
    if daily:
        top = daily[0]["models"][:8]
        lines += [
            "",
            "Slowest models of the daily run: "
            + ", ".join(f"{item['model']} {format_seconds(item['seconds'])}" for item in top)
            + ".",
        ]
    return [*lines, ""]


def _summary_section(document: Mapping[str, Any]) -> list[str]:
    sizes = document["sizes"]
    ordered = sorted(sizes.items(), key=lambda item: int(item[0]))
    lines = [
        "## Summary",
        "",
        "| contacts | full run | dbt build | floor | dbt overhead (run / floor) "
        "| daily run | speed-up (full / daily) | with load | pandas | dbt, same models "
        "| pandas / dbt same models | pandas / floor same models | pandas / whole run "
        "| peak memory (dbt steps) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, entry in ordered:
        summary = size_summary(entry)
        lines.append(
            f"| {int(key):,} | {format_seconds(_median(entry, 'run_full'))} | "
            f"{format_seconds(_median(entry, 'build_full'))} | "
            f"{format_seconds(_median(entry, 'floor'))} | {_fmt_ratio(summary['floor_ratio'])} | "
            f"{format_seconds(_median(entry, 'daily_run'))} | "
            f"{_fmt_ratio(summary['incremental_speedup'])} | "
            f"{_fmt_ratio(summary['incremental_speedup_with_load'])} | "
            f"{format_seconds(_median(entry, 'pandas'))} | "
            f"{format_seconds(_median(entry, 'run_same'))} | "
            f"{_fmt_ratio(summary['pandas_vs_same_models'])} | "
            f"{_fmt_ratio(summary['pandas_vs_same_models_floor'])} | "
            f"{_fmt_ratio(summary['pandas_vs_dbt_run'])} | "
            f"{format_bytes(summary['peak_rss_dbt_bytes'])} |"
        )
    lines += [
        "",
        '"with load": (load + full run) / (daily load + daily run). "dbt, same models": '
        "dbt run --full-refresh of contact_rfm, int_triggers__abandoned_cart and every model "
        "they depend on (staging with its quarantine, recognition levels), on the loaded "
        "warehouse. pandas reads the raw Parquet files and computes the same two results. "
        "In the pandas columns, above 1 means dbt (or its SQL, in the floor) is faster. "
        "The whole run builds every model (all flows, marts and audiences).",
        "",
    ]
    growth = growth_rows(sizes)
    if growth:
        steps = [step for step in STEPS if any(row["per_contact"].get(step) for row in growth)]
        lines += [
            "### Growth: time per contact, larger size / smaller size",
            "",
            "1.00 is linear; below 1 the fixed costs (start-up, parsing) still dominate.",
            "",
            "| sizes | " + " | ".join(STEPS[step][0] for step in steps) + " |",
            "|---|" + "---:|" * len(steps),
        ]
        for row in growth:
            lines.append(
                f"| {row['from']:,} → {row['to']:,} | "
                + " | ".join(_fmt_ratio(row["per_contact"].get(step)) for step in steps)
                + " |"
            )
        lines.append("")
    lines += ["### Targets (issue 7)", "", "| target | measured | verdict |", "|---|---|---|"]
    for target, measured, verdict in _target_rows(document):
        lines.append(f"| {target} | {measured} | {verdict} |")
    return [*lines, ""]


# --------------------------------------------------------------------------------------
# Worker entry point: python -m followup.benchmark floor|pandas ...
# --------------------------------------------------------------------------------------


def _worker_main(argv: Sequence[str]) -> int:
    if not argv:
        print("usage: python -m followup.benchmark floor|pandas ...", file=sys.stderr)
        return 2
    kind, *args = argv
    if kind == "floor" and len(args) == 3:
        floor_worker(Path(args[0]), Path(args[1]), Path(args[2]))
        return 0
    if kind == "pandas" and len(args) == 4:
        pandas_worker(Path(args[0]), dt.date.fromisoformat(args[1]), Path(args[2]), Path(args[3]))
        return 0
    print(f"unknown worker call: {' '.join(argv)}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_worker_main(sys.argv[1:]))
