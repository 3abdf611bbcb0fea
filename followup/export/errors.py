"""The two ways an export stops early, each with its exit code."""

from __future__ import annotations


class ExportError(Exception):
    """Base class: an export that cannot go on. ``exit_code`` is the process exit code."""

    exit_code = 2


class ConfigError(ExportError):
    """Usage or configuration error (unknown flow or profile, missing warehouse, bad date).

    Exit code 2. The message is one line a marketer can act on.
    """

    exit_code = 2


class ValidationRefused(ExportError):
    """The last gate refused the list: nothing was written. Exit code 1."""

    exit_code = 1
