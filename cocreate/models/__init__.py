"""The domain model; importing this package registers every table."""

from cocreate.models.action import ClientAction
from cocreate.models.cross_theme import CrossTheme, CrossThemeMember
from cocreate.models.event import RoomEvent
from cocreate.models.idea import Idea
from cocreate.models.membership import Membership
from cocreate.models.participant import Participant
from cocreate.models.pathway import (
    HORIZONS,
    PATHWAY_FIELDS,
    Pathway,
    PathwayComment,
    PathwayEndorsement,
    PathwayIdea,
    PathwayTag,
)
from cocreate.models.revision import IdeaRevision
from cocreate.models.room import PHASES, Room
from cocreate.models.tag import TAG_KINDS, IdeaTag, Tag, ThemeTag
from cocreate.models.theme import Theme
from cocreate.models.user import User
from cocreate.models.vote import SCORE_RANGE, STANCES, VOTERS, VOTING_MODES, Vote, VoteCount
from cocreate.models.workshop import ASSIGNMENT_MODES, Workshop

__all__ = [
    "ASSIGNMENT_MODES",
    "HORIZONS",
    "PATHWAY_FIELDS",
    "PHASES",
    "SCORE_RANGE",
    "STANCES",
    "TAG_KINDS",
    "VOTERS",
    "VOTING_MODES",
    "ClientAction",
    "CrossTheme",
    "CrossThemeMember",
    "Idea",
    "IdeaRevision",
    "IdeaTag",
    "Membership",
    "Participant",
    "Pathway",
    "PathwayComment",
    "PathwayEndorsement",
    "PathwayIdea",
    "PathwayTag",
    "Room",
    "RoomEvent",
    "Tag",
    "Theme",
    "ThemeTag",
    "User",
    "Vote",
    "VoteCount",
    "Workshop",
]
