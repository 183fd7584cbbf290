"""Payloads of the pathway events (both namespaces; the moderator's create names its room).

Lengths, counts and the horizon's words are the service's to check (cocreate.services
.pathways), with messages a person can act on; here only the shapes and types."""

from typing import Any, ClassVar

from cocreate.sockets.gate import Action, Id, Payload


class Step(Payload):
    """One step of a pathway: what is done, by whom, when ("short", "medium", "long") and
    how progress shows."""

    action: str
    actor: str = ""
    horizon: str
    indicator: str = ""


class PathwayChanges(Payload):
    """The fields an edit changes; those left out stay as they are."""

    title: str = ""
    challenge: str = ""
    vision: str = ""
    steps: list[Step] = []
    tag_ids: list[Id] = []
    idea_ids: list[Id] = []

    def given(self) -> dict[str, Any]:
        """The fields the client sent, as plain values."""
        return self.model_dump(exclude_unset=True)


class CreatePathway(Action):
    """A new pathway in the participant's room: from a theme, or from scratch with a title."""

    title: str | None = None
    theme_id: Id | None = None


class CreatePathwayIn(CreatePathway):
    """A new pathway in a breakout room the moderator names."""

    room_id: Id


class EditPathway(Action):
    """Changes to a pathway, as of the version the editor started from."""

    #: A whole pathway in Korean (20 steps, 3 bytes a character) is about 50 KiB.
    size_limit: ClassVar[str] = "PATHWAY_PAYLOAD_MAX"

    pathway_id: Id
    version: int
    changes: PathwayChanges


class PathwayRef(Action):
    """An action on one pathway."""

    pathway_id: Id


class CommentPathway(Action):
    """A comment on a pathway."""

    pathway_id: Id
    text: str


class EndorsePathway(Action):
    """Endorse a pathway (true) or take the endorsement back (false)."""

    pathway_id: Id
    endorse: bool


class CommentRef(Action):
    """An action on one comment."""

    comment_id: Id
