"""Every ESP profile against the fixture audiences: exact file content, and SDK-checked bodies."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import pytest

from followup import PROJECT_DIR
from followup.export.errors import ConfigError
from followup.export.esp_profiles import available_profiles, get_profile, load_profile
from tests.python.fixtures.export.helpers import (
    EXPECTED,
    bodies,
    export,
    files_written,
    output_dir,
    read_json,
    use_warehouse,
)

PROFILES = available_profiles()
SHIPPED = [
    "braze",
    "brevo",
    "generic",
    "google_customer_match",
    "klaviyo",
    "mailchimp",
    "mailchimp_batch",
    "meta_custom_audience",
    "minimal",
    "sendgrid",
    "spreadsheet",
]


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every profile exported once from the fixture warehouse (all flows)."""
    tmp = tmp_path_factory.mktemp("profiles")
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_warehouse(tmp, monkeypatch)
        out = tmp / "out"
        for name in PROFILES:
            # --force: every profile gets the whole list (email profiles share the send log)
            result = export(out, name, extra=("--force",))
            assert result.code == 0, result.output
    return out


def test_the_shipped_profiles_load_and_cite_their_documentation() -> None:
    assert PROFILES == SHIPPED
    for name in PROFILES:
        profile = get_profile(name)
        assert profile.documentation, name
        assert all(url.startswith("https://") for url in profile.documentation)


@pytest.mark.parametrize(
    ("profile", "name"),
    sorted((p.parent.name, p.name) for p in EXPECTED.glob("*/*")),
)
def test_profile_output_is_exactly_as_expected(exports: Path, profile: str, name: str) -> None:
    written = output_dir(exports, profile) / name
    expected = EXPECTED / profile / name
    if name.endswith(".json"):
        assert read_json(written) == read_json(expected)
    else:
        assert written.read_bytes() == expected.read_bytes()


def test_every_written_file_is_expected(exports: Path) -> None:
    data_files = {
        f for f in files_written(exports) if not f.endswith("manifest.json") and "send_log" not in f
    }
    expected = {str(Path("2026-06-15") / p.relative_to(EXPECTED)) for p in EXPECTED.glob("*/*")}
    assert data_files == expected


def test_utf8_without_bom_except_the_spreadsheet_profile(exports: Path) -> None:
    for path in exports.rglob("*.csv"):
        starts_with_bom = path.read_bytes().startswith(b"\xef\xbb\xbf")
        assert starts_with_bom == (path.parent.name == "spreadsheet"), path


def test_spreadsheet_safety_in_every_csv_profile(exports: Path) -> None:
    """The product called =HYPERLINK(...) is neutralised wherever it is a cell of its own."""
    for path in exports.rglob("abandoned_cart.csv"):
        if path.parent.name in ("google_customer_match", "meta_custom_audience"):
            continue
        text = path.read_text(encoding="utf-8-sig")
        delimiter = ";" if path.parent.name in ("brevo", "spreadsheet") else ","
        cells = [c for row in csv.reader(io.StringIO(text), delimiter=delimiter) for c in row]
        assert '\'=HYPERLINK("http://evil.example","win")' in cells, path
        assert not any(c.startswith(("=", "+", "-", "@")) for c in cells), path
        assert "{{ 7*7 }}" in cells  # data is never template code


def test_google_customer_match_hashes_everything_but_country_and_zip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without a zip column in the warehouse: Email only (address matching needs all four).
    text = (output_dir_for(tmp_path, monkeypatch, False) / "abandoned_cart.csv").read_text()
    assert text == "Email\n" + "".join(
        sha(e) + "\n" for e in ("jan.de.vries@example.com", "sanne@example.nl", "lou@example.be")
    )
    # With zip: the four address cells where all four are known, in clear only Country and Zip.
    text = (output_dir_for(tmp_path, monkeypatch, True) / "abandoned_cart.csv").read_text()
    assert text.splitlines() == [
        "Email,First Name,Last Name,Country,Zip",
        f"{sha('jan.de.vries@example.com')},{sha('jan')},{sha('devries')},NL,1012 AB",
        f"{sha('sanne@example.nl')},,,,",  # no zip: no address at all
        f"{sha('lou@example.be')},{sha('lou')},{sha('desmet')},BE,1000",
    ]


def output_dir_for(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, with_zip: bool) -> Path:
    folder = tmp_path / ("zip" if with_zip else "nozip")
    use_warehouse(folder, monkeypatch, with_zip=with_zip)
    result = export(folder / "out", "google_customer_match", "abandoned_cart")
    assert result.code == 0, result.output
    return output_dir(folder / "out", "google_customer_match")


def test_meta_hashes_every_value_after_metas_normalisation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_warehouse(tmp_path, monkeypatch, with_zip=True)
    assert export(tmp_path / "out", "meta_custom_audience", "abandoned_cart").code == 0
    text = (output_dir(tmp_path / "out", "meta_custom_audience") / "abandoned_cart.csv").read_text()
    assert text.splitlines() == [
        "email,fn,ln,country,zip",
        # DE VRIES: lower case, no spaces; the Netherlands: nl; the zip without its space
        f"{sha('jan.de.vries@example.com')},{sha('jan')},{sha('devries')},{sha('nl')},"
        f"{sha('1012ab')}",
        f"{sha('sanne@example.nl')},{sha('sanne')},{sha('vandenberg')},{sha('nl')},",
        f"{sha('lou@example.be')},{sha('lou')},{sha('desmet')},{sha('be')},{sha('1000')}",
    ]


@pytest.mark.parametrize("profile", ["google_customer_match", "meta_custom_audience"])
def test_ad_audiences_take_no_service_flow(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, profile: str
) -> None:
    use_warehouse(tmp_path, monkeypatch)
    # C006 asked for a back-in-stock alert and has no marketing consent: never in an ad list
    result = export(tmp_path / "out", profile, "back_in_stock")
    assert result.code == 2
    assert result.stderr == (
        f"error: profile {profile} takes marketing flows only; back_in_stock is a service flow\n"
    )
    result = export(tmp_path / "out", profile)
    assert result.code == 0, result.output
    assert "back_in_stock" in result.stdout and "takes marketing flows only" in result.stdout
    assert not (output_dir(tmp_path / "out", profile) / "back_in_stock.csv").exists()


@pytest.mark.parametrize(
    ("column", "value", "check"),
    [
        ("has_marketing_consent", "false", "every person in an ad audience has marketing consent"),
        ("is_suppressed", "true", "no recipient is suppressed"),
    ],
)
def test_ad_audiences_hold_only_consented_unsuppressed_people(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, column: str, value: str, check: str
) -> None:
    def change(tables: dict) -> None:
        tables["dim_contacts"].loc[0, column] = value  # C001, in the abandoned cart

    use_warehouse(tmp_path, monkeypatch, change=change)
    result = export(tmp_path / "out", "google_customer_match", "abandoned_cart")
    assert result.code == 1, result.output
    assert f"{check}" in result.output and "1 of 3 rows fail, e.g. C001" in result.output
    assert files_written(tmp_path / "out") == []


def test_hashed_profiles_write_no_clear_text(exports: Path) -> None:
    clear = {"Country", "Zip"}
    for folder in ("google_customer_match", "meta_custom_audience"):
        for path in (exports / "2026-06-15" / folder).glob("*.csv"):
            rows = list(csv.DictReader(path.open(encoding="utf-8")))
            for row in rows:
                for column, value in row.items():
                    if value and column not in clear:
                        assert len(value) == 64 and set(value) <= set("0123456789abcdef")


def test_a_hashed_profile_must_hash_every_column(tmp_path: Path) -> None:
    path = tmp_path / "leaky.yml"
    path.write_text(
        "name: leaky\ndocumentation: [https://example.com]\nkind: ad_audience\nhashed: true\n"
        "flow_categories: [marketing]\n"
        "columns:\n  - {name: Email, field: email}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="must be hashed"):
        load_profile(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name: other\ndocumentation: [x]\ncolumns: [{field: email}]\n", "must match the file"),
        ("name: bad\ncolumns: [{field: email}]\n", "cite the ESP's documentation"),
        ("name: bad\ndocumentation: [x]\ncolumns: [{field: email}]\nfoo: 1\n", "unknown keys"),
        ("name: bad\ndocumentation: [x]\nformat: json\njson: {envelope: {}, item: {}}\n", "$items"),
        ("name: bad\ndocumentation: [x]\ncolumns: [{name: x}]\n", "either 'field' or 'value'"),
    ],
)
def test_profile_mistakes_are_configuration_errors(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(content, encoding="utf-8")
    if "name: other" in content:
        path = path.rename(tmp_path / "other2.yml")
    with pytest.raises(ConfigError, match=message.replace("$", r"\$")):
        load_profile(path)


def test_klaviyo_bodies_are_valid_bulk_import_jobs(exports: Path) -> None:
    """The klaviyo-api SDK's pydantic model accepts every body and drops nothing."""
    from openapi_client.models.profile_import_job_create_query import (
        ProfileImportJobCreateQuery,
    )

    def without_nulls(value: object) -> object:
        if isinstance(value, dict):
            return {k: without_nulls(v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [without_nulls(v) for v in value]
        return value

    paths = bodies(exports / "2026-06-15" / "klaviyo")
    assert [p.name for p in paths] == ["abandoned_cart.json", "back_in_stock.json", "welcome.json"]
    for path in paths:
        body = read_json(path)
        model = ProfileImportJobCreateQuery.from_dict(body)  # raises if malformed
        assert without_nulls(model.to_dict()) == body
        profiles = body["data"]["attributes"]["profiles"]["data"]  # type: ignore[index]
        assert len(profiles) <= 10_000 and path.stat().st_size <= 5_000_000


def test_sendgrid_bodies_are_what_the_sendgrid_helpers_build(exports: Path) -> None:
    """Rebuild every body with sendgrid.helpers.mail: the same JSON comes out."""
    from sendgrid.helpers.mail import CustomArg, From, Mail, Personalization, TemplateId, To

    paths = bodies(exports / "2026-06-15" / "sendgrid")
    assert len(paths) == 3
    for path in paths:
        body = read_json(path)
        assert isinstance(body, dict)
        mail = Mail()
        mail.from_email = From(body["from"]["email"], body["from"]["name"])
        mail.template_id = TemplateId(body["template_id"])
        assert len(body["personalizations"]) <= 1000
        for position, item in enumerate(body["personalizations"]):
            personalization = Personalization()
            for to in item["to"]:
                personalization.add_to(To(to["email"], to.get("name")))
            personalization.dynamic_template_data = item["dynamic_template_data"]
            personalization.send_at = item["send_at"]
            for key, value in item["custom_args"].items():
                personalization.add_custom_arg(CustomArg(key, value))
            mail.add_personalization(personalization, index=position)
        assert json.loads(json.dumps(mail.get())) == body


def test_mailchimp_batch_bodies(exports: Path) -> None:
    folder = exports / "2026-06-15" / "mailchimp_batch"
    assert not (folder / "back_in_stock.json").exists()  # a service flow: not this profile
    assert [p.name for p in bodies(folder)] == ["abandoned_cart.json", "welcome.json"]
    for path in bodies(folder):
        body = read_json(path)
        assert isinstance(body, dict)
        assert set(body) == {"members", "update_existing"}
        assert 1 <= len(body["members"]) <= 500
        for member in body["members"]:
            assert member["status"] == "subscribed"
            assert "@" in member["email_address"]


def test_braze_puts_email_only_recipients_in_an_alias_file(exports: Path) -> None:
    folder = exports / "2026-06-15" / "braze"
    main = list(csv.DictReader((folder / "back_in_stock.csv").open(encoding="utf-8")))
    alias = list(csv.DictReader((folder / "back_in_stock.alias.csv").open(encoding="utf-8")))
    assert [r["external_id"] for r in main] == ["C006"]
    assert [(r["user_alias_name"], r["user_alias_label"]) for r in alias] == [
        ("koffie@example.org", "email")
    ]
    assert "external_id" not in alias[0]


def test_adding_an_esp_is_adding_a_profile_file() -> None:
    assert sorted(p.stem for p in (PROJECT_DIR / "export" / "profiles").glob("*.yml")) == PROFILES
