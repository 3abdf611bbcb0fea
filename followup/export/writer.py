"""The write phase of an export: one batch at a time, exactly once.

For every batch (one flow's new recipients for one day, profile and output folder):

1. the files are written under temporary names (nothing visible yet);
2. the batch and its recipients are committed to the send log in one transaction;
3. the files are renamed into place, then the manifest is written (last);
4. the batch is marked complete.

An error before 3 ends leaves nothing: the renamed files are removed and the batch is
forgotten. A crash (the process killed at any moment) leaves a committed batch, which
the next export finishes first (:func:`finish_batch`): it writes the same recipients
into the same files and the same manifest, as an uninterrupted run would have. So
every recipient is exported exactly once per (day, flow, step, channel), and no list
stays in place without its manifest.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import pandas as pd

from followup.export.esp_profiles import EspProfile
from followup.export.formats import chunks
from followup.export.output import (
    WrittenFile,
    batch_stem,
    export_dir,
    fault_point,
    prepare_files,
    publish_files,
    remove_stale_temporaries,
    write_json_atomic,
)
from followup.export.sendlist import SendList
from followup.export.state import Batch, ExportState, email_hashes

PROGRESS_MIN_ROWS = 20_000


def utc_now() -> dt.datetime:
    """Now in UTC, to the second, without a time zone (the state tables' convention)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0, tzinfo=None)


def iso_utc(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Writer:
    """Writes batches of one export run."""

    state: ExportState
    progress: bool | None = None
    echo: Callable[[str], None] = click.echo

    def write(self, send_list: SendList, profile: EspProfile, batch: Batch, rows: pd.DataFrame,
              document: dict[str, Any]) -> list[WrittenFile]:  # fmt: skip
        """Write one new batch (steps 1 to 4 of the module doc); returns its files."""
        directory = export_dir(Path(batch.out_dir), batch.as_of_date, profile.name)
        stem = batch_stem(batch.flow_id, batch.batch_number)
        remove_stale_temporaries(directory, stem)
        prepared = self._prepare(send_list, profile, directory, stem, rows, overwrite=False)
        fault_point("after_write_files")
        batch.manifest_document = _json(document)
        try:
            self.state.commit(batch, rows)
        except BaseException:
            prepared.discard()
            raise
        fault_point("after_commit")
        try:
            publish_files(prepared)
        except Exception:
            with contextlib.suppress(Exception):  # nothing reached the ESP's folder
                self.state.uncommit(batch.batch_id)
            raise
        fault_point("after_publish")
        write_manifest(directory / batch.manifest, document, prepared.files)
        fault_point("after_manifest")
        self.state.set_status(batch.batch_id, "complete", utc_now())
        fault_point("after_complete")
        return prepared.files

    def finish(self, batch: Batch, send_list: SendList, profile: EspProfile) -> str:
        """Finish a committed batch that a crash interrupted; returns what was done."""
        directory = export_dir(Path(batch.out_dir), batch.as_of_date, profile.name)
        logged = self.state.batch_rows(batch.batch_id)
        frame = send_list.frame
        keys = pd.MultiIndex.from_arrays(
            [frame["flow_step"].astype("int64"), pd.Series(email_hashes(frame["email"]))]
        )
        wanted = pd.MultiIndex.from_arrays(
            [logged["flow_step"].astype("int64"), logged["email_sha256"].astype(str)]
        )
        rows = frame[keys.isin(wanted)]
        document = batch.document
        stem = batch_stem(batch.flow_id, batch.batch_number)
        remove_stale_temporaries(directory, stem)
        prepared = self._prepare(send_list, profile, directory, stem, rows, overwrite=True)
        publish_files(prepared, undo_on_error=False)
        note = ""
        if len(rows) < len(logged):
            missing = len(logged) - len(rows)
            note = (
                f"; {missing:,} of its {len(logged):,} recipients are no longer in the audience "
                "(the warehouse was rebuilt) and were not written, but count as exported"
            )
            document = {**document, "row_count": len(rows), "finished_note": note[2:]}
        write_manifest(directory / batch.manifest, document, prepared.files)
        self.state.set_status(batch.batch_id, "complete", utc_now())
        names = ", ".join(f.name for f in prepared.files)
        return (
            f"finished an interrupted export of {batch.flow_id} ({len(rows):,} rows: {names})"
            + note
        )

    def abandon(self, batch: Batch, reason: str) -> str:
        """A committed batch that can no longer be finished: remove its files (it has no
        manifest), keep its recipients as exported (never send twice), say so."""
        directory = export_dir(Path(batch.out_dir), batch.as_of_date, batch.profile)
        stem = batch_stem(batch.flow_id, batch.batch_number)
        removed = 0
        if directory.is_dir() and not (directory / batch.manifest).exists():
            pattern = re.compile(rf"^{re.escape(stem)}(\.[a-z]+)?(\.part\d+)?\.[a-z]+$")
            for path in directory.iterdir():
                if pattern.match(path.name) and not path.name.endswith(".manifest.json"):
                    path.unlink()
                    removed += 1
            remove_stale_temporaries(directory, stem)
        self.state.set_status(batch.batch_id, "abandoned", utc_now())
        return (
            f"WARNING: an interrupted export of {batch.flow_id} for {batch.as_of_date} "
            f"({batch.profile}, {batch.row_count:,} recipients) cannot be finished: {reason}. "
            f"Its {removed} incomplete file(s) were removed; its recipients count as exported "
            "(they are never sent twice)"
        )

    def _prepare(self, send_list: SendList, profile: EspProfile, directory: Path, stem: str,
                 rows: pd.DataFrame, overwrite: bool) -> Any:  # fmt: skip
        show_bar = self.progress
        if show_bar is None:
            show_bar = sys.stderr.isatty() and len(rows) >= PROGRESS_MIN_ROWS
        pieces = chunks(send_list, profile, rows)
        if not show_bar:
            return prepare_files(directory, stem, profile.extension, pieces, overwrite=overwrite)
        with click.progressbar(
            length=len(rows), label=f"{send_list.flow_id} -> {profile.name}", file=sys.stderr
        ) as bar:
            return prepare_files(
                directory, stem, profile.extension, pieces, bar.update, overwrite=overwrite
            )


def write_manifest(path: Path, document: dict[str, Any], files: list[WrittenFile]) -> None:
    """The manifest: the batch's document plus every file with its rows, bytes, SHA-256."""
    complete = {
        **document,
        "files": [f.__dict__ for f in files],
        "sha256": {f.name: f.sha256 for f in files},
    }
    write_json_atomic(path, complete)


def _json(document: dict[str, Any]) -> str:
    import json

    return json.dumps(document, ensure_ascii=False, sort_keys=False)
