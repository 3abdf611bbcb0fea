"""JSON output: request bodies for the ESPs' bulk APIs, built column-wise with Arrow.

A profile's ``json.item`` is the body of one recipient (``$field`` references are
filled in per row), ``json.envelope`` wraps the items (``$items``), split into chunks
of the profile's limits. Strings are written as ``json.dumps(ensure_ascii=False)``
writes them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from followup.export.errors import ConfigError
from followup.export.esp_profiles import EspProfile, parse_ref
from followup.export.fields import (
    PRODUCT_COLUMN,
    FieldType,
    bought_product_columns,
    extras_object_columns,
    product_slots,
)
from followup.export.formats import (
    JSON_CHUNK_ROWS,
    STRING,
    Chunk,
    _arrow,
    _csv_rows,
    _flat,
    _sep,
    format_csv_values,
)
from followup.export.sendlist import SendList

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
