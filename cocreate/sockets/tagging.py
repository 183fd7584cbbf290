"""Payloads of the tagging events, on both namespaces (cocreate.services.tags)."""

from cocreate.sockets.gate import Action, Id


class TagIdea(Action):
    """Replace an idea's tags: the ids of the workshop's tags it should carry ([]: none)."""

    idea_id: Id
    tag_ids: list[Id]


class TagTheme(Action):
    """Replace a theme's tags: the ids of the workshop's tags it should carry ([]: none)."""

    theme_id: Id
    tag_ids: list[Id]
