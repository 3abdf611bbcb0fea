"""The README's layout section names every part of the tree, and nothing that is gone."""

from __future__ import annotations

import re
import subprocess

from followup import PROJECT_DIR

README = PROJECT_DIR / "README.md"


def layout_paths() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("### Layout", 1)[1].split("```", 2)[1]
    return [m.group(1) for m in re.finditer(r"^(\S+)\s", section, re.M)]


def tracked_parts() -> set[str]:
    """The directories to describe: models/ and followup/ packages, other top-level dirs."""
    files = subprocess.run(
        ["git", "ls-files"], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
    ).stdout.split()
    parts = set()
    depth = {"models": 3, "export": 2, "followup": 2, "docs": 2}
    for name in files:
        path = name.split("/")
        if name == "followup/__init__.py" or path[0].startswith(".") or len(path) == 1:
            continue
        if path[0] not in depth:
            parts.add(path[0] + "/")
        elif len(path) > 2:
            parts.add("/".join(path[: min(len(path) - 1, depth[path[0]])]) + "/")
        else:
            parts.add(name)
    return parts


def test_every_layout_entry_exists() -> None:
    missing = [p for p in layout_paths() if not (PROJECT_DIR / p).exists()]
    assert missing == []


def test_every_part_of_the_tree_is_in_the_layout() -> None:
    listed = set(layout_paths())
    assert sorted(tracked_parts() - listed) == []
