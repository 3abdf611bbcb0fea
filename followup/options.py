"""What the commands share on their command line: dates, the layout of --help."""

from __future__ import annotations

import datetime as dt

import click

# Every command's --help: -h works too, and lines fit a wide terminal.
CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def iso_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    """A click callback: YYYY-MM-DD as a date (None stays None), or one clear usage error."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD") from None
