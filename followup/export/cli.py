"""The command line of ``followup export`` (click)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import click

from followup.errors import Command, fail
from followup.export.errors import ExportError
from followup.export.esp_profiles import available_profiles, get_profile
from followup.export.exporter import EXPORT_DIR, ExportOptions, run_export
from followup.export.validation import DEFAULT_SPIKE_FACTOR, DEFAULT_SPIKE_FLOOR
from followup.options import CONTEXT_SETTINGS, iso_date
from followup.profiles import PROFILES_FILE

EPILOG = """\b
Examples:
  # every flow of the day the warehouse was built for, as plain CSV
  followup export --all --esp generic --out exports
\b
  # one flow for Mailchimp; look first, then export
  followup export --flow abandoned_cart --esp mailchimp --out exports --dry-run
  followup export --flow abandoned_cart --esp mailchimp --out exports
\b
  # the ESP profiles there are
  followup export --list-profiles
\b
\b
  # send through a second ESP on purpose (the email ESPs share one send log)
  followup export --all --esp klaviyo --out exports --channel klaviyo
\b
Output (one folder per day and profile; a file set is complete when its manifest exists):
  OUT/<day>/<profile>/<flow>.<ext>            the send list (.partNNN when split by the
                                              profile's limits, .bN for a later batch)
  OUT/<day>/<profile>/<flow>.manifest.json    rows, SHA-256 per file, git commit, time
Who was exported is recorded in the warehouse (analytics_state.send_log, emails only as
SHA-256): every export of that warehouse sees it, whatever its --out folder.
\b
Exit codes:
  0  exported (or nothing new to export, or a dry run that passed the checks)
  1  refused: a check failed, or another export or a dbt build holds the warehouse;
     nothing was written, the message says why
  2  usage or configuration error (unknown flow or profile, no warehouse, bad date)
  3  failed on the way (disk, network); run it again: it finishes or redoes the batch
"""


def _describe(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if not value or ctx.resilient_parsing:
        return
    from followup.export.describe import describe_profile

    try:
        click.echo(describe_profile(get_profile(value, EXPORT_DIR / "profiles")))
    except ExportError as exc:
        fail(exc)
    ctx.exit(0)


def _list_profiles(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    directory = EXPORT_DIR / "profiles"
    for name in available_profiles(directory):
        profile = get_profile(name, directory)
        click.echo(f"{name:<22} {profile.title}")
        for url in profile.documentation:
            click.echo(f"{'':<22}   {url}")
    ctx.exit(0)


@click.command(
    cls=Command,
    epilog=EPILOG,
    context_settings=CONTEXT_SETTINGS,
)
@click.option(
    "--flow",
    "flows",
    multiple=True,
    metavar="FLOW_ID",
    help="The flow to export, e.g. abandoned_cart (see seeds/flows.csv). Repeat the option "
    "for several flows.",
)
@click.option("--all", "all_flows", is_flag=True, help="Export every flow of the registry.")
@click.option(
    "--esp",
    metavar="PROFILE",
    help="The ESP profile that decides the file format: generic, mailchimp, mailchimp_batch, "
    "klaviyo, sendgrid, brevo, braze, google_customer_match, meta_custom_audience, spreadsheet "
    "(one file each in export/profiles/; --list-profiles shows them).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the send lists, manifests and send log into (created if needed).",
)
@click.option(
    "--as-of",
    "as_of",
    callback=iso_date,
    metavar="YYYY-MM-DD",
    help="The day to export. Default: the day the warehouse was built for; another day is an "
    "error (the audience tables hold one day).",
)
@click.option(
    "--target",
    default=None,
    metavar="NAME",
    help="dbt target in profiles.yml to read (default: $FOLLOWUP_TARGET, else 'dev', the DuckDB "
    "file at $FOLLOWUP_DUCKDB_PATH; 'postgres' reads PostgreSQL). Opened read-only.",
)
@click.option(
    "--profiles-dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="Folder with the dbt profiles.yml (default: the project folder, like the Makefile).",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Check everything and show per flow how many rows would be exported and the first "
    "rows as the ESP would get them (emails masked). Writes nothing.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Export recipients again even if the send log says they were exported for this "
    "day, flow and step. Use only to resend on purpose.",
)
@click.option(
    "--channel",
    metavar="NAME",
    help="Keep a separate send log under NAME, to send through another ESP on purpose "
    "(a migration, a test). Without it every email ESP shares the channel 'email': a "
    "recipient gets a flow's mail once, whichever ESP exported it.",
)
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=0,
    show_default=True,
    metavar="SECONDS",
    help="If another export of the same warehouse is running, wait up to this long for it "
    "to finish (else stop at once and say so).",
)
@click.option(
    "--allow-spike",
    is_flag=True,
    help="Allow a list larger than the spike guard permits (see --spike-factor).",
)
@click.option(
    "--spike-factor",
    type=click.FloatRange(min=1),
    default=DEFAULT_SPIKE_FACTOR,
    show_default=True,
    help="Refuse a list larger than this many times the flow's median of recipients exported "
    "per day over the previous 28 days (once there are 7 such days; before that the guard "
    "only warns) ...",
)
@click.option(
    "--spike-floor",
    type=click.IntRange(min=0),
    default=DEFAULT_SPIKE_FLOOR,
    show_default=True,
    help="... but always allow at least this many rows.",
)
@click.option(
    "--show",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    help="Rows to show per flow in a dry run.",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar while writing. Default: on a terminal, for lists of 20,000 "
    "rows or more.",
)
@click.option("--verbose", "-v", is_flag=True, help="Also list the checks that passed.")
@click.option(
    "--describe",
    metavar="PROFILE",
    expose_value=False,
    is_eager=True,
    callback=_describe,
    help="List every field PROFILE writes, what it is and for which flows, and exit: what "
    "leaves the warehouse.",
)
@click.option(
    "--list-profiles",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_list_profiles,
    help="List the ESP profiles with their documentation pages, and exit.",
)
def command(
    flows: tuple[str, ...],
    all_flows: bool,
    esp: str | None,
    out: Path | None,
    as_of: dt.date | None,
    target: str | None,
    profiles_dir: Path | None,
    dry_run: bool,
    force: bool,
    channel: str | None,
    wait: float,
    allow_spike: bool,
    spike_factor: float,
    spike_floor: int,
    show: int,
    progress: bool | None,
    verbose: bool,
) -> int:
    """Export personalised send lists of the follow-up flows for an email service provider.

    Reads each flow's audience (analytics.audience_<flow>) from the warehouse of a dbt
    target, personalises it (clean names, the right salutation for gender and language,
    subject line and preheader per flow and language) and writes it in the format of the
    chosen ESP profile: an import file, or the bodies for the ESP's bulk API.

    It is the last gate before real people get email. Before writing anything it checks
    every list (Great Expectations): valid and unique emails, marketing consent, the
    product data the mail needs, and a list size in line with the flow's recent history.
    A refused list writes nothing. A recipient already exported for the same day, flow
    and step (the warehouse's send log) is not exported again: not to the same ESP, not
    to another email ESP, not into another --out folder. Ad audiences (Google Customer
    Match, Meta) take marketing flows only, only people with marketing consent who are
    not suppressed, and keep a send log of their own. An export that was interrupted is
    finished by the next one, so every recipient is exported exactly once.
    """
    if bool(flows) == all_flows:
        raise click.UsageError("give either --flow FLOW_ID (one or more) or --all")
    if not esp:
        raise click.UsageError("--esp PROFILE is required (--list-profiles shows them)")
    if out is None:
        raise click.UsageError("--out DIR is required")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    options = ExportOptions(
        esp=esp,
        out=out,
        flows=flows,
        all_flows=all_flows,
        as_of=as_of,
        target=target,
        profiles_file=(profiles_dir / "profiles.yml") if profiles_dir else PROFILES_FILE,
        dry_run=dry_run,
        force=force,
        channel=channel,
        wait=wait,
        allow_spike=allow_spike,
        spike_factor=spike_factor,
        spike_floor=spike_floor,
        show=show,
        progress=progress,
        verbose=verbose,
    )
    try:
        return run_export(options)
    except Exception as exc:  # never a raw traceback for the marketer
        fail(exc)


def main(argv: list[str] | None = None) -> None:
    """Entry point of scripts/export_send_lists.py (a thin wrapper of ``followup export``)."""
    command.main(args=argv, prog_name="export_send_lists.py")
