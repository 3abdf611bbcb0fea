"""`followup load`: check a folder of raw files against the contract, then load it."""

from __future__ import annotations

import time
from pathlib import Path

import click

from followup.contract import load_contract
from followup.errors import fail
from followup.loader import DEFAULT_MAX_SHRINK, ShrinkGuard, load_folder
from followup.profiles import read_target


def _table_names(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> tuple:
    known = list(load_contract())
    unknown = [v for v in values if v not in known]
    if unknown:
        raise click.BadParameter(f"{', '.join(unknown)}: not a raw table ({', '.join(known)})")
    return values


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--from",
    "folder",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder with one file per raw table: <table>.parquet or <table>.csv "
    "(e.g. contacts.parquet, orders.csv). Every table of the contract must be there.",
)
@click.option(
    "--target",
    default=None,
    help="dbt target from profiles.yml to load into (default: $FOLLOWUP_TARGET, else 'dev', "
    "the DuckDB file at $FOLLOWUP_DUCKDB_PATH).",
)
@click.option(
    "--schema",
    default="raw",
    show_default=True,
    help="Schema that holds the raw tables (the dbt var raw_schema).",
)
@click.option(
    "--max-shrink",
    type=click.IntRange(0, 100),
    default=round(DEFAULT_MAX_SHRINK * 100),
    show_default=True,
    metavar="PERCENT",
    help="Refuse a table whose rows fall by more than this share against the previous "
    "load (or to 0 rows): a truncated delivery must not empty the warehouse.",
)
@click.option(
    "--allow-shrink",
    "allow_shrink",
    multiple=True,
    metavar="TABLE",
    callback=_table_names,
    help="Load TABLE even if it shrinks (you removed rows on purpose). Repeat for several "
    "tables. Erasures, suppressions and opt-outs stay in force anyway: the build keeps "
    "them in its ledgers.",
)
def main(
    folder: Path, target: str | None, schema: str, max_shrink: int, allow_shrink: tuple[str, ...]
) -> None:
    """Check every file in FOLDER against the raw data contract, then load them all.

    Each table is replaced by its file's contents, all tables in one transaction.
    If any file breaks the contract (a missing file, a missing or unknown column, a
    value that is not a valid number, date, time or true/false, a file that is not
    UTF-8, a ragged row, a Parquet column of the wrong type), or a table shrinks by
    more than --max-shrink, nothing is loaded and every problem is listed with its
    file, column and line or row. Times with a UTC offset are stored in UTC.

    Exit codes: 0 loaded, 1 refused (nothing was loaded), 2 usage or configuration
    error, 3 failed unexpectedly (nothing was loaded).
    """
    started = time.monotonic()
    guard = ShrinkGuard(max_shrink / 100, frozenset(allow_shrink))
    try:
        settings = read_target(target)
        load_folder(folder, settings, schema, guard=guard)
    except Exception as exc:
        fail(exc)
    where = settings.get("path") or settings.get("host") or settings["name"]
    click.echo(f"Loaded {folder} into {where} in {time.monotonic() - started:.1f} s.")


if __name__ == "__main__":
    main()
