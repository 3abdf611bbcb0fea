"""Reference data: catalogue categories, brands, names, companies, countries, languages."""

from __future__ import annotations

# --------------------------------------------------------------------------------------
# Reference data: catalogue, names, companies, URLs.
# --------------------------------------------------------------------------------------

SHOP = "https://www.example-shop.nl"
CDN = "https://cdn.example-shop.nl"

CATEGORIES: tuple[str, ...] = (
    "coffee_machines",
    "coffee",
    "accessories",
    "kitchen",
    "garden",
    "outdoor",
    "electronics",
    "books",
    "toys",
    "sports",
)
# Per category: share of the bulk catalogue, typical price (EUR), share with a manual,
# and the product nouns used for names.
CATEGORY_PROFILE: dict[str, tuple[float, float, float, tuple[str, ...]]] = {
    "coffee_machines": (0.07, 220.0, 0.9, ("Espresso machine", "Filter coffee maker", "Grinder")),
    "coffee": (0.10, 14.0, 0.0, ("Espresso beans", "Filter coffee", "Coffee capsules")),
    "accessories": (0.18, 18.0, 0.1, ("Milk jug", "Tamper", "Cup set", "Cleaning kit", "Filter")),
    "kitchen": (0.13, 55.0, 0.6, ("Kettle", "Toaster", "Blender", "Knife set", "Pan")),
    "garden": (0.08, 45.0, 0.5, ("Garden hose", "Pruning shears", "Parasol", "Planter")),
    "outdoor": (0.09, 70.0, 0.2, ("Rain jacket", "Backpack", "Tent", "Sleeping bag")),
    "electronics": (0.12, 110.0, 0.95, ("Headphones", "Speaker", "Charger", "Smart plug")),
    "books": (0.09, 22.0, 0.0, ("Cookbook", "Travel guide", "Novel", "Coffee table book")),
    "toys": (0.07, 30.0, 0.3, ("Board game", "Puzzle", "Building set", "Plush toy")),
    "sports": (0.07, 40.0, 0.2, ("Yoga mat", "Dumbbells", "Running belt", "Water bottle")),
}
BRANDS: tuple[str, ...] = (
    "Koffiehuis",
    "Noordlicht",
    "Polderpro",
    "Lage Landen",
    "Zeewind",
    "Tulpenveld",
    "Dijkstra & Co",
    "Schelde",
    "Maasland",
    "Brabo",
)
# Categories whose products get accessories in the bulk catalogue.
MAIN_CATEGORIES: tuple[str, ...] = (
    "coffee_machines",
    "kitchen",
    "garden",
    "outdoor",
    "electronics",
    "sports",
)

FIRST_NAMES_F: tuple[str, ...] = (
    "Emma", "Julia", "Sophie", "Anna", "Tess", "Sara", "Lotte", "Eva", "Lisa", "Noor",
    "Fleur", "Sanne", "Femke", "Iris", "Laura", "Marie", "Louise", "Elise", "Charlotte",
    "Hanna", "Mila", "Nora", "Lina", "Amira", "Yasmin", "Fatima", "Chloe", "Olivia",
)  # fmt: skip
FIRST_NAMES_M: tuple[str, ...] = (
    "Daan", "Sem", "Lucas", "Levi", "Finn", "Milan", "Noah", "Bram", "Thomas", "Jesse",
    "Ruben", "Tim", "Lars", "Max", "Thijs", "Stijn", "Wout", "Arthur", "Louis", "Jules",
    "Mohamed", "Youssef", "Liam", "Jan", "Pieter", "Kees", "Willem", "Koen", "Bart",
)  # fmt: skip
LAST_NAMES: tuple[str, ...] = (
    "de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen",
    "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot", "Bos", "Vos", "Peters",
    "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits",
    "de Graaf", "van der Meer", "Peeters", "Janssens", "Maes", "Jacobs", "Mertens",
    "Willems", "Claes", "Goossens", "Wouters", "De Smet", "Dubois", "Lambert", "Martin",
    "Smith", "Brown", "El Amrani", "Yilmaz",
)  # fmt: skip
BULK_EMAIL_DOMAINS: tuple[str, ...] = (
    "example.nl",
    "example.be",
    "example.com",
    "example.org",
    "example.net",
    "mail.example.nl",
)
COMPANY_WORDS: tuple[str, ...] = (
    "Delta", "Noord", "Polder", "Schelde", "Maas", "Tulip", "Windmill", "Kanaal",
    "Vlaanderen", "Zuid", "Oost", "Haven", "Duin", "Brug", "Gracht", "Kempen",
)  # fmt: skip
COMPANY_SUFFIXES: tuple[str, ...] = (
    "B.V.",
    "NV",
    "Logistics",
    "Consulting",
    "Retail",
    "Foods",
    "Tech",
    "Hospitality",
)
JOB_TITLES: tuple[str, ...] = (
    "Marketing Manager", "Head of Operations", "Purchasing Director", "Owner",
    "Founder & CEO", "Office Manager", "Chief Financial Officer", "Facility Manager",
    "Buyer", "Procurement Specialist", "Barista", "Developer", "Consultant",
    "Assistant", "Facility Coordinator", "Sales Representative", "Account Executive",
)  # fmt: skip
COUNTRIES: tuple[str, ...] = ("NL", "BE", "DE", "FR", "GB", "US")
COUNTRY_P: tuple[float, ...] = (0.62, 0.26, 0.05, 0.03, 0.02, 0.02)
LANGUAGES: tuple[str, ...] = ("nl", "en", "fr", "de")
# Per country: probability of nl, en, fr, de; the rest is null (default language).
LANGUAGE_P: tuple[tuple[float, ...], ...] = (
    (0.85, 0.12, 0.0, 0.0),
    (0.60, 0.10, 0.25, 0.0),
    (0.0, 0.30, 0.0, 0.60),
    (0.0, 0.30, 0.60, 0.0),
    (0.0, 0.92, 0.0, 0.0),
    (0.0, 0.92, 0.0, 0.0),
)
SIGNUP_SOURCES: tuple[str, ...] = (
    "newsletter",
    "checkout",
    "whitepaper",
    "webinar",
    "import",
    "store",
    "facebook_ad",  # not in the contract: staging turns an unknown signup_source into null
)
SIGNUP_P_B2C: tuple[float, ...] = (0.40, 0.39, 0.0, 0.0, 0.08, 0.12, 0.01)
SIGNUP_P_B2B: tuple[float, ...] = (0.20, 0.10, 0.35, 0.20, 0.15, 0.0, 0.0)
CONSENT_SOURCE_BY_SIGNUP: tuple[str, ...] = (
    "newsletter_form",
    "checkout",
    "whitepaper_form",
    "webinar_form",
    "import",
    "store",
    "newsletter_form",
)


def slug(text: str) -> str:
    """Lower-case ``text`` and drop everything but letters and digits ('van Dijk' -> 'vandijk')."""
    return "".join(ch for ch in text.lower() if ch.isalnum())
