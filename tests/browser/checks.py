"""Checks every browser test may make of a page: axe-core's WCAG 2.2 A/AA rules, and
that a 360 px phone needs no sideways scrolling and gets thumb-sized targets.

axe-core comes from npm (`package.json`; `make test` installs it).
"""

import json

from playwright.sync_api import Page

from tests.support import ROOT

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: The smallest touch target, in CSS pixels (WCAG 2.5.5's 44 px).
THUMB_PX = 44


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core on the page for WCAG 2.0, 2.1 and 2.2 A and AA (2.2 adds target size,
    2.5.8); return its violations."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})"
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


def assert_accessible(page: Page, what: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{what}: {json.dumps(violations, indent=1)}"


def assert_fits_a_small_phone(page: Page, what: str) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{what} scrolls sideways by {overflow} px at 360 px"
    small = page.evaluate(
        """(min) => [...document.querySelectorAll('button, select, input, textarea, summary')]
            .filter((el) => el.offsetParent !== null)
            .map((el) => ({el: el.outerHTML.slice(0, 80), box: el.getBoundingClientRect()}))
            .filter(({box}) => box.height < min || box.width < min)
            .map(({el, box}) => `${el} is ${Math.round(box.width)} x ${Math.round(box.height)}`)""",
        THUMB_PX,
    )
    assert small == [], f"{what}: targets smaller than a thumb: {small}"
