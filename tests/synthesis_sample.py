"""Hand-made synthesis dicts in the shape of docs/synthesis.md, for the document renderers'
tests and bench/synthesis_documents.py: a small one full of hostile and multilingual text,
and a big one (thousands of ideas, many rooms) made from a seed.
"""

import random
from types import SimpleNamespace

from cocreate.synthesis.build import strength as ranked

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> ]]> \\) %PDF {{ 7*7 }}'

RIGHTS = [
    (1, "rights", "udhr-25", "Art. 25 Adequate standard of living"),
    (2, "rights", "udhr-23", "Art. 23 Work, fair pay and trade unions"),
    (3, "rights", "udhr-26", "Art. 26 Education"),
]
GROUPS = [
    (11, "groups", "women", "Women"),
    (12, "groups", "migrants-refugees", "Migrants and refugees"),
    (13, "groups", "disabilities", "Persons with disabilities"),
]
DOMAINS = [
    (21, "domains", "housing", "Housing"),
    (22, "domains", "work-income", "Work and income"),
]


def _tags() -> list[dict]:
    """The tag list: three rights, three groups, two domains."""
    return [
        {"id": i, "kind": kind, "key": key, "label": label}
        for i, kind, key, label in RIGHTS + GROUPS + DOMAINS
    ]


def _results(mode: str, rng: random.Random, criteria: list[str]) -> dict:
    """One idea's results in the workshop's voting mode."""
    voters = rng.randint(0, 40)
    if mode == "dots":
        return {"dots": rng.randint(voters, voters * 3) if voters else 0, "voters": voters}
    if mode == "agree":
        agree = rng.randint(0, voters)
        disagree = rng.randint(0, voters - agree)
        passed = voters - agree - disagree
        cast = agree + disagree
        return {
            "agree": agree,
            "disagree": disagree,
            "pass": passed,
            "voters": voters,
            "consensus": round(max(agree, disagree) / cast, 2) if cast else 0.0,
            "divisiveness": round(1 - abs(agree - disagree) / cast, 2) if cast else 0.0,
        }
    means = [round(rng.uniform(1, 5), 2) for _ in criteria]
    return {
        "criteria": [
            {"criterion": c, "mean": m, "count": voters}
            for c, m in zip(criteria, means, strict=True)
        ],
        "mean": round(sum(means) / len(means), 2),
        "voters": voters,
    }


def _coverage(tags: list[dict], ideas: list[dict], pathways: list[dict]) -> dict:
    """The coverage matrices counted from the ideas' and pathways' tags."""
    groups = [t["id"] for t in tags if t["kind"] == "groups"]

    def matrix(kind: str) -> dict:
        rows = [t["id"] for t in tags if t["kind"] == kind]
        cells = [
            [
                {
                    "ideas": sum(1 for i in ideas if {r, g} <= set(i["tag_ids"])),
                    "pathways": sum(1 for p in pathways if {r, g} <= set(p["tag_ids"])),
                }
                for g in groups
            ]
            for r in rows
        ]
        return {"rows": rows, "columns": groups, "cells": cells}

    coverage = {"rights_groups": matrix("rights"), "domains_groups": matrix("domains")}
    gaps = []
    for kind, key in (("rights", "rights_groups"), ("domains", "domains_groups")):
        m = coverage[key]
        for j, group in enumerate(m["columns"]):
            if not any(row[j]["ideas"] or row[j]["pathways"] for row in m["cells"]):
                gaps.append({"group": group, "kind": kind, "note": "no idea or pathway"})
    coverage["gaps"] = gaps
    return coverage


def sample(
    mode: str = "dots", *, rooms: int = 3, ideas: int = 24, seed: int = 7, hostile: bool = True
) -> dict:
    """A synthesis dict in `mode` with `rooms` rooms and `ideas` visible ideas."""
    rng = random.Random(seed)
    criteria = ["Impact on equality", "Feasibility"] if mode == "scores" else []
    tags = _tags()
    tag_ids = [t["id"] for t in tags]
    texts = [
        "Rent caps for families in social housing",
        "이주민을 위한 공공임대주택 확대",
        "توفير سكن لائق للاجئين",
        "דיור נגיש לאנשים עם מוגבלות",
        "Night buses to the industrial zone 🚌🌙",
        "Free coding clubs for girls 👩🏽‍💻",
        "Un guichet unique pour les droits sociaux",
    ]
    if hostile:
        texts.append(HOSTILE)
    room_names = ["Housing 주거", "Work", "Digital education"] + [
        f"Room {n}" for n in range(4, rooms + 1)
    ]
    all_ideas = []
    for n in range(1, ideas + 1):
        room_id = 100 + (n - 1) % rooms
        paper = n % 5 == 0
        named = n % 3 == 0
        all_ideas.append(
            {
                "id": n,
                "room_id": room_id,
                "text": f"{texts[n % len(texts)]} ({n})",
                "details": HOSTILE if hostile and n == 8 else ("Details 세부사항" if n % 4 else ""),
                "author": None if paper or not named else f"Author {n} 김",
                "author_role": ["resident", "civil society", "local government", None][n % 4],
                "paper": paper,
                "theme_id": 1000 + (n - 1) % (rooms * 2),
                "tag_ids": sorted([*rng.sample(tag_ids[:6], 2), tag_ids[6 + n % 2]]),
                "results": _results(mode, rng, criteria),
                "results_by_role": {"resident": _results(mode, rng, criteria)},
                "created_at": f"2024-10-08T09:{n % 60:02d}:00+00:00",
            }
        )

    def strength(idea: dict) -> float:
        r = idea["results"]
        if mode == "dots":
            return r["dots"]
        if mode == "agree":
            return r["agree"] - r["disagree"]
        return sum(c["mean"] for c in r["criteria"])

    room_list = []
    pathways = []
    for k in range(rooms):
        room_id = 100 + k
        room_ideas = [i for i in all_ideas if i["room_id"] == room_id]
        themes = []
        for t in (1000 + k, 1000 + k + rooms):
            members = [i["id"] for i in room_ideas if i["theme_id"] == t]
            themes.append(
                {
                    "id": t,
                    "name": f"Theme {t} {'주거권' if t % 2 else HOSTILE if hostile else ''}",
                    "description": "What the ideas share",
                    "idea_ids": members,
                    "tag_ids": [1, 11],
                    "support": _results(mode, rng, criteria),
                }
            )
        top = sorted(room_ideas, key=lambda i: (-strength(i), i["id"]))
        room_list.append(
            {
                "id": room_id,
                "name": room_names[k],
                "topic": f"Topic of {room_names[k]}",
                "people": 10 + k,
                "voters": 8 + k,
                "themes": themes,
                "top_ideas": [i["id"] for i in top[:5]],
            }
        )
        pathways.append(
            {
                "id": 500 + k,
                "room_id": room_id,
                "room": room_names[k],
                "theme_id": 1000 + k,
                "title": f"Pathway {k + 1}: {'안전한 주거' if k == 0 else 'Fair work'}",
                "challenge": "Migrants pay the highest rents" + (HOSTILE if hostile else ""),
                "vision": "Everyone has a safe home by 2030",
                "steps": [
                    {
                        "action": "Map vacant municipal housing",
                        "actor": "Housing department",
                        "horizon": "short",
                        "indicator": "Inventory published",
                    },
                    {
                        "action": "Open 200 homes to refugees 🏠",
                        "actor": "City council",
                        "horizon": "medium",
                        "indicator": "Homes allocated per year",
                    },
                ],
                "tag_ids": [1, 11, 12, 21],
                "idea_ids": [i["id"] for i in top[:3]],
                "support": _results(mode, rng, criteria),
                "endorsements": 12 - k,
                "endorsed_by": [f"p{n}" for n in range(1, 13 - k)],
                "comments": [
                    {
                        "id": 900 + k,
                        "text": "Yes, and fast 빨리",
                        "author": "Ana",
                        "author_key": "p1",
                        "created_at": "2024-10-08T10:00:00+00:00",
                    },
                    {
                        "id": 950 + k,
                        "text": HOSTILE if hostile else "Too slow",
                        "author": None,
                        "author_key": "p2",
                        "created_at": "2024-10-08T10:01:00+00:00",
                    },
                ],
            }
        )
    # Strongest support first, as build() orders them.
    rules = SimpleNamespace(voting_mode=mode)
    pathways.sort(key=lambda p: ([-x for x in ranked(rules, p["support"])], p["id"]))
    roles = ["resident", "civil society", "local government"]
    return {
        "format": "cocreate-workshop",
        "format_version": 1,
        "generated_at": "2024-10-08T12:30:00+00:00",
        "workshop": {
            "title": "Local pathways toward equality — 평등을 향한 길",
            "question": "How can our city guarantee the right to housing for everyone?",
            "description": "Plenary of the Human Rights Cities forum",
            "starts_at": "2024-10-08T08:00:00+00:00",
            "ends_at": "2024-10-08T10:30:00+00:00",
            "time_zones": ["Asia/Seoul", "Europe/Madrid"],
            "times": [
                {
                    "zone": "Asia/Seoul",
                    "starts": "2024-10-08T17:00:00+09:00",
                    "ends": "2024-10-08T19:30:00+09:00",
                },
                {
                    "zone": "Europe/Madrid",
                    "starts": "2024-10-08T10:00:00+02:00",
                    "ends": "2024-10-08T12:30:00+02:00",
                },
            ],
            "organizers": ["City of Gwangju", "UCLG"],
            "method": {
                "voting_mode": mode,
                "dots_per_room": 5,
                "max_dots_per_idea": 3,
                "criteria": criteria,
                "premoderation": False,
                "participants_cluster": False,
                "assignment": "choose",
                "phases": ["propose", "cluster", "vote", "pathway", "closed"],
            },
            "stakeholder_roles": roles,
        },
        "tags": tags,
        "participation": {
            "people": 40,
            "paper": sum(1 for i in all_ideas if i["paper"]),
            "voters": 31,
            "by_room": [
                {
                    "room_id": r["id"],
                    "name": r["name"],
                    "people": r["people"],
                    "paper": sum(1 for i in all_ideas if i["paper"] and i["room_id"] == r["id"]),
                    "voters": r["voters"],
                    "ideas": sum(1 for i in all_ideas if i["room_id"] == r["id"]),
                }
                for r in room_list
            ],
            "by_role": [
                {"role": "resident", "people": 20, "voters": 17},
                {"role": "civil society", "people": 12, "voters": 9},
                {"role": "local government", "people": 8, "voters": 5},
            ],
        },
        "pathways": pathways,
        "cross_themes": [
            {
                "id": 1,
                "name": "Housing is the door to every other right",
                "description": "Raised in every room",
                "themes": [
                    {
                        "theme_id": r["themes"][0]["id"],
                        "room_id": r["id"],
                        "room": r["name"],
                        "name": r["themes"][0]["name"],
                    }
                    for r in room_list
                ],
                "support": _results(mode, rng, criteria),
            }
        ],
        "rooms": room_list,
        "ideas": all_ideas,
        "coverage": _coverage(tags, all_ideas, pathways),
    }
