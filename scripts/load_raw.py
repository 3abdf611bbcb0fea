"""Load a folder of raw files (the data contract) into the raw schema of a dbt target."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from followup.loader import LoadError, load_folder
from followup.profiles import ProfileError, read_target


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
def main(folder: Path, target: str | None, schema: str) -> None:
    """Check every file in FOLDER against the raw data contract, then load them all.

    Each table is replaced by its file's contents, all tables in one transaction.
    If any file breaks the contract (a missing file, a missing or unknown column,
    a value that is not a valid number, date, time or true/false), nothing is
    loaded and every problem is listed with its file, column and first bad row.

    Exit codes: 0 loaded, 1 a file breaks the contract, 2 usage or configuration error.
    """
    started = time.monotonic()
    try:
        settings = read_target(target)
        load_folder(folder, settings, schema)
    except ProfileError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except LoadError as exc:
        click.echo("error: nothing was loaded, because:", err=True)
        for line in str(exc).splitlines():
            click.echo(f"  - {line}", err=True)
        sys.exit(1)
    where = settings.get("path") or settings.get("host") or settings["name"]
    click.echo(f"Loaded {folder} into {where} in {time.monotonic() - started:.1f} s.")


if __name__ == "__main__":
    main()
