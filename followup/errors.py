"""One mapping from what went wrong to the exit code, for every `followup` command.

Schedulers read the exit code; people read the one line on stderr. A command never
ends with a raw traceback (set FOLLOWUP_DEBUG=1 to see one).
"""

from __future__ import annotations

import os
from enum import IntEnum
from typing import Any, NoReturn

import click

from followup.bench.settings import BenchmarkError
from followup.export.errors import ExportError
from followup.loader import LoadError
from followup.profiles import ProfileError


class ExitCode(IntEnum):
    """The exit codes of every followup command."""

    DONE = 0
    REFUSED = 1  # the data, a check or a busy warehouse said no; nothing half-done is left
    USAGE = 2  # a wrong option, an unknown flow, a missing warehouse or profile
    FAILED = 3  # failed unexpectedly; nothing half-done is left


EXIT_CODES_HELP = (
    "Exit codes (the same for every command): 0 done; 1 refused (the data, a check or a "
    "busy warehouse said no, nothing was published half-done); 2 usage or configuration "
    "error; 3 failed unexpectedly."
)


class Refused(Exception):
    """A command that checked something and said no (exit code 1)."""


class RegistryError(ValueError):
    """A bad flow registry row or template (exit code 2)."""


class PredictError(ValueError):
    """A backtest that cannot run as asked: no or an unbuilt warehouse, bad dates (exit code 2)."""


class ReportError(ValueError):
    """A report that cannot be written as asked: no warehouse, an unbuilt day (exit code 2)."""


def exit_code_of(exc: BaseException) -> ExitCode:
    """The exit code of an exception: the single place the mapping is written."""
    if isinstance(exc, ExportError):
        return ExitCode(exc.exit_code)
    if isinstance(exc, (ProfileError, RegistryError, ReportError, PredictError, click.UsageError)):
        return ExitCode.USAGE
    if isinstance(exc, (LoadError, BenchmarkError, Refused)):
        return ExitCode.REFUSED
    return ExitCode.FAILED


def fail(exc: BaseException, context: str = "") -> NoReturn:
    """Print one line (or the listed problems of a refused load) and exit with its code."""
    code = exit_code_of(exc)
    if code is ExitCode.FAILED and os.environ.get("FOLLOWUP_DEBUG"):
        raise exc
    prefix = f"error: {context}" if context else "error: "
    lines = str(exc).splitlines() or [type(exc).__name__]
    if code is ExitCode.FAILED:
        click.echo(
            f"{prefix}unexpected {type(exc).__name__}: {lines[0]} (FOLLOWUP_DEBUG=1 shows where)",
            err=True,
        )
    elif isinstance(exc, LoadError):
        click.echo(f"{prefix}nothing was loaded, because:", err=True)
        for line in lines:
            click.echo(f"  - {line}", err=True)
    else:
        click.echo(f"{prefix}{lines[0]}", err=True)
        for line in lines[1:]:
            click.echo(f"  {line}", err=True)
    raise SystemExit(int(code))


class OneLineErrors:
    """Mixin for click commands and groups: usage errors as one line, exit code 2."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.pop("standalone_mode", None)
        try:
            code = super().main(*args, standalone_mode=False, **kwargs)  # type: ignore[misc]
        except click.UsageError as exc:
            click.echo(f"error: {exc.format_message()} (see --help)", err=True)
            raise SystemExit(int(ExitCode.USAGE)) from None
        except click.exceptions.Abort:
            click.echo("error: aborted", err=True)
            raise SystemExit(int(ExitCode.USAGE)) from None
        raise SystemExit(code or 0)


class Group(OneLineErrors, click.Group):
    """A command group with the project's error handling."""


class Command(OneLineErrors, click.Command):
    """A command with the project's error handling."""
