"""The job lock: one ``followup daily`` per warehouse at a time.

DuckDB: an advisory ``flock`` on ``<warehouse file>.daily.lock``; the lock file names the
run that holds it, for the message a second run prints. The operating system releases
the lock when the process dies, however it dies, so a killed run never blocks the next.
PostgreSQL: a session-level advisory lock on a connection held for the whole run
(released by the server when the connection ends).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from followup.errors import Refused

POLL_SECONDS = 0.5


class JobBusy(Refused):
    """Another daily run holds the warehouse (exit code 1)."""


def _busy(where: str, holder: str, waited: float) -> JobBusy:
    held = f" ({holder})" if holder else ""
    return JobBusy(
        f"another followup daily of {where} is running{held}; waited {waited:.0f} s and did "
        "nothing: it finishes the day itself (give --wait SECONDS to wait for it)"
    )


@contextlib.contextmanager
def duckdb_job_lock(path: Path, run_id: str, wait_seconds: float) -> Iterator[None]:
    """Hold ``<path>.daily.lock`` for the block (wait up to ``wait_seconds`` for it)."""
    lock_path = path.with_name(path.name + ".daily.lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with lock_path.open("a+") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - started
                if waited >= wait_seconds:
                    handle.seek(0)
                    raise _busy(str(path), handle.read().strip(), waited) from None
                time.sleep(POLL_SECONDS)
        try:
            handle.seek(0)
            handle.truncate()
            handle.write(f"run {run_id}, process {os.getpid()}\n")
            handle.flush()
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def postgres_job_lock(settings: dict[str, Any], schema: str, wait_seconds: float) -> Iterator[None]:
    """Hold a PostgreSQL advisory lock named after the target schema for the block."""
    import psycopg2

    connection = psycopg2.connect(
        host=settings.get("host"),
        port=settings.get("port"),
        user=settings.get("user"),
        password=settings.get("password") or settings.get("pass"),
        dbname=settings.get("dbname") or settings.get("database"),
        connect_timeout=10,
        application_name="followup daily (lock)",
    )
    connection.autocommit = True
    key = f"followup daily {schema}"
    where = f"{settings.get('host')}:{settings.get('port')}/{settings.get('dbname')} {schema}"
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            while True:
                cursor.execute("select pg_try_advisory_lock(hashtext(%s))", (key,))
                if cursor.fetchone()[0]:
                    break
                waited = time.monotonic() - started
                if waited >= wait_seconds:
                    raise _busy(where, "", waited)
                time.sleep(POLL_SECONDS)
            try:
                yield
            finally:
                cursor.execute("select pg_advisory_unlock(hashtext(%s))", (key,))
    finally:
        connection.close()
