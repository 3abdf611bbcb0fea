"""Project metadata lint (what dbt-project-evaluator would check, offline).

Reads target/manifest.json (written by the dbt build of `make test`) and the
test warehouse, and checks that every model and seed is described, every column
is described and really exists, and every model's key is tested unique and
not null.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb
import pytest

from followup import PROJECT_DIR


@pytest.fixture(scope="module")
def manifest(duckdb_manifest: dict[str, Any]) -> dict[str, Any]:
    return duckdb_manifest


def project_nodes(manifest: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == resource_type and node["package_name"] == "followup"
    ]


def index_tests_by_model(manifest: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    tests: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for node in project_nodes(manifest, "test"):
        attached = node.get("attached_node")
        if attached:
            tests[attached].append(node)
    return tests


def test_every_model_and_seed_is_described(manifest: dict[str, Any]) -> None:
    missing = [
        node["unique_id"]
        for kind in ("model", "seed")
        for node in project_nodes(manifest, kind)
        if not node["description"].strip()
    ]
    assert missing == [], f"models/seeds without a description: {missing}"


def test_every_documented_column_is_described(manifest: dict[str, Any]) -> None:
    missing = [
        f"{node['name']}.{column['name']}"
        for kind in ("model", "seed")
        for node in project_nodes(manifest, kind)
        for column in node["columns"].values()
        if not column["description"].strip()
    ]
    assert missing == [], f"columns without a description: {missing}"


def test_every_model_key_is_tested_unique_and_not_null(manifest: dict[str, Any]) -> None:
    tests = index_tests_by_model(manifest)
    problems = []
    for model in project_nodes(manifest, "model"):
        model_tests = tests[model["unique_id"]]
        unique_columns = [
            [t["column_name"]]
            for t in model_tests
            if t.get("test_metadata") and t["test_metadata"]["name"] == "unique"
        ] + [
            list(t["test_metadata"]["kwargs"]["combination_of_columns"])
            for t in model_tests
            if t.get("test_metadata")
            and t["test_metadata"]["name"] == "unique_combination_of_columns"
        ]
        not_null = {
            t["column_name"]
            for t in model_tests
            if t.get("test_metadata") and t["test_metadata"]["name"] == "not_null"
        }
        # So does a model-level `expression_is_true: <expression> is not null`.
        not_null |= {
            t["test_metadata"]["kwargs"]["expression"].removesuffix(" is not null")
            for t in model_tests
            if t.get("test_metadata")
            and t["test_metadata"]["name"] == "expression_is_true"
            and t["test_metadata"]["kwargs"]["expression"].endswith(" is not null")
        }
        # A model whose contract enforces not null on its key counts too.
        not_null |= {
            column["name"]
            for column in model["columns"].values()
            if any(c.get("type") == "not_null" for c in column.get("constraints", []))
        }
        one_row = any(
            t.get("test_metadata") and t["test_metadata"]["name"] == "exactly_one_row"
            for t in model_tests
        )
        if one_row:  # a one-row model needs no key
            continue
        if not unique_columns:
            problems.append(f"{model['name']}: no unique test on its key")
        elif not any(set(key) <= not_null for key in unique_columns):
            problems.append(f"{model['name']}: key {unique_columns[0]} is not tested not_null")
    assert problems == []


def warehouse_columns(path: Path) -> dict[str, list[str]]:
    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'analytics' order by table_name, ordinal_position"
        ).fetchall()
    columns: dict[str, list[str]] = defaultdict(list)
    for table, column in rows:
        columns[table].append(column)
    return columns


def test_documented_columns_match_the_built_models(manifest: dict[str, Any]) -> None:
    warehouse = os.environ.get("FOLLOWUP_TEST_DUCKDB")
    if not warehouse:
        pytest.skip("FOLLOWUP_TEST_DUCKDB is not set (make test sets it)")
    path = PROJECT_DIR / warehouse
    assert path.exists(), f"{path} does not exist: run `make build-test` first"
    built = warehouse_columns(path)
    problems = []
    for kind in ("model", "seed"):
        for node in project_nodes(manifest, kind):
            if node["config"].get("materialized") == "ephemeral":
                continue
            actual = built.get(node["alias"])
            if actual is None:
                problems.append(f"{node['name']}: not built in {path}")
                continue
            documented = list(node["columns"])
            if sorted(documented) != sorted(actual):
                problems.append(
                    f"{node['name']}: undocumented {sorted(set(actual) - set(documented))}, "
                    f"documented but absent {sorted(set(documented) - set(actual))}"
                )
    assert problems == []


def test_generated_contract_macro_is_current() -> None:
    """macros/_raw_contract.sql (accepted values, text limits, tables) matches the YAML."""
    from followup.contract import MACRO_FILE, contract_macro_text

    assert MACRO_FILE.read_text(encoding="utf-8") == contract_macro_text(), (
        "macros/_raw_contract.sql is out of date: run python -m followup.contract"
    )
