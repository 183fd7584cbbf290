"""What the HTML, PDF and DOCX documents say, worked out once from the builder's dict.

The renderers lay out the same sentences, tables and charts; this module decides them, so
the three formats cannot drift apart. Every sentence that states a figure names the ideas
behind it (#id) or the count it comes from; agree/disagree results keep their
divisiveness next to their consensus, so dissent is shown rather than averaged away.
"""

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from flask_babel import get_locale, get_translations
from flask_babel import gettext as _

from cocreate.services import results as tallies

#: A role with fewer voters than this on an idea or pathway is marked "few" in the
#: documents: its figures rest on a handful of people.
FEW_VOTERS = 5

#: C0/C1 control characters (but tab and newline) and lone surrogates: XML (DOCX) refuses
#: them, and in a PDF or HTML page they are invisible noise.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean(text: object) -> str:
    """Participant text made safe to lay out: a string without control characters."""
    if text is None:
        return ""
    return _CONTROL.sub("", unicodedata.normalize("NFC", str(text)))


def is_rtl(text: str) -> bool:
    """True when the first strongly directional character is right-to-left."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def idea_ref(idea_id: int) -> str:
    """How the documents name an idea: #id (its row in the appendix)."""
    return f"#{idea_id}"


def refs(idea_ids: list[int]) -> str:
    """A list of idea references, or a dash when there are none."""
    return ", ".join(idea_ref(i) for i in idea_ids) if idea_ids else "—"


def number(value: float | int | None) -> str:
    """A figure as the documents print it: integers plain, fractions with two decimals."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.2f}"
    return str(int(value))


def when(value: object, zone: str | None = None) -> str:
    """An ISO time as the document's language writes a date and time ("8 octobre 2024,
    17:00", "2024년 10월 8일 오후 5:00"), in its own offset or in `zone`; anything else
    as it is, a missing time as a dash."""
    text = clean(value)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text or "—"
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if zone:
        moment = moment.astimezone(ZoneInfo(zone))
    locale = get_locale() or Locale.parse("en")
    pattern = locale.datetime_formats["long"].replace("'", "")
    time = format_time(moment, "short", tzinfo=moment.tzinfo, locale=locale)
    date = format_date(moment, "long", locale=locale)
    return pattern.replace("{0}", time).replace("{1}", date)


def generated(data: dict) -> str:
    """When the document was made, in the workshop's first time zone (UTC without one)."""
    zones = (data.get("workshop") or {}).get("time_zones") or ["UTC"]
    try:
        return f"{when(data.get('generated_at'), zones[0])} ({clean(zones[0])})"
    except (KeyError, ValueError):  # a zone this machine does not know: UTC
        return f"{when(data.get('generated_at'), 'UTC')} (UTC)"


class Words:
    """gettext and ngettext for one document: the catalogue is found once and each message
    looked up once (Flask-Babel finds them again on every call: a fifth of the time of a
    PDF of 5,000 ideas, whose results repeat the same words)."""

    def __init__(self) -> None:
        self._catalogue = get_translations()
        self._found: dict[str, str] = {}
        self._plurals: dict[tuple[str, str, int], str] = {}

    def gettext(self, string: str, **variables: object) -> str:
        """Flask-Babel's gettext."""
        found = self._found.get(string)
        if found is None:
            found = self._found[string] = self._catalogue.ugettext(string)
        return found % variables if variables else found

    def ngettext(self, singular: str, plural: str, num: int, **variables: object) -> str:
        """Flask-Babel's ngettext."""
        variables.setdefault("num", num)
        key = (singular, plural, num)
        found = self._plurals.get(key)
        if found is None:
            found = self._plurals[key] = self._catalogue.ungettext(singular, plural, num)
        return found % variables


def results_text(mode: str, results: dict | None, words: Words | None = None) -> str:
    """One idea's (or theme's) results in the workshop's voting mode, in words."""
    words = words or Words()
    _, ngettext = words.gettext, words.ngettext  # the usual names: the messages are extracted
    if not results:
        return _("no votes")
    parts = []
    if mode == "agree" and "agree" in results:
        parts = [
            _("%(n)s agree", n=results.get("agree", 0)),
            _("%(n)s disagree", n=results.get("disagree", 0)),
            _("%(n)s pass", n=results.get("pass", 0)),
            _("consensus %(v)s", v=number(results.get("consensus"))),
            _("divisiveness %(v)s", v=number(results.get("divisiveness"))),
        ]
    elif mode == "scores" and "criteria" in results:
        parts = [
            _(
                "%(criterion)s %(mean)s (%(count)s scores)",
                criterion=clean(c.get("criterion")),
                mean=number(c.get("mean")),
                count=c.get("count", 0),
            )
            for c in results["criteria"]
        ]
    elif "dots" in results:
        parts = [ngettext("%(num)s dot", "%(num)s dots", results["dots"])]
    if "ideas" in results:
        parts.append(ngettext("%(num)s idea", "%(num)s ideas", results["ideas"]))
    if "endorsements" in results:
        parts.append(
            ngettext("%(num)s endorsement", "%(num)s endorsements", results["endorsements"])
        )
    if "voters" in results:
        parts.append(ngettext("%(num)s voter", "%(num)s voters", results["voters"]))
    return " · ".join(parts) if parts else _("no votes")


def strength(mode: str, results: dict | None) -> float:
    """The one figure a bar shows: dots, agree votes, or the mean of the criteria means."""
    if not results:
        return 0.0
    if mode == "agree":
        return float(results.get("agree", 0))
    if mode == "scores":
        means = [c.get("mean") or 0 for c in results.get("criteria", [])]
        return sum(means) / len(means) if means else 0.0
    return float(results.get("dots", 0))


@dataclass
class Cell:
    """One cell of a coverage matrix."""

    ideas: int
    pathways: int

    @property
    def empty(self) -> bool:
        """No idea and no pathway addresses this pair."""
        return not self.ideas and not self.pathways


@dataclass
class Matrix:
    """A coverage matrix with its labels and the empty cells worth naming."""

    title: str
    rows: list[str]
    columns: list[str]
    cells: list[list[Cell]]
    gaps: list[str] = field(default_factory=list)


@dataclass
class RoleTable:
    """Results by stakeholder role: one row per role that voted (per idea, for a room's
    top ideas), each with its own figures, so a role that disagrees shows."""

    headings: list[str]
    rows: list[list[str]]
    #: whether the first column names the idea (a room's top ideas) or not (a pathway)
    by_idea: bool
    #: (row, column) of the figures, to align them right
    numbers: set[tuple[int, int]]
    #: a sentence under the table when some row rests on few voters, else ""
    note: str


@dataclass
class View:
    """The document's content, in the order every format prints it."""

    data: dict
    mode: str
    tags: dict[int, dict]
    ideas: dict[int, dict]
    rooms: dict[int, dict]
    matrices: list[Matrix]
    words: Words = field(default_factory=Words)
    _ballots: dict[int, list[dict]] | None = field(default=None, repr=False)
    _person_roles: dict[str, str] = field(default_factory=dict, repr=False)

    def tag(self, tag_id: int) -> str:
        """A tag's label (or its id if the tag is unknown)."""
        tag = self.tags.get(tag_id)
        return clean(tag["label"]) if tag else f"tag {tag_id}"

    def tag_line(self, tag_ids: list[int]) -> list[tuple[str, str]]:
        """(kind heading, labels) for rights, groups and domains among `tag_ids`."""
        headings = {"rights": _("Rights"), "groups": _("Groups"), "domains": _("Domains")}
        out = []
        for kind, heading in headings.items():
            labels = [self.tag(t) for t in tag_ids if self.tags.get(t, {}).get("kind") == kind]
            if labels:
                out.append((heading, "; ".join(labels)))
        return out

    def idea_text(self, idea_id: int) -> str:
        """An idea's text, or a note that it is not in the appendix."""
        idea = self.ideas.get(idea_id)
        return clean(idea["text"]) if idea else _("(not visible)")

    def author(self, idea: dict) -> str:
        """Who gave an idea, as far as the document may say."""
        _ = self.words.gettext
        who = clean(idea.get("author")) or _("anonymous")
        if idea.get("paper"):
            who = _("%(who)s, on paper", who=who)
        role = clean(idea.get("author_role"))
        return f"{who} ({role})" if role else who

    def results(self, results: dict | None) -> str:
        """Results in words in this workshop's mode."""
        return results_text(self.mode, results, self.words)

    def room_ideas(self, room: dict) -> list[dict]:
        """A room's top ideas, strongest first, as idea dicts."""
        return [self.ideas[i] for i in room.get("top_ideas", []) if i in self.ideas]

    # -- by stakeholder role -----------------------------------------------------------
    def _roles(self, by_role: dict[str, dict]) -> list[str]:
        """The roles of `by_role` in the workshop's order, others after, no role last."""
        declared = [clean(r) for r in self.data.get("workshop", {}).get("stakeholder_roles") or []]
        order = {role: n for n, role in enumerate(declared)}
        return sorted(by_role, key=lambda r: (r == "", order.get(clean(r), len(order)), r))

    def _role_columns(self) -> list[str]:
        """The figures' headings in this workshop's mode."""
        _ = self.words.gettext
        if self.mode == "agree":
            return [_("Agree"), _("Disagree"), _("Pass"), _("Consensus"), _("Divisiveness")]
        if self.mode == "scores":
            criteria = self.data.get("workshop", {}).get("method", {}).get("criteria") or []
            return [*(clean(c) for c in criteria), _("Mean")]
        return [_("Dots")]

    def _role_figures(self, results: dict) -> list[str]:
        """One role's figures, in the order of `_role_columns`."""
        if self.mode == "agree":
            keys = ("agree", "disagree", "pass", "consensus", "divisiveness")
            return [number(results.get(k)) for k in keys]
        if self.mode == "scores":
            means = [number(c.get("mean")) for c in results.get("criteria") or []]
            return [*means, number(results.get("mean"))]
        return [number(results.get("dots"))]

    def _role_table(self, groups: list[tuple[str, dict[str, dict]]]) -> RoleTable | None:
        """The table of (first cell, results by role) groups (first cell "" = none)."""
        _ = self.words.gettext
        lead = [_("Idea")] if any(first for first, _by in groups) else []
        figures = self._role_columns()
        rows, few = [], 0
        for first, by_role in groups:
            for role in self._roles(by_role):
                results = by_role[role] or {}
                voters = int(results.get("voters") or 0)
                if voters < FEW_VOTERS:
                    few += 1
                    counted = _("%(n)s (few)", n=voters)
                else:
                    counted = str(voters)
                label = clean(role) or _("no role given")
                rows.append(
                    [*([first] if lead else []), label, counted, *self._role_figures(results)]
                )
        if not rows:
            return None
        start = len(lead) + 1
        numbers = {(r, c) for r in range(len(rows)) for c in range(start, len(rows[r]))}
        note = (
            _(
                "“few”: fewer than %(n)s people with that role voted; their figures rest "
                "on a handful of people.",
                n=FEW_VOTERS,
            )
            if few
            else ""
        )
        headings = [*lead, _("Stakeholder role"), _("Voters"), *figures]
        return RoleTable(headings, rows, bool(lead), numbers, note)

    def ideas_by_role(self, ideas: list[dict]) -> RoleTable | None:
        """Each idea's results by the voters' stakeholder role (None when nobody with a
        role or without one voted, or the data has no results by role)."""
        return self._role_table(
            [(idea_ref(i["id"]), i.get("results_by_role") or {}) for i in ideas]
        )

    def support_by_role(self, pathway: dict) -> RoleTable | None:
        """A pathway's support by the voters' stakeholder role (None when unknown)."""
        by_role = pathway.get("support_by_role")
        if by_role is None:
            by_role = self._counted_support_by_role(pathway.get("idea_ids") or [])
        return self._role_table([("", by_role)])

    def _counted_support_by_role(self, idea_ids: list[int]) -> dict[str, dict]:
        """Support by role counted from the data's ballots and people, by the builder's
        rule (cocreate.services.results.tally; each voter counted once across the
        ideas). Empty when the data has no ballots."""
        if self._ballots is None:
            wanted = {i for pw in self.data.get("pathways") or [] for i in pw.get("idea_ids") or []}
            self._ballots = defaultdict(list)
            for ballot in self.data.get("ballots") or []:
                if ballot.get("idea_id") in wanted:
                    self._ballots[ballot["idea_id"]].append(ballot)
            self._person_roles = {
                p.get("key"): p.get("role") or "" for p in self.data.get("people") or []
            }
        counts: dict[str, tallies._Count] = defaultdict(tallies._Count)
        for idea_id in idea_ids:
            for b in self._ballots.get(idea_id, ()):
                person = b.get("person")
                role = self._person_roles.get(person, "")
                counts[role].add(person, int(b.get("criterion") or 0), int(b.get("value") or 0))
        method = self.data.get("workshop", {}).get("method") or {}
        rules = SimpleNamespace(voting_mode=self.mode, criteria=method.get("criteria") or [])
        out = {}
        for role, count in counts.items():
            tally = tallies.tally(rules, count)
            tally["voters"] = len(count.voters)
            if self.mode == "scores":
                tally["criteria"] = [
                    {"criterion": name, **entry}
                    for name, entry in zip(rules.criteria, tally["criteria"], strict=False)
                ]
            out[role] = tally
        return out


def _matrix(view_tags: dict[int, dict], coverage: dict, key: str, title: str) -> Matrix:
    """A coverage matrix from the builder's {rows, columns, cells}."""
    m = coverage.get(key) or {}

    def label(tag_id: int) -> str:
        tag = view_tags.get(tag_id)
        return clean(tag["label"]) if tag else f"tag {tag_id}"

    cells = [
        [Cell(int(c.get("ideas", 0)), int(c.get("pathways", 0))) for c in row]
        for row in m.get("cells", [])
    ]
    return Matrix(
        title,
        [label(r) for r in m.get("rows", [])],
        [label(c) for c in m.get("columns", [])],
        cells,
    )


def prepare(data: dict) -> View:
    """The view of a synthesis dict (docs/synthesis.md)."""
    tags = {t["id"]: t for t in data.get("tags", [])}
    coverage = data.get("coverage") or {}
    matrices = [
        _matrix(tags, coverage, "rights_groups", _("Rights × groups")),  # noqa: RUF001
        _matrix(tags, coverage, "domains_groups", _("Domains × groups")),  # noqa: RUF001
    ]
    for gap in coverage.get("gaps", []):
        target = matrices[0] if gap.get("kind") == "rights" else matrices[1]
        tag = tags.get(gap.get("group"))
        name = clean(tag["label"]) if tag else f"tag {gap.get('group')}"
        note = clean(gap.get("note"))
        target.gaps.append(f"{name}: {note}" if note else name)
    return View(
        data=data,
        mode=(data.get("workshop", {}).get("method", {}) or {}).get("voting_mode", "dots"),
        tags=tags,
        ideas={i["id"]: i for i in data.get("ideas", [])},
        rooms={r["id"]: r for r in data.get("rooms", [])},
        matrices=matrices,
    )
