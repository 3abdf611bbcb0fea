"""`followup report`: one self-contained HTML page about a built day (followup/report/)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from followup.errors import Command, fail
from followup.options import CONTEXT_SETTINGS, iso_date
from followup.report import write_report
from followup.report.data import default_warehouse

EPILOG = """\b
Examples:
  # the page of today, from the copy BI tools read (warehouse/published/followup.duckdb)
  followup report --as-of "$(date -u +%F)" --out reports
\b
  # any built day, from another warehouse file
  followup report --as-of 2026-06-15 --out /tmp --warehouse warehouse/test.duckdb
\b
It writes DIR/followup-report-<D>.html and prints its path. The page needs no network:
charts are inline SVG, there is no script, font or stylesheet to download.
Exit code 2 if the day was not built or the warehouse file is missing; 1 if a build
holds the warehouse file.
"""


@click.command(
    cls=Command,
    epilog=EPILOG,
    context_settings=CONTEXT_SETTINGS,
)
@click.option("--as-of", "as_of", required=True, callback=iso_date, metavar="YYYY-MM-DD",
              help="The built day to report on.")  # fmt: skip
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder the page is written into (created if missing).")  # fmt: skip
@click.option("--warehouse", type=click.Path(dir_okay=False, path_type=Path),
              help="DuckDB file to read, read-only (default: the published copy "
              "published/<name> beside $FOLLOWUP_DUCKDB_PATH, else that file itself).")  # fmt: skip
def report(as_of: dt.date, out: Path, warehouse: Path | None) -> None:
    """Write one HTML page about a built day: funnel, uplift, engagement, segments, RFM."""
    try:
        path = write_report(as_of, out, warehouse or default_warehouse())
    except Exception as exc:  # one line and the exit code, never a raw traceback
        fail(exc)
    click.echo(str(path))
