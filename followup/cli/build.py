"""`followup flows generate` and `followup build`: the registry's files, then dbt build."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from followup import PROJECT_DIR
from followup import flows as registry
from followup.errors import RegistryError, fail


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
    --select marts`. Exit codes: 0 built, 1 a data test failed, 2 a bad registry,
    3 a model failed.
    """
    try:
        for path in registry.generate():
            click.echo(f"wrote {path.relative_to(PROJECT_DIR)}")
    except ValueError as exc:
        fail(RegistryError(str(exc)))
    command = [str(Path(sys.executable).parent / "dbt"), "build", *dbt_args]
    if as_of:
        command += ["--vars", f'{{as_of_date: "{as_of}"}}']
    env = {**os.environ, "DBT_PROFILES_DIR": os.environ.get("DBT_PROFILES_DIR", str(PROJECT_DIR))}
    code = subprocess.run(command, cwd=PROJECT_DIR, env=env).returncode
    sys.exit(dbt_exit_code(code, PROJECT_DIR / "target" / "run_results.json"))


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
