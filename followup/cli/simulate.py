"""`followup simulate`: days of the daily job with a simulated ESP and customers."""

from __future__ import annotations

import datetime as dt
import sys
import time
from pathlib import Path

import click

from followup.errors import Command, fail
from followup.options import CONTEXT_SETTINGS, iso_date

EPILOG = """\b
Examples:
  # the demo: 2,000 contacts, a week (about 4 minutes), in its own warehouse file
  export FOLLOWUP_DUCKDB_PATH=warehouse/simulation.duckdb
  followup simulate --contacts 2000 --days 7 --as-of 2026-06-01 --out data/simulation
  # a month: the first week's mails come back after their cooldown and the spike guard
  # would stop the export of that day; --allow-spike accepts them as an operator would
  followup simulate --contacts 20000 --days 30 --as-of 2026-05-01 --out data/month --allow-spike
\b
What you get in --out:
  truth.json               what each flow really does to sales (u_f), and the uplift a
                           correct send-versus-holdout measurement should find
  exports/<day>/generic/   every day's send lists
  simulated/               what the ESP and the customers did (sim-* ids), per day
The warehouse $FOLLOWUP_DUCKDB_PATH holds the K days (decisions, sends, history,
results), published beside it for BI tools and `followup report` as every day.
\b
Exit codes: 0 done; 1 a day's daily run was refused (a gate or a guard); 2 usage error;
3 a day's run failed unexpectedly. The failing day's log is named.
"""


@click.command(
    cls=Command,
    epilog=EPILOG,
    context_settings=CONTEXT_SETTINGS,
)
@click.option("--contacts", type=click.IntRange(min=100), default=2000, show_default=True,
              help="How many contacts (people) the generated shop has.")  # fmt: skip
@click.option("--days", type=click.IntRange(min=1, max=366), default=7, show_default=True,
              help="How many days to simulate, one morning run each.")  # fmt: skip
@click.option("--as-of", "start", required=True, callback=iso_date, metavar="YYYY-MM-DD",
              help="The first simulated day.")  # fmt: skip
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for everything the simulation writes; emptied first (it must be "
              "empty or an earlier simulation's).")  # fmt: skip
@click.option("--seed", type=click.IntRange(min=0), default=1, show_default=True,
              help="Random seed: the same options give the same sends and responses.")  # fmt: skip
@click.option("--esp", type=click.Choice(["generic"]), default="generic", show_default=True,
              help="The send-list profile the simulated ESP imports.")  # fmt: skip
@click.option("--allow-spike", is_flag=True,
              help="When the export's spike guard refuses a day's list (e.g. the first day's "
              "backlog due again after its cooldown), export it anyway with `followup export "
              "--allow-spike` and finish the day, as an operator would. Without it the "
              "simulation stops there.")  # fmt: skip
def simulate(
    contacts: int, days: int, start: dt.date, out: Path, seed: int, esp: str, allow_spike: bool
) -> None:
    """Simulate days of email marketing: the daily job runs every morning, a simulated
    ESP sends its lists and the customers respond (opens, clicks, unsubscribes, orders).

    Use it to see weeks of decisions, sends and history in a fresh warehouse, and to check
    that the uplift the warehouse measures (sent versus held out) finds what was planted:
    each flow makes a sent customer order with a known extra probability (truth.json).
    Each day runs the real `followup daily` on that day's data; nothing else is touched
    The warehouse is $FOLLOWUP_DUCKDB_PATH (default warehouse/followup.duckdb); it must be
    new or an earlier simulation's, which is replaced (never a warehouse with real data).
    """
    from followup.simulate.run import (
        SimulateOptions,
        SimulationFailed,
        check_folder,
        check_warehouse,
        warehouse_from_environment,
    )
    from followup.simulate.run import simulate as run_simulation

    try:
        check_folder(out)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--out") from None
    try:
        check_warehouse(warehouse_from_environment())
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None

    options = SimulateOptions(
        contacts=contacts, days=days, start=start, out=out, seed=seed, esp=esp,
        allow_spike=allow_spike,
    )  # fmt: skip
    started = time.monotonic()
    click.echo(
        f"followup simulate: {contacts:,} contacts, {days} day(s) from {start} to "
        f"{options.end} (seed {seed}) into {out}"
    )
    try:
        result = run_simulation(options, click.echo)
    except SimulationFailed as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except Exception as exc:
        fail(exc)
    sent = sum(d.sent for d in result.days)
    planted = sum(d.planted for d in result.days)
    click.echo(
        f"done in {time.monotonic() - started:.0f} s: {sent:,} mails sent, {planted:,} planted "
        f"orders; truth: {out / 'truth.json'}; warehouse: {options.warehouse}"
    )
