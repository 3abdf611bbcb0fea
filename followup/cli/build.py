"""`followup flows generate` and `followup build`: the registry's files, then dbt build."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import click

from followup import PROJECT_DIR
from followup import flows as registry
from followup.errors import RegistryError, fail
from followup.profiles import read_target


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def flows() -> None:
    """The flow registry (seeds/flows.csv) and the files generated from it."""


@flows.command("generate")
@click.option("--check", is_flag=True, help="Only report generated files that are out of date.")
def generate(check: bool) -> None:
    """Write the flow list, the audience models and contracts, the trigger properties.

    Run after adding a flow or changing a registry row; `followup build` runs it too.
    Exit codes: 0 up to date (or written), 1 --check found stale files, 2 a bad registry.
    """
    try:
        if check:
            stale = registry.stale_files()
            for path in stale:
                click.echo(f"out of date: {path.relative_to(PROJECT_DIR)}")
            sys.exit(1 if stale else 0)
        written = registry.generate()
    except ValueError as exc:
        fail(RegistryError(str(exc)))
    for path in written:
        click.echo(f"wrote {path.relative_to(PROJECT_DIR)}")
    if not written:
        click.echo("The generated flow files are up to date.")


@click.command(context_settings={"help_option_names": ["-h", "--help"],
                                 "ignore_unknown_options": True})  # fmt: skip
@click.option("--as-of", metavar="YYYY-MM-DD", help="The day to build for (default: today, UTC).")
@click.argument("dbt_args", nargs=-1, type=click.UNPROCESSED)
def build(as_of: str | None, dbt_args: tuple[str, ...]) -> None:
    """Build the warehouse for a day: regenerate the flow files, then `dbt build`.

    Any further options go to dbt as they are, e.g. `followup build --as-of 2026-06-15
    --select marts`. On PostgreSQL and Spark (--target postgres|spark) the models up to
    the customer summary are built first, then the predictions are fitted and written
    back (`followup predict`), then everything is built. Exit codes: 0 built, 1 a data
    test failed, 2 a bad registry, 3 a model failed.
    """
    try:
        for path in registry.generate():
            click.echo(f"wrote {path.relative_to(PROJECT_DIR)}")
    except ValueError as exc:
        fail(RegistryError(str(exc)))
    from followup.predict.store import needs_predict_step, staged_build_commands

    args = list(dbt_args)
    if as_of:
        args += ["--vars", f'{{as_of_date: "{as_of}"}}']
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "DBT_PROFILES_DIR": os.environ.get("DBT_PROFILES_DIR", str(PROJECT_DIR))}
    run_results = PROJECT_DIR / "target" / "run_results.json"
    commands = [[str(bin_dir / "dbt"), "build", *args]]
    if needs_predict_step(read_target(_target_of(args))):
        day = dt.date.fromisoformat(as_of) if as_of else None
        commands = staged_build_commands(bin_dir, args, day)
    for command in commands:
        code = subprocess.run(command, cwd=PROJECT_DIR, env=env).returncode
        if code != 0 and Path(command[0]).name == "followup":
            sys.exit(code)  # followup predict said why
        if code != 0:
            sys.exit(dbt_exit_code(code, run_results))
    sys.exit(0)


def _target_of(args: list[str]) -> str | None:
    """The --target (or -t) among dbt's arguments, if any."""
    for flag in ("--target", "-t"):
        if flag in args and args.index(flag) + 1 < len(args):
            return args[args.index(flag) + 1]
    return None


def dbt_exit_code(code: int, run_results: Path) -> int:
    """0 done; 1 only data tests failed (a gate refused); 3 anything else failed."""
    if code == 0:
        return 0
    import json

    try:
        results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError):
        return 3
    failed = [r for r in results if r["status"] in ("error", "fail")]
    if failed and all(r["unique_id"].startswith("test.") and r["status"] == "fail" for r in failed):
        return 1
    return 3
