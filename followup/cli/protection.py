"""`followup suppression ...` and `followup purge-erased`: protective data, on purpose."""

from __future__ import annotations

import click

from followup.errors import fail
from followup.export.errors import ExportError
from followup.profiles import ProfileError, read_target
from followup.protection import lift_suppression, list_lifts, purge_erased_raw

TARGET = click.option(
    "--target",
    default=None,
    metavar="NAME",
    help="dbt target in profiles.yml (default: $FOLLOWUP_TARGET, else 'dev', the DuckDB file "
    "at $FOLLOWUP_DUCKDB_PATH).",
)


def _settings(target: str | None) -> dict:
    try:
        return read_target(target)
    except ProfileError as exc:
        fail(exc)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def suppression() -> None:
    """Lift an ESP suppression on purpose, or list the lifts.

    A suppression (hard bounce, spam complaint, manual) that disappears from a later
    delivery of esp_suppressions stays in force: the build keeps every suppression it
    has seen. Only a lift ends one, and it is recorded with when, why and by whom.
    Unsubscribes are opt-outs: only a new opt-in of the person undoes them.
    """


@suppression.command("lift")
@click.option("--email", required=True, help="The suppressed email address.")
@click.option("--reason", required=True, help="Why it may be mailed again (kept with the lift).")
@click.option("--by", default=None, help="Who lifts it (default: your user name).")
@TARGET
def lift(email: str, reason: str, by: str | None, target: str | None) -> None:
    """Lift the ESP suppressions of EMAIL recorded until now (from the next dbt build on).

    The address is stored only as its SHA-256. A suppression the ESP records after the
    lift holds again. Exit codes: 0 lifted, 1 the warehouse is busy, 2 usage error.
    """
    try:
        done = lift_suppression(_settings(target), email, reason, by)
    except ExportError as exc:
        fail(exc)
    click.echo(
        f"Lifted the suppressions of that address recorded until "
        f"{done.lifted_at:%Y-%m-%d %H:%M:%S} UTC (by {done.lifted_by}: {done.reason}). They stop "
        "holding from the next dbt build for that day or later; a later suppression holds again."
    )


@suppression.command("list")
@TARGET
def list_command(target: str | None) -> None:
    """List the lifted suppressions: when, by whom, why (addresses as SHA-256)."""
    try:
        lifts = list_lifts(_settings(target))
    except ExportError as exc:
        fail(exc)
    if not lifts:
        click.echo("No suppression has been lifted.")
    for item in lifts:
        click.echo(
            f"{item.lifted_at:%Y-%m-%d %H:%M:%S}  {item.email_sha256[:12]}…  "
            f"{item.lifted_by}: {item.reason}"
        )


@click.command("purge-erased", context_settings={"help_option_names": ["-h", "--help"]})
@TARGET
@click.option("--schema", default="raw", show_default=True, help="The raw schema.")
def purge_erased(target: str | None, schema: str) -> None:
    """Delete every row of an erased person from the raw tables the loader manages.

    Run it after a dbt build (the build records the erasures). Contacts, consent and
    email and web events, orders and their lines, service interactions and stock alert
    requests of erased people are deleted; the erasure requests (the legal record) and
    the ESP suppression list (it protects the address) stay. If an EL tool of your own
    loads the raw schema, erase in the source system too: the next delivery would bring
    the rows back (the build keeps them erased, but they would be stored again).
    Exit codes: 0 purged, 1 the warehouse is busy, 2 usage or configuration error.
    """
    try:
        deleted = purge_erased_raw(_settings(target), schema)
    except ExportError as exc:
        fail(exc)
    total = sum(deleted.values())
    click.echo(f"Deleted {total:,} raw row(s) of erased people:")
    for table, count in deleted.items():
        click.echo(f"  {table:<22} {count:>9,}")
