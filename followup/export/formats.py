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
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from followup.export.errors import ConfigError
from followup.export.esp_profiles import ColumnSpec, EspProfile, RestSpec, parse_ref
from followup.export.fields import (
    PRODUCT_COLUMN,
    FieldType,
    bought_product_columns,
    extras_object_columns,
    product_slots,
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


# ------------------------------------------------------------------ JSON


_JSON_ESCAPES = (
    ("\\", "\\\\"),
    ('"', '\\"'),
    ("\n", "\\n"),
    ("\r", "\\r"),
    ("\t", "\\t"),
    ("\b", "\\b"),
    ("\f", "\\f"),
)
_OTHER_CONTROL = "[\\x00-\\x1f]"
_NEEDS_ESCAPE = '[\\\\"\\x00-\\x1f]'


def json_strings(values: pa.Array) -> pa.Array:
    """JSON string literals (as json.dumps(ensure_ascii=False) writes them); null stays null."""
    text = values
    if pc.any(pc.match_substring_regex(text, _NEEDS_ESCAPE)).as_py():
        for old, new in _JSON_ESCAPES:
            text = pc.replace_substring(text, old, new)
        rare = pc.fill_null(pc.match_substring_regex(text, _OTHER_CONTROL), False)
    else:
        rare = pa.array(np.zeros(len(values), dtype=bool))
    quoted = pc.binary_join_element_wise(_sep('"'), text, _sep('"'), _sep(""))
    if pc.any(rare).as_py():  # other control characters: let json.dumps escape them
        originals = pc.filter(values, rare).to_pylist()
        fixed = pa.array([json.dumps(v, ensure_ascii=False) for v in originals], STRING)
        quoted = pc.replace_with_mask(quoted, rare, fixed)
    return quoted


def _const(text: str, count: int) -> pa.Array:
    return pa.array([text] * count, STRING) if count else pa.array([], STRING)


def _member(key: str, value: pa.Array) -> pa.Array:
    """``"key":value`` (null where the value is null)."""
    prefix = json.dumps(key, ensure_ascii=False) + ":"
    return pc.binary_join_element_wise(_sep(prefix), value, _sep(""))


def _join(parts: list[pa.Array], count: int) -> pa.Array:
    """The present parts of every row joined by commas ("" when none is present)."""
    if not parts:
        return _const("", count)
    # (null_handling="skip" of binary_join_element_wise drops rows in pyarrow 26: avoid it)
    with_comma = [
        pc.fill_null(pc.binary_join_element_wise(p, _sep(""), _sep(",")), "") for p in parts
    ]
    joined = pc.binary_join_element_wise(*with_comma, _sep(""))
    return pc.utf8_slice_codeunits(joined, 0, -1)  # the last comma


class JsonBuilder:
    """Build the JSON text of every item of a profile at once (Arrow compute, no loops)."""

    def __init__(self, send_list: SendList, profile: EspProfile, frame: pd.DataFrame) -> None:
        assert profile.json is not None
        self.send_list = send_list
        self.profile = profile
        self.frame = frame
        self.count = len(frame)
        self.omit_nulls = profile.json.omit_nulls
        self.columns = send_list.plan.flow_column_names

    # ---- leaves
    def _field(self, name: str, filter_: str | None) -> pa.Array:
        if name == "products":
            return self._products()
        if name == "bought_product":
            return self._object_of(
                {
                    c.removeprefix("bought_product_"): c
                    for c in bought_product_columns(self.columns)
                },
                require="id",
            )
        if name == "extras":
            return self._object_of({c: c for c in extras_object_columns(self.columns)})
        values = self.frame[name]
        ftype = self.send_list.types.get(name, FieldType.TEXT)
        if filter_ == "epoch":
            seconds = (values - pd.Timestamp("1970-01-01")) // pd.Timedelta(seconds=1)
            return pc.cast(pa.array(seconds, pa.int64(), from_pandas=True), STRING)
        if filter_ == "date":
            ftype = FieldType.DATE
        if filter_ == "string":
            return json_strings(self._plain(values, ftype))
        if ftype in (FieldType.INT, FieldType.MONEY, FieldType.BOOL):
            return self._plain(values, ftype)
        return json_strings(self._plain(values, ftype))

    def _plain(self, values: pd.Series, ftype: FieldType) -> pa.Array:
        """Values as text: numbers as JSON numbers, the rest unquoted."""
        if ftype is FieldType.TEXT:
            return _arrow(values)  # no spreadsheet quote in JSON
        return format_csv_values(values, ftype, self.profile)

    def _object_of(self, names: dict[str, str], require: str | None = None) -> pa.Array:
        members = [
            _member(key, self._field(column, None))
            for key, column in names.items()
            if column in self.frame
        ]
        obj = self._wrap("{", _join(members, self.count), "}")
        if require is not None and names.get(require) in self.frame:
            missing = pa.array(self.frame[names[require]].isna().to_numpy(dtype=bool))
            obj = pc.if_else(missing, pa.scalar(None, STRING), obj)
        return obj

    def _products(self) -> pa.Array:
        slots = []
        for slot in product_slots(self.columns):
            names = {
                m.group(2): c
                for c in self.columns
                if (m := PRODUCT_COLUMN.match(c)) and int(m.group(1)) == slot
            }
            slots.append(self._object_of(names, require="id"))
        return self._wrap("[", _join(slots, self.count), "]")

    def _wrap(self, left: str, inner: pa.Array, right: str) -> pa.Array:
        text = pc.binary_join_element_wise(_sep(left), inner, _sep(right), _sep(""))
        if self.omit_nulls:
            text = pc.if_else(pc.equal(inner, ""), pa.scalar(None, STRING), text)
        return text

    # ---- structure
    def build(self, spec: Any) -> pa.Array:
        """The JSON text of ``spec`` for every row (null: leave the key out)."""
        if isinstance(spec, dict):
            members: list[pa.Array] = []
            for key, value in spec.items():
                if key == "$spread":
                    members.extend(self._spread(value))
                    continue
                text = self.build(value)
                if not self.omit_nulls:
                    text = pc.fill_null(text, "null")
                members.append(_member(key, text))
            return self._wrap("{", _join(members, self.count), "}")
        if isinstance(spec, list):
            elements = [self.build(v) for v in spec]
            return self._wrap("[", _join(elements, self.count), "]")
        if isinstance(spec, str):
            ref = parse_ref(spec)
            if ref is not None:
                return self._field(*ref)
            literal = spec[1:] if spec.startswith("$$") else spec
            return _const(json.dumps(literal, ensure_ascii=False), self.count)
        return _const(json.dumps(spec), self.count)

    def _spread(self, ref: str) -> list[pa.Array]:
        name, _ = parse_ref(ref) or ("", None)
        if name == "extras":
            return [
                _member(c, self._field(c, None))
                for c in extras_object_columns(self.columns)
                if c in self.frame
            ]
        raise ConfigError(f"profile {self.profile.name}: $spread supports $extras only")

    def items(self) -> pa.Array:
        """One JSON object (text) per row; never null."""
        text = self.build(self.profile.json.item if self.profile.json else {})
        return _flat(pc.fill_null(text, "{}"))


def _interpolate(spec: Any, context: dict[str, str]) -> Any:
    if isinstance(spec, dict):
        return {k: _interpolate(v, context) for k, v in spec.items()}
    if isinstance(spec, list):
        return [_interpolate(v, context) for v in spec]
    if isinstance(spec, str) and spec != "$items":
        text = spec
        for key, value in context.items():
            text = text.replace("${" + key + "}", value)
        if "${" in text:
            raise ConfigError(f"unknown setting in {spec!r}")
        return text
    return spec


_SENTINEL = "\u0000followup-items\u0000"


def envelope_parts(send_list: SendList, profile: EspProfile) -> tuple[bytes, bytes]:
    """The request body before and after its item list."""
    assert profile.json is not None
    context = {
        "flow_id": send_list.flow_id,
        "as_of_date": send_list.as_of.isoformat(),
        "profile": profile.name,
    }
    for key in profile.settings:
        context[key] = profile.setting(key, send_list.flow_id)
    envelope = _interpolate(profile.json.envelope, context)

    def mark(spec: Any) -> Any:
        if spec == "$items":
            return _SENTINEL
        if isinstance(spec, dict):
            return {k: mark(v) for k, v in spec.items()}
        if isinstance(spec, list):
            return [mark(v) for v in spec]
        return spec

    text = json.dumps(mark(envelope), ensure_ascii=False, separators=(",", ":"))
    before, after = text.split(json.dumps(_SENTINEL))
    return before.encode("utf-8"), after.encode("utf-8")


def json_items(send_list: SendList, profile: EspProfile, rows: pd.DataFrame) -> list[Any]:
    """The items (as Python objects) for some rows of the send list."""
    texts = JsonBuilder(send_list, profile, rows).items().to_pylist()
    return [json.loads(t) for t in texts]


def json_chunks(send_list: SendList, profile: EspProfile, frame: pd.DataFrame) -> Iterator[Chunk]:
    """Stream request bodies; every part is one complete body within the limits."""
    before, after = envelope_parts(send_list, profile)
    max_items = profile.max_rows or math.inf
    max_bytes = profile.max_bytes or math.inf
    overhead = len(before) + len(after) + 3  # the brackets of the list and the newline
    part = 0
    for start in range(0, len(frame), JSON_CHUNK_ROWS):
        rows = frame.iloc[start : start + JSON_CHUNK_ROWS]
        items = JsonBuilder(send_list, profile, rows).items()
        with_comma = _flat(pc.binary_join_element_wise(items, _sep(""), _sep(",")))
        sizes = pc.binary_length(with_comma).to_numpy().astype(np.int64)
        if len(sizes) and sizes.max() - 1 + overhead > max_bytes:
            raise ConfigError(
                f"profile {profile.name}: one recipient's data exceeds limits.max_bytes"
            )
        ends = np.cumsum(sizes)
        position = 0
        while position < len(items):
            # the most items from ``position`` that fit (the last one without its comma)
            base = ends[position - 1] if position else 0
            fits = int(np.searchsorted(ends, base + max_bytes - overhead + 1, side="right"))
            stop = min(fits, len(items), position + int(min(max_items, len(items))))
            stop = max(stop, position + 1)
            data = _csv_rows([with_comma.slice(position, stop - position)], None)[:-1]
            yield Chunk("", part, before + b"[" + data + b"]" + after + b"\n", stop - position)
            part += 1
            position = stop


def chunks(send_list: SendList, profile: EspProfile, frame: pd.DataFrame) -> Iterator[Chunk]:
    """The output of ``frame`` (rows of the send list) in the profile's format."""
    if profile.format == "json":
        yield from json_chunks(send_list, profile, frame)
        return
    subset = SendList(send_list.plan, send_list.as_of, frame, send_list.types)
    for variant in csv_variants(subset, profile):
        if len(variant):
            yield from csv_chunks(variant, profile)
