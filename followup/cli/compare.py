"""`followup compare`: two builds of one data set, row for row (followup/compare.py)."""

from __future__ import annotations

import sys

import click

from followup.compare import (
    compare_engines,
    duckdb_reader,
    parquet_reader,
    postgres_reader,
    spark_reader,
)
from followup.errors import Command, ExitCode, fail
from followup.profiles import ProfileError, read_target


def _reader(spec: str):
    """duckdb:PATH, postgres or spark (the dbt targets), or parquet:FOLDER."""
    kind, _, where = spec.partition(":")
    if kind == "duckdb":
        return duckdb_reader(where)
    if kind == "postgres":
        return postgres_reader(read_target(where or "postgres"))
    if kind == "parquet":
        return parquet_reader(where)
    if kind == "spark":
        return spark_reader(read_target(where or "spark"))
    raise click.BadParameter(
        f"unknown engine {spec!r}: use duckdb:PATH, postgres, spark or parquet:FOLDER"
    )


@click.command(cls=Command, context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("left")
@click.argument("right")
def compare(left: str, right: str) -> None:
    """Compare two builds: LEFT and RIGHT are duckdb:PATH, postgres, spark or parquet:FOLDER.

    Compares audience_decisions, every audience_<flow_id>, contact_rfm,
    contact_lifecycle and contact_lead_scores. Numbers must be equal, except the
    decayed lead scores (to 1e-9). Prints every differing row; exit code 1 if any.
    """
    try:
        differences = compare_engines(_reader(left), _reader(right), (left, right))
    except ProfileError as exc:
        fail(exc)
    if not differences:
        click.echo(f"{left} and {right} are identical.")
        return
    for difference in differences:
        click.echo(f"{difference.table}: {len(difference.problems)} difference(s)")
        for problem in difference.problems[:20]:
            click.echo(f"  {problem}")
    sys.exit(ExitCode.REFUSED)
