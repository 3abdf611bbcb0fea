"""dbt-project-evaluator's rules as a guard (followup/evaluator.py).

The project's own manifest may only have the findings documented, with a reason, in
evaluator_exceptions.yml; each rule is also shown to fire on a small made-up project.
Reads the manifest `dbt parse` writes for the DuckDB target (conftest.duckdb_manifest).
"""

from __future__ import annotations

from typing import Any

import pytest

from followup import evaluator
from followup.evaluator import Finding


@pytest.fixture(scope="module")
def manifest(duckdb_manifest: dict[str, Any]) -> dict[str, Any]:
    return duckdb_manifest


def test_the_project_has_only_documented_findings(manifest: dict[str, Any]) -> None:
    found = {(f.rule, f.node): f.detail for f in evaluator.findings(manifest)}
    documented = evaluator.load_exceptions()
    undocumented = sorted(
        f"{rule} {node}: {found[rule, node]}" for rule, node in set(found) - set(documented)
    )
    stale = sorted(f"{rule} {node}" for rule, node in set(documented) - set(found))
    assert undocumented == [], "fix these or document them in evaluator_exceptions.yml"
    assert stale == [], "these exceptions no longer match a finding: remove them"
    assert len(documented) == 34


def test_every_exception_gives_a_reason() -> None:
    reasons = evaluator.load_exceptions()
    assert all(len(reason) > 40 for reason in reasons.values())


def test_the_staging_chain_is_at_most_eight_models_deep(manifest: dict[str, Any]) -> None:
    assert evaluator.staging_depth(manifest) == 8


# ------------------------------------------------------------------ a made-up project


def _model(name: str, path: str, parents: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "unique_id": f"model.followup.{name}",
        "name": name,
        "resource_type": "model",
        "package_name": "followup",
        "original_file_path": path,
        "depends_on": {"nodes": parents},
        "refs": [{"name": p.split(".")[-1]} for p in parents if p.startswith("model.")],
        "sources": [p.split(".")[-2:] for p in parents if p.startswith("source.")],
        "description": extra.get("description", "A model."),
        "columns": extra.get("columns", {"id": {"name": "id", "description": "The key."}}),
        "config": {"materialized": extra.get("materialized", "table")},
        "raw_code": extra.get("raw_code", "select 1 as id"),
    }


def _key_tests(model: str, directory: str) -> dict[str, dict[str, Any]]:
    return {
        f"test.followup.{kind}_{model}": {
            "unique_id": f"test.followup.{kind}_{model}",
            "name": f"{kind}_{model}_id",
            "resource_type": "test",
            "package_name": "followup",
            "attached_node": f"model.followup.{model}",
            "test_metadata": {"name": kind},
            "original_file_path": f"{directory}/_models.yml",
            "depends_on": {"nodes": [f"model.followup.{model}"]},
        }
        for kind in ("unique", "not_null")
    }


def _source(name: str, fresh: bool = True) -> dict[str, Any]:
    return {
        "unique_id": f"source.followup.raw.{name}",
        "name": name,
        "source_name": "raw",
        "package_name": "followup",
        "original_file_path": "models/staging/_raw__sources.yml",
        "description": "A raw table.",
        "source_description": "Raw tables.",
        "loaded_at_field": "occurred_at" if fresh else None,
        "freshness": {"warn_after": {"count": 2, "period": "day"}} if fresh else None,
    }


def made_up_manifest() -> dict[str, Any]:
    src = "source.followup.raw."
    models = [
        _model("stg_raw__orders", "models/staging/stg_raw__orders.sql", [src + "orders"]),
        # a mart reading a source and a staging model, with a hard-coded table name
        _model(
            "dim_orders",
            "models/marts/dim_orders.sql",
            [src + "web_events", "model.followup.stg_raw__orders"],
            raw_code="select * from analytics.orders_copy join {{ ref('stg_raw__orders') }}",
        ),
        # a staging model reading a mart, without key tests and undocumented
        _model(
            "stg_raw__late",
            "models/staging/stg_raw__late.sql",
            ["model.followup.dim_orders"],
            description=" ",
            columns={"id": {"name": "id", "description": ""}},
        ),
        # a mart named like an intermediate model, outside any layer directory
        _model(
            "int_misplaced", "models/marts/int_misplaced.sql", ["model.followup.stg_raw__orders"]
        ),
        _model("orphan", "models/other/orphan.sql", []),
    ]
    nodes = {m["unique_id"]: m for m in models}
    for model in models:
        if model["name"] != "stg_raw__late":
            directory = model["original_file_path"].rsplit("/", 1)[0]
            nodes.update(_key_tests(model["name"], directory))
    # a generic test declared away from its model
    nodes.update(_key_tests("int_misplaced", "models/staging"))
    sources = {
        s["unique_id"]: s
        for s in (_source("orders"), _source("web_events", fresh=False), _source("unused"))
    }
    return {"nodes": nodes, "sources": sources, "exposures": {}, "unit_tests": {}}


def test_each_rule_fires_on_a_made_up_project() -> None:
    assert evaluator.findings(made_up_manifest()) == sorted(
        [
            Finding("direct_join_to_source", "dim_orders", "stg_raw__orders"),
            Finding("downstream_model_dependent_on_source", "dim_orders", "raw.web_events"),
            Finding("hard_coded_reference", "dim_orders", "analytics.orders_copy"),
            Finding("missing_primary_key_tests", "stg_raw__late"),
            Finding("model_directory", "orphan", "models/other/orphan.sql"),
            Finding(
                "model_naming_convention",
                "int_misplaced",
                "marts models start with dim_ or contact_ or lead_ or lifecycle_ or sales_",
            ),
            Finding("root_model", "orphan"),
            Finding("source_without_freshness", "raw.web_events"),
            Finding("staging_dependent_on_downstream", "stg_raw__late", "dim_orders"),
            Finding("test_directory", "not_null_int_misplaced_id", "models/staging/_models.yml"),
            Finding("test_directory", "unique_int_misplaced_id", "models/staging/_models.yml"),
            Finding("undocumented_column", "stg_raw__late", "id"),
            Finding("undocumented_model", "stg_raw__late"),
            Finding("unused_source", "raw.unused"),
        ]
    )


def test_an_exposure_counts_as_a_reader_of_a_source() -> None:
    manifest = made_up_manifest()
    manifest["exposures"] = {
        "exposure.followup.export": {"depends_on": {"nodes": ["source.followup.raw.unused"]}}
    }
    assert Finding("unused_source", "raw.unused") not in evaluator.findings(manifest)
