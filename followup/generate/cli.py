"""The generator's entry points: generate() and the command line."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import click
import numpy as np

from followup.errors import Command
from followup.generate.arrays import Counters
from followup.generate.calendar import Campaigns, Clock
from followup.generate.catalogue import build_catalogue, bulk_product_count
from followup.generate.email import bulk_chunk, rng_for
from followup.generate.personas import EMAIL_ONLY_EXPECTS, PERSONAS, build_scenario
from followup.generate.schema import SCHEMAS, make_id
from followup.generate.sinks import TableSink


def generate(
    contacts: int,
    seed: int,
    as_of: dt.date,
    out_dir: Path,
    fmt: str = "parquet",
    chunk_size: int = 25_000,
    log: Callable[[str], None] = lambda message: None,
) -> dict[str, int]:
    """Write the whole data set; returns the number of rows written per table."""
    if contacts < len(PERSONAS):
        raise ValueError(f"--contacts must be at least {len(PERSONAS)} (the scenario personas)")
    clock = Clock(as_of)
    campaigns = Campaigns.for_clock(clock)
    counters = Counters()
    scenario = build_scenario(clock, campaigns, counters)
    catalogue, catalogue_tables = build_catalogue(
        rng_for(seed, 0, "catalogue"), bulk_product_count(contacts), counters, clock
    )
    first = len(PERSONAS) + 1
    bounds = [
        (a, min(a + chunk_size, contacts + 1)) for a in range(first, contacts + 1, chunk_size)
    ]
    out_dir.mkdir(parents=True, exist_ok=True)
    sinks = {name: TableSink(out_dir, name, fmt) for name in SCHEMAS}
    started = time.monotonic()
    try:
        for tables in (scenario.tables(), catalogue_tables):
            for name, table in tables.items():
                sinks[name].write(table)
        log(f"scenario personas: {len(PERSONAS)} contacts, catalogue: {catalogue.size} products")
        for k, (start, stop) in enumerate(bounds, start=1):
            numbers = np.arange(start, stop, dtype=np.int64)
            chunk = bulk_chunk(seed, k, numbers, clock, catalogue, campaigns, counters)
            for name, table in chunk.items():
                sinks[name].write(table)
            log(
                f"chunk {k}/{len(bounds)}: contacts {make_id('C', start)}-{make_id('C', stop - 1)}"
                f" | rows so far: contacts {sinks['contacts'].rows:,}, orders"
                f" {sinks['orders'].rows:,}, email_events {sinks['email_events'].rows:,},"
                f" web_events {sinks['web_events'].rows:,} | {time.monotonic() - started:.0f} s"
            )
        for sink in sinks.values():
            sink.close()
    except BaseException:
        for sink in sinks.values():
            sink.abort()
        raise
    return {name: sink.rows for name, sink in sinks.items()}


def persona_table() -> str:
    """The scenario personas, one per line: id, expected decisions on D, purpose."""
    lines = []
    for persona in PERSONAS:
        expects = ", ".join(persona.expects) or "(no flow row)"
        if persona.only_when:
            expects += f" [only when {persona.only_when}]"
        lines.append(f"{persona.contact_id}  {expects}\n         {persona.purpose}")
    for email, expects in EMAIL_ONLY_EXPECTS.items():
        lines.append(f"{email}  {expects}\n         Email-only back-in-stock request (no contact).")
    return "\n".join(lines)


def list_personas(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """Print the persona table and exit (an eager --list-personas flag)."""
    if value and not ctx.resilient_parsing:
        click.echo(persona_table())
        ctx.exit()


@click.command(
    cls=Command, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.option(
    "--contacts",
    type=click.IntRange(min=100),
    default=10_000,
    show_default=True,
    help="How many contacts (people) to generate, the example personas included. "
    "1,000,000 takes one to two minutes.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Random seed. The same options always give exactly the same files.",
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The day to generate the data for (YYYY-MM-DD): the day the follow-up flows are "
    "computed for. All history lies before it. Default: today (UTC).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the files to; created if missing, existing files are replaced.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["parquet", "csv"]),
    default="parquet",
    show_default=True,
    help="File format: Parquet (compact, typed) or CSV (opens in a spreadsheet).",
)
@click.option(
    "--chunk-size",
    type=click.IntRange(min=100),
    default=25_000,
    show_default=True,
    help="Contacts generated at a time. Lower it to use less memory; a different chunk "
    "size gives a different (equally valid) random population.",
)
@click.option(
    "--list-personas",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=list_personas,
    help="Print the hand-made example contacts, what each is for and which follow-up "
    "decision it should get on the --as-of day, then exit.",
)
def main(
    contacts: int,
    seed: int,
    as_of: dt.datetime | None,
    out_dir: Path,
    fmt: str,
    chunk_size: int,
) -> None:
    """Generate a realistic demo data set for the followup email-marketing project.

    It writes one file per raw table of the data contract (contacts, consent_events,
    products, product_relations, stock_levels, orders, order_lines, email_events,
    web_events, stock_alert_requests, service_interactions, erasure_requests,
    esp_suppressions) to the --out folder, ready for `followup load`.

    The data is built around one day, --as-of: years of orders, newsletters, follow-up
    mails and website visits before it. The first contacts (C000001 to C000081) are
    hand-made examples that make every follow-up flow, every reason to hold a contact
    back, and typical data problems (messy emails, duplicates, erasure requests)
    appear on that day. The rest is a random but realistic population.

    \b
    Example:
      followup generate --contacts 10000 --seed 1 --as-of 2025-06-30 --out data/raw
    """
    day = as_of.date() if as_of else dt.datetime.now(dt.UTC).date()

    def log(message: str) -> None:
        click.echo(message, err=True)

    log(f"generating {contacts:,} contacts as of {day.isoformat()} (seed {seed}) into {out_dir}")
    started = time.monotonic()
    counts = generate(contacts, seed, day, out_dir, fmt, chunk_size, log)
    for name, rows in counts.items():
        log(f"  {name + '.' + fmt:<28} {rows:>12,} rows")
    log(f"done in {time.monotonic() - started:.1f} s")
