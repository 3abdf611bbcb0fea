"""The export run: prepare and check every flow first, then write (or preview) each one.

1. Load the ESP profile, open the warehouse of the dbt target read-only, find the day
   it was built for (``--as-of`` must match it).
2. For every flow: plan what to read, build the send list, and validate it (Great
   Expectations, the spike guard). The warehouse is closed afterwards.
3. If any flow is refused, nothing at all is written (exit code 1).
4. Otherwise, per flow: leave out what the send log says was exported before (unless
   ``--force``), write the files atomically, record the send log, write the manifest.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import pandas as pd
import yaml

from followup import PROJECT_DIR
from followup.export.errors import ConfigError
from followup.export.esp_profiles import EspProfile, get_profile
from followup.export.fields import FieldType
from followup.export.formats import chunks, csv_text, csv_variants, json_items
from followup.export.names import load_salutations
from followup.export.output import (
    batch_stem,
    export_dir,
    git_commit,
    manifest_path,
    next_batch,
    write_files,
    write_json_atomic,
)
from followup.export.render import load_flow_templates
from followup.export.sendlist import SendList, build_send_list, plan
from followup.export.sendlog import SendLog
from followup.export.validation import (
    DEFAULT_SPIKE_FACTOR,
    DEFAULT_SPIKE_FLOOR,
    HISTORY_DAYS,
    SpikeBound,
    ValidationReport,
    mask_email,
    spike_bound,
    validate,
)
from followup.export.warehouse import FlowInfo, open_warehouse
from followup.profiles import PROFILES_FILE, ProfileError, read_target

EXPORT_DIR = PROJECT_DIR / "export"
PROGRESS_MIN_ROWS = 20_000


@dataclass
class ExportOptions:
    """Everything the command line decides."""

    esp: str
    out: Path
    flows: tuple[str, ...] = ()
    all_flows: bool = False
    as_of: dt.date | None = None
    target: str | None = None
    profiles_file: Path = PROFILES_FILE
    dry_run: bool = False
    force: bool = False
    allow_spike: bool = False
    spike_factor: float = DEFAULT_SPIKE_FACTOR
    spike_floor: int = DEFAULT_SPIKE_FLOOR
    show: int = 5
    progress: bool | None = None  # None: on a terminal, for large lists
    verbose: bool = False
    export_dir: Path = EXPORT_DIR


@dataclass
class FlowResult:
    flow_id: str
    rows: int
    skipped_before: int = 0
    exported: int = 0
    files: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class Prepared:
    flow: FlowInfo
    send_list: SendList
    report: ValidationReport | None
    bound: SpikeBound | None


def default_language() -> str:
    """The dbt var ``default_language`` (dbt_project.yml), else 'nl'."""
    try:
        project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
        return str((project.get("vars") or {}).get("default_language") or "nl")
    except (OSError, yaml.YAMLError):
        return "nl"


def _resolve_flows(options: ExportOptions, registry: dict[str, FlowInfo]) -> list[FlowInfo]:
    if options.all_flows:
        return [registry[f] for f in sorted(registry)]
    unknown = [f for f in options.flows if f not in registry]
    if unknown:
        raise ConfigError(
            f"unknown flow {', '.join(repr(u) for u in unknown)} "
            f"(known: {', '.join(sorted(registry))})"
        )
    return [registry[f] for f in dict.fromkeys(options.flows)]


def run_export(options: ExportOptions, echo: Callable[[str], None] = click.echo) -> int:
    """Run the export; returns the exit code (0 ok, 1 refused). Raises ConfigError (2)."""
    profile = get_profile(options.esp, options.export_dir / "profiles")
    try:
        settings = read_target(options.target, options.profiles_file)
    except (ProfileError, FileNotFoundError) as exc:
        raise ConfigError(str(exc)) from exc
    language = default_language()
    salutations = load_salutations(options.export_dir / "salutations.yml", language)
    prepared: list[Prepared] = []
    notes: list[FlowResult] = []
    with open_warehouse(settings) as warehouse:
        registry = warehouse.flows()
        flows = _resolve_flows(options, registry)
        built = warehouse.built_dates()
        if len(built) != 1:
            raise ConfigError(
                f"the warehouse ({warehouse.description}) holds {len(built)} days in "
                "dim_contacts; expected exactly one (rebuild it)"
            )
        day = built[0]
        if options.as_of is not None and options.as_of != day:
            raise ConfigError(
                f"--as-of {options.as_of} does not match the warehouse, which was built for "
                f"{day} ({warehouse.description}); rebuild it for {options.as_of} or leave "
                "out --as-of"
            )
        contact_columns = warehouse.require_table("dim_contacts")
        for flow in flows:
            if flow.category not in profile.flow_categories:
                message = (
                    f"profile {profile.name} takes {' and '.join(profile.flow_categories)} "
                    f"flows only; {flow.flow_id} is a {flow.category} flow"
                )
                if not options.all_flows:
                    raise ConfigError(message)
                notes.append(FlowResult(flow.flow_id, 0, note=f"skipped: {message}"))
                continue
            audience_columns = warehouse.require_table(f"audience_{flow.flow_id}")
            dates = warehouse.audience_dates(flow.flow_id)
            if any(d != day for d in dates):
                raise ConfigError(
                    f"audience_{flow.flow_id} holds {', '.join(map(str, dates))}, not {day}: "
                    "the warehouse is half rebuilt; run dbt build again"
                )
            templates = None
            if profile.kind == "email":
                templates = load_flow_templates(
                    options.export_dir / "templates", flow.flow_id, language
                )
            flow_plan = plan(profile, flow, audience_columns, contact_columns, templates)
            send_list = build_send_list(warehouse, flow_plan, day, salutations)
            bound = None
            if not options.allow_spike:
                history = warehouse.sent_history(
                    flow.flow_id, day - dt.timedelta(days=HISTORY_DAYS), day - dt.timedelta(days=1)
                )
                bound = spike_bound(history, options.spike_factor, options.spike_floor)
            report = validate(send_list, bound) if len(send_list) else None
            prepared.append(Prepared(flow, send_list, report, bound))

    refused = [p for p in prepared if p.report is not None and not p.report.success]
    for item in prepared:
        if item.report is not None and (options.verbose or not item.report.success):
            echo(item.report.text(verbose=options.verbose))
    if refused:
        echo(
            f"Refused: {len(refused)} of {len(prepared)} flow(s) failed the checks above. "
            "Nothing was written and the send log is unchanged."
        )
        return 1

    results = list(notes)
    log = SendLog(options.out)
    commit = git_commit() if not options.dry_run else {}
    for item in prepared:
        results.append(_export_one(item, profile, options, log, commit, settings, echo))
    _summary(results, profile, options, day, echo)
    return 0


def _export_one(
    item: Prepared,
    profile: EspProfile,
    options: ExportOptions,
    log: SendLog,
    commit: dict[str, Any],
    settings: dict[str, Any],
    echo: Callable[[str], None],
) -> FlowResult:
    send_list = item.send_list
    frame = send_list.frame
    flow_id = send_list.flow_id
    day = send_list.as_of
    channel = profile.send_log_channel
    result = FlowResult(flow_id, len(frame))
    if frame.empty:
        result.note = "no recipients today"
        return result
    if options.force:
        done = pd.Series(False, index=frame.index)
    else:
        done = log.already_exported(day, flow_id, channel, frame)
    result.skipped_before = int(done.sum())
    todo = frame[~done.to_numpy()]
    directory = export_dir(options.out, day, profile.name)
    if todo.empty:
        batches = log.batches(day, flow_id, channel)
        where = ", ".join(f"{b.profile} {b.manifest}" for b in batches) or "the send log"
        result.note = (
            f"nothing new: all {len(frame):,} recipients were exported before ({where}); "
            "use --force to export them again"
        )
        for batch in batches:
            path = export_dir(options.out, day, batch.profile) / batch.manifest
            if not path.exists():
                result.note += f"; WARNING: {path} is missing, that export did not finish"
        return result
    if options.dry_run:
        batch = next_batch(directory, flow_id)
        result.note = (
            f"dry run: would export {len(todo):,} to {directory / batch_stem(flow_id, batch)}.*"
        )
        echo(
            f"{flow_id}: {len(frame):,} recipients on {day}, {result.skipped_before:,} exported "
            f"before, {len(todo):,} would be exported ({profile.name})"
        )
        echo(_preview(send_list, profile, todo.head(options.show)))
        result.exported = 0
        return result

    batch = next_batch(directory, flow_id)
    stem = batch_stem(flow_id, batch)
    show_bar = options.progress
    if show_bar is None:
        show_bar = sys.stderr.isatty() and len(todo) >= PROGRESS_MIN_ROWS
    written_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    if show_bar:
        with click.progressbar(
            length=len(todo), label=f"{flow_id} -> {profile.name}", file=sys.stderr
        ) as bar:
            files = write_files(
                directory, stem, profile.extension, chunks(send_list, profile, todo), bar.update
            )
    else:
        files = write_files(directory, stem, profile.extension, chunks(send_list, profile, todo))
    manifest = manifest_path(directory, flow_id, batch)
    log.record(day, flow_id, channel, profile.name, batch, manifest.name, todo, written_at)
    document = {
        "flow_id": flow_id,
        "flow_name": item.flow.name,
        "flow_category": item.flow.category,
        "as_of_date": day.isoformat(),
        "profile": profile.name,
        "profile_title": profile.title,
        "documentation": list(profile.documentation),
        "batch": batch,
        "row_count": len(todo),
        "list_rows": len(frame),
        "exported_before": result.skipped_before,
        "forced": options.force,
        "files": [f.__dict__ for f in files],
        "sha256": {f.name: f.sha256 for f in files},
        "fields": send_list.plan.exported,
        "checks": [
            {"check": r.description, "passed": r.success}
            for r in (item.report.results if item.report else [])
        ],
        "spike_guard": (
            "off (--allow-spike)"
            if item.bound is None
            else {"limit": item.bound.limit, "explanation": item.bound.explain()}
        ),
        "send_log": f"send_log/{day}/{flow_id}.{channel}.{profile.name}.b{batch}.parquet",
        "warehouse_target": settings.get("name"),
        "git_commit": commit.get("commit"),
        "git_dirty": commit.get("dirty"),
        "exported_at": written_at.isoformat().replace("+00:00", "Z"),
    }
    write_json_atomic(manifest, document)
    result.exported = len(todo)
    result.files = [str(directory / f.name) for f in files]
    return result


def _masked(send_list: SendList, rows: pd.DataFrame) -> SendList:
    masked = rows.copy()
    for name, ftype in send_list.types.items():
        if name in masked and ftype in (FieldType.EMAIL, FieldType.RECIPIENT):
            masked[name] = masked[name].map(mask_email, na_action="ignore")
    return SendList(send_list.plan, send_list.as_of, masked, send_list.types)


def _preview(send_list: SendList, profile: EspProfile, rows: pd.DataFrame) -> str:
    """The first rows as the profile renders them, emails masked (hashed: as written)."""
    shown = send_list if profile.hashed else _masked(send_list, rows)
    frame = rows if profile.hashed else shown.frame
    subset = SendList(send_list.plan, send_list.as_of, frame, send_list.types)
    if profile.format == "json":
        import json

        items = json_items(subset, profile, frame)
        return "\n".join("  " + json.dumps(i, ensure_ascii=False) for i in items)
    lines = []
    for variant in csv_variants(subset, profile):
        text = csv_text(variant, profile)
        label = f"  ({variant.suffix} file)\n" if variant.suffix else ""
        lines.append(label + "\n".join("  " + line for line in text.splitlines()))
    return "\n".join(lines)


def _summary(
    results: list[FlowResult],
    profile: EspProfile,
    options: ExportOptions,
    day: dt.date,
    echo: Callable[[str], None],
) -> None:
    verb = "Dry run" if options.dry_run else "Exported"
    total = sum(r.exported for r in results)
    echo(f"{verb}: {profile.name} for {day}, {len(results)} flow(s)")
    for r in sorted(results, key=lambda r: r.flow_id):
        if r.exported:
            names = [Path(f).name for f in r.files]
            files = ", ".join(names)
            if len(names) > 3:
                files = f"{names[0]} ... {names[-1]} ({len(names):,} files)"
            echo(f"  {r.flow_id:<24} {r.exported:>9,} rows  -> {files}")
        else:
            echo(f"  {r.flow_id:<24} {0:>9,} rows  ({r.note})")
    if not options.dry_run:
        where = export_dir(options.out, day, profile.name)
        echo(f"{total:,} rows written under {where} (manifests: *.manifest.json)")
