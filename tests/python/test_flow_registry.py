"""One flow registry: everything else about a flow is generated from it.

A new flow is a trigger model (with its rule as a doc block), a registry row and its
templates. The slow test adds one to a copy of the project by exactly those files,
builds it and exports it; it also shows that the number of products per mail is a
setting that turns (5 for the new flow, 1 for abandoned_cart).
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from followup import PROJECT_DIR, flows

AS_OF = "2026-06-15"


def test_the_generated_flow_files_are_current() -> None:
    assert flows.stale_files() == [], "run `followup flows generate`"


def test_an_unknown_audience_column_names_the_flow_and_the_known_ones() -> None:
    flow = flows.Flow("x", "X", "", "marketing", 1, None, 0, True, "contact", 0, ("nope",))
    with pytest.raises(ValueError, match=r"flow x: unknown column 'nope' \(registry/"):
        flows.flow_columns(flow)


def test_products_expand_to_as_many_slots_as_the_registry_says() -> None:
    for count in (1, 5):
        flow = flows.Flow(
            "x", "X", "", "marketing", 1, None, 0, True, "contact", count, ("products",)
        )
        names = [c.name for c in flows.flow_columns(flow)]
        assert names == [
            f"product_{i}_{part}"
            for i in range(1, count + 1)
            for part in ("id", "name", "url", "image_url", "price")
        ]


TRIGGER = """\
-- loyalty_thanks on D: see its doc block (flow_trigger__loyalty_thanks.md).
with

orders as (
    select contact_id, order_id, ordered_at
    from {{ ref('int_valid_orders') }}
    where contact_id is not null and days_ago = 10
),

latest as (
    select
        contact_id,
        order_id,
        ordered_at,
        row_number() over (partition by contact_id order by ordered_at desc, order_id) as order_rank
    from orders
),

ranked_products as (
    select
        latest.contact_id,
        lines.product_id,
        row_number() over (
            partition by latest.contact_id order by lines.line_number, lines.product_id
        ) as product_rank
    from latest
    inner join {{ ref('int_valid_order_lines') }} as lines
        on latest.order_id = lines.order_id
    where latest.order_rank = 1
),

top_products as (
    {{ pivot_products('ranked_products', ['contact_id'], 'loyalty_thanks') }}
),

final as (
    select
        {{ trigger_columns('loyalty_thanks', {
            'flow_step': '1',
            'contact_id': 'latest.contact_id',
            'trigger_at': 'latest.ordered_at',
            'trigger_ref': 'latest.order_id',
            'products': 'top_products',
        }) | indent(8) }}
    from latest
    left join top_products
        on latest.contact_id = top_products.contact_id
    where latest.order_rank = 1
)

select * from final
"""
DOC = """{% docs flow_loyalty_thanks %}
loyalty_thanks on D: a customer whose latest valid order was exactly 10 days ago, with
up to five products of that order.
{% enddocs %}
"""
TEMPLATE = """requires: [product_1_name]
subject: "Thanks for your {{ product_1_name }}"
preheader: "And {{ top_category or 'more' }} we think you will like."
"""


def _copy_project(target: Path) -> Path:
    files = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in files:
        source = PROJECT_DIR / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def _add_flow(project: Path) -> None:
    triggers = project / "models" / "flows" / "triggers"
    (triggers / "flow_trigger__loyalty_thanks.sql").write_text(TRIGGER, encoding="utf-8")
    (triggers / "flow_trigger__loyalty_thanks.md").write_text(DOC, encoding="utf-8")
    for language in ("nl", "en"):
        path = project / "export" / "templates" / language / "loyalty_thanks.yml"
        path.write_text(TEMPLATE, encoding="utf-8")
    registry = project / "seeds" / "flows.csv"
    with registry.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["flow_id"] == "abandoned_cart":
            row["products"] = "1"
    rows.append(
        {
            "flow_id": "loyalty_thanks",
            "name": "Loyalty thanks",
            "description": "Thanks, ten days after an order",
            "category": "marketing",
            "priority": "15",
            "cooldown_days": "30",
            "holdout_pct": "10",
            "enabled": "true",
            "recipient": "contact",
            "products": "5",
            "audience_columns": "products top_category",
        }
    )
    with registry.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.slow
def test_a_flow_is_added_by_its_trigger_model_registry_row_and_templates(tmp_path: Path) -> None:
    project = _copy_project(tmp_path / "project")
    _add_flow(project)
    warehouse = tmp_path / "warehouse.duckdb"
    env = {
        **os.environ,
        "PYTHONPATH": str(project),
        "FOLLOWUP_DUCKDB_PATH": str(warehouse),
        "DBT_PROFILES_DIR": str(project),
        "GX_ANALYTICS_ENABLED": "false",
    }
    env.pop("FOLLOWUP_TARGET", None)

    def followup(*args: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [sys.executable, "-m", "followup.cli", *args],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
        return result

    data = PROJECT_DIR / os.environ.get("FOLLOWUP_TEST_DATA", "data/test")
    followup("load", "--from", str(data))
    built = followup("build", "--as-of", AS_OF, "--exclude", "test_type:unit")
    assert "wrote models/flows/audiences/audience_loyalty_thanks.sql" in built.stdout
    with duckdb.connect(str(warehouse), read_only=True) as con:
        columns = [
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns where table_schema = "
                "'analytics' and table_name = 'audience_loyalty_thanks' order by ordinal_position"
            ).fetchall()
        ]
        cart = [
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns where table_schema = "
                "'analytics' and table_name = 'audience_abandoned_cart' and column_name like "
                "'product_%' order by ordinal_position"
            ).fetchall()
        ]
        triggered = con.execute(
            "select count(*), count(*) filter (where decision = 'send') from "
            "analytics.audience_decisions where flow_id = 'loyalty_thanks'"
        ).fetchone()
        summary = con.execute(
            "select count(*) from analytics.flow_daily_summary where flow_id = 'loyalty_thanks'"
        ).fetchone()
    products = [
        f"product_{i}_{p}" for i in range(1, 6) for p in ("id", "name", "url", "image_url", "price")
    ]
    assert columns[10:] == [*products, "top_category"]
    assert cart == [f"product_1_{p}" for p in ("id", "name", "url", "image_url", "price")]
    assert triggered[0] > 0 and triggered[1] > 0
    assert summary == (1,)
    followup(
        "export", "--flow", "loyalty_thanks", "--esp", "generic", "--out", str(tmp_path / "out")
    )
    written = (tmp_path / "out" / AS_OF / "generic" / "loyalty_thanks.csv").read_text("utf-8")
    rows = list(csv.DictReader(written.splitlines()))
    assert len(rows) == triggered[1]
    assert all(r["subject"].startswith("Thanks for your ") for r in rows)
    assert set(rows[0]) >= {"product_5_id", "top_category", "salutation"}
