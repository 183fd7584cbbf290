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


class Opinion(Action):
    """Agree, disagree or pass on an idea (None: take the opinion back)."""

    idea_id: Id
    stance: str | None


class Score(Action):
    """A score from 1 to 5 on one criterion, by its position (None: take it back)."""

    idea_id: Id
    criterion: int
    score: int | None


class ScribeOpinion(Opinion):
    """An opinion from paper, for a person on paper."""

    paper_id: Id


class ScribeScore(Score):
    """A score from paper, for a person on paper."""

    paper_id: Id
