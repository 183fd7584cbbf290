"""Payloads of the suggestion events (issue 8): questions, not actions, so no `id`."""

from cocreate.sockets.gate import Id, Payload


class OwnRoom(Payload):
    """A question about the participant's own room: no fields at all."""


class InRoom(Payload):
    """A question about a breakout room the moderator names."""

    room_id: Id


class TypedIdea(Payload):
    """What a participant is typing, to find ideas of their room that say it already."""

    text: str


class TagsFor(Payload):
    """An idea to suggest tags for (`idea_id`), or the text of one being written (`text`);
    one of the two (the service refuses neither or both)."""

    idea_id: Id | None = None
    text: str | None = None
