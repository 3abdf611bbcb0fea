"""The bulk catalogue: products with relations and stock histories."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from followup.generate.arrays import (
    Counters,
    draw,
    id_array,
    int_array,
    money_array,
    pick,
    ragged,
    ts_array,
)
from followup.generate.calendar import DAY, Clock
from followup.generate.reference import (
    BRANDS,
    CATEGORIES,
    CATEGORY_PROFILE,
    CDN,
    MAIN_CATEGORIES,
    SHOP,
)
from followup.generate.schema import SCHEMAS, TEXT

# --------------------------------------------------------------------------------------
# Bulk catalogue: products P0025 ... with relations and stock histories.
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Catalogue:
    """The bulk products as arrays; products are sorted by category."""

    ids: pa.Array
    urls: pa.Array
    category: np.ndarray
    price_cents: np.ndarray
    popularity_cdf: np.ndarray
    category_start: np.ndarray
    category_count: np.ndarray

    @property
    def size(self) -> int:
        """Number of bulk products."""
        return len(self.ids)

    def sample(
        self,
        rng: np.random.Generator,
        size: int,
        favourite: np.ndarray | None = None,
        share: float = 0.5,
    ) -> np.ndarray:
        """Product indices: popular products, or (with probability ``share``) from the
        favourite category of each row, skewed towards the category's first products."""
        index = np.searchsorted(self.popularity_cdf, rng.random(size), side="right")
        index = np.minimum(index, self.size - 1)
        if favourite is not None:
            use = rng.random(size) < share
            category = favourite[use]
            within = (rng.random(category.size) ** 2 * self.category_count[category]).astype(
                np.int64
            )
            index[use] = self.category_start[category] + within
        return index


def bulk_product_count(contacts: int) -> int:
    """Catalogue size: grows with the number of contacts, from 200 up to 3,000 products."""
    return int(min(3000, max(200, contacts // 300)))


def product_names(rng: np.random.Generator, category: np.ndarray) -> pa.Array:
    """'<brand> <noun of the category> <number>' per product."""
    count = category.size
    nouns = [noun for c in CATEGORIES for noun in CATEGORY_PROFILE[c][3]]
    noun_count = np.array([len(CATEGORY_PROFILE[c][3]) for c in CATEGORIES])
    noun_start = np.cumsum(noun_count) - noun_count
    noun = noun_start[category] + rng.integers(0, 1 << 30, count) % noun_count[category]
    return pc.binary_join_element_wise(
        pick(BRANDS, rng.integers(0, len(BRANDS), count)),
        pick(nouns, noun),
        pa.array(rng.integers(100, 1000, count)).cast(TEXT),
        pa.scalar(" "),
    )


def build_catalogue(
    rng: np.random.Generator, count: int, counters: Counters, clock: Clock
) -> tuple[Catalogue, dict[str, pa.Table]]:
    """Generate the bulk products, their relations and their stock level logs."""
    shares = np.array([CATEGORY_PROFILE[c][0] for c in CATEGORIES])
    per_category = np.maximum(1, np.floor(shares / shares.sum() * count)).astype(np.int64)
    per_category[0] += count - per_category.sum()
    category = np.repeat(np.arange(len(CATEGORIES)), per_category)
    numbers = counters.block("P", count)
    ids = id_array("P", numbers)

    typical = np.array([CATEGORY_PROFILE[c][1] for c in CATEGORIES])[category]
    euros = np.maximum(2.0, np.round(typical * rng.lognormal(0.0, 0.45, count)))
    price_cents = (euros * 100 - 5).astype(np.int64)  # prices end in .95

    name = product_names(rng, category)
    manual_share = np.array([CATEGORY_PROFILE[c][2] for c in CATEGORIES])[category]
    has_manual = rng.random(count) < manual_share
    state = draw(rng, (0.92, 0.07, 0.01), count)  # active, inactive, unknown (null)
    urls = pc.binary_join_element_wise(pa.scalar(f"{SHOP}/p/"), ids, pa.scalar(""))
    products = pa.table(
        {
            "product_id": ids,
            "name": name,
            "category": pick(CATEGORIES, category),
            "price": money_array(price_cents),
            "url": urls,
            "image_url": pc.binary_join_element_wise(
                pa.scalar(f"{CDN}/img/"), ids, pa.scalar(".jpg"), pa.scalar("")
            ),
            "manual_url": pc.binary_join_element_wise(
                pa.scalar(f"{SHOP}/manuals/"),
                ids.filter(pa.array(has_manual)),
                pa.scalar(".pdf"),
                pa.scalar(""),
            ).take(pa.array(np.cumsum(has_manual) - 1, mask=~has_manual)),
            "is_active": pa.array(state == 0, mask=state == 2),
        },
        schema=SCHEMAS["products"],
    )

    weights = 1.0 / (rng.permutation(count) + 1.0) ** 0.9
    weights[state != 0] *= 0.1
    starts = np.cumsum(per_category) - per_category
    catalogue = Catalogue(
        ids=ids,
        urls=urls,
        category=category,
        price_cents=price_cents,
        popularity_cdf=np.cumsum(weights) / weights.sum(),
        category_start=starts,
        category_count=per_category,
    )
    tables = {
        "products": products,
        "product_relations": bulk_relations(rng, catalogue),
        "stock_levels": bulk_stock_levels(rng, catalogue, clock),
    }
    return catalogue, tables


def bulk_relations(rng: np.random.Generator, catalogue: Catalogue) -> pa.Table:
    """Accessories (from the accessories category) for main products, and cross-sells."""
    count = catalogue.size
    accessories = CATEGORIES.index("accessories")
    main_codes = [CATEGORIES.index(c) for c in MAIN_CATEGORIES]
    is_main = np.isin(catalogue.category, main_codes)
    n_accessory = np.where(is_main, rng.integers(0, 5, count), 0)
    parent, _ = ragged(n_accessory)
    related = catalogue.category_start[accessories] + rng.integers(
        0, catalogue.category_count[accessories], parent.size
    )
    n_cross = rng.integers(0, 3, count)
    cross_parent, _ = ragged(n_cross)
    cross_related = rng.integers(0, count, cross_parent.size)
    source = np.concatenate([parent, cross_parent])
    target = np.concatenate([related, cross_related])
    kind = np.concatenate([np.zeros(parent.size, np.int64), np.ones(cross_parent.size, np.int64)])
    keep = source != target
    key = (source[keep] * count + target[keep]) * 2 + kind[keep]
    key = np.unique(key)  # sorted, no duplicate relations
    source, rest = np.divmod(key, 2 * count)
    target, kind = np.divmod(rest, 2)
    return pa.table(
        {
            "product_id": catalogue.ids.take(pa.array(source)),
            "related_product_id": catalogue.ids.take(pa.array(target)),
            "relation_type": pick(("accessory", "cross_sell"), kind),
        },
        schema=SCHEMAS["product_relations"],
    )


def bulk_stock_levels(rng: np.random.Generator, catalogue: Catalogue, clock: Clock) -> pa.Table:
    """A stock log per product over the last two years, with out-of-stock periods."""
    count = catalogue.size
    records = 3 + rng.poisson(6, count)
    parent, rank = ragged(records)
    begin = clock.day_start - 730 * DAY
    recorded = np.where(
        rank == 0,
        begin + rng.integers(0, DAY, parent.size),
        begin + rng.integers(DAY, clock.day_end - begin, parent.size),
    )
    key = np.unique(parent * (1 << 40) + recorded)  # sorted by product, then time
    parent, recorded = np.divmod(key, 1 << 40)
    quantity = np.where(rng.random(parent.size) < 0.2, 0, rng.integers(1, 250, parent.size))
    return pa.table(
        {
            "product_id": catalogue.ids.take(pa.array(parent)),
            "recorded_at": ts_array(recorded),
            "quantity_available": int_array(quantity),
        },
        schema=SCHEMAS["stock_levels"],
    )
