"""A day's send lists as the simulated ESP imports them: complete batches only.

``followup export`` writes ``OUT/<day>/<profile>/<flow>[.bN].csv`` and, last, the
batch's ``.manifest.json`` naming its files; a list counts only once its manifest
exists (README, "Exporting send lists"). The ESP reads, per row, the flow, the step,
the contact, the address and the preferred send hour (the generic profile's columns;
the campaign reminders also carry ``campaign_id``). A row without a contact_id (an
email-only back-in-stock request) cannot be reported back as an email event of the raw
contract, which requires a contact: the ESP sends it but reports nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from pyarrow import csv

from followup.simulate.model import SEND_SCHEMA, sort_sends

# What the ESP needs from a profile's files; the simulator supports the profiles that
# write all of these (email_type comes from the manifest's flow_category).
READ_COLUMNS: tuple[str, ...] = (
    "flow_id",
    "flow_step",
    "contact_id",
    "email",
    "campaign_id",
    "preferred_send_hour",
)
SUPPORTED_PROFILES: tuple[str, ...] = ("generic",)


def manifests(exports: Path, day: dt.date, profile: str) -> list[Path]:
    """The day's manifests of ``profile``, in name order."""
    return sorted((exports / day.isoformat() / profile).glob("*.manifest.json"))


def exported_rows(exports: Path, day: dt.date, profile: str) -> int:
    """The rows of the day's complete batches of ``profile``, as their manifests count them."""
    return sum(
        int(json.loads(path.read_text(encoding="utf-8")).get("row_count") or 0)
        for path in manifests(exports, day, profile)
    )


def _read_csv(path: Path) -> pa.Table:
    """The columns the ESP reads, as text (absent ones as nulls; "" is null)."""
    options = csv.ConvertOptions(
        column_types=dict.fromkeys(READ_COLUMNS, pa.string()),
        include_columns=list(READ_COLUMNS),
        include_missing_columns=True,
        strings_can_be_null=True,
    )
    return csv.read_csv(path, convert_options=options)


def read_send_lists(exports: Path, day: dt.date, profile: str = "generic") -> pa.Table:
    """Every exported row of ``day`` with a contact, in the model's order (SEND_SCHEMA)."""
    if profile not in SUPPORTED_PROFILES:
        raise ValueError(f"the simulated ESP reads {', '.join(SUPPORTED_PROFILES)}, not {profile}")
    tables = [SEND_SCHEMA.empty_table()]
    for manifest in manifests(exports, day, profile):
        document = json.loads(manifest.read_text(encoding="utf-8"))
        if document.get("as_of_date") != day.isoformat():
            raise ValueError(f"{manifest}: a manifest of {document.get('as_of_date')}, not {day}")
        for entry in document.get("files", []):
            table = _read_csv(manifest.parent / entry["name"])
            email_type = pa.array([document["flow_category"]] * table.num_rows, pa.string())
            table = table.append_column("email_type", email_type)
            tables.append(_typed(table))
    sends = pa.concat_tables(tables)
    sends = sends.filter(pc.fill_null(pc.not_equal(sends["contact_id"], ""), False))
    return sort_sends(sends)


def _typed(table: pa.Table) -> pa.Table:
    """Text columns as read; the step and the hour as integers."""
    columns = {name: table[name].cast(SEND_SCHEMA.field(name).type) for name in SEND_SCHEMA.names}
    return pa.table(columns, schema=SEND_SCHEMA)
