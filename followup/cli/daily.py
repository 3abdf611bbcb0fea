"""`followup daily`: the command a scheduler runs every morning."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from followup.daily.job import DailyOptions, DailyResult, run_daily
from followup.errors import Command
from followup.options import CONTEXT_SETTINGS, iso_date

EPILOG = """\b
Examples:
  # every morning at 06:00 (cron): load the EL tool's folder, build, export for Brevo
  followup daily --as-of "$(date -u +%F)" --from /data/followup/today --esp brevo --json
\b
  # the same day again: nothing changes and nobody gets a second mail
  followup daily --as-of 2026-12-03 --from /data/followup/today --esp brevo
\b
What it does, in order, each step recorded in the run ledger (analytics_state.daily_runs):
  load      the delivery of --from (all tables or none; the loader's guards apply)
  build     dbt build for every missed day in date order (built, never sent), then the day
  export    the send lists of every flow, once per --esp profile (the export's gate applies)
  publish   a consistent copy of the segment and flow tables for BI tools, swapped in at once
A step that is done is skipped, so a rerun after a failure or a kill finishes the work.
\b
Exit codes (the same for every followup command):
  0  done (or already done)
  1  refused: a guard or a gate said no (a shrinking table, a failed data test, a list
     the export checks refused), or another daily run holds the warehouse; nothing
     after it ran and BI tools still read the previous day
  2  usage or configuration error
  3  failed unexpectedly; run it again to finish the day
"""


@click.command(
    cls=Command,
    epilog=EPILOG,
    context_settings=CONTEXT_SETTINGS,
)
@click.option("--as-of", "as_of", required=True, callback=iso_date, metavar="YYYY-MM-DD",
              help="The day to run (usually today, UTC).")  # fmt: skip
@click.option("--from", "folder", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="The day's delivery of raw files to load first (as `followup load --from`). "
              "Without it the raw tables are used as they are.")  # fmt: skip
@click.option("--esp", "profiles", multiple=True, metavar="PROFILE",
              help="Export every flow's send list for this ESP profile (repeat for several; "
              "`followup export --list-profiles`). Without it nothing is exported.")  # fmt: skip
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("exports"),
              show_default=True, help="Folder the send lists are written into.")  # fmt: skip
@click.option("--target", metavar="NAME",
              help="dbt target in profiles.yml (default: $FOLLOWUP_TARGET, else 'dev', the "
              "DuckDB file at $FOLLOWUP_DUCKDB_PATH; 'postgres' for PostgreSQL).")  # fmt: skip
@click.option("--catch-up/--no-catch-up", default=True, show_default=True,
              help="Build the missed days since the last run first (their history only; "
              "their mails are not sent late).")  # fmt: skip
@click.option("--max-catch-up-days", type=click.IntRange(min=0), default=31, show_default=True,
              help="Refuse to catch up more days than this (after a long pause, decide "
              "yourself: a larger value, or --no-catch-up).")  # fmt: skip
@click.option("--wait", type=click.FloatRange(min=0), default=0, show_default=True,
              metavar="SECONDS", help="If another daily run of the warehouse is running, wait "
              "up to this long for it (else stop at once and say so).")  # fmt: skip
@click.option("--publish-to", "published_path", type=click.Path(dir_okay=False, path_type=Path),
              help="DuckDB: the file BI tools open read-only (default: "
              "published/<warehouse file name> beside the warehouse).")  # fmt: skip
@click.option("--grant-to", multiple=True, metavar="ROLE",
              help="PostgreSQL: grant read access on the published schema to this role "
              "(repeat for several), e.g. your BI tool's user.")  # fmt: skip
@click.option("--allow-spike", is_flag=True,
              help="Export a list the spike guard refused (more than 5 times the flow's usual "
              "daily volume), once you have checked that the size is intended. Rerun the "
              "refused day with it: what was exported is not sent again.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON summary on stdout (the progress goes to stderr).")  # fmt: skip
def daily(
    as_of: dt.date,
    folder: Path | None,
    profiles: tuple[str, ...],
    out: Path,
    target: str | None,
    catch_up: bool,
    max_catch_up_days: int,
    wait: float,
    published_path: Path | None,
    grant_to: tuple[str, ...],
    allow_spike: bool,
    as_json: bool,
) -> int:
    """Run the day: load, build, export the send lists, publish for BI tools.

    One command for the scheduler. It holds a lock per warehouse (a second run waits or
    stops), records every step in the run ledger, and is safe to rerun: a day that is done
    changes nothing and sends nothing new; after a failure or a kill it finishes the work.
    When days were missed it builds them first, in date order, and sends only today's mail.
    """
    options = DailyOptions(
        as_of=as_of, folder=folder, profiles=tuple(dict.fromkeys(profiles)), out=out,
        target=target, catch_up=catch_up, max_catch_up_days=max_catch_up_days, wait=wait,
        published_path=published_path, grant_to=grant_to, allow_spike=allow_spike,
    )  # fmt: skip

    def log(line: str) -> None:
        click.echo(line, err=as_json)

    log(f"followup daily {as_of}")
    result = run_daily(options, log)
    if as_json:
        click.echo(json.dumps(result.document(), indent=2))
    else:
        click.echo(summary(result))
    if result.exit_code and not as_json:
        click.echo(f"error: {result.message}", err=True)
    sys.exit(result.exit_code)


def summary(result: DailyResult) -> str:
    """The short human summary."""
    lines = [
        f"{result.as_of_date}: {result.status} in {result.seconds:.0f} s (run {result.run_id})"
    ]
    if result.missed_days:
        lines.append(f"  caught up: {', '.join(str(d) for d in result.missed_days)}")
    if result.sent:
        sent = ", ".join(f"{flow} {rows:,}" for flow, rows in result.sent.items())
        lines.append(f"  sent today: {sum(result.sent.values()):,} ({sent})")
    if result.published and result.status == "done":
        lines.append(f"  BI tools read: {result.published}")
    return "\n".join(lines)
