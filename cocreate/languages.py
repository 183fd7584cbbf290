"""The interface's languages: which one a page speaks, and how a person changes it.

A page's language is, first, the one its viewer chose (`?lang=ko` on any page, which the
language switch in the top bar links to; kept in the session cookie), then the
workshop's language on the pages that show a workshop to a room rather than to one
person (the projector: `workshop_default`), then the browser's Accept-Language, best
match among LANGUAGES, then the first of LANGUAGES. Documents made without a request
(the synthesis) are in the workshop's language (cocreate.synthesis.formats).

Everything here reads the LANGUAGES setting, so adding a language is adding its catalog
and its code (README, "Languages"): its name, direction and plural forms come from
CLDR through Babel.
"""

from functools import cache
from urllib.parse import urlencode

from babel import Locale
from flask import Flask, current_app, g, has_request_context, redirect, request, session
from flask_babel import get_locale, refresh

#: The query parameter that switches the language (`?lang=ko`).
PARAMETER = "lang"


def languages() -> list[str]:
    """The codes of the interface's languages, the fallback first."""
    return current_app.config["LANGUAGES"]


def select_locale() -> str:
    """Pick the interface language (the module's docstring gives the order)."""
    offered = languages()
    if not has_request_context():  # CLI commands and background tasks
        return offered[0]
    chosen = session.get("locale")
    if chosen in offered:
        return chosen
    default = g.get("workshop_language")
    if default in offered:
        return default
    return request.accept_languages.best_match(offered) or offered[0]


def workshop_default(language: str | None) -> None:
    """Make `language` this request's language unless its viewer chose one (the
    projector shows the workshop's language; a viewer's own choice still wins)."""
    g.workshop_language = language
    refresh()  # the locale may have been worked out already (a flash, an error message)


def remember_choice():
    """`?lang=xx` on a GET: keep xx for this browser and show the same page without the
    parameter (one address per page, whatever the language). Unknown codes are ignored."""
    code = request.args.get(PARAMETER)
    if code is None or request.method != "GET" or request.endpoint == "static":
        return None
    if code in languages():
        session["locale"] = code
        session.permanent = True  # remembered past the browser's restart, as a join is
    rest = [(key, value) for key, value in request.args.items(multi=True) if key != PARAMETER]
    return redirect(request.path + ("?" + urlencode(rest) if rest else ""), 303)


@cache
def _locale(code: str) -> Locale:
    return Locale.parse(code)


def name(code: str) -> str:
    """A language's name in itself, as a menu shows it: English, 한국어, Español…"""
    own = _locale(code).get_display_name(code) or code
    return own[:1].upper() + own[1:]


def direction(code: str) -> str:
    """ "rtl" for a language written right to left, else "ltr" (for `<html dir>`)."""
    return "rtl" if _locale(code).character_order == "right-to-left" else "ltr"


@cache
def plural_samples(code: str) -> dict[str, int]:
    """One count for each plural category of CLDR that whole numbers reach in a language
    (Korean: other; English: one, other; French and Spanish: one, many, other).

    The scripts choose a message's form with Intl.PluralRules, which speaks these
    categories; the server fills each with ngettext(..., sample), which the catalog's
    Plural-Forms (made by Babel from the same CLDR rules) maps to the right msgstr.
    1 and 2 are preferred, so an untranslated message still reads "1 dot", "2 dots".
    """
    rule = _locale(code).plural_form
    samples: dict[str, int] = {}
    for n in (1, 2, 0, *range(3, 1001), 10**6, 2 * 10**6):
        samples.setdefault(rule(n), n)
    if rule(2) == "other":
        samples["other"] = 2
    samples.setdefault("other", 2)
    return samples


def page_language() -> dict:
    """What base.html needs: the page's code and direction, and the switch's languages."""
    current = str(get_locale() or languages()[0])
    rest = [(key, value) for key, value in request.args.items(multi=True) if key != PARAMETER]
    return {
        "code": current,
        "dir": direction(current),
        "choices": [
            {
                "code": code,
                "name": name(code),
                "href": request.path + "?" + urlencode([*rest, (PARAMETER, code)]),
            }
            for code in languages()
        ],
    }


def register(app: Flask) -> None:
    """Remember `?lang=` choices and give the templates the page's language."""
    app.before_request(remember_choice)
    app.jinja_env.globals["page_language"] = page_language
