"""`followup fuzz`: prove the safety rules on thousands of generated worlds."""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
from pathlib import Path

import click

from followup.errors import Command, ExitCode, Group
from followup.fuzz import BUILD_FAILED


def _progress(message: str) -> None:
    click.echo(f"  {message}", err=True)


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
def fuzz() -> None:
    """Check the safety rules on many small generated worlds (for developers).

    \b
      followup fuzz run --worlds 1000        draw, build and check 1,000 worlds
      followup fuzz mutants                  plant known rule bugs; each must be caught
    """


@fuzz.command(cls=Command, name="run")
@click.option(
    "--worlds",
    "count",
    type=click.IntRange(1),
    default=1000,
    show_default=True,
    help="How many worlds to draw (all are built in one warehouse).",
)
@click.option(
    "--seed",
    type=int,
    default=None,
    help="The hypothesis seed (default: a random one, printed, to rerun a failure).",
)
@click.option(
    "--work",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder for the raw files, warehouses and exports, emptied first (default: "
    "a temporary folder, removed after a pass and kept after a failure).",
)
@click.option(
    "--incremental/--no-incremental",
    default=True,
    show_default=True,
    help="Also build D - 1 then D incrementally and compare with the full build.",
)
@click.option(
    "--shrink/--no-shrink",
    default=True,
    show_default=True,
    help="Shrink the first failing world of each broken rule and save it under "
    "tests/fuzz/regressions/ (every later run replays it).",
)
def run(count: int, seed: int | None, work: Path | None, incremental: bool, shrink: bool) -> None:
    """Draw worlds, build them (full and incremental), export, and check every invariant.

    Exit code 0: every invariant holds in every world; 1: a world broke one (each
    violation is listed, and shrunk with --shrink); 3: a build step failed.
    """
    from followup.fuzz.run import AS_OF
    from followup.fuzz.run import fuzz as fuzz_worlds
    from followup.fuzz.runner import fresh_folder, generate

    if work is not None:
        try:
            fresh_folder(work)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--work") from None
    seed = seed if seed is not None else random.SystemRandom().randrange(2**32)
    click.echo(f"followup fuzz: {count:,} worlds, seed {seed} (rerun: --seed {seed})")
    folder = work or Path(tempfile.mkdtemp(prefix="followup-fuzz-"))
    try:
        report = fuzz_worlds(count, seed, folder, _progress, incremental=incremental)
    except RuntimeError as exc:
        click.echo(f"{BUILD_FAILED}: {exc}")
        click.echo(f"The worlds and logs are in {folder}")
        sys.exit(ExitCode.FAILED)
    click.echo(report.summary())
    if report.passed:
        if work is None:
            shutil.rmtree(folder, ignore_errors=True)
        return
    click.echo(f"The worlds, warehouses and exports are in {folder}")
    if shrink:
        _shrink_failures(report, generate(count, seed, AS_OF), folder / "shrink")
    sys.exit(ExitCode.REFUSED)


def _shrink_failures(report, generated, work: Path) -> None:
    from followup.fuzz.run import AS_OF
    from followup.fuzz.shrink import save_regression, shrink

    first: dict[str, object] = {}
    for violation in report.violations:
        if 0 <= violation.world < len(generated):
            first.setdefault(violation.rule, violation)
    for rule, violation in first.items():
        click.echo(f"Shrinking world {violation.world} ({rule}) ...")
        small = shrink(generated[violation.world], rule, AS_OF, work / rule, _progress)
        path = save_regression(small, rule, violation.detail, report.seed)
        click.echo(f"  {small.rows()} rows left; saved as {path}")


@fuzz.command(cls=Command, name="mutants")
@click.option(
    "--worlds",
    type=click.IntRange(1),
    default=1000,
    show_default=True,
    help="Worlds per mutant (the same seed for every mutant).",
)
@click.option("--seed", type=int, default=20261205, show_default=True)
@click.option(
    "--work",
    type=click.Path(path_type=Path),
    default=Path("warehouse/mutants"),
    show_default=True,
    help="Folder for the mutated copies of the project.",
)
@click.option("--only", multiple=True, help="Run only this mutant (repeat for several).")
def mutants(worlds: int, seed: int, work: Path, only: tuple[str, ...]) -> None:
    """Plant each known rule bug in a copy of the project and run the fuzz worlds on it.

    Prints the mutation table; exit code 1 if a mutant survived.
    """
    from followup.fuzz import mutants as mutation

    chosen = [m for m in mutation.MUTANTS if not only or m.name in only]
    outcomes = mutation.run_all(work.resolve(), worlds, seed, _progress, chosen)
    click.echo(mutation.table(outcomes))
    if not all(o.caught for o in outcomes):
        sys.exit(ExitCode.REFUSED)
