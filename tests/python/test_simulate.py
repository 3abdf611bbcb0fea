"""`followup simulate`: the response model, the day's delivery, the send lists, the truth,
and the refusals (the simulated days end to end: test_simulation.py)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from followup import PROJECT_DIR
from followup.generate.schema import SCHEMAS
from followup.loader import check_folder
from followup.simulate import run
from followup.simulate.delivery import strip_flow_events, write_delivery
from followup.simulate.model import SEND_SCHEMA, Catalogue, planted_order_id, respond
from followup.simulate.sendlists import read_send_lists
from followup.simulate.truth import planted_uplift

D = dt.date(2026, 6, 15)
CATALOGUE = Catalogue(
    ids=pa.array(["P1", "P2", "P3"]), urls=pa.array(["u1", "u2", "u3"]),
    cents=np.array([1000, 2550, 999]),
)  # fmt: skip


def send_list(flows: dict[str, int]) -> pa.Table:
    """A synthetic send list: ``flows`` maps a flow to its number of contacts."""
    rows, number = [], 0
    for flow_id, count in flows.items():
        for _ in range(count):
            number += 1
            rows.append({"flow_id": flow_id, "flow_step": 1, "contact_id": f"C{number:05d}",
                         "email": f"c{number}@example.com", "email_type": "marketing",
                         "campaign_id": None, "preferred_send_hour": number % 24})  # fmt: skip
    return pa.Table.from_pylist(rows, schema=SEND_SCHEMA)


SENDS = send_list({"abandoned_cart": 400, "birthday": 300, "repeat_purchase": 300})


def counts(table: pa.Table, keys: list[str]) -> dict[tuple, int]:
    grouped = table.group_by(keys).aggregate([(keys[0], "count")]).to_pylist()
    return {tuple(row[k] for k in keys): row[f"{keys[0]}_count"] for row in grouped}


# ------------------------------------------------------------------ response model


def test_response_counts_are_exact_for_a_seed() -> None:
    responses = respond(SENDS, D, 11, CATALOGUE)
    assert counts(responses.email_events, ["event_type", "is_machine_open"]) == {
        ("sent", None): 1000, ("delivered", None): 977, ("hard_bounce", None): 6,
        ("soft_bounce", None): 17, ("open", True): 139, ("open", False): 314,
        ("click", None): 80, ("unsubscribe", None): 8, ("spam_complaint", None): 1,
    }  # fmt: skip
    assert counts(responses.planted, ["flow_id"]) == {("abandoned_cart",): 118,
                                                      ("repeat_purchase",): 53}  # fmt: skip
    assert counts(responses.esp_suppressions, ["reason"]) == {
        ("hard_bounce",): 6, ("unsubscribe",): 8, ("spam_complaint",): 1,
    }  # fmt: skip
    assert str(pc.sum(responses.orders["total_amount"])) == "2592.92"


def test_every_mail_has_one_sent_event_and_one_outcome() -> None:
    events = respond(SENDS, D, 11, CATALOGUE).email_events
    per_message = counts(events, ["message_id", "event_type"])
    messages = {key[0] for key in per_message}
    assert len(messages) == SENDS.num_rows
    for message in messages:
        assert per_message[(message, "sent")] == 1
        fates = ("delivered", "hard_bounce", "soft_bounce")
        outcomes = [per_message.get((message, fate), 0) for fate in fates]
        assert sorted(outcomes) == [0, 0, 1]
    clicked = set(events.filter(pc.equal(events["event_type"], "click"))["message_id"].to_pylist())
    real = pc.and_(pc.equal(events["event_type"], "open"), pc.invert(events["is_machine_open"]))
    assert clicked <= set(events.filter(real)["message_id"].to_pylist())
    days = pc.unique(pc.cast(events["occurred_at"], pa.date32())).to_pylist()
    assert days == [D]
    assert events.schema == SCHEMAS["email_events"]
    first = events.slice(0, 1).to_pylist()[0]
    assert first["message_id"] == "sim-M-20260615-abandoned_cart-1-C00001"
    assert first["event_id"] == "sim-E-20260615-abandoned_cart-1-C00001-sent"


def test_planted_orders_are_valid_and_within_the_window() -> None:
    responses = respond(SENDS, D, 11, CATALOGUE)
    planted, orders = responses.planted, responses.orders
    assert planted["order_id"].to_pylist() == orders["order_id"].to_pylist()
    assert responses.order_lines["order_id"].to_pylist() == orders["order_id"].to_pylist()
    assert set(orders["status"].to_pylist()) == {"paid"}
    days = pc.cast(orders["ordered_at"], pa.date32()).to_pylist()
    assert min(days) == D and max(days) == D + dt.timedelta(days=6)
    row = planted.slice(0, 1).to_pylist()[0]
    assert row["order_id"] == planted_order_id(D, row["flow_id"], 1, row["contact_id"])
    assert row["ordered_at"].date() == D + dt.timedelta(days=row["lag_days"])
    assert "birthday" not in set(planted["flow_id"].to_pylist())  # u = 0: the null check


def test_draws_do_not_depend_on_row_order_or_other_flows() -> None:
    first = respond(SENDS, D, 11, CATALOGUE)
    shuffled = SENDS.take(pa.array(np.random.default_rng(0).permutation(SENDS.num_rows)))
    again = respond(shuffled, D, 11, CATALOGUE)
    for name, table in first.tables().items():
        assert table.equals(again.tables()[name]), name
    alone = respond(SENDS.filter(pc.equal(SENDS["flow_id"], "repeat_purchase")), D, 11, CATALOGUE)
    mixed = first.planted.filter(pc.equal(first.planted["flow_id"], "repeat_purchase"))
    assert alone.planted.equals(mixed)
    other_seed = respond(SENDS, D, 12, CATALOGUE)
    assert not other_seed.email_events.equals(first.email_events)


def test_rates_converge_to_the_model() -> None:
    sends = send_list({"abandoned_cart": 100_000, "lead_nurture": 100_000})
    responses = respond(sends, D, 3, CATALOGUE)
    events = counts(responses.email_events, ["event_type", "is_machine_open"])
    delivered = events[("delivered", None)]
    assert abs(delivered / 200_000 - 0.97) < 0.002
    assert abs(events[("hard_bounce", None)] / 200_000 - 0.01) < 0.001
    assert abs(events[("open", True)] / delivered - 0.15) < 0.004
    assert abs(events[("open", False)] / delivered - 0.35) < 0.004
    assert abs(events[("click", None)] / events[("open", False)] - 0.25) < 0.006
    assert abs(events[("unsubscribe", None)] / delivered - 0.004) < 0.0007
    planted = counts(responses.planted, ["flow_id"])
    assert abs(planted[("abandoned_cart",)] / 100_000 - 0.30) < 0.005
    assert abs(planted[("lead_nurture",)] / 100_000 - 0.10) < 0.003
    lags = counts(responses.planted, ["lag_days"])
    assert sorted(k[0] for k in lags) == list(range(7))


# ------------------------------------------------------------------ the day's delivery


def ts(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def write_rows(folder: Path, name: str, rows: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    schema = SCHEMAS[name]
    full = [{c: row.get(c) for c in schema.names} for row in rows]
    pq.write_table(pa.Table.from_pylist(full, schema=schema), folder / f"{name}.parquet")


def order(order_id: str, at: str) -> dict:
    return {"order_id": order_id, "contact_id": "C1", "ordered_at": ts(at), "status": "paid",
            "total_amount": 1, "currency": "EUR"}  # fmt: skip


def event(event_id: str, at: str, flow_id: str | None = None) -> dict:
    return {"event_id": event_id, "message_id": "M" + event_id, "contact_id": "C1",
            "email_type": "marketing", "flow_id": flow_id, "flow_step": 1 if flow_id else None,
            "event_type": "sent", "occurred_at": ts(at)}  # fmt: skip


@pytest.fixture
def world(tmp_path: Path) -> tuple[Path, Path]:
    """A generated folder and a simulated folder with rows on both sides of D's end."""
    generated, simulated = tmp_path / "generated", tmp_path / "simulated"
    for name in SCHEMAS:
        write_rows(generated, name, [])
    contact = {"email": "c@example.com", "updated_at": ts("2026-06-01 00:00:00")}
    write_rows(generated, "contacts", [
        {**contact, "contact_id": "C1", "created_at": ts("2026-06-14 10:00:00")},
        {**contact, "contact_id": "C2", "created_at": ts("2026-06-15 23:59:59")},
        {**contact, "contact_id": "C3", "created_at": ts("2026-06-16 00:00:00")},
        {**contact, "contact_id": "C4", "created_at": None},
    ])  # fmt: skip
    write_rows(generated, "orders", [order("O1", "2026-06-15 10:00:00"),
                                     order("O2", "2026-06-16 00:00:00")])  # fmt: skip
    line = {"line_number": 1, "product_id": "P1", "quantity": 1, "unit_price": 1}
    write_rows(generated, "order_lines", [{**line, "order_id": o} for o in ("O1", "O2", "O9")])
    write_rows(generated, "products", [{"product_id": "P1", "price": 1, "is_active": True}])
    write_rows(generated, "email_events", [
        event("E1", "2026-06-15 09:00:00"), event("E2", "2026-06-16 09:00:00"),
        event("E3", "2026-06-14 09:00:00", "welcome"),
        event("E4", "2026-06-15 09:00:00", "welcome"),
        event("E5", "2026-06-16 09:00:00", "welcome"),
    ])  # fmt: skip
    day = simulated / "orders"
    write_rows(day, "orders", [order("sim-a", "2026-06-15 12:00:00"),
                               order("sim-b", "2026-06-17 12:00:00")])  # fmt: skip
    (day / "orders.parquet").rename(day / "2026-06-14.parquet")
    day = simulated / "order_lines"
    write_rows(day, "order_lines", [{**line, "order_id": o} for o in ("sim-a", "sim-b")])
    (day / "order_lines.parquet").rename(day / "2026-06-14.parquet")
    day = simulated / "email_events"
    write_rows(day, "email_events", [event("sim-E1", "2026-06-14 20:00:00", "welcome")])
    (day / "email_events.parquet").rename(day / "2026-06-14.parquet")
    return generated, simulated


def ids(folder: Path, name: str, column: str) -> list[str]:
    return sorted(pq.read_table(folder / f"{name}.parquet")[column].to_pylist())


def test_the_delivery_is_cut_at_the_end_of_the_day(world: tuple[Path, Path], tmp_path: Path):
    generated, simulated = world
    target = tmp_path / "delivery"
    target.mkdir()
    (target / "stale.parquet").write_bytes(b"left from yesterday")
    rows = write_delivery(generated, simulated, target, D)
    assert ids(target, "contacts", "contact_id") == ["C1", "C2", "C4"]
    assert ids(target, "orders", "order_id") == ["O1", "sim-a"]
    assert ids(target, "order_lines", "order_id") == ["O1", "O9", "sim-a"]  # O9: no order at all
    assert ids(target, "email_events", "event_id") == ["E1", "E3", "E4", "sim-E1"]
    assert rows["products"] == 1 and rows["consent_events"] == 0
    assert sorted(p.name for p in target.iterdir()) == sorted(f"{n}.parquet" for n in SCHEMAS)
    for name, schema in SCHEMAS.items():
        assert pq.read_schema(target / f"{name}.parquet").types == schema.types, name
    assert len(check_folder(target)) == len(SCHEMAS)  # the loader accepts it
    write_delivery(generated, simulated, target, D + dt.timedelta(days=2))
    assert ids(target, "orders", "order_id") == ["O1", "O2", "sim-a", "sim-b"]
    assert ids(target, "contacts", "contact_id") == ["C1", "C2", "C3", "C4"]


def test_flow_mails_from_the_first_day_are_removed(world: tuple[Path, Path]) -> None:
    generated, _ = world
    assert strip_flow_events(generated, D) == 2
    assert ids(generated, "email_events", "event_id") == ["E1", "E2", "E3"]


# ------------------------------------------------------------------ send lists


def test_send_lists_are_read_from_complete_batches(tmp_path: Path) -> None:
    folder = tmp_path / D.isoformat() / "generic"
    folder.mkdir(parents=True)
    (folder / "back_in_stock.csv").write_text(
        "as_of_date,flow_id,flow_step,recipient,contact_id,email,preferred_send_hour,products\n"
        '2026-06-15,back_in_stock,1,C7,C7,c7@example.com,8,"[{""id"": 1}]"\n'
        "2026-06-15,back_in_stock,1,x@example.com,,x@example.com,,\n",
        encoding="utf-8",
    )
    (folder / "back_in_stock.manifest.json").write_text(json.dumps({
        "as_of_date": "2026-06-15", "flow_category": "service",
        "files": [{"name": "back_in_stock.csv"}],
    }))  # fmt: skip
    # a list without its manifest is not complete: the ESP does not import it
    (folder / "welcome.csv").write_text("flow_id,flow_step,contact_id\nwelcome,1,C8\n")
    sends = read_send_lists(tmp_path, D)
    assert sends.to_pylist() == [{"flow_id": "back_in_stock", "flow_step": 1, "contact_id": "C7",
                                  "email": "c7@example.com", "email_type": "service",
                                  "campaign_id": None, "preferred_send_hour": 8}]  # fmt: skip
    later = tmp_path / "2026-06-16" / "generic"
    later.mkdir(parents=True)
    (later / "welcome.manifest.json").write_text(json.dumps({"as_of_date": "2026-06-15"}))
    with pytest.raises(ValueError, match="not 2026-06-16"):
        read_send_lists(tmp_path, D + dt.timedelta(days=1))


# ------------------------------------------------------------------ truth


def test_planted_uplift_on_a_small_warehouse(tmp_path: Path) -> None:
    """Flow f on D: 4 sent (2 with their planted order, 1 of them also with another
    order; 1 converted by another order only), 2 held out (1 converted)."""
    path = tmp_path / "w.duckdb"
    day = "date '2026-06-15'"
    with duckdb.connect(str(path)) as con:
        con.execute("create schema analytics")
        con.execute(f"""create table analytics.audience_decisions as
            select {day} as as_of_date, 'f' as flow_id, 1 as flow_step, * from (values
            ('A', 'send'), ('B', 'send'), ('C', 'send'), ('E', 'send'),
            ('H1', 'holdout'), ('H2', 'holdout'), ('X', 'excluded'), (null, 'send'))
            t(contact_id, decision)
            union all select {day} + 1, 'f', 1, 'Z', 'send'""")  # its window ends after as_of
        con.execute(f"""create table analytics.int_valid_orders as
            select * from (values
            ('sim-O-20260615-f-1-A', 'A', {day} + 6), ('sim-O-20260615-f-1-B', 'B', {day}),
            ('o1', 'B', {day} + 2), ('o2', 'C', {day} + 3), ('o3', 'H1', {day} + 1),
            ('o4', 'E', {day} + 7), ('o5', 'H2', {day} - 1), ('o6', 'Z', {day} + 1))
            t(order_id, contact_id, order_date)""")
    truth = planted_uplift(path, D + dt.timedelta(days=6), period_days=2, window_days=7,
                           conversion={"f": 0.5})  # fmt: skip
    assert truth == {"f": {
        "u": 0.5, "c": 3 / 6, "planted_uplift": 0.25, "decisions": 6, "sent": 4, "held_out": 2,
        "c_sent": 2 / 4, "c_held_out": 1 / 2, "sent_rate": 3 / 4, "held_out_rate": 1 / 2,
        "measured_uplift": 0.25,
    }}  # fmt: skip


# ------------------------------------------------------------------ the operator


def test_a_spike_refusal_is_exported_only_with_allow_spike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "daily.log"
    log.write_text(f"  {run.SPIKE_REFUSAL} 100 rows (median 10 ...): the list has 350 rows\n")
    refused = run.SimulationFailed("followup daily 2026-05-08 failed with exit code 1", 1, log)
    commands: list[list[str]] = []

    def daily(*_args: object) -> dict:
        raise refused

    monkeypatch.setattr(run, "run_daily", daily)
    monkeypatch.setattr(
        run, "_run", lambda command, *_: commands.append(command) or '{"sent_total": 3}'
    )
    options = run.SimulateOptions(contacts=100, days=9, start=D, out=tmp_path)
    with pytest.raises(run.SimulationFailed, match="simulate again with --allow-spike"):
        run.run_daily_as_operator(options, D, first=False)
    assert commands == []
    allowed = run.SimulateOptions(contacts=100, days=9, start=D, out=tmp_path, allow_spike=True)
    assert run.run_daily_as_operator(allowed, D, first=False) == ({"sent_total": 3}, True)
    assert commands[0][3:] == ["daily", "--as-of", "2026-06-15", "--from",
                               str(tmp_path / "delivery"), "--esp", "generic", "--out",
                               str(tmp_path / "exports"), "--json", "--allow-spike"]  # fmt: skip
    log.write_text("  [FAIL] every recipient of a marketing flow has marketing consent\n")
    with pytest.raises(run.SimulationFailed) as failed:
        run.run_daily_as_operator(allowed, D, first=False)
    assert failed.value is refused and len(commands) == 1


# ------------------------------------------------------------------ end to end


def test_a_folder_that_is_not_a_simulation_is_refused(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("mine")
    completed = subprocess.run(
        [sys.executable, "-m", "followup.cli", "simulate", "--days", "1", "--as-of",
         "2026-06-15", "--out", str(tmp_path)],
        cwd=PROJECT_DIR, capture_output=True, text=True,
    )  # fmt: skip
    assert completed.returncode == 2
    assert "is not empty and is not a simulation folder" in completed.stderr
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_a_warehouse_that_is_not_a_simulation_is_refused(tmp_path: Path) -> None:
    warehouse = tmp_path / "real.duckdb"
    warehouse.write_bytes(b"real data")
    env = {**os.environ, "FOLLOWUP_DUCKDB_PATH": str(warehouse)}
    completed = subprocess.run(
        [sys.executable, "-m", "followup.cli", "simulate", "--days", "1", "--as-of",
         "2026-06-15", "--out", str(tmp_path / "sim")],
        cwd=PROJECT_DIR, capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert completed.returncode == 2
    assert "is a warehouse that a simulation did not write" in completed.stderr
    assert warehouse.read_bytes() == b"real data"
    assert not (tmp_path / "sim").exists()
