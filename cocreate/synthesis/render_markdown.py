"""The synthesis as Markdown (CommonMark with GitHub's tables): headings, tables, the
pathways, the coverage matrices and the appendix of every visible idea.

Everything a participant or organizer typed is escaped: every ASCII punctuation mark gets
a backslash (CommonMark's escape), so `<script>`, `**bold**`, links, headings and table
pipes in an idea come out as the characters typed, never as markup; line breaks inside a
text become spaces and leading spaces go, so no text starts a block of its own.
"""

import re
from typing import Any

from flask_babel import gettext as _

from cocreate.synthesis.render_csv import result_columns
from cocreate.synthesis.view import RoleTable, generated, prepare, when

MEDIA_TYPE = "text/markdown"
EXTENSION = "md"
#: Shown where there is no value (an en dash).
NONE = "\u2013"
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def text(value: object) -> str:
    """User text made inert: one line, every punctuation mark escaped."""
    flat = " ".join(str(value or "").split())
    return _PUNCTUATION.sub(r"\\\1", flat)


def _number(value: object) -> str:
    if value is None:
        return NONE
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def describe(method: dict[str, Any], results: dict[str, Any] | None) -> str:
    """A result in few words, in the workshop's mode."""
    if not results:
        return NONE
    mode = method["voting_mode"]
    if mode == "agree":
        return _(
            "%(agree)s agree · %(disagree)s disagree · %(pass)s pass · consensus "
            "%(consensus)s · divisiveness %(divisiveness)s · %(voters)s voted",
            **{key: _number(results[key]) for key in results if key != "criteria"},
        )
    if mode == "scores":
        parts = [
            f"{text(c['criterion'])} {_number(c['mean'])} ({c['count']})"
            for c in results["criteria"]
        ]
        return _(
            "mean %(mean)s (%(criteria)s) · %(voters)s voted",
            mean=_number(results["mean"]),
            criteria="; ".join(parts),
            voters=results["voters"],
        )
    return _("%(dots)s dots from %(voters)s people", dots=results["dots"], voters=results["voters"])


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _role_table(caption: str, table: RoleTable | None) -> list[str]:
    """Results by stakeholder role (view.py decides the rows) as a captioned table."""
    if table is None:
        return []
    rows = [
        [
            cell if (r, c) in table.numbers or (c == 0 and table.by_idea) else text(cell)
            for c, cell in enumerate(row)
        ]
        for r, row in enumerate(table.rows)
    ]
    out = [f"{caption}:", "", *_table([text(h) for h in table.headings], rows)]
    return [*out, table.note, ""] if table.note else out  # the note is ours, not typed


def render(data: dict[str, Any]) -> str:
    """The whole synthesis as one Markdown document."""
    w = data["workshop"]
    method = w["method"]
    tags = {tag["id"]: tag for tag in data["tags"]}
    ideas = {idea["id"]: idea for idea in data["ideas"]}
    rooms = {room["id"]: room for room in data["rooms"]}
    view = prepare(data)

    def tag_list(ids: list[int]) -> str:
        return ", ".join(text(tags[i]["label"]) for i in ids) or NONE

    def idea_line(idea_id: int) -> str:
        idea = ideas[idea_id]
        by = text(idea["author"]) if idea["author"] else _("anonymous")
        return f"- #{idea_id} {text(idea['text'])} ({by}) — {describe(method, idea['results'])}"

    out = [f"# {text(w['title'])}", "", "**" + _("Question") + f":** {text(w['question'])}", ""]
    if w["description"]:
        out += [text(w["description"]), ""]
    for time in w["times"]:
        starts, ends = text(when(time["starts"])), text(when(time["ends"]))
        out.append(f"- {text(time['zone'])}: {starts} {NONE} {ends}")
    if w["organizers"]:
        out.append(f"- {_('Organizers')}: " + "; ".join(text(o) for o in w["organizers"]))
    out += ["- " + _("Generated") + f": {text(generated(data))}", ""]

    out += [f"## {_('Method')}", ""]
    out.append(f"- {_('Voting')}: {text(method['voting_mode'])}")
    if method["voting_mode"] == "dots":
        out.append(
            "- "
            + _("Dots per person per room")
            + f": {method['dots_per_room']}, "
            + _("at most on one idea")
            + f": {method['max_dots_per_idea']}"
        )
    if method["voting_mode"] == "scores":
        out.append("- " + _("Criteria") + ": " + "; ".join(text(c) for c in method["criteria"]))
    out.append("- " + _("Phases") + ": " + ", ".join(text(p) for p in method["phases"]))
    out.append("")

    p = data["participation"]
    out += [f"## {_('Participation')}", ""]
    out.append(
        _(
            "%(people)s people (%(paper)s on paper), %(voters)s voted; %(ideas)s ideas.",
            people=p["people"],
            paper=p["paper"],
            voters=p["voters"],
            ideas=p["ideas"],
        )
    )
    out.append("")
    out += _table(
        [_("Room"), _("People"), _("On paper"), _("Voted"), _("Ideas")],
        [
            [text(r["name"]), str(r["people"]), str(r["paper"]), str(r["voters"]), str(r["ideas"])]
            for r in p["by_room"]
        ],
    )
    out += _table(
        [_("Stakeholder role"), _("People"), _("On paper"), _("Voted")],
        [
            [
                text(r["role"]) if r["role"] else _("(none given)"),
                str(r["people"]),
                str(r["paper"]),
                str(r["voters"]),
            ]
            for r in p["by_role"]
        ],
    )

    out += ["## " + _("Pathways"), ""]
    for pathway in data["pathways"]:
        out += [f"### {text(pathway['title'])}", ""]
        out.append(f"- {_('Room')}: {text(pathway['room'])}")
        out.append(f"- {_('Support')}: {describe(method, pathway['support'])}")
        out.append("- " + _("Endorsements") + f": {pathway['endorsements']}")
        out.append("- " + _("Concerns") + f": {tag_list(pathway['tag_ids'])}")
        out.append(f"- {_('Challenge')}: {text(pathway['challenge'])}")
        out.append(f"- {_('Vision')}: {text(pathway['vision'])}")
        out.append("")
        if pathway["steps"]:
            out += _table(
                [_("Action"), _("Who"), _("Horizon"), _("Indicator")],
                [
                    [text(s[k]) for k in ("action", "actor", "horizon", "indicator")]
                    for s in pathway["steps"]
                ],
            )
        out += _role_table(_("Support by stakeholder role"), view.support_by_role(pathway))
        out += [_("From the ideas") + ":", ""] + [idea_line(i) for i in pathway["idea_ids"]] + [""]
        for comment in pathway["comments"]:
            by = text(comment["author"]) if comment["author"] else _("anonymous")
            out.append(f"> {text(comment['text'])} ({by})")
            out.append(">")
        if pathway["comments"]:
            out.pop()
            out.append("")

    out += [f"## {_('Cross-room themes')}", ""]
    for cross in data["cross_themes"]:
        where = "; ".join(f"{text(t['name'])} ({text(t['room'])})" for t in cross["themes"])
        out.append(f"- **{text(cross['name'])}** — {where} — {describe(method, cross['support'])}")
    out.append("")

    out += [f"## {_('Rooms')}", ""]
    for room in data["rooms"]:
        out += [f"### {text(room['name'])}", ""]
        if room["topic"]:
            out += [text(room["topic"]), ""]
        out += [f"{_('Top ideas')}:", ""] + [idea_line(i) for i in room["top_ideas"]] + [""]
        top = view.room_ideas(room)
        out += _role_table(_("Top ideas by stakeholder role"), view.ideas_by_role(top))
        for theme in room["themes"]:
            out.append(
                f"- **{text(theme['name'])}** ({len(theme['idea_ids'])} {_('ideas')}; "
                f"{tag_list(theme['tag_ids'])}) — {describe(method, theme['support'])}"
            )
        out.append("")

    cov = data["coverage"]
    out += [f"## {_('Intersectional coverage')}", ""]
    for key, title in (
        ("rights_groups", _("Rights and groups")),
        ("domains_groups", _("Domains and groups")),
    ):
        matrix = cov[key]
        out += [f"### {title}", "", _("Ideas / pathways tagged with both."), ""]
        rows = [
            [text(tags[row]["label"])] + [f"{c['ideas']} / {c['pathways']}" for c in cells]
            for row, cells in zip(matrix["rows"], matrix["cells"], strict=True)
            if any(c["ideas"] or c["pathways"] for c in cells)
        ]
        out += _table([""] + [text(tags[c]["label"]) for c in matrix["columns"]], rows)
    if cov["gaps"]:
        out += ["### " + _("Gaps"), ""]
        out += [
            f"- {text(tags[g['group']]['label'])} ({text(g['kind'])}): {text(g['note'])}"
            for g in cov["gaps"]
        ]
        out.append("")

    out += ["## " + _("Appendix: every idea"), ""]
    columns = result_columns(method)
    header = ["#", _("Room"), _("Idea"), _("Author"), _("Role"), _("Tags")] + [
        text(n) for n, _p in columns
    ]
    rows = []
    for idea in data["ideas"]:
        results = idea["results"]
        values = []
        for _name, path in columns:
            value: Any = results
            for step in path:
                value = value[step]
            values.append(_number(value))
        author = text(idea["author"]) if idea["author"] else _("anonymous")
        if idea["paper"]:
            author += " " + _("(paper)")
        rows.append(
            [
                str(idea["id"]),
                text(rooms[idea["room_id"]]["name"]),
                text(idea["text"]),
                author,
                text(idea["author_role"]) if idea["author_role"] else NONE,
                tag_list(idea["tag_ids"]),
                *values,
            ]
        )
    out += _table(header, rows)
    return "\n".join(out).rstrip("\n") + "\n"
