"""Payloads of the cross-room theme events (the moderator's namespace)."""

from cocreate.sockets.gate import Action, Id, Payload


class SuggestCrossThemes(Payload):
    """Ask for suggested cross-room themes (changes nothing: no action id)."""


class CreateCrossTheme(Action):
    """A new cross-room theme of these room themes."""

    name: str
    description: str = ""
    theme_ids: list[Id]


class RenameCrossTheme(Action):
    """A cross-room theme's new name, and its new description (left out: kept)."""

    cross_theme_id: Id
    name: str
    description: str | None = None


class SetCrossThemeMembers(Action):
    """The room themes a cross-room theme holds from now on."""

    cross_theme_id: Id
    theme_ids: list[Id]


class CrossThemeRef(Action):
    """An action on one cross-room theme."""

    cross_theme_id: Id
