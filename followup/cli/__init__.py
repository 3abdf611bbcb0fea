"""The followup command line: `followup <command>` (``followup --help`` lists them)."""

from __future__ import annotations

import click

from followup.cli.build import build, flows
from followup.cli.load import main as load
from followup.cli.protection import purge_erased, suppression
from followup.export.cli import command as export


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
def main() -> None:
    """followup: email marketing segments and follow-up flows, from raw data to send lists.

    \b
    The daily steps:
      followup load --from DIR        check a delivery of raw files, then load it
      followup build                  build segments and today's audiences (dbt build)
      followup export --all --esp P   write today's send lists for your ESP
    \b
    The flow registry (seeds/flows.csv):
      followup flows generate         regenerate the audience models after a registry change
    \b
    Protective data:
      followup suppression lift       lift an ESP suppression on purpose
      followup purge-erased           delete erased people from the raw tables
    """


main.add_command(load, name="load")
main.add_command(build, name="build")
main.add_command(flows, name="flows")
main.add_command(export, name="export")
main.add_command(suppression, name="suppression")
main.add_command(purge_erased, name="purge-erased")
