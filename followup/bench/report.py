"""The Markdown report: machine, a table per size, summary ratios, growth, targets."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from followup.bench.settings import (
    LARGE_SIZE,
    STEPS,
    TARGET_FLOOR_RATIO,
    TARGET_FULL_BUILD_S,
    TARGET_INCREMENTAL_SPEEDUP,
    TARGET_PANDAS_FROM_SIZE,
    TARGET_PEAK_RSS_BYTES,
)
from followup.bench.stats import peak


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
    large = sizes.get(str(LARGE_SIZE))
    if large:
        rows += _large_target_rows(large)
    else:
        rows.append(("1M targets (build, memory, daily run, floor)", "1M not measured", "-"))
    rows += _pandas_target_rows(sizes)
    rows += _growth_target_rows(sizes)
    return rows


def _verdict(ok: bool | None) -> str:
    return "not measured" if ok is None else ("**met**" if ok else "**missed**")


def _large_target_rows(large: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """The targets of the 1M size: full build, memory, daily run, floor."""
    rows: list[tuple[str, str, str]] = []
    summary = size_summary(large)
    full = summary["full_run_with_seed_s"]
    build = summary["build_full_s"]
    rows.append(
        (
            "1M: full build within 10 min (dbt seed + dbt run --full-refresh)",
            format_seconds(full),
            _verdict(None if full is None else full <= TARGET_FULL_BUILD_S),
        )
    )
    rows.append(
        (
            "1M: full build with tests within 10 min (dbt build --full-refresh)",
            format_seconds(build),
            _verdict(None if build is None else build <= TARGET_FULL_BUILD_S),
        )
    )
    peak_bytes = summary["peak_rss_dbt_bytes"]
    rows.append(
        (
            "1M: peak memory under 8 GB (any step but pandas, whole process tree)",
            format_bytes(peak_bytes),
            _verdict(None if peak_bytes is None else peak_bytes < TARGET_PEAK_RSS_BYTES),
        )
    )
    speedup = summary["incremental_speedup"]
    rows.append(
        (
            "1M: daily run at least 5x faster than the full run",
            _fmt_ratio(speedup),
            _verdict(None if speedup is None else speedup >= TARGET_INCREMENTAL_SPEEDUP),
        )
    )
    ratio = summary["floor_ratio"]
    rows.append(
        (
            "1M: dbt overhead over the floor below 1.5x (full run / floor)",
            _fmt_ratio(ratio),
            _verdict(None if ratio is None else ratio < TARGET_FLOOR_RATIO),
        )
    )
    return rows


def _pandas_target_rows(sizes: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """From 100,000 contacts: faster than pandas, per size."""
    rows: list[tuple[str, str, str]] = []
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
                _verdict(None if same is None else same > 1.0),
            )
        )
    return rows


def _growth_target_rows(sizes: Mapping[str, Any]) -> list[tuple[str, str, str]]:
    """For consecutive sizes: no worse than linear."""
    rows: list[tuple[str, str, str]] = []
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
                _verdict(ok),
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
        f"Data: followup generate --seed {settings.get('seed')} --as-of "
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
    lines += _setup_note(entry)
    lines += _pandas_note(entry)
    lines += _incremental_note(size, entry)
    lines += _run_results_notes(entry)
    return [*lines, ""]


def _setup_note(entry: Mapping[str, Any]) -> list[str]:
    """What the setup steps (parse, the D-1 warehouse) took."""
    lines: list[str] = []
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
    return lines


def _pandas_note(entry: Mapping[str, Any]) -> list[str]:
    """How far pandas' results equal dbt's."""
    lines: list[str] = []
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
    return lines


def _incremental_note(size: int, entry: Mapping[str, Any]) -> list[str]:
    """Whether the daily run's tables equal the full build's."""
    lines: list[str] = []
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
                + (" or outside marts and flows" if size >= LARGE_SIZE else "")
                + ").",
            ]
    return lines


def _run_results_notes(entry: Mapping[str, Any]) -> list[str]:
    """From dbt's run results: failing tests, the slowest models."""
    lines: list[str] = []
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
    return lines


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
        "dbt run --full-refresh of contact_rfm, flow_trigger__abandoned_cart and every model "
        "they depend on (staging with its quarantine, recognition levels), on the loaded "
        "warehouse. pandas reads the raw Parquet files and computes the same two results. "
        "In the pandas columns, above 1 means dbt (or its SQL, in the floor) is faster. "
        "The whole run builds every model (all flows, marts and audiences).",
        "",
    ]
    lines += _growth_section(sizes)
    lines += ["### Targets", "", "| target | measured | verdict |", "|---|---|---|"]
    for target, measured, verdict in _target_rows(document):
        lines.append(f"| {target} | {measured} | {verdict} |")
    return [*lines, ""]


def _growth_section(sizes: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The growth table: time per contact, larger size / smaller size, per step."""
    lines: list[str] = []
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
    return lines
