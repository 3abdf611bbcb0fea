"""The model graph of a dbt manifest: dependency order, upstream models, history."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


def topological_models(manifest: Mapping[str, Any]) -> list[str]:
    """The model nodes of a dbt manifest in dependency order (parents first).

    Only model-to-model edges count (sources and seeds exist before). Among the models
    that are ready at the same time, the order is alphabetical by unique_id, so the
    result is the same on every run. Raises ValueError on a cycle.
    """
    nodes = manifest["nodes"]
    models = {
        unique_id: node for unique_id, node in nodes.items() if node["resource_type"] == "model"
    }
    parents = {
        unique_id: {
            parent
            for parent in node.get("depends_on", {}).get("nodes", [])
            if parent in models and parent != unique_id
        }
        for unique_id, node in models.items()
    }
    children: dict[str, set[str]] = {unique_id: set() for unique_id in models}
    for unique_id, ups in parents.items():
        for parent in ups:
            children[parent].add(unique_id)

    import heapq

    waiting = {unique_id: len(ups) for unique_id, ups in parents.items()}
    ready = [unique_id for unique_id, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        unique_id = heapq.heappop(ready)
        order.append(unique_id)
        for child in children[unique_id]:
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, child)
    if len(order) != len(models):
        stuck = sorted(set(models) - set(order))
        raise ValueError(f"the models form a cycle: {', '.join(stuck[:10])}")
    return order


def upstream_models(manifest: Mapping[str, Any], names: Iterable[str]) -> set[str]:
    """The unique_ids of the named models and of every model they depend on."""
    nodes = manifest["nodes"]
    by_name = {
        node["name"]: unique_id
        for unique_id, node in nodes.items()
        if node["resource_type"] == "model"
    }
    missing = [name for name in names if name not in by_name]
    if missing:
        raise ValueError(f"no such model(s) in the manifest: {', '.join(missing)}")
    todo = [by_name[name] for name in names]
    seen: set[str] = set()
    while todo:
        unique_id = todo.pop()
        if unique_id in seen:
            continue
        seen.add(unique_id)
        for parent in nodes[unique_id].get("depends_on", {}).get("nodes", []):
            if parent in nodes and nodes[parent]["resource_type"] == "model":
                todo.append(parent)
    return seen


def history_dependent_models(manifest: Mapping[str, Any]) -> set[str]:
    """Names of the models whose rows depend on earlier runs (not only on D's data).

    The history tables keep one slice per as_of_date (incremental keyed on as_of_date);
    they and every model built on them differ between a warehouse that was also built
    for D-1 and a fresh one. The history tables' own rows of D do not.
    """
    nodes = manifest["nodes"]
    models = {uid: node for uid, node in nodes.items() if node["resource_type"] == "model"}

    def keyed_by_run_date(node: Mapping[str, Any]) -> bool:
        config = node.get("config", {})
        key = config.get("unique_key")
        partition = config.get("partition_by")
        keys = key if isinstance(key, list) else [key]
        partitions = partition if isinstance(partition, list) else [partition]
        return config.get("materialized") == "incremental" and (
            "as_of_date" in keys or "as_of_date" in partitions
        )

    history = {uid for uid, node in models.items() if keyed_by_run_date(node)}
    children: dict[str, set[str]] = {uid: set() for uid in models}
    for uid, node in models.items():
        for parent in node.get("depends_on", {}).get("nodes", []):
            if parent in children:
                children[parent].add(uid)
    dependent: set[str] = set()
    todo = [child for uid in history for child in children[uid]]
    while todo:
        uid = todo.pop()
        if uid not in dependent:
            dependent.add(uid)
            todo.extend(children[uid])
    return {models[uid]["name"] for uid in dependent - history}
