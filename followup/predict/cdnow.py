"""The CDNOW sample, the data set of the BG/NBD and Gamma-Gamma papers, as raw files.

CDNOW (an online CD shop) sold to a cohort of 23,570 customers who made their first
purchase in the first 12 weeks of 1997; the 1/10 sample (2,357 customers, 6,919
purchase records up to 1998-06-30) is the one the papers fit. It ships inside the
``lifetimes`` wheel on PyPI (``lifetimes/datasets/CDNOW_sample.txt``), which is
downloaded once with ``pip download`` into a cache folder, checked against its SHA-256
and read as a zip file: lifetimes itself is never installed or imported.

Each record (master id, sample id, yyyymmdd, CDs, dollars) becomes one order of the raw
data contract: order_id ``<master id>-<nnn>`` (the record's rank within the customer,
in file order), status ``delivered``, channel ``web``, currency ``USD``, ordered_at
midnight of the date, total_amount the dollars. Each order has one line: product
``CD``, quantity the CDs, unit price dollars/CDs rounded to the cent (only the order
total is exact). One contact per master id, created when the first purchase was made,
without name or email. The other raw tables are empty.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from followup import PROJECT_DIR
from followup.errors import Refused
from followup.generate.schema import MONEY, SCHEMAS

REQUIREMENT = "lifetimes==0.11.3"
WHEEL_NAME = "Lifetimes-0.11.3-py3-none-any.whl"
WHEEL_SHA256 = "261e3dc89977c2b60767ca6728aaa29d429de0c814635070a749c36555895da8"
SAMPLE_MEMBER = "lifetimes/datasets/CDNOW_sample.txt"
DEFAULT_CACHE = PROJECT_DIR / "data" / "cdnow"  # /data/ is not in git
SAMPLE_ROWS = 6_919
SAMPLE_CUSTOMERS = 2_357


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch_wheel(cache: Path = DEFAULT_CACHE) -> Path:
    """The lifetimes wheel in ``cache``, downloaded from PyPI the first time."""
    wheel = cache / WHEEL_NAME
    if not wheel.exists():
        cache.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pip", "download", REQUIREMENT, "--no-deps",
                   "--only-binary", ":all:", "--quiet", "-d", str(cache)]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0 or not wheel.exists():
            last = (result.stderr.strip().splitlines() or ["no wheel was written"])[-1]
            raise Refused(f"could not download {REQUIREMENT} from PyPI: {last}")
    digest = _sha256(wheel)
    if digest != WHEEL_SHA256:
        raise Refused(f"{wheel} has SHA-256 {digest}, not {WHEEL_SHA256}: delete it and retry")
    return wheel


def read_sample(wheel: Path) -> pd.DataFrame:
    """The sample's records as text columns: master_id, sample_id, day, cds, dollars."""
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(SAMPLE_MEMBER)
    names = ["master_id", "sample_id", "day", "cds", "dollars"]
    frame = pd.read_csv(io.BytesIO(text), sep=r"\s+", header=None, names=names, dtype=str)
    well_formed = (
        frame["dollars"].str.fullmatch(r"\d+\.\d\d").all()
        and frame["cds"].str.fullmatch(r"[1-9]\d*").all()
        and frame["day"].str.fullmatch(r"\d{8}").all()
    )
    if (
        not well_formed
        or len(frame) != SAMPLE_ROWS
        or frame["master_id"].nunique() != SAMPLE_CUSTOMERS
    ):
        raise Refused(f"{SAMPLE_MEMBER} in {wheel} is not the CDNOW sample of 6,919 records")
    return frame


def _cents(dollars: pd.Series) -> pd.Series:
    """'29.33' -> 2933, exactly (read_sample checks that every amount has two decimals)."""
    return dollars.str.replace(".", "", regex=False).astype("int64")


def _money(cents: pd.Series) -> pa.Array:
    text = (cents // 100).astype(str) + "." + (cents % 100).astype(str).str.zfill(2)
    return pa.array(text.to_numpy(dtype=object)).cast(MONEY)


def _column(values: object, rows: int, type_: pa.DataType) -> pa.Array:
    if values is None:
        return pa.nulls(rows, type=type_)
    if isinstance(values, pa.Array):
        return values
    if isinstance(values, pd.Series):
        return pa.array(values.to_numpy(), type=type_)
    return pa.array([values] * rows, type=type_)  # one value for every row


def raw_tables(sample: pd.DataFrame) -> dict[str, pa.Table]:
    """Every raw table of the contract: contacts, orders, order_lines filled, others empty."""
    ordered_at = pd.to_datetime(sample["day"], format="%Y%m%d")
    rank = sample.groupby("master_id", sort=False).cumcount() + 1
    order_id = sample["master_id"] + "-" + rank.astype(str).str.zfill(3)
    cents = _cents(sample["dollars"])
    quantity = sample["cds"].astype("int64")
    unit_cents = (2 * cents + quantity) // (2 * quantity)  # cents / CDs, half up
    first = ordered_at.groupby(sample["master_id"], sort=True).min()
    filled: dict[str, dict[str, object]] = {
        "contacts": {
            "contact_id": first.index.to_series(),
            "signup_source": "import",
            "created_at": first,
            "updated_at": first,
        },
        "orders": {
            "order_id": order_id,
            "contact_id": sample["master_id"],
            "ordered_at": ordered_at,
            "status": "delivered",
            "total_amount": _money(cents),
            "currency": "USD",
            "channel": "web",
        },
        "order_lines": {
            "order_id": order_id,
            "line_number": 1,
            "product_id": "CD",
            "quantity": quantity,
            "unit_price": _money(unit_cents),
        },
    }
    rows = {"contacts": len(first), "orders": len(sample), "order_lines": len(sample)}
    return {
        name: pa.Table.from_arrays(
            [_column(filled.get(name, {}).get(f.name), rows.get(name, 0), f.type) for f in schema],
            schema=schema,
        )
        for name, schema in SCHEMAS.items()
    }


def write_raw_folder(out: Path, cache: Path = DEFAULT_CACHE) -> dict[str, int]:
    """Write ``<table>.parquet`` for every raw table into ``out``; return rows per table."""
    tables = raw_tables(read_sample(fetch_wheel(cache)))
    out.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        pq.write_table(table, out / f"{name}.parquet")
    return {name: table.num_rows for name, table in tables.items()}
