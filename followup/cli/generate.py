"""`followup generate`: a realistic demo or test data set, one file per raw table."""

from __future__ import annotations

from typing import Any

import click

from followup.errors import Command


@click.command(
    cls=Command,
    context_settings={"help_option_names": ["-h", "--help"], "ignore_unknown_options": True,
                      "allow_extra_args": True},
    add_help_option=False,
)  # fmt: skip
@click.pass_context
def generate(ctx: click.Context, **_: Any) -> None:
    """Write a demo or test data set (run `followup generate --help` for the options)."""
    from followup.generate.cli import main as generator  # numpy and pyarrow: load on use

    generator.main(args=ctx.args, prog_name="followup generate", standalone_mode=False)
