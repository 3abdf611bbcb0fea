"""The raw data contract, read from the dbt sources YAML (the single source of truth)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from followup import PROJECT_DIR

SOURCES_FILE = PROJECT_DIR / "models" / "staging" / "_raw__sources.yml"

# Portable contract type -> the SQL type each engine stores it as.
ENGINE_TYPES: dict[str, dict[str, str]] = {
    "duckdb": {
        "text": "varchar",
        "integer": "integer",
        "decimal(18,2)": "decimal(18,2)",
        "boolean": "boolean",
        "date": "date",
        "timestamp": "timestamp",
    },
    "postgres": {
        "text": "text",
        "integer": "integer",
        "decimal(18,2)": "numeric(18,2)",
        "boolean": "boolean",
        "date": "date",
        "timestamp": "timestamp without time zone",
    },
    "spark": {
        "text": "string",
        "integer": "int",
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


@dataclass(frozen=True)
class Table:
    """One raw table of the contract."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


def load_contract(sources_file: Path = SOURCES_FILE) -> dict[str, Table]:
    """Return the raw tables of the contract, by name, in the order the YAML lists them."""
    document = yaml.safe_load(sources_file.read_text(encoding="utf-8"))
    source = next(s for s in document["sources"] if s["name"] == "raw")
    tables: dict[str, Table] = {}
    for table in source["tables"]:
        columns = tuple(Column(c["name"], c["data_type"]) for c in table["columns"])
        for column in columns:
            if column.data_type not in ENGINE_TYPES["duckdb"]:
                raise ValueError(
                    f"{sources_file}: {table['name']}.{column.name} has unknown contract "
                    f"type {column.data_type!r}"
                )
        key = tuple(table.get("config", {}).get("meta", {}).get("key", []))
        tables[table["name"]] = Table(table["name"], columns, key)
    return tables
