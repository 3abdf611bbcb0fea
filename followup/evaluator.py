"""dbt-project-evaluator's rules, reimplemented over target/manifest.json.

The dbt hub is out of reach (no `dbt deps`), so the rules a reviewer runs with
dbt-labs/dbt-project-evaluator are checked here, configured for this project's
conventions (:data:`LAYERS`: which prefixes live in which directory) and its own test
macros. Every finding that is accepted on purpose is listed, with the reason, in
``evaluator_exceptions.yml`` at the project root: a finding not listed there fails the
test (``tests/python/test_project_evaluator.py``), and so does an exception that no
longer matches a finding.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from followup import PROJECT_DIR

EXCEPTIONS_FILE = PROJECT_DIR / "evaluator_exceptions.yml"

# Layer -> (directory under models/, the prefixes of its models).
LAYERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "staging": ("staging", ("base_", "stg_")),
    "intermediate": ("intermediate", ("int_",)),
    "marts": ("marts", ("dim_", "contact_", "lead_", "lifecycle_", "sales_")),
    "flows": ("flows", ("flow_", "audience_")),
    # results of the flows and trends of the segments (and the semantic layer's time spine)
    "results": ("results", ("flow_", "segment_", "lifecycle_", "rfm_", "metricflow_")),
}
# Tests that prove a key unique / not null (dbt's and this project's own).
UNIQUE_TESTS = {"unique", "unique_combination_of_columns"}
NOT_NULL_TESTS = {"not_null"}
# A model tested to have exactly one row needs no key.
ONE_ROW_TEST = "exactly_one_row"
# The erasure lists: every base model reads them next to its own source.
ERASURE_MODELS = {"base_erasure_ledger", "base_erased_contacts", "base_erased_emails"}
# Models that stack their parents (a union, not a join).
UNION_MODELS = {"stg_quarantine"}
MAX_JOINS = 7
MAX_FANOUT = 3
MAX_CHAINED_VIEWS = 4
# Sources that must say how fresh they are (the raw tables that grow every day).
FRESH_SOURCES = {"email_events", "web_events", "orders", "consent_events"}


@dataclass(frozen=True, order=True)
class Finding:
    rule: str
    node: str
    detail: str = ""


class Graph:
    """The project's nodes and edges, from the manifest."""

    def __init__(self, manifest: dict[str, Any]) -> None:
        self.manifest = manifest
        self.nodes = {
            uid: node
            for uid, node in manifest["nodes"].items()
            if node.get("package_name") == "followup"
        }
        self.sources = {
            uid: s for uid, s in manifest["sources"].items() if s.get("package_name") == "followup"
        }
        self.models = {u: n for u, n in self.nodes.items() if n["resource_type"] == "model"}
        self.children: dict[str, set[str]] = defaultdict(set)
        for uid, node in self.models.items():
            for parent in node["depends_on"]["nodes"]:
                self.children[parent].add(uid)

    def parents(self, uid: str, kind: str | None = None) -> list[str]:
        found = self.models[uid]["depends_on"]["nodes"]
        if kind == "source":
            return [p for p in found if p.startswith("source.")]
        if kind == "model":
            return [p for p in found if p.startswith("model.")]
        return list(found)

    def layer(self, uid: str) -> str | None:
        path = self.models[uid]["original_file_path"].split("/")
        for layer, (directory, _) in LAYERS.items():
            if len(path) > 1 and path[1] == directory:
                return layer
        return None

    def name(self, uid: str) -> str:
        node = self.models.get(uid) or self.sources.get(uid) or self.nodes.get(uid) or {}
        if uid.startswith("source."):
            return f"{node.get('source_name')}.{node.get('name')}"
        return str(node.get("name", uid))


# ------------------------------------------------------------------ the rules


def direct_join_to_source(g: Graph) -> Iterator[Finding]:
    """A model reading a source and a model (reading a source and the erasure lists is
    how every base model erases)."""
    for uid in g.models:
        models = {g.name(p) for p in g.parents(uid, "model")}
        if g.parents(uid, "source") and models - ERASURE_MODELS:
            yield Finding("direct_join_to_source", g.name(uid), ", ".join(sorted(models)))


def marts_or_intermediate_dependent_on_source(g: Graph) -> Iterator[Finding]:
    for uid in g.models:
        if g.layer(uid) != "staging":
            for source in g.parents(uid, "source"):
                yield Finding("downstream_model_dependent_on_source", g.name(uid), g.name(source))


def multiple_sources_joined(g: Graph) -> Iterator[Finding]:
    for uid in g.models:
        sources = g.parents(uid, "source")
        if len(sources) > 1:
            yield Finding(
                "multiple_sources_joined",
                g.name(uid),
                ", ".join(sorted(g.name(s) for s in sources)),
            )


def source_fanout(g: Graph) -> Iterator[Finding]:
    for uid in g.sources:
        models = sorted(g.name(c) for c in g.children.get(uid, ()))
        if len(models) > 1:
            yield Finding("source_fanout", g.name(uid), ", ".join(models))


def root_models(g: Graph) -> Iterator[Finding]:
    for uid in g.models:
        if not g.parents(uid):
            yield Finding("root_model", g.name(uid))


def staging_dependent_on_downstream(g: Graph) -> Iterator[Finding]:
    for uid in g.models:
        if g.layer(uid) == "staging":
            for parent in g.parents(uid, "model"):
                if g.layer(parent) != "staging":
                    yield Finding("staging_dependent_on_downstream", g.name(uid), g.name(parent))


def staging_dependent_on_staging(g: Graph) -> Iterator[Finding]:
    """A staging model reading another staging model. Allowed by the project's
    conventions: any staging model reading the erasure lists (:data:`ERASURE_MODELS`:
    every raw table's erasure needs them), the quarantine reading the base models (it
    is their union), and stg_<source>__<table> reading its own base model."""
    for uid in g.models:
        if g.layer(uid) != "staging" or g.name(uid) in UNION_MODELS:
            continue
        for parent in g.parents(uid, "model"):
            if g.layer(parent) != "staging" or g.name(parent) in ERASURE_MODELS:
                continue
            if not _same_table(g, uid, parent):
                yield Finding("staging_dependent_on_staging", g.name(uid), g.name(parent))


def _same_table(g: Graph, uid: str, parent: str) -> bool:
    """stg_raw__x reading base_raw__x: the view on its own base table."""
    a, b = g.name(uid), g.name(parent)
    return a.startswith("stg_raw__") and b == "base_raw__" + a.removeprefix("stg_raw__")


def rejoining_of_upstream_concepts(g: Graph) -> Iterator[Finding]:
    """A -> B -> C and A -> C, where B has no other child than C."""
    for uid in g.models:
        parents = set(g.parents(uid, "model"))
        for parent in parents:
            for grand in g.parents(parent, "model"):
                if grand in parents and g.children[parent] == {uid}:
                    yield Finding(
                        "rejoining_of_upstream_concepts",
                        g.name(uid),
                        f"{g.name(grand)} -> {g.name(parent)}",
                    )


def model_fanout(g: Graph) -> Iterator[Finding]:
    for uid in g.models:
        leaves = [c for c in g.children.get(uid, ()) if not g.children.get(c)]
        if len(leaves) > MAX_FANOUT and g.layer(uid) in ("marts", "flows"):
            yield Finding("model_fanout", g.name(uid), f"{len(leaves)} leaf children")


def too_many_joins(g: Graph) -> Iterator[Finding]:
    for uid in g.models:
        refs = len(g.models[uid].get("refs", [])) + len(g.models[uid].get("sources", []))
        if refs > MAX_JOINS:
            yield Finding("too_many_joins", g.name(uid), f"{refs} references")


HARD_CODED = re.compile(r"\b(?:from|join)\s+(?![{(])([a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*)\b", re.I)


def hard_coded_references(g: Graph) -> Iterator[Finding]:
    for uid, node in g.models.items():
        if node.get("language", "sql") != "sql":  # Python models import modules, not tables
            continue
        code = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", node["raw_code"], flags=re.S)
        code = re.sub(r"--[^\n]*", " ", code)
        for match in HARD_CODED.finditer(code):
            yield Finding("hard_coded_reference", g.name(uid), match.group(1))


def unused_sources(g: Graph) -> Iterator[Finding]:
    """A source no model and no exposure reads."""
    readers = [*g.nodes.values(), *g.manifest.get("exposures", {}).values()]
    used = {p for n in readers for p in n.get("depends_on", {}).get("nodes", [])}
    for uid in g.sources:
        if uid not in used:
            yield Finding("unused_source", g.name(uid))


def missing_primary_key_tests(g: Graph) -> Iterator[Finding]:
    tests: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for node in g.nodes.values():
        if node["resource_type"] == "test" and node.get("attached_node"):
            tests[node["attached_node"]].append(node)
    for uid in g.models:
        names = {(t.get("test_metadata") or {}).get("name") for t in tests[uid]}
        if ONE_ROW_TEST in names:  # one row: the whole row is the key
            continue
        if not names & UNIQUE_TESTS or not names & NOT_NULL_TESTS:
            yield Finding("missing_primary_key_tests", g.name(uid))


def sources_without_freshness(g: Graph) -> Iterator[Finding]:
    for uid, source in g.sources.items():
        if source["source_name"] == "raw" and source["name"] in FRESH_SOURCES:
            freshness = source.get("freshness") or {}
            if not source.get("loaded_at_field") or not any(
                (freshness.get(k) or {}).get("count") for k in ("warn_after", "error_after")
            ):
                yield Finding("source_without_freshness", g.name(uid))


def undocumented(g: Graph) -> Iterator[Finding]:
    for uid, node in g.models.items():
        if not node["description"].strip():
            yield Finding("undocumented_model", g.name(uid))
        for column in node["columns"].values():
            if not column["description"].strip():
                yield Finding("undocumented_column", g.name(uid), column["name"])
    for uid, source in g.sources.items():
        if not source["description"].strip() or not source["source_description"].strip():
            yield Finding("undocumented_source", g.name(uid))


def naming_and_directories(g: Graph) -> Iterator[Finding]:
    for uid, node in g.models.items():
        layer = g.layer(uid)
        name = node["name"]
        if layer is None:
            yield Finding("model_directory", name, node["original_file_path"])
            continue
        if not name.startswith(LAYERS[layer][1]):
            yield Finding(
                "model_naming_convention",
                name,
                f"{layer} models start with {' or '.join(LAYERS[layer][1])}",
            )
    for uid, source in g.sources.items():
        if not source["original_file_path"].startswith("models/staging/"):
            yield Finding("source_directory", g.name(uid), source["original_file_path"])


def test_directories(g: Graph) -> Iterator[Finding]:
    """Generic tests and unit tests are declared beside the model they test."""
    for node in [*g.nodes.values(), *g.manifest.get("unit_tests", {}).values()]:
        if (
            node["resource_type"] not in ("test", "unit_test")
            or node.get("package_name") != "followup"
        ):
            continue
        attached = (
            node.get("attached_node") or (node.get("depends_on", {}).get("nodes") or [None])[0]
        )
        if node["resource_type"] == "test" and not node.get("test_metadata"):
            continue  # singular tests live in tests/
        model = g.models.get(attached or "")
        if (
            model
            and Path(node["original_file_path"]).parent != Path(model["original_file_path"]).parent
        ):
            yield Finding("test_directory", node["name"], node["original_file_path"])


def chained_views(g: Graph) -> Iterator[Finding]:
    def depth(uid: str) -> int:
        node = g.models.get(uid)
        if not node or node["config"]["materialized"] not in ("view", "ephemeral"):
            return 0
        return 1 + max((depth(p) for p in g.parents(uid, "model")), default=0)

    for uid in g.models:
        if depth(uid) > MAX_CHAINED_VIEWS:
            yield Finding("chained_views", g.name(uid), f"{depth(uid)} views deep")


RULES: list[Callable[[Graph], Iterator[Finding]]] = [
    direct_join_to_source,
    marts_or_intermediate_dependent_on_source,
    multiple_sources_joined,
    source_fanout,
    root_models,
    staging_dependent_on_downstream,
    staging_dependent_on_staging,
    rejoining_of_upstream_concepts,
    model_fanout,
    too_many_joins,
    hard_coded_references,
    unused_sources,
    missing_primary_key_tests,
    sources_without_freshness,
    undocumented,
    naming_and_directories,
    test_directories,
    chained_views,
]


def findings(manifest: dict[str, Any]) -> list[Finding]:
    graph = Graph(manifest)
    return sorted({f for rule in RULES for f in rule(graph)})


def load_exceptions(path: Path = EXCEPTIONS_FILE) -> dict[tuple[str, str], str]:
    """(rule, node) -> the documented reason."""
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {(e["rule"], e["node"]): e["reason"] for e in document.get("exceptions", [])}


def staging_depth(manifest: dict[str, Any]) -> int:
    """The longest chain of staging models from a source."""
    g = Graph(manifest)

    def depth(uid: str) -> int:
        parents = [p for p in g.parents(uid, "model") if g.layer(p) == "staging"]
        return 1 + max((depth(p) for p in parents), default=0)

    return max((depth(u) for u in g.models if g.layer(u) == "staging"), default=0)
