"""The followup command line: `followup <command>` (``followup --help`` lists them)."""

from __future__ import annotations

import click

from followup.cli.bench import bench
from followup.cli.build import build, flows
from followup.cli.compare import compare
from followup.cli.daily import daily
from followup.cli.fuzz import fuzz
from followup.cli.generate import generate
from followup.cli.load import main as load
from followup.cli.predict import backtest, cdnow, predict_command
from followup.cli.protection import purge_erased, suppression
from followup.cli.report import report
from followup.cli.simulate import simulate
from followup.errors import EXIT_CODES_HELP, Group
from followup.export.cli import command as export


@click.group(
    cls=Group,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog=EXIT_CODES_HELP,
)
def main() -> None:
    """followup: email marketing segments and follow-up flows, from raw data to send lists.

    \b
    Every morning, in one command (what a scheduler runs):
      followup daily --as-of D --from DIR --esp P   load, build, export, publish for BI
    \b
    The same, step by step:
      followup load --from DIR        check a delivery of raw files, then load it
      followup build                  build segments and today's audiences (dbt build)
      followup export --all --esp P   write today's send lists for your ESP
    \b
    Looking at a built day:
      followup report --as-of D --out DIR   one self-contained HTML page (funnel, uplift, …)
    \b
    Predicted customer value (contact_predictions; on DuckDB `followup build` makes it):
      followup predict --target T     fit and score on PostgreSQL or Spark (build and daily
                                      run it for you)
      followup backtest --calibration-end D1 --holdout-end D2
                                      fit the purchase and spend models on the orders up to
                                      D1, compare their predictions with D1 + 1 .. D2
    \b
    Adding or changing a flow (seeds/flows.csv, the flow registry):
      followup flows generate         regenerate the audience models and their docs
    \b
    Protective data:
      followup suppression lift       lift an ESP suppression on purpose
      followup purge-erased           delete erased people from the raw tables
    \b
    For developers:
      followup generate               write a realistic demo or test data set
      followup compare A B            compare two builds row for row (e.g. two engines)
      followup bench                  time the daily job at several data set sizes
      followup simulate               run the daily job for days with a simulated ESP and
                                      customers; check the measured uplift against the truth
      followup fuzz run               check the safety rules on thousands of generated worlds
      followup cdnow --out DIR        write the public CDNOW sample as raw files (backtest)

    Run `followup COMMAND --help` for the options of a command.
    """


main.add_command(daily, name="daily")
main.add_command(load, name="load")
main.add_command(build, name="build")
main.add_command(flows, name="flows")
main.add_command(export, name="export")
main.add_command(report, name="report")
main.add_command(backtest, name="backtest")
main.add_command(predict_command, name="predict")
main.add_command(cdnow, name="cdnow")
main.add_command(suppression, name="suppression")
main.add_command(purge_erased, name="purge-erased")
main.add_command(generate, name="generate")
main.add_command(compare, name="compare")
main.add_command(bench, name="bench")
main.add_command(fuzz, name="fuzz")
main.add_command(simulate, name="simulate")
