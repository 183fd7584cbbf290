"""Payloads of the theme events (both namespaces; the moderator's create names its room)."""

from cocreate.sockets.gate import Action, Id


class CreateTheme(Action):
    """A new theme in the participant's room, with the ideas that go into it."""

    name: str
    description: str = ""
    idea_ids: list[Id] = []


class CreateThemeIn(CreateTheme):
    """A new theme in a breakout room the moderator names."""

    room_id: Id


class RenameTheme(Action):
    """A theme's new name, and its new description (left out: kept)."""

    theme_id: Id
    name: str
    description: str | None = None


class MoveIdea(Action):
    """An idea into a theme, or out of any (None; required)."""

    idea_id: Id
    theme_id: Id | None


class MergeThemes(Action):
    """The ideas of `merged_id` go to `keep_id`; `merged_id` is deleted."""

    keep_id: Id
    merged_id: Id


class ThemeRef(Action):
    """An action on one theme."""

    theme_id: Id
