"""Writing an export atomically: temporary names, renames, and a manifest written last.

Layout under ``--out DIR``::

    DIR/<as_of>/<profile>/<flow_id>[.bN][.<variant>][.partNNN].<ext>
    DIR/<as_of>/<profile>/<flow_id>[.bN].manifest.json

* ``.bN`` numbers a later batch of the same flow, day and profile (new recipients
  after a rebuild, or ``--force``); the first batch has no ``.bN``. Files are never
  overwritten, except when an interrupted batch is finished (it has no manifest).
* ``.<variant>`` is a profile's identifier fallback file (Braze: ``.alias``).
* ``.partNNN`` appears when the profile's limits split the list (rows or bytes per
  file or request); every part is a complete file or request body.

Writing has two phases. :func:`prepare_files` writes every file under a temporary
name in a hidden folder; :func:`publish_files` renames them to their final names.
The manifest (flow, day, profile, rows, SHA-256 of every file, the project's git
commit, the time) is written last, also by rename. A file set is complete only when
its manifest exists; the send log (``followup.export.state``) records the recipients
between the two phases, so that a crash at any moment can be finished by the next
run exactly as an uninterrupted run would have written it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from followup import PROJECT_DIR
from followup.export.formats import Chunk
from followup.faults import fault_point as generic_fault_point


@dataclass
class WrittenFile:
    name: str
    rows: int = 0
    bytes: int = 0
    sha256: str = ""


@dataclass
class _OpenFile:
    path: Path
    handle: BinaryIO
    digest: Any = field(default_factory=hashlib.sha256)
    rows: int = 0
    bytes: int = 0


def export_dir(out: Path, as_of: dt.date, profile: str) -> Path:
    return out / as_of.isoformat() / profile


def batch_stem(flow_id: str, batch: int) -> str:
    return flow_id if batch == 1 else f"{flow_id}.b{batch}"


def manifest_path(directory: Path, flow_id: str, batch: int) -> Path:
    return directory / f"{batch_stem(flow_id, batch)}.manifest.json"


def next_batch(directory: Path, flow_id: str) -> int:
    """The first batch number with no file at all (manifest or data) in ``directory``."""
    if not directory.is_dir():
        return 1
    pattern = re.compile(rf"^{re.escape(flow_id)}(?:\.b(\d+))?\.")
    used = {int(m.group(1) or 1) for p in directory.iterdir() if (m := pattern.match(p.name))}
    return max(used, default=0) + 1


def _write_chunk(handle: BinaryIO, data: bytes) -> None:
    """Write one chunk (a separate function so that tests can simulate a crash here)."""
    handle.write(data)


@dataclass
class PreparedFiles:
    """Files written under temporary names, ready to be renamed into place."""

    directory: Path
    temporary: Path
    files: list[WrittenFile]
    plan: list[tuple[Path, Path]]  # (temporary path, final path)

    def discard(self) -> None:
        shutil.rmtree(self.temporary, ignore_errors=True)


def remove_stale_temporaries(directory: Path, stem: str) -> None:
    """Remove what an interrupted write of ``stem`` left behind (the caller holds the lock)."""
    if not directory.is_dir():
        return
    for path in directory.glob(f".tmp-{stem}-*"):
        shutil.rmtree(path, ignore_errors=True)
    for path in directory.glob(f".{stem}.*.tmp"):
        with contextlib.suppress(OSError):
            path.unlink()


def prepare_files(
    directory: Path,
    stem: str,
    extension: str,
    chunks: Iterable[Chunk],
    on_rows: Callable[[int], None] | None = None,
    overwrite: bool = False,
) -> PreparedFiles:
    """Write the chunks to temporary files in a hidden folder of ``directory``.

    Nothing is visible under a final name yet. ``overwrite`` allows final names that
    exist already (finishing an interrupted batch); otherwise they are an error.
    """
    directory.mkdir(parents=True, exist_ok=True)
    temporary = directory / f".tmp-{stem}-{os.getpid()}-{secrets.token_hex(4)}"
    temporary.mkdir()
    files: dict[tuple[str, int], _OpenFile] = {}
    current: _OpenFile | None = None
    try:
        for chunk in chunks:
            key = (chunk.variant, chunk.part)
            if key not in files:
                if current is not None:
                    _close(current)
                path = temporary / f"{chunk.variant or 'main'}.{chunk.part:06d}"
                current = _OpenFile(path, path.open("wb"))
                files[key] = current
            target = files[key]
            _write_chunk(target.handle, chunk.data)
            target.digest.update(chunk.data)
            target.rows += chunk.rows
            target.bytes += len(chunk.data)
            if on_rows and chunk.rows:
                on_rows(chunk.rows)
        if current is not None:
            _close(current)
        parts_per_variant: dict[str, int] = {}
        for variant, part in files:
            parts_per_variant[variant] = max(parts_per_variant.get(variant, 0), part + 1)
        written: list[WrittenFile] = []
        plan: list[tuple[Path, Path]] = []
        for (variant, part), opened in files.items():
            name = stem + (f".{variant}" if variant else "")
            count = parts_per_variant[variant]
            if count > 1:
                name += f".part{part + 1:0{max(3, len(str(count)))}d}"
            name += f".{extension}"
            final = directory / name
            if final.exists() and not overwrite:
                raise FileExistsError(f"{final} exists already; refusing to overwrite it")
            plan.append((opened.path, final))
            written.append(WrittenFile(name, opened.rows, opened.bytes, opened.digest.hexdigest()))
        return PreparedFiles(directory, temporary, written, plan)
    except BaseException:
        for opened in files.values():
            with contextlib.suppress(OSError):
                opened.handle.close()
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def _close(opened: _OpenFile) -> None:
    opened.handle.flush()
    os.fsync(opened.handle.fileno())
    opened.handle.close()


def publish_files(prepared: PreparedFiles, undo_on_error: bool = True) -> list[Path]:
    """Rename the prepared files to their final names, then remove the hidden folder.

    On an error the files renamed so far are removed again (``undo_on_error``).
    """
    renamed: list[Path] = []
    try:
        for source, final in prepared.plan:
            os.replace(source, final)
            renamed.append(final)
            fault_point("after_rename")
    except BaseException:
        if undo_on_error:
            for final in renamed:
                with contextlib.suppress(OSError):
                    final.unlink()
        raise
    finally:
        prepared.discard()
    return renamed


def write_files(
    directory: Path,
    stem: str,
    extension: str,
    chunks: Iterable[Chunk],
    on_rows: Callable[[int], None] | None = None,
) -> list[WrittenFile]:
    """Prepare and publish in one go. On any error nothing is left under a final name."""
    prepared = prepare_files(directory, stem, extension, chunks, on_rows)
    publish_files(prepared)
    return prepared.files


def fault_point(name: str) -> None:
    """Testing hook: kill this process (SIGKILL) at step ``name`` when the environment
    variable FOLLOWUP_EXPORT_FAULT names it, to prove that a crash at any step boundary
    is finished by the next run (tests/python/test_export_crash.py). FOLLOWUP_FAULT
    names the same points as ``export.<name>`` (followup/faults.py)."""
    if os.environ.get("FOLLOWUP_EXPORT_FAULT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
    generic_fault_point(f"export.{name}")


def write_json_atomic(path: Path, document: dict[str, Any]) -> None:
    """Write a JSON document under a temporary name, then rename it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        with temporary.open("w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def git_commit() -> dict[str, Any]:
    """The project's git commit and whether tracked files differ from it (read-only)."""
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}
    try:
        commit = subprocess.run(
            ["git", "-C", str(PROJECT_DIR), "rev-parse", "HEAD"],
            capture_output=True, text=True, check=True, env=env, timeout=10,
        ).stdout.strip()  # fmt: skip
        status = subprocess.run(
            ["git", "-C", str(PROJECT_DIR), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, check=True, env=env, timeout=10,
        ).stdout.strip()  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": bool(status)}
