"""`followup bench`: time the daily job at several data set sizes (followup/bench/)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from followup import PROJECT_DIR
from followup.bench import BenchmarkError, run_benchmark
from followup.errors import Command, fail


def parse_sizes(_ctx: click.Context, _param: click.Parameter, value: str) -> list[int]:
    """'10000,100000,1e6' or '10k,100k,1M' -> [10000, 100000, 1000000]."""
    sizes = []
    for part in value.split(","):
        text = part.strip().lower().replace("_", "")
        if not text:
            continue
        factor = 1
        if text[-1] in "km":
            factor = 1_000 if text[-1] == "k" else 1_000_000
            text = text[:-1]
        try:
            number = int(float(text) * factor)
        except ValueError:
            raise click.BadParameter(f"{part!r} is not a number of contacts") from None
        if number < 100:
            raise click.BadParameter(f"{part!r}: at least 100 contacts")
        sizes.append(number)
    if not sizes:
        raise click.BadParameter("give at least one size")
    return sizes


@click.command(
    cls=Command,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="""\b
Examples:
  # the sizes of the README's table (the 1M size takes about half an hour)
  followup bench --sizes 10000,100000,1000000 --runs 3 --runs-large 1
\b
  # a quick look on a laptop: one small size, one run, no comparisons
  followup bench --sizes 10k --runs 1 --skip-pandas --skip-floor
\b
Output:
  OUT/results.md     the tables: one per size, a summary, the targets met or missed
  OUT/results.json   every timing of every run, medians, peak memory, the machine
  CACHE/datasets/    the generated data sets, reused by later runs with the same
                     size, seed and day (delete a folder to regenerate it)
\b
Exit codes: 0 done, 1 a step failed (the command and its last output lines are shown).""",
)
@click.option(
    "--sizes",
    default="10000,100000,1000000",
    show_default=True,
    callback=parse_sizes,
    help="Data set sizes to measure, in contacts, separated by commas (10k and 1M work too).",
)
@click.option(
    "--runs",
    type=click.IntRange(min=1),
    default=3,
    show_default=True,
    help="How often each step is repeated; the report shows the median.",
)
@click.option(
    "--runs-large",
    type=click.IntRange(min=1),
    default=None,
    help="Repetitions for sizes of 1,000,000 contacts and more (default: --runs). "
    "One run of the largest size takes about half an hour.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Random seed of the generated data: the same seed gives the same data.",
)
@click.option(
    "--as-of",
    "as_of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default="2026-06-15",
    show_default=True,
    help="The day D the warehouse is built for (YYYY-MM-DD). The daily run goes from the "
    "day before to this day.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=PROJECT_DIR / "benchmarks",
    show_default="benchmarks",
    help="Folder for results.md and results.json. Sizes measured earlier with the same seed "
    "and day are kept in them unless --no-merge.",
)
@click.option(
    "--cache",
    type=click.Path(file_okay=False, path_type=Path),
    default=PROJECT_DIR / "benchmarks" / "cache",
    show_default="benchmarks/cache",
    help="Folder where generated data sets are kept between runs.",
)
@click.option(
    "--work-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the temporary warehouses go (default: the system temp folder). They are "
    "deleted afterwards; the 1M size needs about 20 GB free while it runs.",
)
@click.option(
    "--skip-pandas",
    is_flag=True,
    help="Do not time the pandas version of RFM and the abandoned-cart flow.",
)
@click.option(
    "--skip-floor",
    is_flag=True,
    help="Do not time the floor (the same SQL run directly by DuckDB, without dbt).",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=None,
    help="dbt threads (models built at the same time). Default: the profile's (2).",
)
@click.option(
    "--merge/--no-merge",
    default=True,
    show_default=True,
    help="Keep the other sizes already in OUT/results.json.",
)
def bench(
    sizes: list[int],
    runs: int,
    runs_large: int | None,
    seed: int,
    as_of: dt.datetime,
    out: Path,
    cache: Path,
    work_dir: Path | None,
    skip_pandas: bool,
    skip_floor: bool,
    threads: int | None,
    merge: bool,
) -> None:
    """Time the whole daily job of followup at several data set sizes.

    For each size (a number of contacts) a realistic data set is generated once and
    kept in the cache, together with the same data as it was the day before. Then each
    step is timed, several times, and the middle value (median) is reported:

    \b
      load          loading the raw files into a new warehouse (DuckDB file)
      full run      building every model from scratch (dbt run --full-refresh)
      full build    the same plus every data test and unit test (dbt build)
      export        writing the send lists of every flow (generic CSV)
      daily run     the everyday job: yesterday's warehouse gets today's data
                    and only what changed is rebuilt (dbt run, incremental)
      floor         the same SQL run directly by DuckDB, without dbt: what
                    dbt itself adds on top of the database work
      pandas        RFM and the abandoned-cart flow written in pandas, as in an
                    analyst's notebook: is the warehouse faster?

    It also records the peak memory of each step and the machine it ran on, checks that
    the daily run gives the same tables as a full build and that pandas finds the same
    RFM scores, and marks the targets of the scale issue as met or missed.
    """
    click.echo(f"followup benchmark: sizes {', '.join(f'{size:,}' for size in sizes)}")
    try:
        document = run_benchmark(
            sizes,
            runs=runs,
            runs_large=runs_large,
            seed=seed,
            as_of=as_of.date(),
            out=out,
            cache=cache,
            skip_pandas=skip_pandas,
            skip_floor=skip_floor,
            threads=threads,
            work_dir=work_dir,
            merge=merge,
            say=lambda line: click.echo(line),
        )
    except BenchmarkError as exc:
        fail(exc)
    click.echo(
        f"Done in {document.get('total_seconds', 0):.0f} s. "
        f"Results: {out / 'results.md'} and {out / 'results.json'}"
    )
