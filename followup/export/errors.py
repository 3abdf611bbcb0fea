"""The ways an export stops early, each with its exit code (0 done, 1 refused, 2 usage
or configuration error, 3 failed)."""

from __future__ import annotations


class ExportError(Exception):
    """Base class: an export that cannot go on. ``exit_code`` is the process exit code."""

    exit_code = 2


class ConfigError(ExportError):
    """Usage or configuration error (unknown flow or profile, missing warehouse, bad date).

    Exit code 2. The message is one line a marketer can act on.
    """

    exit_code = 2


class WarehouseBusy(ExportError):
    """Another export or a dbt build holds the warehouse: nothing was written. Exit code 1."""

    exit_code = 1


class ExportFailed(ExportError):
    """The export failed on the way (a disk, the network): exit code 3. What was written
    is finished or removed by the next run; the message says which."""

    exit_code = 3
