"""The flows of the registry and the holdout hash, as the generator needs them."""

from __future__ import annotations

import hashlib

from followup.flows import load_registry

_REGISTRY = load_registry()

# flow_id -> (category, priority), in the registry's order (seeds/flows.csv); priority 1
# is the highest, service flows have none.
FLOWS: dict[str, tuple[str, int | None]] = {f.flow_id: (f.category, f.priority) for f in _REGISTRY}
# flow_id -> the share of winning pairs held out as a control group, in percent.
HOLDOUT_PCT: dict[str, int] = {f.flow_id: f.holdout_pct for f in _REGISTRY}


def holdout_bucket(contact_id: str, flow_id: str) -> int:
    """Bucket 0-99 of the holdout rule: first 8 hex digits of md5(contact_id:flow_id) mod 100.

    The same rule as the SQL of the holdout (docs/semantics.md, "Flows"); a pair is held
    out when its bucket is below the flow's holdout_pct.
    """
    digest = hashlib.md5(f"{contact_id}:{flow_id}".encode()).hexdigest()
    return int(digest[:8], 16) % 100
