"""The raw data contract, read from the dbt sources YAML (the single source of truth).

``models/staging/_raw__sources.yml`` declares every raw table: its columns, their
portable types, the key, the accepted values of code columns and the byte limit of
text columns. The loader reads it from here, and the dbt macros read a generated
copy, ``macros/_raw_contract.sql`` (dbt macros cannot read YAML files): run
``python -m followup.contract`` after changing the YAML; a test fails while the
copy is out of date.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from followup import PROJECT_DIR

SOURCES_FILE = PROJECT_DIR / "models" / "staging" / "_raw__sources.yml"
MACRO_FILE = PROJECT_DIR / "macros" / "_raw_contract.sql"
# The dbt var that limits text columns without a config.meta.max_bytes of their own.
DEFAULT_TEXT_LIMIT_VAR = "text_max_bytes"

# Portable contract type -> the SQL type each engine stores it as.
ENGINE_TYPES: dict[str, dict[str, str]] = {
    "duckdb": {
        "text": "varchar",
        "integer": "integer",
        "double": "double",
        "decimal(18,2)": "decimal(18,2)",
        "boolean": "boolean",
        "date": "date",
        "timestamp": "timestamp",
    },
    "postgres": {
        "text": "text",
        "integer": "integer",
        "double": "double precision",
        "decimal(18,2)": "numeric(18,2)",
        "boolean": "boolean",
        "date": "date",
        "timestamp": "timestamp without time zone",
    },
    "spark": {
        "text": "string",
        "integer": "int",
        "double": "double",
        "decimal(18,2)": "decimal(18,2)",
        "boolean": "boolean",
        "date": "date",
        "timestamp": "timestamp",
    },
}


@dataclass(frozen=True)
class Column:
    """One column of a raw table."""

    name: str
    data_type: str
    accepted_values: tuple[str, ...] = ()
    max_bytes: int | None = None  # text only; None: the dbt var text_max_bytes
    text_check: bool = True  # text only: checked for control characters and length


@dataclass(frozen=True)
class Table:
    """One raw table of the contract."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = field(default=())

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


def _accepted_values(column: dict) -> tuple[str, ...]:
    for test in column.get("data_tests") or []:
        if isinstance(test, dict) and "accepted_values" in test:
            return tuple(test["accepted_values"]["arguments"]["values"])
    return ()


def load_contract(sources_file: Path = SOURCES_FILE) -> dict[str, Table]:
    """Return the raw tables of the contract, by name, in the order the YAML lists them."""
    document = yaml.safe_load(sources_file.read_text(encoding="utf-8"))
    source = next(s for s in document["sources"] if s["name"] == "raw")
    tables: dict[str, Table] = {}
    for table in source["tables"]:
        columns = []
        for spec in table["columns"]:
            data_type = spec["data_type"]
            if data_type not in ENGINE_TYPES["duckdb"]:
                raise ValueError(
                    f"{sources_file}: {table['name']}.{spec['name']} has unknown contract "
                    f"type {data_type!r}"
                )
            meta = (spec.get("config") or {}).get("meta") or {}
            columns.append(
                Column(
                    spec["name"],
                    data_type,
                    _accepted_values(spec),
                    meta.get("max_bytes"),
                    bool(meta.get("text_check", True)),
                )
            )
        key = tuple(table.get("config", {}).get("meta", {}).get("key", []))
        tables[table["name"]] = Table(table["name"], tuple(columns), key)
    return tables


def _jinja(value: object) -> str:
    """A Jinja literal of a JSON-like value (strings, ints, None, lists, dicts)."""
    if value is None:
        return "none"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_jinja(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_jinja(k)}: {_jinja(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no Jinja literal for {value!r}")


def contract_macro_text(tables: dict[str, Table] | None = None) -> str:
    """The dbt macro file that hands the contract to the SQL (macros/_raw_contract.sql)."""
    tables = tables or load_contract()
    lines = [
        "{#- GENERATED from models/staging/_raw__sources.yml by `python -m followup.contract`:",
        "    do not edit. raw_contract()[table] = {'columns': [[name, type, max_bytes,",
        "    text_check], ...], 'accepted_values': {column: [...]}}; max_bytes none means var",
        "    text_max_bytes. -#}",
        "{% macro raw_contract() -%}",
        "    {{ return({",
    ]
    for table in tables.values():
        columns = [[c.name, c.data_type, c.max_bytes, c.text_check] for c in table.columns]
        accepted = {c.name: list(c.accepted_values) for c in table.columns if c.accepted_values}
        lines.append(f"        {_jinja(table.name)}: {{")
        lines.append(f"            'columns': {_jinja(columns)},")
        lines.append(f"            'accepted_values': {_jinja(accepted)},")
        lines.append("        },")
    lines += ["    }) }}", "{%- endmacro %}", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Write (or, with --check, verify) macros/_raw_contract.sql."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the file is out of date")
    args = parser.parse_args(argv)
    text = contract_macro_text()
    if args.check:
        current = MACRO_FILE.read_text(encoding="utf-8") if MACRO_FILE.exists() else ""
        if current != text:
            print(f"{MACRO_FILE} is out of date: run python -m followup.contract")
            return 1
        return 0
    MACRO_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {MACRO_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
