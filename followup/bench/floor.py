"""The floor: the compiled SQL of the models, in dependency order, without dbt."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from followup.bench.manifest import topological_models
from followup.bench.settings import BenchmarkError


@dataclass(frozen=True)
class FloorStatement:
    """One model of the floor: its id and the statement that builds it."""

    unique_id: str
    materialized: str
    sql: str


def floor_statements(manifest: Mapping[str, Any]) -> list[FloorStatement]:
    """The CREATE OR REPLACE statements of every model, in dependency order.

    Views stay views; tables and incremental models become tables (compiled for a full
    refresh, so their SQL selects everything). Ephemeral models are inlined by dbt into
    their children's compiled SQL and get no statement.
    """
    statements: list[FloorStatement] = []
    for unique_id in topological_models(manifest):
        node = manifest["nodes"][unique_id]
        materialized = node["config"].get("materialized", "table")
        if materialized == "ephemeral":
            continue
        code = node.get("compiled_code")
        if not code:
            raise ValueError(f"{unique_id} has no compiled SQL: run dbt compile first")
        relation = node.get("relation_name")
        if not relation:
            raise ValueError(f"{unique_id} has no relation name in the manifest")
        kind = "view" if materialized == "view" else "table"
        # the newline keeps a trailing -- comment from swallowing the parenthesis
        sql = f"create or replace {kind} {relation} as (\n{code.rstrip().rstrip(';')}\n)"
        statements.append(FloorStatement(unique_id, materialized, sql))
    return statements


def floor_worker(database: Path, manifest_file: Path, result_file: Path) -> None:
    """Run the floor in this process: every model's SQL in one DuckDB connection."""
    import duckdb

    from followup.profiles import read_target

    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    statements = floor_statements(manifest)
    settings = read_target("dev").get("settings", {}) or {}
    schemas = sorted(
        {
            (manifest["nodes"][s.unique_id]["schema"])
            for s in statements
            if manifest["nodes"][s.unique_id].get("schema")
        }
    )
    con = duckdb.connect(str(database))
    for name, value in settings.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        con.execute(f"set {name} = '{value}'")
    for schema in schemas:
        con.execute(f'create schema if not exists "{schema}"')
    per_model: dict[str, float] = {}
    started = time.perf_counter()
    for statement in statements:
        one = time.perf_counter()
        try:
            con.execute(statement.sql)
        except duckdb.Error as exc:
            raise BenchmarkError(f"floor: {statement.unique_id} failed: {exc}") from exc
        per_model[statement.unique_id] = round(time.perf_counter() - one, 4)
    seconds = time.perf_counter() - started
    con.close()
    result_file.write_text(
        json.dumps({"seconds": seconds, "models": per_model, "settings": settings}, indent=1),
        encoding="utf-8",
    )
