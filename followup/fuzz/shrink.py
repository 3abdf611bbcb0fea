"""Shrink a failing world to a minimal one, and save it as a regression fixture.

Each round builds, in one batch, every candidate one step smaller than the current world
(without one whole table, without one row), then chains the removals that kept the
failure. It stops when no candidate breaks the same invariant: every row left is needed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

from followup.fuzz.checks import check_all, truth
from followup.fuzz.runner import REGRESSIONS, Progress, build_worlds
from followup.fuzz.world import World

Removal = frozenset[tuple[str, int]]
# A world with one plain contact, built beside the candidates: a candidate without
# contacts would otherwise leave the raw contacts table empty, which the build refuses.
ANCHOR = World({"contacts": [{
    "contact_id": "~anchor", "email": "~anchor@ex.com", "first_name": None, "last_name": None,
    "gender": None, "birth_date": None, "language": None, "country": None,
    "company_name": None, "job_title": None, "company_size": None, "signup_source": None,
    "created_at": None, "updated_at": None}]})  # fmt: skip


def removals(world: World) -> list[Removal]:
    """Every one-step removal: a whole table, or one row."""
    out = [
        frozenset((name, i) for i in range(len(rows)))
        for name, rows in world.tables.items()
        if len(rows) > 1
    ]
    out += [frozenset({(name, i)}) for name, rows in world.tables.items() for i in range(len(rows))]
    return out


def without(world: World, removal: Removal) -> World:
    return World(
        {
            name: [row for i, row in enumerate(rows) if (name, i) not in removal]
            for name, rows in world.tables.items()
        }
    )


def still_fails(
    worlds: list[World], rule: str, as_of: dt.date, work: Path, progress: Progress
) -> list[bool]:
    """For each world: does it (built on its own index) still break `rule`?"""
    indexed = dict(enumerate(worlds))
    indexed[len(worlds)] = ANCHOR  # the build refuses an empty contacts table
    built = build_worlds(
        indexed, as_of, work, lambda _: None, incremental=rule == "incremental_equals_full"
    )
    broken = {v.world for v in check_all(built, truth(indexed), as_of) if v.rule == rule}
    progress(f"  {len(broken)} of {len(worlds)} candidates still break {rule}")
    return [i in broken for i in range(len(worlds))]


def shrink(
    world: World, rule: str, as_of: dt.date, work: Path, progress: Progress, rounds: int = 10
) -> World:
    """The smallest world found that still breaks `rule`.

    A round builds every one-step removal in one batch, then, in a second batch, the
    removals that kept the failure applied one after another (largest first); the
    longest such chain that still fails is the next world. Rounds stop when nothing can go.
    """
    current = world
    for number in range(1, rounds + 1):
        options = removals(current)
        if not options:
            break
        progress(f"shrink round {number}: {current.rows()} rows, {len(options)} removals")
        worlds = [without(current, r) for r in options]
        kept = [
            r
            for r, bad in zip(
                options, still_fails(worlds, rule, as_of, work, progress), strict=True
            )
            if bad
        ]
        if not kept:
            break
        kept.sort(key=len, reverse=True)
        chain = [frozenset().union(*kept[: k + 1]) for k in range(len(kept))]
        chained = still_fails([without(current, r) for r in chain], rule, as_of, work, progress)
        longest = max(k for k, bad in enumerate(chained) if bad) if any(chained) else 0
        current = without(current, chain[longest] if any(chained) else kept[0])
    return World({name: rows for name, rows in current.tables.items() if rows})


def save_regression(world: World, rule: str, detail: str, seed: int) -> Path:
    """Write the world to tests/fuzz/regressions/, where every later run replays it."""
    body = {"rule": rule, "detail": detail, "seed": seed, "world": world.to_json()}
    text = json.dumps(body, indent=1, sort_keys=True, default=str)
    digest = hashlib.sha256(json.dumps(body["world"], sort_keys=True, default=str).encode())
    REGRESSIONS.mkdir(parents=True, exist_ok=True)
    path = REGRESSIONS / f"{rule}-{digest.hexdigest()[:10]}.json"
    path.write_text(text + "\n", encoding="utf-8")
    return path
