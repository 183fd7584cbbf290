"""The synthesis as CSV: one row per visible idea, for a spreadsheet.

Each row: the room, the theme, the tags, the author (only a given name) and their
stakeholder role, whether it came from paper, the results in the workshop's voting mode
and the same results per stakeholder role, and the idea's status in the synthesis (a
room's top idea, in a pathway). UTF-8 with a byte-order mark so Excel reads Korean or
accents; a cell starting with = + - @ tab or carriage return gets a leading apostrophe
so no spreadsheet runs participants' text as a formula (OWASP "CSV injection").
"""

import csv
import io
from typing import Any

MEDIA_TYPE = "text/csv"
EXTENSION = "csv"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: object) -> str:
    """A cell's text, with a leading apostrophe when a spreadsheet would compute it."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def result_columns(method: dict[str, Any]) -> list[tuple[str, tuple]]:
    """The result columns of the workshop's mode: (header, path into a results dict)."""
    mode = method["voting_mode"]
    if mode == "agree":
        names = ("agree", "disagree", "pass", "consensus", "divisiveness", "voters")
        return [(name, (name,)) for name in names]
    if mode == "scores":
        columns = [("mean", ("mean",)), ("voters", ("voters",))]
        for n, criterion in enumerate(method["criteria"]):
            columns.append((f"mean: {criterion}", ("criteria", n, "mean")))
            columns.append((f"count: {criterion}", ("criteria", n, "count")))
        return columns
    return [("dots", ("dots",)), ("voters", ("voters",))]


def _pick(results: dict[str, Any] | None, path: tuple) -> object:
    value: Any = results
    for step in path:
        if value is None:
            return ""
        value = value[step]
    return "" if value is None else value


def rows(data: dict[str, Any]) -> list[list[object]]:
    """The table, header first (cells not yet made inert)."""
    method = data["workshop"]["method"]
    columns = result_columns(method)
    roles = [role or "" for role in data["workshop"]["stakeholder_roles"]]
    seen_roles = sorted({r for idea in data["ideas"] for r in idea["results_by_role"]})
    roles += [r for r in seen_roles if r not in roles]
    rooms = {room["id"]: room for room in data["rooms"]}
    themes = {t["id"]: t["name"] for room in data["rooms"] for t in room["themes"]}
    labels = {tag["id"]: tag["label"] for tag in data["tags"]}
    top = {i for room in data["rooms"] for i in room["top_ideas"]}
    in_pathway = {i for p in data["pathways"] for i in p["idea_ids"]}
    header = ["idea_id", "room", "theme", "text", "details", "rights", "groups", "domains"]
    header += ["author", "author_role", "paper", "created_at", "status"]
    header += [name for name, _path in columns]
    for role in roles:
        header += [f"{role or '(no role)'}: {name}" for name, _path in columns]
    table: list[list[object]] = [header]
    kinds = {tag["id"]: tag["kind"] for tag in data["tags"]}
    for idea in data["ideas"]:
        by_kind = {"rights": [], "groups": [], "domains": []}
        for tag_id in idea["tag_ids"]:
            by_kind[kinds[tag_id]].append(labels[tag_id])
        status = ["visible"]
        if idea["id"] in top:
            status.append("top idea")
        if idea["id"] in in_pathway:
            status.append("in a pathway")
        row: list[object] = [
            idea["id"],
            rooms[idea["room_id"]]["name"],
            themes.get(idea["theme_id"], ""),
            idea["text"],
            idea["details"],
            "; ".join(by_kind["rights"]),
            "; ".join(by_kind["groups"]),
            "; ".join(by_kind["domains"]),
            idea["author"] or "",
            idea["author_role"] or "",
            "yes" if idea["paper"] else "no",
            idea["created_at"],
            "; ".join(status),
        ]
        row += [_pick(idea["results"], path) for _name, path in columns]
        for role in roles:
            mine = idea["results_by_role"].get(role)
            row += [_pick(mine, path) if mine else "" for _name, path in columns]
        table.append(row)
    return table


def render(data: dict[str, Any]) -> bytes:
    """One row per idea as CSV (UTF-8 with a byte-order mark, CRLF line ends)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows(data):
        writer.writerow([inert(cell) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
