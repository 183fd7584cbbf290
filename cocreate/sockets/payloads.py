"""Payloads both namespaces accept."""

from cocreate.sockets.gate import Action, Id


class IdeaRef(Action):
    """An action on one idea."""

    idea_id: Id


class ScribeIdea(Action):
    """An idea from paper, posted for a person on paper."""

    paper_id: Id
    text: str
    details: str = ""


class ScribeVote(Action):
    """A dot from paper, given or taken back for a person on paper."""

    paper_id: Id
    idea_id: Id
    delta: int
