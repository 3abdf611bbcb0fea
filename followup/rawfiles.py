"""Check one raw file against the data contract before anything is loaded.

Every problem becomes one line that names the file, and where it can the column and
the line or row:

* CSV: an empty file, bytes that are not UTF-8 (the line and the byte), duplicate or
  empty column names, a ragged row (the line), a header that is not comma separated.
* Parquet: a column whose physical type cannot hold the contract's type (an integer
  ``contact_id``, a string timestamp).
* Both: a missing or unknown column, and a value that does not parse as its type (the
  first bad row, and how many there are).

Values are converted the same way for every engine: a timestamp with a UTC offset
(``2026-06-01T10:00:00+02:00``) becomes the UTC time (08:00), and a NUL byte in text
becomes U+FFFD (PostgreSQL cannot store NUL; staging quarantines such rows as
``invalid_text``), with a warning that names the column and the first row.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from followup.contract import ENGINE_TYPES, Column, Table

FORMATS = ("parquet", "csv")
UTF8_BOM = b"\xef\xbb\xbf"
READ_CHUNK = 1 << 20

# DuckDB types a Parquet column may have for each contract type (NULL: a column
# with no value at all). Integer ranges and decimal scales are checked per value.
_INTEGERS = {
    "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT",
    "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT",
}  # fmt: skip
PARQUET_TYPES: dict[str, set[str]] = {
    "text": {"VARCHAR"},
    "integer": _INTEGERS,
    "decimal(18,2)": _INTEGERS | {"DECIMAL"},
    "boolean": {"BOOLEAN"},
    "date": {"DATE"},
    "timestamp": {
        "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMP WITH TIME ZONE",
    },
}  # fmt: skip


@dataclass(frozen=True)
class RawFile:
    """A file that holds one raw table."""

    table: Table
    path: Path

    @property
    def format(self) -> str:
        return self.path.suffix.lstrip(".")


@dataclass
class FileCheck:
    """What checking one file found: its rows, problems (refusals) and warnings."""

    raw_file: RawFile
    rows: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    file_types: dict[str, str] = field(default_factory=dict)  # column -> DuckDB type
    nul_columns: set[str] = field(default_factory=set)

    @property
    def reader(self) -> str:
        """The DuckDB table function that reads the file."""
        return reader_sql(self.raw_file, list(self.file_types) or None)


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def reader_sql(raw_file: RawFile, header: list[str] | None = None) -> str:
    """DuckDB table function that reads a raw file (CSV: every value as text, the
    columns named as in ``header``, the file's own order)."""
    path = literal(str(raw_file.path))
    if raw_file.format == "csv":
        names = header or raw_file.table.column_names
        columns = ", ".join(f"{literal(name)}: 'VARCHAR'" for name in names)
        return (
            f"read_csv({path}, header = true, delim = ',', quote = '\"', escape = '\"', "
            f"columns = {{{columns}}}, auto_detect = false, strict_mode = true, "
            "null_padding = false)"
        )
    return f"read_parquet({path})"


def find_files(folder: Path, tables: dict[str, Table]) -> tuple[list[RawFile], list[str]]:
    """Match the files of a folder to the contract's tables; return files and errors."""
    errors: list[str] = []
    files: list[RawFile] = []
    if not folder.is_dir():
        return [], [f"{folder}: no such folder"]
    data_files = sorted(p for p in folder.iterdir() if p.suffix.lstrip(".") in FORMATS)
    for path in data_files:
        if path.stem not in tables:
            errors.append(
                f"{path}: file does not belong to the data contract "
                f"(known tables: {', '.join(tables)})"
            )
    for name, table in tables.items():
        candidates = [
            folder / f"{name}.{fmt}" for fmt in FORMATS if (folder / f"{name}.{fmt}").exists()
        ]
        if not candidates:
            errors.append(f"{folder}/{name}.parquet (or .csv): missing file for table {name!r}")
        elif len(candidates) > 1:
            given = ", ".join(p.name for p in candidates)
            errors.append(f"{folder}: table {name!r} is given twice ({given}); keep one")
        else:
            files.append(RawFile(table, candidates[0]))
    return files, errors


# ---------------------------------------------------------------- CSV structure


def utf8_problem(path: Path) -> str | None:
    """None if the file is UTF-8, else where and what the first bad byte is."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    line, seen = 1, b""
    with path.open("rb") as handle:
        while chunk := handle.read(READ_CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                before = seen[-READ_CHUNK:] + chunk[: exc.start]
                line += chunk[: exc.start].count(b"\n")
                column = len(before) - before.rfind(b"\n")
                byte = chunk[exc.start]
                return (
                    f"not UTF-8: line {line:,}, column {column:,} has the byte 0x{byte:02x}, "
                    "which UTF-8 does not allow there (the file looks Latin-1 or "
                    "Windows-1252 encoded); save it as UTF-8"
                )
            line += chunk.count(b"\n")
            seen = chunk
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "not UTF-8: the file ends in the middle of a character; save it as UTF-8"
    return None


def csv_header(path: Path) -> tuple[list[str] | None, list[str]]:
    """The column names of a CSV file's header line, and the problems with them."""
    with path.open("rb") as handle:
        head = handle.read(READ_CHUNK)
    if head.startswith(UTF8_BOM):
        head = head[len(UTF8_BOM) :]
    if not head.strip():
        return None, [f"{path}: empty file (there is not even a header line)"]
    text = head.decode("utf-8", errors="replace")
    header = next(csv.reader(io.StringIO(text)), [])
    errors = []
    if len(header) == 1 and ";" in header[0]:
        errors.append(
            f"{path}: the header is separated by ';', not ','; save the file as a "
            "comma-separated CSV"
        )
        return None, errors
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        if not name.strip():
            errors.append(f"{path}: column {position} of the header has no name")
        elif name in seen:
            errors.append(f"{path}: column {name!r} appears twice in the header")
        seen.add(name)
    return header, errors


def ragged_line(path: Path, expected: int) -> tuple[int, int] | None:
    """(line, fields) of the first record whose field count differs from the header's."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        start = 1
        for index, record in enumerate(reader):
            if index and len(record) != expected and record != []:
                return start, len(record)
            start = reader.line_num + 1
    return None


# ---------------------------------------------------------------- columns and values


def check_columns(raw_file: RawFile, columns: list[str]) -> list[str]:
    """Missing and unknown columns of a file."""
    errors = []
    expected = raw_file.table.column_names
    present = set(columns)
    for name in expected:
        if name not in present:
            errors.append(
                f"{raw_file.path}: missing column {name!r} "
                f"(table {raw_file.table.name} needs: {', '.join(expected)})"
            )
    for name in columns:
        if name not in expected:
            errors.append(
                f"{raw_file.path}: unknown column {name!r} "
                f"(table {raw_file.table.name} has: {', '.join(expected)})"
            )
    return errors


def _base_type(duck_type: str) -> str:
    return re.sub(r"\(.*\)$", "", duck_type).strip().upper()


def check_parquet_types(raw_file: RawFile, file_types: dict[str, str]) -> list[str]:
    """Columns whose Parquet type cannot hold the contract type."""
    errors = []
    for column in raw_file.table.columns:
        found = file_types.get(column.name)
        if found is None or _base_type(found) == '"NULL"' or found.upper() == "NULL":
            continue
        if _base_type(found) not in PARQUET_TYPES[column.data_type]:
            errors.append(
                f"{raw_file.path}: column {column.name!r} is stored as {found}, but the "
                f"contract says {column.data_type} "
                f"({_type_hint(column)}); write it with that type"
            )
    return errors


def _type_hint(column: Column) -> str:
    hints = {
        "text": "ids and codes are text, even when they look like numbers",
        "timestamp": "a Parquet TIMESTAMP, not text",
        "date": "a Parquet DATE",
        "decimal(18,2)": "money is a DECIMAL, not a floating-point number",
        "integer": "a whole number",
        "boolean": "true or false",
    }
    return hints[column.data_type]


def parse_expression(column: Column, file_type: str, value: str) -> str:
    """SQL that turns a file value into the contract type (offsets become UTC)."""
    duck_type = ENGINE_TYPES["duckdb"][column.data_type]
    if column.data_type == "timestamp" and _base_type(file_type) == "VARCHAR":
        return f"cast(cast({value} as timestamptz) as timestamp)"
    if column.data_type == "timestamp" and _base_type(file_type) == "TIMESTAMP WITH TIME ZONE":
        return f"cast({value} as timestamp)"
    return f"cast({value} as {duck_type})"


def _try_parse(column: Column, file_type: str, value: str) -> str:
    """Like parse_expression, but null where the value does not parse."""
    if column.data_type == "timestamp" and _base_type(file_type) == "VARCHAR":
        return f"cast(try_cast({value} as timestamptz) as timestamp)"
    return parse_expression(column, file_type, value).replace("cast(", "try_cast(", 1)


def bad_value_condition(column: Column, file_type: str, value: str) -> str:
    """True for a value that does not parse, or (a decimal with more than 2 decimals)
    would be rounded: money is never changed silently."""
    parsed = _try_parse(column, file_type, value)
    condition = f"{value} is not null and ({parsed} is null"
    scale = re.search(r"DECIMAL\(\d+,\s*(\d+)\)", file_type.upper())
    if column.data_type == "decimal(18,2)" and scale and int(scale.group(1)) > 2:
        condition += f" or {parsed} <> {value}"
    return condition + ")"


def value_scan(con: duckdb.DuckDBPyConnection, check: FileCheck) -> None:
    """One scan of the file: rows, values that do not parse, text with a NUL byte."""
    raw_file = check.raw_file
    parts = ["count(*)"]
    typed = [c for c in raw_file.table.columns if c.data_type != "text"]
    texts = [c for c in raw_file.table.columns if c.data_type == "text"]
    for column in typed:
        name = quote(column.name)
        file_type = check.file_types.get(column.name, "VARCHAR")
        parts.append(f"count(*) filter (where {bad_value_condition(column, file_type, name)})")
    for column in texts:
        parts.append(f"count(*) filter (where contains({quote(column.name)}, chr(0)))")
    row = con.execute(f"select {', '.join(parts)} from {check.reader}").fetchone()
    check.rows = int(row[0])
    for column, bad in zip(typed, row[1 : 1 + len(typed)], strict=True):
        if bad:
            file_type = check.file_types.get(column.name, "VARCHAR")
            where_sql = bad_value_condition(column, file_type, "v")
            number, value = _first_row(con, check, column.name, where_sql)
            check.errors.append(
                f"{raw_file.path}: column {column.name!r}: value {value!r} on "
                f"{_where(raw_file, number)} does not parse as {column.data_type} "
                f"({bad:,} such value(s) in the file)"
            )
    for column, nul in zip(texts, row[1 + len(typed) :], strict=True):
        if nul:
            number, _ = _first_row(con, check, column.name, "contains(v, chr(0))")
            check.nul_columns.add(column.name)
            check.warnings.append(
                f"{raw_file.path}: column {column.name!r}: {nul:,} value(s) with a NUL byte, "
                f"the first on {_where(raw_file, number)}; the NUL is stored as U+FFFD and "
                "staging quarantines those rows (invalid_text)"
            )


def _where(raw_file: RawFile, row_number: int) -> str:
    where = f"row {row_number:,}"
    if raw_file.format == "csv":
        where += f" (line {row_number + 1:,} of the file)"
    return where


def _first_row(
    con: duckdb.DuckDBPyConnection, check: FileCheck, column: str, where_sql: str
) -> tuple[int, str]:
    """The 1-based data row number and text of the first value matching ``where_sql``."""
    raw_file = check.raw_file
    col = quote(column)
    if raw_file.format == "parquet":
        row = con.execute(
            f"select file_row_number + 1, cast(v as varchar) from ("
            f"select {col} as v, file_row_number "
            f"from read_parquet({literal(str(raw_file.path))}, file_row_number = true)) "
            f"where {where_sql} order by file_row_number limit 1"
        ).fetchone()
        return int(row[0]), str(row[1]).replace("\x00", "\\x00")
    # Error path only: read the file in order on one thread to number its rows.
    con.execute("set threads = 1")
    try:
        con.execute(
            f"create or replace temp table _numbered as select {col} as v from {check.reader}"
        )
        row = con.execute(
            f"select rowid + 1, v from _numbered where {where_sql} order by rowid limit 1"
        ).fetchone()
    finally:
        con.execute("drop table if exists _numbered")
        con.execute("reset threads")
    return int(row[0]), str(row[1]).replace("\x00", "\\x00")


# ---------------------------------------------------------------- one file


def check_file(con: duckdb.DuckDBPyConnection, raw_file: RawFile) -> FileCheck:
    """Every problem of one file, its row count and the warnings for its values."""
    check = FileCheck(raw_file)
    if raw_file.format == "csv":
        _check_csv_structure(check)
    else:
        _check_parquet_structure(check)
    if check.errors:
        return check
    try:
        value_scan(con, check)
    except duckdb.Error as exc:
        check.errors.append(_read_error(raw_file, exc))
    return check


def _check_csv_structure(check: FileCheck) -> None:
    raw_file = check.raw_file
    header, errors = csv_header(raw_file.path)
    if errors or header is None:
        check.errors.extend(errors)
        return
    problem = utf8_problem(raw_file.path)
    if problem:
        check.errors.append(f"{raw_file.path}: {problem}")
        return
    check.errors.extend(check_columns(raw_file, header))
    if not check.errors:
        ragged = ragged_line(raw_file.path, len(header))
        if ragged:
            line, fields = ragged
            check.errors.append(
                f"{raw_file.path}: line {line:,} has {fields} field(s), the header has "
                f"{len(header)} (a ragged row: check its quotes and commas)"
            )
    check.file_types = {name: "VARCHAR" for name in header}


def _check_parquet_structure(check: FileCheck) -> None:
    raw_file = check.raw_file
    try:
        names = pq.read_schema(raw_file.path).names
    except Exception as exc:  # pyarrow raises several types for a broken file
        check.errors.append(f"{raw_file.path}: cannot be read as Parquet: {exc}")
        return
    if not names:
        check.errors.append(f"{raw_file.path}: empty file (no columns)")
        return
    seen: set[str] = set()
    for name in names:
        if name in seen:
            check.errors.append(f"{raw_file.path}: column {name!r} appears twice")
        seen.add(name)
    check.errors.extend(check_columns(raw_file, names))
    if check.errors:
        return
    con = duckdb.connect()
    try:
        rows = con.execute(f"describe select * from {reader_sql(raw_file)}").fetchall()
    except duckdb.Error as exc:
        check.errors.append(_read_error(raw_file, exc))
        return
    finally:
        con.close()
    check.file_types = {row[0]: str(row[1]) for row in rows}
    check.errors.extend(check_parquet_types(raw_file, check.file_types))


def _read_error(raw_file: RawFile, exc: Exception) -> str:
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"{raw_file.path}: cannot be read as {raw_file.format.upper()}: {message}"


def typed_select_sql(check: FileCheck) -> str:
    """A DuckDB select of the file, every column in its contract type (see module doc)."""
    expressions = []
    for column in check.raw_file.table.columns:
        value = quote(column.name)
        if column.name in check.nul_columns:
            value = f"replace({value}, chr(0), chr(65533))"
        file_type = check.file_types.get(column.name, "VARCHAR")
        expressions.append(f"{parse_expression(column, file_type, value)} as {quote(column.name)}")
    return f"select {', '.join(expressions)} from {check.reader}"
