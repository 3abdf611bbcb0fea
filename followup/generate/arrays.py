"""Small vectorised helpers that build Arrow arrays from numpy draws."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from followup.generate.schema import ID_WIDTHS, INT, MONEY, TEXT, TIMESTAMP, make_id

# --------------------------------------------------------------------------------------
# Small vectorised helpers.
# --------------------------------------------------------------------------------------


def id_array(prefix: str, numbers: np.ndarray) -> pa.Array:
    """Ids ``prefix`` + zero-padded ``numbers`` as a string array, built without Python loops."""
    width = ID_WIDTHS[prefix]
    numbers = np.asarray(numbers, dtype=np.int64)
    if numbers.size and int(numbers.max()) >= 10**width:
        digits = pc.utf8_lpad(pa.array(numbers).cast(TEXT), width=width, padding="0")
        return pc.binary_join_element_wise(pa.scalar(prefix), digits, pa.scalar(""))
    head = np.frombuffer(prefix.encode(), dtype=np.uint8)
    row_len = head.size + width
    buf = np.empty((numbers.size, row_len), dtype=np.uint8)
    buf[:, : head.size] = head
    rest = numbers.copy()
    for col in range(row_len - 1, head.size - 1, -1):
        rest, digit = np.divmod(rest, 10)
        buf[:, col] = digit + 48
    offsets = np.arange(numbers.size + 1, dtype=np.int32) * row_len
    return pa.Array.from_buffers(
        TEXT, numbers.size, [None, pa.py_buffer(offsets), pa.py_buffer(buf)]
    )


def ts_array(seconds: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Timestamps (microseconds, no time zone) from epoch seconds; null where not valid."""
    micros = np.asarray(seconds, dtype=np.int64) * 1_000_000
    return pa.array(micros, type=TIMESTAMP, mask=None if valid is None else ~valid)


def money_array(cents: np.ndarray) -> pa.Array:
    """decimal(18,2) values from integer cents, exactly (no floating point)."""
    cents = np.asarray(cents, dtype=np.int64)
    words = np.empty((cents.size, 2), dtype=np.int64)
    words[:, 0] = cents
    words[:, 1] = cents >> 63  # sign extension to 128 bits
    return pa.Array.from_buffers(MONEY, cents.size, [None, pa.py_buffer(words.tobytes())])


def int_array(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """int32 values; null where not valid."""
    return pa.array(
        np.asarray(values, dtype=np.int32), type=INT, mask=None if valid is None else ~valid
    )


def pick(pool: Sequence[str | None] | pa.Array, index: np.ndarray) -> pa.Array:
    """Strings ``pool[index]``; a negative index gives null."""
    array = pool if isinstance(pool, pa.Array) else pa.array(list(pool), TEXT)
    index = np.asarray(index, dtype=np.int64)
    negative = index < 0
    return array.take(pa.array(np.where(negative, 0, index), mask=negative))


def ragged(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For children counted per parent: each child's parent index and its rank (0, 1, ...)."""
    counts = np.asarray(counts, dtype=np.int64)
    parent = np.repeat(np.arange(counts.size), counts)
    starts = np.cumsum(counts) - counts
    return parent, np.arange(parent.size) - starts[parent]


def draw(rng: np.random.Generator, probabilities: Sequence[float], size: int) -> np.ndarray:
    """Category codes 0..k-1 with the given probabilities (normalised)."""
    p = np.asarray(probabilities, dtype=np.float64)
    return rng.choice(p.size, size=size, p=p / p.sum())


class Counters:
    """Running id numbers per prefix, shared by the scenario and the bulk chunks."""

    def __init__(self) -> None:
        self.next: dict[str, int] = dict.fromkeys(ID_WIDTHS, 1)

    def one(self, prefix: str) -> str:
        """The next id of ``prefix``."""
        number = self.next[prefix]
        self.next[prefix] += 1
        return make_id(prefix, number)

    def block(self, prefix: str, count: int) -> np.ndarray:
        """The next ``count`` id numbers of ``prefix``."""
        start = self.next[prefix]
        self.next[prefix] += count
        return np.arange(start, start + count, dtype=np.int64)
