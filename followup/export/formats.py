"""Turn a send list into an ESP's format: CSV files or JSON request bodies, in parts.

CSV
    One column per profile column, every value formatted by its field type (dates by
    the profile's ``date_format``, money with two decimals). Free text is made
    spreadsheet-safe as OWASP recommends for CSV injection: a value starting with
    ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading single quote.
    Typed fields (emails, ids, codes, URLs, numbers, dates) are validated instead, so a
    machine import is not corrupted. Hashed columns are normalised as the profile says
    and written as SHA-256 hex; an empty value stays empty (it is never hashed).
    UTF-8, with a BOM only if the profile asks for one.

JSON
    One request body per file, built from the profile's ``json.envelope`` and
    ``json.item``. Every value is JSON-encoded first (strings escaped exactly as
    ``json.dumps`` does, numbers as numbers) and only then placed into the structure;
    null values (and empty lists and objects) are left out if ``omit_nulls``.

Everything is vectorised with Arrow compute (no Python loop per row) and streamed in
chunks of rows, so a million rows never sit in memory as text; the output is split
into parts by the profile's ``limits`` (rows and bytes per file or request).
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from followup.export.errors import ConfigError
from followup.export.esp_profiles import ColumnSpec, EspProfile, RestSpec
from followup.export.fields import (
    FieldType,
)
from followup.export.sendlist import SendList

FORMULA_START = r"^[=+\-@\t\r]"
# Types whose formatted values never contain a delimiter, quote or line break: numbers,
# dates (ISO), and the fields validated against strict patterns (emails, ids, codes).
PLAIN_TYPES = frozenset(
    {FieldType.INT, FieldType.MONEY, FieldType.BOOL, FieldType.EMAIL, FieldType.ID, FieldType.CODE}
)
CHUNK_ROWS = 50_000
JSON_CHUNK_ROWS = 100_000


@dataclass(frozen=True)
class Chunk:
    """A piece of one output file: part ``part`` (0-based) of variant ``variant``."""

    variant: str  # "" for the main file, else the profile's fallback suffix
    part: int
    data: bytes
    rows: int


# ------------------------------------------------------------------ values per type

STRING = pa.large_string()


def _arrow(values: pd.Series) -> pa.Array:
    """A column as an Arrow string array (missing -> null)."""
    if isinstance(values, pa.Array):
        return values
    return _flat(pa.array(values.astype("str").where(values.notna(), None), type=STRING))


def _flat(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous Arrow array."""
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def _sep(text: str) -> pa.Scalar:
    return pa.scalar(text, STRING)


def neutralise(values: pa.Array) -> pa.Array:
    """OWASP CSV-injection defence: prefix a formula-looking value with a single quote."""
    risky = pc.fill_null(pc.match_substring_regex(values, FORMULA_START), False)
    quoted = pc.binary_join_element_wise(pa.scalar("'", STRING), values, _sep(""))
    return pc.if_else(risky, quoted, values)


def neutralise_text(value: str) -> str:
    """:func:`neutralise` for one value."""
    return str(neutralise(pa.array([value], STRING))[0].as_py())


def format_csv_values(values: pd.Series, ftype: FieldType, profile: EspProfile) -> pa.Array:
    """Format one column for a CSV file (an Arrow string array; missing stays null)."""
    if ftype is FieldType.MONEY:
        numbers = pa.array(values.astype("float64"), pa.float64(), from_pandas=True)
        cents = pc.cast(pc.round(numbers, 2), pa.decimal128(38, 2), safe=False)
        return pc.cast(cents, STRING)
    if ftype is FieldType.INT:
        return pc.cast(pa.array(values.astype("Int64"), pa.int64(), from_pandas=True), STRING)
    if ftype in (FieldType.DATE, FieldType.TIMESTAMP):
        stamps = pa.array(values, pa.timestamp("s"), from_pandas=True)
        fmt = profile.date_format if ftype is FieldType.DATE else profile.timestamp_format
        return pc.cast(pc.strftime(stamps, format=fmt), STRING)
    if ftype is FieldType.BOOL:
        flags = pa.array(values.astype("boolean"), pa.bool_(), from_pandas=True)
        return pc.if_else(flags, pa.scalar("true", STRING), pa.scalar("false", STRING))
    text = _arrow(values)
    if ftype is FieldType.TEXT:
        return neutralise(text)
    return text


def normalise(values: pa.Array, steps: tuple[str, ...]) -> pa.Array:
    """Apply a profile's normalize steps; an empty result becomes null."""
    text = values
    for step in steps:
        if step == "nfc":
            text = pc.utf8_normalize(text, form="NFC")
        elif step == "trim":
            text = pc.utf8_trim_whitespace(text)
        elif step == "lower":
            text = pc.utf8_lower(text)
        elif step == "upper":
            text = pc.utf8_upper(text)
        elif step == "remove_whitespace":
            text = pc.replace_substring_regex(text, r"\s+", "")
        elif step == "remove_punctuation":
            text = pc.replace_substring_regex(text, r"[^\p{L}\p{N}]", "")
    return pc.if_else(pc.equal(text, ""), pa.scalar(None, STRING), text)


def sha256_hex(values: pa.Array) -> pa.Array:
    """SHA-256 hex of every present value (UTF-8); missing values stay null."""
    return pa.array(
        [None if v is None else hashlib.sha256(v.encode("utf-8")).hexdigest()
         for v in values.to_pylist()],
        STRING,
    )  # fmt: skip


# ------------------------------------------------------------------ CSV


@dataclass
class CsvVariant:
    """One CSV file set of an export (the main file, or the identifier fallback)."""

    suffix: str
    columns: dict[str, pa.Array]  # output name -> formatted values (null: empty cell)
    plain: set[str] = field(default_factory=set)  # columns that never need CSV quoting

    def __len__(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0


def _rest_name(name: str, case: str) -> str:
    return name.upper() if case == "upper" else name.lower() if case == "lower" else name


def _csv_column(spec: ColumnSpec, send_list: SendList, profile: EspProfile) -> pa.Array | None:
    frame = send_list.frame
    if spec.value is not None:
        return pa.array([spec.value] * len(frame), STRING)
    assert spec.field is not None
    if spec.field not in frame:
        return None  # optional field the flow does not have
    ftype = send_list.types.get(spec.field, FieldType.TEXT)
    if not (spec.normalize or spec.hash):
        return format_csv_values(frame[spec.field], ftype, profile)
    if ftype is FieldType.TEXT:  # normalise the value itself, not its spreadsheet-safe form
        values = normalise(_arrow(frame[spec.field]), spec.normalize)
    else:
        values = normalise(format_csv_values(frame[spec.field], ftype, profile), spec.normalize)
    if spec.hash:
        return sha256_hex(values)
    return neutralise(values) if ftype is FieldType.TEXT else values


def csv_variants(send_list: SendList, profile: EspProfile) -> list[CsvVariant]:
    """The formatted CSV columns: one variant, or two when the identifier needs a fallback."""
    frame = send_list.frame
    columns: dict[str, pa.Array] = {}
    plain: set[str] = set()
    explicit = {c.field for c in profile.columns if isinstance(c, ColumnSpec) and c.field}
    for spec in profile.columns:
        if isinstance(spec, RestSpec):
            for name in spec.columns(send_list.plan.flow_column_names):
                if name in explicit or name not in frame:
                    continue
                ftype = send_list.types.get(name, FieldType.TEXT)
                columns[_rest_name(name, spec.case)] = format_csv_values(
                    frame[name], ftype, profile
                )
                if ftype in PLAIN_TYPES:
                    plain.add(_rest_name(name, spec.case))
            continue
        values = _csv_column(spec, send_list, profile)
        if values is not None:
            columns[spec.name] = values
            ftype = send_list.types.get(spec.field or "", FieldType.TEXT)
            if spec.hash or (spec.field and ftype in PLAIN_TYPES):
                plain.add(spec.name)
    for group in profile.groups:
        if not all(name in columns for name in group.columns):
            for name in group.columns:
                columns.pop(name, None)
            continue
        if group.require_all:
            complete = pa.array(np.ones(len(frame), dtype=bool))
            for name in group.columns:
                known = pc.fill_null(pc.not_equal(columns[name], ""), False)
                complete = pc.and_(complete, known)
            for name in group.columns:
                columns[name] = pc.if_else(complete, columns[name], pa.scalar(None, STRING))
    if profile.identifier is None:
        return [CsvVariant("", columns, plain)]
    ident = profile.identifier
    key = frame[ident.field]
    has_key = (key.notna() & key.astype("str").ne("")).to_numpy(dtype=bool)
    key_values = format_csv_values(key, send_list.types[ident.field], profile)
    main = {ident.column: pc.filter(key_values, pa.array(has_key))}
    main.update({k: pc.filter(v, pa.array(has_key)) for k, v in columns.items()})
    variants = [CsvVariant("", main, plain)]
    if not has_key.all():
        if not ident.fallback_suffix:
            raise ConfigError(
                f"profile {profile.name}: {int((~has_key).sum())} row(s) have no "
                f"{ident.field} and the profile has no identifier fallback"
            )
        fallback_rows = frame[~has_key]
        fallback_list = SendList(send_list.plan, send_list.as_of, fallback_rows, send_list.types)
        rest: dict[str, pa.Array] = {}
        for spec in ident.fallback_columns:
            values = _csv_column(spec, fallback_list, profile)
            if values is not None:
                rest[spec.name] = values
        rest.update({k: pc.filter(v, pa.array(~has_key)) for k, v in columns.items()})
        variants.append(CsvVariant(ident.fallback_suffix, rest, plain))
    return variants


def _header(names: list[str], profile: EspProfile) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        delimiter=profile.delimiter,
        lineterminator=profile.line_terminator,
        quoting=csv.QUOTE_MINIMAL,
    )
    writer.writerow(names)
    return buffer.getvalue().encode("utf-8")


def _csv_field(values: pa.Array, delimiter: str) -> pa.Array:
    """RFC 4180 quoting, as Python's csv.QUOTE_MINIMAL: quote if the value needs it."""
    text = pc.fill_null(values, pa.scalar("", values.type))
    special = pc.match_substring_regex(text, "[" + re.escape(delimiter) + '"\r\n]')
    if not pc.any(special).as_py():
        return text
    doubled = pc.replace_substring(text, '"', '""')
    quoted = pc.binary_join_element_wise(
        pa.scalar('"', STRING), doubled, pa.scalar('"', STRING), _sep("")
    )
    return pc.if_else(special, quoted, text)


def _csv_rows(fields: list[pa.Array], profile: EspProfile | None) -> bytes:
    """The CSV text of some rows (already quoted fields), as UTF-8 bytes.

    Without a profile, the values are concatenated as they are.
    """
    if profile is None:
        line = fields[0]
    else:
        line = pc.binary_join_element_wise(*fields, _sep(profile.delimiter))
        line = pc.binary_join_element_wise(
            line, pa.scalar("", STRING), _sep(profile.line_terminator)
        )
    line = _flat(line.cast(STRING))
    offsets = np.frombuffer(line.buffers()[1], dtype=np.int64)
    start, stop = offsets[line.offset], offsets[line.offset + len(line)]
    data = line.buffers()[2]
    return b"" if data is None else memoryview(data)[start:stop].tobytes()


def csv_text(variant: CsvVariant, profile: EspProfile) -> str:
    """A whole (small) CSV variant as text, header included (for previews)."""
    head = _header(list(variant.columns), profile)
    fields = [_csv_field(v, profile.delimiter) for v in variant.columns.values()]
    body = _csv_rows(fields, profile) if len(variant) else b""
    return (head + body).decode("utf-8")


def csv_chunks(variant: CsvVariant, profile: EspProfile) -> Iterator[Chunk]:
    """Stream a CSV variant as chunks, starting a new part at the profile's limits."""
    fields = []
    for name, values in variant.columns.items():
        values = _flat(values).cast(STRING)
        plain = name in variant.plain
        fields.append(pc.fill_null(values, "") if plain else _csv_field(values, profile.delimiter))
    head = _header(list(variant.columns), profile)
    if profile.bom:
        head = b"\xef\xbb\xbf" + head
    max_rows = profile.max_rows or math.inf
    max_bytes = profile.max_bytes or math.inf
    if len(head) >= max_bytes:
        raise ConfigError(f"profile {profile.name}: the header alone exceeds limits.max_bytes")
    part, part_rows, part_bytes, position = 0, 0, len(head), 0
    total = len(variant)
    yield Chunk(variant.suffix, part, head, 0)
    size = CHUNK_ROWS
    while position < total:
        size = int(min(size, total - position, max_rows - part_rows))
        data = _csv_rows([f.slice(position, size) for f in fields], profile)
        if part_bytes + len(data) > max_bytes:
            per_row = len(data) / size
            fits = int((max_bytes - part_bytes) // per_row)
            if size > 1 and fits < size:
                size = max(1, min(size - 1, fits))
                continue
            if part_rows == 0:
                raise ConfigError(
                    f"profile {profile.name}: one row is larger than limits.max_bytes"
                )
            part, part_rows, part_bytes = part + 1, 0, len(head)
            yield Chunk(variant.suffix, part, head, 0)
            size = CHUNK_ROWS
            continue
        yield Chunk(variant.suffix, part, data, size)
        part_rows += size
        part_bytes += len(data)
        position += size
        if part_rows >= max_rows and position < total:
            part, part_rows, part_bytes = part + 1, 0, len(head)
            yield Chunk(variant.suffix, part, head, 0)
        size = CHUNK_ROWS


def chunks(send_list: SendList, profile: EspProfile, frame: pd.DataFrame) -> Iterator[Chunk]:
    """The output of ``frame`` (rows of the send list) in the profile's format."""
    if profile.format == "json":
        from followup.export.json_format import json_chunks  # it builds on this module

        yield from json_chunks(send_list, profile, frame)
        return
    subset = SendList(send_list.plan, send_list.as_of, frame, send_list.types)
    for variant in csv_variants(subset, profile):
        if len(variant):
            yield from csv_chunks(variant, profile)
