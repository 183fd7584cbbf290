"""Languages (issue 12): every message translated in every language with the msgid's
placeholders, the catalog up to date with the code, and which language a page, the
projector and the synthesis speak."""

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from cocreate.extensions import db
from cocreate.models import Workshop
from cocreate.services import workshops
from cocreate.services.errors import Invalid
from cocreate.synthesis import formats
from cocreate.synthesis.build import build
from cocreate.views.script_messages import script_messages
from tests.conftest import World
from tests.support import ROOT

TRANSLATIONS = ROOT / "cocreate" / "translations"
LANGUAGES = ("ko", "es", "fr")
PASSWORD = "correct horse battery"
#: %(name)s and {name}: what a translation must keep (escaped %% and {{ }} are no names).
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdfir]|(?<!\{)\{(\w+)\}(?!\})")


def catalog(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as file:
        return read_po(file, locale=language)


def placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


@pytest.fixture(scope="module", autouse=True)
def compiled():
    """The compiled catalogs, as `make translations` makes them (gitignored build output)."""
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "compile", "-d", str(TRANSLATIONS)],
        check=True,
        capture_output=True,
    )


# -- the catalogs ------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_with_its_placeholders(language):
    problems = []
    for message in catalog(language):
        if not message.id:
            continue  # the header
        forms = list(message.string) if message.pluralizable else [message.string]
        original = message.id[-1] if message.pluralizable else message.id
        name = message.id[0] if message.pluralizable else message.id
        if message.fuzzy:
            problems.append(f"fuzzy: {name!r}")
        elif not all(forms):
            problems.append(f"untranslated: {name!r}")
        else:
            for form in forms:
                if placeholders(form) != placeholders(original):
                    problems.append(
                        f"placeholders {sorted(placeholders(form))} instead of "
                        f"{sorted(placeholders(original))}: {name!r} -> {form!r}"
                    )
    assert not problems, f"{language}: {len(problems)} messages\n" + "\n".join(problems)


def test_the_placeholder_check_sees_a_missing_or_renamed_name():
    assert placeholders("%(num)s dots, {n} left, {{literal}}") == {"num", "n"}
    assert placeholders("%(count)d 개") != placeholders("%(num)d dots")


def test_no_message_hides_in_an_f_string():
    """pybabel (on Python 3.11) cannot see _("...") inside an f-string: such a message
    never reaches the translators unless another file happens to use the same words."""
    with open(TRANSLATIONS / "messages.pot", "rb") as file:
        known = {m.id for m in read_po(file) if isinstance(m.id, str)}
    hidden = [
        f"{path.relative_to(ROOT)}:{number}: {found}"
        for path in sorted((ROOT / "cocreate").rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        for found in re.findall(r"""f["'][^"']*\{_\(["']([^"']+)["']""", line)
        if found not in known
    ]
    assert not hidden, "call _() outside the f-string:\n" + "\n".join(hidden)


def test_the_catalog_has_every_message_of_the_code(tmp_path):
    """What `make messages` extracts now is what messages.pot and each language hold;
    otherwise run `make messages` and translate what it added."""
    pot = tmp_path / "messages.pot"
    subprocess.run(
        # The options of `make messages` (Makefile).
        [
            *(sys.executable, "-m", "babel.messages.frontend", "extract"),
            *("-F", "babel.cfg", "-k", "_l", "-k", "lazy_gettext", "-o", str(pot), "."),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )

    def ids(path: Path) -> set:
        with open(path, "rb") as file:
            return {m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(file) if m.id}

    extracted = ids(pot)
    committed = ids(TRANSLATIONS / "messages.pot")
    assert extracted - committed == set(), "in the code, not in messages.pot: make messages"
    assert committed - extracted == set(), "in messages.pot, no longer in the code: make messages"
    for language in LANGUAGES:
        held = ids(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po")
        assert held == extracted, f"{language}: make messages updates its messages.po"


# -- which language a page speaks --------------------------------------------------------


def language_of(page) -> str:
    return re.search(r'<html lang="([^"]+)" dir="(ltr|rtl)">', page.text).group(1)


def test_the_browsers_language_on_the_first_visit(app):
    client = app.test_client()
    assert language_of(client.get("/", headers={"Accept-Language": "ko-KR,ko;q=0.9"})) == "ko"
    assert language_of(client.get("/", headers={"Accept-Language": "de, es;q=0.8"})) == "es"
    assert language_of(client.get("/", headers={"Accept-Language": "fr-CA"})) == "fr"
    assert language_of(client.get("/", headers={"Accept-Language": "de"})) == "en"
    assert language_of(client.get("/")) == "en"


def test_lang_in_the_address_switches_and_is_remembered(app):
    client = app.test_client()
    korean = {"Accept-Language": "ko"}
    answer = client.get("/?lang=fr&code=AB", headers=korean)
    assert answer.status_code == 303
    assert answer.location == "/?code=AB"  # the same page, at one address in every language
    # Remembered on every page after, whatever the browser asks for.
    assert language_of(client.get("/", headers=korean)) == "fr"
    assert language_of(client.get("/setup", headers=korean)) == "fr"
    # A code not offered changes nothing.
    assert client.get("/?lang=xx").status_code == 303
    assert language_of(client.get("/", headers=korean)) == "fr"


def test_every_page_has_the_switch_with_each_language_named_in_itself(app):
    page = app.test_client().get("/setup", headers={"Accept-Language": "es"}).text
    switch = re.search(r'<nav class="languages" aria-label="([^"]+)">(.*?)</nav>', page, re.S)
    assert switch.group(1) == "Idioma"
    links = re.findall(
        r'<a href="([^"]+)" lang="(\w+)" hreflang="\w+"( aria-current="true")?>([^<]+)</a>',
        switch.group(2),
    )
    assert [(code, name) for _href, code, _current, name in links] == [
        ("en", "English"),
        ("ko", "한국어"),
        ("es", "Español"),
        ("fr", "Français"),
    ]
    assert [code for _href, code, current, _name in links if current] == ["es"]
    assert links[1][0] == "/setup?lang=ko"


# -- the workshop's language: projector and synthesis --------------------------------------


@pytest.fixture
def organizer(app):
    """A signed-in organizer's browser (whose own browser asks for English)."""
    with app.app_context():
        World().user("org@example.org", PASSWORD)
    client = app.test_client()
    client.post("/login", data={"email": "org@example.org", "password": PASSWORD})
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en-GB,en;q=0.9"
    return client


def new_workshop(client, language: str) -> int:
    answer = client.post(
        "/workshops/new",
        data={
            "title": "Pathways",
            "question": "How do we reach equality?",
            "dots_per_room": 5,
            "max_dots_per_idea": 3,
            "voting_mode": "dots",
            "assignment": "choose",
            "rooms": "Housing\nWork",
            "language": language,
            "time_zones": "Asia/Seoul\nEurope/Madrid",
            "starts": "2025-10-01T18:00",
        },
    )
    assert answer.status_code == 302, answer.text
    return int(answer.location.split("/")[-2])


def unescaped(markdown: str) -> str:
    """Markdown's text without the backslashes that keep punctuation literal."""
    return re.sub(r"\\(.)", r"\1", markdown)


def test_the_workshop_language_is_set_in_the_form_and_checked(app, organizer):
    assert 'name="language"' in organizer.get("/workshops/new").text
    workshop_id = new_workshop(organizer, "ko")
    with app.app_context():
        assert db.session.get(Workshop, workshop_id).language == "ko"
        with pytest.raises(Invalid):
            workshops.WorkshopSettings(title="T", question="Q", language="xx").checked()
        # Not given: the language its organizer is using.
        with force_locale("es"):
            assert workshops.WorkshopSettings(title="T", question="Q").checked().language == "es"
    settings = organizer.get(f"/workshops/{workshop_id}/settings").text
    assert '<option selected value="ko">한국어</option>' in settings


def test_the_projector_speaks_the_workshops_language_unless_its_viewer_chose(app, organizer):
    workshop_id = new_workshop(organizer, "ko")
    screen = organizer.get(f"/workshops/{workshop_id}/screen")
    assert language_of(screen) == "ko"
    # The organizer's own pages stay in their browser's language.
    assert language_of(organizer.get(f"/workshops/{workshop_id}/moderate")) == "en"
    organizer.get("/?lang=fr")
    assert language_of(organizer.get(f"/workshops/{workshop_id}/screen")) == "fr"


def test_the_synthesis_speaks_the_workshops_language_with_its_dates(app, organizer):
    workshop_id = new_workshop(organizer, "ko")
    korean = catalog("ko")
    with app.test_request_context(headers={"Accept-Language": "fr"}):  # whoever asks
        data = build(workshop_id, generated_at=datetime(2025, 10, 1, 12, 0, tzinfo=UTC))
        assert data["language"] == "ko"
        markdown = unescaped(formats.render(data, "md").decode())
        html = formats.render(data, "html").decode()
    assert f"## {korean.get('Method').string}" in markdown
    # 18:00 in Seoul, also given in Madrid's time; made at 21:00 in Seoul.
    assert "- Asia/Seoul: 2025년 10월 1일 오후 6:00" in markdown
    assert "- Europe/Madrid: 2025년 10월 1일 오전 11:00" in markdown
    assert "2025년 10월 1일 오후 9:00 (Asia/Seoul)" in markdown
    assert '<html lang="ko">' in html


def test_synthesis_dates_follow_the_language(app, organizer):
    workshop_id = new_workshop(organizer, "fr")
    with app.app_context():
        data = build(workshop_id, generated_at=datetime(2025, 10, 1, 12, 0, tzinfo=UTC))
        markdown = unescaped(formats.render(data, "md").decode())
    assert "- Asia/Seoul: 1 octobre 2025, 18:00" in markdown


# -- plural forms in the scripts -------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "categories"),
    [
        ("en", {"one", "other"}),
        ("ko", {"other"}),
        ("es", {"one", "many", "other"}),
        ("fr", {"one", "many", "other"}),
    ],
)
def test_the_scripts_get_the_plural_forms_their_language_has(app, language, categories):
    with app.test_request_context(headers={"Accept-Language": language}):
        messages = script_messages()
    assert set(messages["dots_left"]) == categories
    assert set(messages["joined"]) == categories
    if language != "en":
        entry = catalog(language).get("{n} dot left")
        # CLDR's "one" (French: 0 and 1) is the catalog's first form; "other" the last.
        assert messages["dots_left"]["other"] == entry.string[-1]
        if "one" in categories:
            assert messages["dots_left"]["one"] == entry.string[0]
