"""The export run: prepare and check every flow first, then write (or preview) each one.

1. Load the ESP profile, open the warehouse of the dbt target (read-only for a dry
   run), find the day it was built for (``--as-of`` must match it).
2. Take the warehouse's export lock (one export writes at a time; ``--wait``), make
   sure the state tables exist, remove erased people from the send log, and finish
   any batch an earlier export left unfinished (``followup.export.writer``).
3. For every flow: plan what to read, build the send list, and validate it (Great
   Expectations, the spike guard).
4. If any flow is refused, nothing at all is written (exit code 1).
5. Otherwise, per flow: leave out what the send log says was exported before on this
   channel (unless ``--force``), and write the rest as one batch.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import pandas as pd
import yaml

from followup import PROJECT_DIR
from followup.export.errors import ConfigError, ExportFailed
from followup.export.esp_profiles import EspProfile, get_profile
from followup.export.fields import FieldType
from followup.export.formats import csv_text, csv_variants
from followup.export.json_format import json_items
from followup.export.names import Salutations, load_salutations
from followup.export.output import batch_stem, export_dir, fault_point, git_commit, next_batch
from followup.export.render import load_flow_templates
from followup.export.sendlist import SendList, build_send_list, plan
from followup.export.state import Batch, ExportState, email_hashes
from followup.export.validation import (
    DEFAULT_SPIKE_FACTOR,
    DEFAULT_SPIKE_FLOOR,
    HISTORY_DAYS,
    SpikeBound,
    ValidationReport,
    mask_email,
    spike_bound,
    spike_warning,
    validate,
)
from followup.export.warehouse import FlowInfo, Warehouse, open_warehouse
from followup.export.writer import Writer, iso_utc, utc_now
from followup.profiles import PROFILES_FILE, ProfileError, read_target

EXPORT_DIR = PROJECT_DIR / "export"


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
    channel: str | None = None  # a send-log channel of its own (export to another ESP)
    allow_spike: bool = False
    spike_factor: float = DEFAULT_SPIKE_FACTOR
    spike_floor: int = DEFAULT_SPIKE_FLOOR
    wait: float = 0.0
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


@dataclass
class Session:
    """What every flow of one run shares: the warehouse, its day and the settings."""

    warehouse: Warehouse
    state: ExportState
    day: dt.date
    registry: dict[str, FlowInfo]
    contact_columns: list[Any]
    salutations: Salutations
    language: str
    options: ExportOptions
    settings: dict[str, Any]

    def send_list(self, profile: EspProfile, flow: FlowInfo) -> SendList:
        """Read and personalise ``flow``'s audience of the day for ``profile``."""
        audience_columns = self.warehouse.require_table(f"audience_{flow.flow_id}")
        dates = self.warehouse.audience_dates(flow.flow_id)
        if any(d != self.day for d in dates):
            raise ConfigError(
                f"audience_{flow.flow_id} holds {', '.join(map(str, dates))}, not {self.day}: "
                "the warehouse is half rebuilt; run dbt build again"
            )
        templates = None
        if profile.kind == "email":
            templates = load_flow_templates(
                self.options.export_dir / "templates", flow.flow_id, self.language
            )
        flow_plan = plan(profile, flow, audience_columns, self.contact_columns, templates)
        return build_send_list(self.warehouse, flow_plan, self.day, self.salutations)


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


def _built_day(warehouse: Warehouse, options: ExportOptions) -> dt.date:
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
    return day


def run_export(options: ExportOptions, echo: Callable[[str], None] = click.echo) -> int:
    """Run the export; returns the exit code (0 ok, 1 refused). Raises ExportError."""
    profile = get_profile(options.esp, options.export_dir / "profiles")
    try:
        settings = read_target(options.target, options.profiles_file)
    except (ProfileError, FileNotFoundError) as exc:
        raise ConfigError(str(exc)) from exc
    language = default_language()
    salutations = load_salutations(options.export_dir / "salutations.yml", language)
    with open_warehouse(settings, options.dry_run, options.wait) as warehouse:
        lock = contextlib.nullcontext() if options.dry_run else warehouse.lock(options.wait)
        with lock:
            registry = warehouse.flows()
            flows = _resolve_flows(options, registry)
            session = Session(
                warehouse=warehouse,
                state=ExportState(warehouse),
                day=_built_day(warehouse, options),
                registry=registry,
                contact_columns=warehouse.require_table("dim_contacts"),
                salutations=salutations,
                language=language,
                options=options,
                settings=settings,
            )
            writer = Writer(session.state, options.progress, echo)
            if not options.dry_run:
                _tidy_state(session, writer, echo)
            return _export(session, writer, profile, flows, echo)


def _tidy_state(session: Session, writer: Writer, echo: Callable[[str], None]) -> None:
    """Create missing state tables, forget erased people, finish interrupted batches."""
    state = session.state
    state.ensure()
    purged = state.purge_erased()
    if purged:
        echo(f"Removed {purged:,} send-log row(s) of erased people.")
    for batch in state.unfinished():
        if batch.as_of_date != session.day:
            echo(writer.abandon(batch, f"the warehouse is now built for {session.day}"))
            continue
        try:
            profile = get_profile(batch.profile, session.options.export_dir / "profiles")
        except ConfigError as exc:
            echo(writer.abandon(batch, str(exc)))
            continue
        flow = session.registry.get(batch.flow_id)
        if flow is None:
            echo(writer.abandon(batch, f"flow {batch.flow_id} is no longer in the registry"))
            continue
        echo(writer.finish(batch, session.send_list(profile, flow), profile))


def _export(
    session: Session,
    writer: Writer,
    profile: EspProfile,
    flows: list[FlowInfo],
    echo: Callable[[str], None],
) -> int:
    options = session.options
    channel = options.channel or profile.send_log_channel
    prepared: list[Prepared] = []
    results: list[FlowResult] = []
    unguarded: dict[str, dict[dt.date, int]] = {}
    for flow in flows:
        if flow.category not in profile.flow_categories:
            message = (
                f"profile {profile.name} takes {' and '.join(profile.flow_categories)} "
                f"flows only; {flow.flow_id} is a {flow.category} flow"
            )
            if not options.all_flows:
                raise ConfigError(message)
            results.append(FlowResult(flow.flow_id, 0, note=f"skipped: {message}"))
            continue
        send_list = session.send_list(profile, flow)
        bound = None
        if not options.allow_spike and len(send_list):
            history = session.state.history(
                flow.flow_id,
                channel,
                session.day - dt.timedelta(days=HISTORY_DAYS),
                session.day - dt.timedelta(days=1),
            )
            bound = spike_bound(history, options.spike_factor, options.spike_floor)
            if bound is None:
                unguarded[flow.flow_id] = history
        report = validate(send_list, bound) if len(send_list) else None
        prepared.append(Prepared(flow, send_list, report, bound))
    if unguarded:
        echo(spike_warning(unguarded))

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

    commit = git_commit() if not options.dry_run else {}
    for item in prepared:
        results.append(_export_one(session, writer, item, profile, channel, commit, echo))
    _summary(results, profile, options, session.day, echo)
    return 0


def _already_exported(state: ExportState, send_list: SendList, channel: str) -> pd.Series:
    frame = send_list.frame
    log = state.exported(send_list.as_of, send_list.flow_id, channel)
    if log.empty or frame.empty:
        return pd.Series(False, index=frame.index)
    logged = pd.MultiIndex.from_arrays(
        [log["flow_step"].astype("int64"), log["email_sha256"].astype(str)]
    )
    keys = pd.MultiIndex.from_arrays(
        [frame["flow_step"].astype("int64"), pd.Series(email_hashes(frame["email"]))]
    )
    return pd.Series(keys.isin(logged), index=frame.index)


def _nothing_new(state: ExportState, send_list: SendList, channel: str) -> str:
    batches = state.day_batches(send_list.as_of, send_list.flow_id, channel)
    where = ", ".join(
        f"{b.profile} {export_dir(Path(b.out_dir), b.as_of_date, b.profile) / b.manifest}"
        for b in batches
    )
    shared = (
        " (the email ESPs share one channel: a recipient gets a flow's mail once, whichever "
        "ESP exported it)"
        if channel == "email"
        else ""
    )
    return (
        f"nothing new: all {len(send_list):,} recipients were exported before "
        f"({where or 'the send log'}){shared}; use --force to export them again, or "
        "--channel NAME to keep a separate send log for another ESP"
    )


def _not_yet_exported(
    session: Session, send_list: Any, channel: str, result: FlowResult
) -> pd.DataFrame:
    """The rows of the send list the send log does not have yet (all with --force)."""
    frame = send_list.frame
    if session.options.force:
        done = pd.Series(False, index=frame.index)
    else:
        done = _already_exported(session.state, send_list, channel)
        fault_point("after_read_log")
    result.skipped_before = int(done.sum())
    return frame[~done.to_numpy()]


def _export_one(
    session: Session,
    writer: Writer,
    item: Prepared,
    profile: EspProfile,
    channel: str,
    commit: dict[str, Any],
    echo: Callable[[str], None],
) -> FlowResult:
    options = session.options
    send_list = item.send_list
    frame = send_list.frame
    flow_id = send_list.flow_id
    day = send_list.as_of
    result = FlowResult(flow_id, len(frame))
    if frame.empty:
        result.note = "no recipients today"
        return result
    todo = _not_yet_exported(session, send_list, channel, result)
    out = options.out.resolve()
    directory = export_dir(out, day, profile.name)
    if todo.empty:
        result.note = _nothing_new(session.state, send_list, channel)
        return result
    number = max(
        next_batch(directory, flow_id),
        session.state.next_batch_number(day, flow_id, profile.name) if not options.dry_run else 1,
    )
    if options.dry_run:
        result.note = (
            f"dry run: would export {len(todo):,} to {directory / batch_stem(flow_id, number)}.*"
        )
        echo(
            f"{flow_id}: {len(frame):,} recipients on {day}, {result.skipped_before:,} exported "
            f"before, {len(todo):,} would be exported ({profile.name})"
        )
        echo(_preview(send_list, profile, todo.head(options.show)))
        return result
    batch = Batch(
        batch_id=uuid.uuid4().hex,
        as_of_date=day,
        flow_id=flow_id,
        channel=channel,
        profile=profile.name,
        batch_number=number,
        out_dir=str(out),
        manifest=f"{batch_stem(flow_id, number)}.manifest.json",
        row_count=len(todo),
        committed_at=utc_now(),
    )
    document = _manifest_document(session, item, profile, batch, result, commit)
    try:
        files = writer.write(send_list, profile, batch, todo, document)
    except OSError as exc:
        raise ExportFailed(
            f"writing {flow_id} to {directory} failed: {exc}; nothing of it was kept and the "
            "send log does not count it: run the export again"
        ) from exc
    result.exported = len(todo)
    result.files = [str(directory / f.name) for f in files]
    return result


def _manifest_document(
    session: Session,
    item: Prepared,
    profile: EspProfile,
    batch: Batch,
    result: FlowResult,
    commit: dict[str, Any],
) -> dict[str, Any]:
    """Everything the manifest says except its files (added when they are written)."""
    return {
        "flow_id": batch.flow_id,
        "flow_name": item.flow.name,
        "flow_category": item.flow.category,
        "as_of_date": batch.as_of_date.isoformat(),
        "profile": profile.name,
        "profile_title": profile.title,
        "documentation": list(profile.documentation),
        "batch": batch.batch_number,
        "batch_id": batch.batch_id,
        "row_count": batch.row_count,
        "list_rows": result.rows,
        "exported_before": result.skipped_before,
        "forced": session.options.force,
        "channel": batch.channel,
        "fields": item.send_list.plan.exported,
        "checks": [
            {"check": r.description, "passed": r.success}
            for r in (item.report.results if item.report else [])
        ],
        "spike_guard": (
            "off (--allow-spike)"
            if session.options.allow_spike
            else "not applied: too little export history"
            if item.bound is None
            else {"limit": item.bound.limit, "explanation": item.bound.explain()}
        ),
        "send_log": f"{session.state.schema}.send_log, batch_id {batch.batch_id}",
        "warehouse_target": session.settings.get("name"),
        "git_commit": commit.get("commit"),
        "git_dirty": commit.get("dirty"),
        "exported_at": iso_utc(batch.committed_at or utc_now()),
    }


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
