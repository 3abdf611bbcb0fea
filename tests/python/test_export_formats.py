"""Spreadsheet safety, CSV and JSON encoding, hashing, and splitting into parts."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from followup import PROJECT_DIR
from followup.export.esp_profiles import EspProfile
from followup.export.exporter import ExportOptions, run_export
from followup.export.formats import (
    CsvVariant,
    csv_chunks,
    neutralise_text,
    normalise,
    sha256_hex,
)
from followup.export.json_format import json_strings
from tests.python.fixtures.export.helpers import AS_OF, read_json, use_warehouse

STRING = pa.large_string()

# OWASP CSV injection: cells starting with = + - @ tab or carriage return get a quote.
INJECTION = [
    ('=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'),
    ("+31 20 123", "'+31 20 123"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("Jan", "Jan"),
    ("Jan = Piet", "Jan = Piet"),
    (" =1+1", " =1+1"),
    ("'quoted", "'quoted"),
    ("", ""),
]


def profile(**settings: object) -> EspProfile:
    return EspProfile(name="t", title="t", path=Path("t.yml"), documentation=("x",), **settings)


@pytest.mark.parametrize(("value", "expected"), INJECTION)
def test_free_text_is_neutralised_against_csv_injection(value: str, expected: str) -> None:
    assert neutralise_text(value) == expected


def test_csv_quoting_is_rfc4180_like_pythons_csv_module() -> None:
    rows = [
        ["plain", "with,comma", 'with "quote"', "line\nbreak", "cr\rx", "", None, "é€ü"],
        ["a;b", "x", "y", "z", "w", "v", "u", "t"],
    ]
    names = [f"c{i}" for i in range(len(rows[0]))]
    columns = {n: pa.array([r[i] for r in rows], STRING) for i, n in enumerate(names)}
    for delimiter in (",", ";"):
        # (Python's writer quotes CR and LF only when both end a line: compare with CRLF.)
        spec = profile(delimiter=delimiter, line_terminator="\r\n")
        data = b"".join(c.data for c in csv_chunks(CsvVariant("", columns), spec)).decode()
        expected = io.StringIO()
        writer = csv.writer(expected, delimiter=delimiter, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerows([["" if v is None else v for v in r] for r in rows])
        assert data == expected.getvalue()
        parsed = list(csv.reader(io.StringIO(data, newline=""), delimiter=delimiter))
        assert parsed[1][:6] == rows[0][:6]


def test_a_bom_only_where_the_profile_asks_for_one() -> None:
    columns = {"name": pa.array(["Zoë"], STRING)}
    plain = b"".join(c.data for c in csv_chunks(CsvVariant("", columns), profile()))
    excel = b"".join(c.data for c in csv_chunks(CsvVariant("", columns), profile(bom=True)))
    assert plain == "name\nZoë\n".encode()
    assert excel == b"\xef\xbb\xbf" + plain


def test_json_strings_escape_exactly_like_json_dumps() -> None:
    values = ["plain", 'q"uote', "back\\slash", "nl\nx", "tab\tx", "bell\x07", "é€ 😀", "</x>"]
    result = json_strings(pa.array([*values, None], STRING)).to_pylist()
    assert result == [json.dumps(v, ensure_ascii=False) for v in values] + [None]


def test_normalise_and_hash() -> None:
    values = pa.array(["  Jan.De.Vries@Example.COM ", "", None, "Zoë Ann-Marie"], STRING)
    email = normalise(values, ("trim", "lower", "remove_whitespace"))
    assert email.to_pylist() == ["jan.de.vries@example.com", None, None, "zoëann-marie"]
    meta_name = normalise(
        values, ("nfc", "trim", "lower", "remove_whitespace", "remove_punctuation")
    )
    assert meta_name.to_pylist()[3] == "zoëannmarie"
    hashed = sha256_hex(email).to_pylist()
    assert hashed[0] == hashlib.sha256(b"jan.de.vries@example.com").hexdigest()
    assert hashed[1:3] == [None, None]  # an empty value is never hashed


def test_csv_parts_by_rows_and_bytes_are_each_complete_files() -> None:
    rows = [f"name {i:04d}" for i in range(1000)]
    variant = CsvVariant("", {"name": pa.array(rows, STRING), "n": pa.array(map(str, range(1000)))})
    for spec in (profile(max_rows=300), profile(max_bytes=2_000)):
        parts: dict[int, bytes] = {}
        for chunk in csv_chunks(variant, spec):
            parts[chunk.part] = parts.get(chunk.part, b"") + chunk.data
        assert len(parts) > 1
        seen = []
        for data in parts.values():
            lines = data.decode().splitlines()
            assert lines[0] == "name,n"  # every part has the header
            assert len(lines) - 1 <= (spec.max_rows or 10**9)
            assert len(data) <= (spec.max_bytes or 10**9)
            seen.extend(line.split(",")[0] for line in lines[1:])
        assert seen == rows  # nothing lost, nothing twice, in order


def copy_export_dir(tmp_path: Path) -> Path:
    target = tmp_path / "export"
    shutil.copytree(PROJECT_DIR / "export", target)
    return target


@pytest.mark.parametrize(
    ("limits", "sizes"), [("{max_rows: 2}", [2, 1]), ("{max_bytes: 1000}", None)]
)
def test_request_bodies_split_by_items_and_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limits: str, sizes: list[int] | None
) -> None:
    """A profile with tiny limits: every part is a complete body within the limits."""
    use_warehouse(tmp_path, monkeypatch)
    export_dir = copy_export_dir(tmp_path)
    klaviyo = (export_dir / "profiles" / "klaviyo.yml").read_text(encoding="utf-8")
    tiny = klaviyo.replace("name: klaviyo", "name: tiny_klaviyo").replace(
        "limits: {max_rows: 10000, max_bytes: 5000000}", f"limits: {limits}"
    )
    (export_dir / "profiles" / "tiny_klaviyo.yml").write_text(tiny, encoding="utf-8")
    options = ExportOptions(
        esp="tiny_klaviyo", out=tmp_path / "out", flows=("abandoned_cart",), export_dir=export_dir
    )
    assert run_export(options, echo=lambda _: None) == 0
    folder = tmp_path / "out" / AS_OF / "tiny_klaviyo"
    parts = sorted(folder.glob("abandoned_cart.part*.json"))
    assert len(parts) >= 2
    emails, counts = [], []
    for part in parts:
        assert part.stat().st_size <= 1000 or sizes is not None
        body = read_json(part)
        profiles = body["data"]["attributes"]["profiles"]["data"]  # type: ignore[index]
        counts.append(len(profiles))
        emails += [p["attributes"]["email"] for p in profiles]
    if sizes is not None:
        assert counts == sizes
    assert emails == ["jan.de.vries@example.com", "sanne@example.nl", "lou@example.be"]
    manifest = read_json(folder / "abandoned_cart.manifest.json")
    assert [f["name"] for f in manifest["files"]] == [p.name for p in parts]  # type: ignore[index]
    assert manifest["row_count"] == 3  # type: ignore[index]
