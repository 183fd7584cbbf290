"""The moderator's namespace: the live console of one workshop."""

import threading

from flask import request, session
from flask_babel import gettext as _
from flask_login import current_user
from flask_socketio import join_room

from cocreate.extensions import socketio
from cocreate.realtime import MODERATOR_NS, workshop_channel
from cocreate.services import (
    access,
    accounts,
    cross_themes,
    moderation,
    participants,
    pathways,
    phases,
    scribe,
    snapshots,
    suggested_tags,
    tags,
    theme_suggestions,
    themes,
)
from cocreate.services.errors import DomainError, NotAllowed
from cocreate.sockets.cross_theme_payloads import (
    CreateCrossTheme,
    CrossThemeRef,
    RenameCrossTheme,
    SetCrossThemeMembers,
    SuggestCrossThemes,
)
from cocreate.sockets.gate import (
    MAX_ID,
    Action,
    GatedNamespace,
    Id,
    Payload,
    event,
    limiter,
    refuse,
)
from cocreate.sockets.pathway_payloads import (
    CommentRef,
    CreatePathwayIn,
    EditPathway,
    PathwayRef,
)
from cocreate.sockets.payloads import (
    IdeaRef,
    ScribeIdea,
    ScribeOpinion,
    ScribeScore,
    ScribeVote,
)
from cocreate.sockets.suggestion_payloads import InRoom, TagsFor
from cocreate.sockets.tagging import TagIdea, TagTheme
from cocreate.sockets.theme_payloads import (
    CreateThemeIn,
    MergeThemes,
    MoveIdea,
    RenameTheme,
    ThemeRef,
)

#: This process's console connections: socket id → (account, session epoch, workshop).
connected: dict[str, tuple[int, int, int]] = {}
_connected_lock = threading.Lock()


def disconnect_revoked() -> int:
    """Close this process's console connections whose sign-in ended (the account signed
    out or changed its password) or whose account no longer runs the workshop; return
    how many. Each process runs it every second (cocreate.timers), so a removed
    co-moderator's console stops hearing the workshop within a second, wherever it is.
    Two queries for all of them, however many."""
    with _connected_lock:
        for sid in [
            sid for sid in connected if not socketio.server.manager.is_connected(sid, MODERATOR_NS)
        ]:
            del connected[sid]  # closed without its disconnect handled (or an earlier server's)
        held = dict(connected)
    ended = accounts.revoked(list(set(held.values())))
    closing = [sid for sid, console in held.items() if console in ended]
    with _connected_lock:
        for sid in closing:
            connected.pop(sid, None)
    for sid in closing:
        socketio.server.disconnect(sid, namespace=MODERATOR_NS)
    return len(closing)


def current_moderator() -> int | None:
    """The account this connection authenticated as, checked again on every event: its
    sign-in must not have ended and it must still run the connected workshop.

    Raises NotAllowed (an error ack) when either no longer holds.
    """
    user_id = session.get("moderator_id")
    if user_id is None:
        return None
    console = (user_id, session["moderator_epoch"], session["workshop_id"])
    if accounts.revoked([console]):
        raise NotAllowed(_("Your sign-in has ended or you no longer run this workshop."))
    return user_id


class Sync(Payload):
    """Ask for a fresh snapshot of every room."""


class Move(Action):
    participant_id: Id
    room_id: Id


class SetAssignment(Action):
    mode: str


class SetPhase(Action):
    phase: str
    room_id: Id | None = None  # None: every breakout room


class StartTimer(Action):
    seconds: int
    next_phase: str | None = None
    room_id: Id | None = None


class RoomRef(Action):
    room_id: Id | None = None


class Broadcast(Action):
    text: str
    room_id: Id | None = None


class SetResultsHidden(Action):
    hidden: bool
    room_id: Id | None = None


class CorrectIdea(Action):
    idea_id: Id
    text: str
    details: str = ""


class MergeIdeas(Action):
    keep_id: Id
    duplicate_id: Id


class AddPaperPerson(Action):
    room_id: Id
    name: str = ""


class LockRoom(Action):
    room_id: Id
    locked: bool


class BreakoutRef(Action):
    room_id: Id


class ParticipantRef(Action):
    participant_id: Id


class ModeratorNamespace(GatedNamespace):
    """Events of a moderator's console."""

    def on_connect(self, auth=None):
        """Accept a signed-in account that runs the workshop it names."""
        workshop_id = auth.get("workshop") if isinstance(auth, dict) else None
        refused = refuse("not_allowed", _("Sign in with an account that runs this workshop."))
        # type() and not isinstance(): JSON true is a Python bool, which is an int. An id
        # past the database's integers would overflow the driver: no workshop has one.
        if (
            not current_user.is_authenticated
            or type(workshop_id) is not int
            or not 1 <= workshop_id <= MAX_ID
        ):
            raise refused
        try:
            access.workshop_for_moderator(current_user.id, workshop_id)
        except DomainError:
            raise refused from None
        session["moderator_id"] = current_user.id
        session["moderator_epoch"] = current_user.session_epoch
        session["workshop_id"] = workshop_id
        with _connected_lock:
            connected[request.sid] = (current_user.id, current_user.session_epoch, workshop_id)
        join_room(workshop_channel(workshop_id))

    def on_disconnect(self, reason=None):
        """Forget the connection: its rate-limit bucket, and whose it was."""
        limiter.forget(request.sid)
        with _connected_lock:
            connected.pop(request.sid, None)

    @event(Sync, current_moderator)
    def on_sync(self, user_id: int, payload: Sync) -> dict:
        """Answer with every room of the workshop, as of now."""
        return {"snapshot": snapshots.moderator_snapshot(user_id, session["workshop_id"])}

    @event(Move, current_moderator)
    def on_move_participant(self, user_id: int, p: Move) -> dict:
        """Move one participant to a room by hand."""
        return participants.move_participant(
            user_id, session["workshop_id"], p.participant_id, p.room_id, action_id=p.id
        )

    @event(SetAssignment, current_moderator)
    def on_set_assignment(self, user_id: int, p: SetAssignment) -> dict:
        """Choose how participants get into rooms."""
        return participants.set_assignment(user_id, session["workshop_id"], p.mode, action_id=p.id)

    @event(Action, current_moderator)
    def on_open_breakouts(self, user_id: int, p: Action) -> dict:
        """Open the breakout rooms (and spread the lobby with random assignment)."""
        return participants.open_breakouts(user_id, session["workshop_id"], action_id=p.id)

    @event(Action, current_moderator)
    def on_spread(self, user_id: int, p: Action) -> dict:
        """Spread everyone in the lobby evenly over the breakout rooms."""
        return participants.spread_lobby(user_id, session["workshop_id"], action_id=p.id)

    @event(Action, current_moderator)
    def on_close_breakouts(self, user_id: int, p: Action) -> dict:
        """Bring everyone back to the plenary."""
        return participants.close_breakouts(user_id, session["workshop_id"], action_id=p.id)

    @event(SetPhase, current_moderator)
    def on_set_phase(self, user_id: int, p: SetPhase) -> dict:
        """Move one breakout room, or all, to a phase."""
        return phases.set_phase(user_id, session["workshop_id"], p.phase, p.room_id, action_id=p.id)

    @event(StartTimer, current_moderator)
    def on_start_timer(self, user_id: int, p: StartTimer) -> dict:
        """Start a countdown in one breakout room, or all."""
        return phases.start_timer(
            user_id, session["workshop_id"], p.seconds, p.next_phase, p.room_id, action_id=p.id
        )

    @event(RoomRef, current_moderator)
    def on_stop_timer(self, user_id: int, p: RoomRef) -> dict:
        """Stop the countdown in one breakout room, or all."""
        return phases.stop_timer(user_id, session["workshop_id"], p.room_id, action_id=p.id)

    @event(Broadcast, current_moderator)
    def on_broadcast(self, user_id: int, p: Broadcast) -> dict:
        """Show a message in one room, or in every room (the plenary too)."""
        return phases.broadcast(user_id, session["workshop_id"], p.text, p.room_id, action_id=p.id)

    @event(ParticipantRef, current_moderator)
    def on_appoint_facilitator(self, user_id: int, p: ParticipantRef) -> dict:
        """Make a participant the facilitator of the breakout room they are in."""
        return phases.appoint_facilitator(
            user_id, session["workshop_id"], p.participant_id, action_id=p.id
        )

    @event(BreakoutRef, current_moderator)
    def on_dismiss_facilitator(self, user_id: int, p: BreakoutRef) -> dict:
        """Leave a breakout room without a facilitator."""
        return phases.dismiss_facilitator(
            user_id, session["workshop_id"], p.room_id, action_id=p.id
        )

    @event(SetResultsHidden, current_moderator)
    def on_set_results_hidden(self, user_id: int, p: SetResultsHidden) -> dict:
        """Hide the vote totals from participants until the reveal, or reveal them."""
        return phases.set_results_hidden(
            user_id, session["workshop_id"], p.hidden, p.room_id, action_id=p.id
        )

    @event(IdeaRef, current_moderator)
    def on_hide_idea(self, user_id: int, p: IdeaRef) -> dict:
        """Hide an idea (its author is told; its dots go back)."""
        return moderation.hide_idea(user_id, session["workshop_id"], p.idea_id, action_id=p.id)

    @event(IdeaRef, current_moderator)
    def on_approve_idea(self, user_id: int, p: IdeaRef) -> dict:
        """Let a pending idea appear (pre-moderation)."""
        return moderation.approve_idea(user_id, session["workshop_id"], p.idea_id, action_id=p.id)

    @event(IdeaRef, current_moderator)
    def on_restore_idea(self, user_id: int, p: IdeaRef) -> dict:
        """Show a hidden idea again."""
        return moderation.restore_idea(user_id, session["workshop_id"], p.idea_id, action_id=p.id)

    @event(CorrectIdea, current_moderator)
    def on_correct_idea(self, user_id: int, p: CorrectIdea) -> dict:
        """Correct a typo in an idea (kept in its audit log)."""
        return moderation.correct_idea(
            user_id, session["workshop_id"], p.idea_id, p.text, p.details, action_id=p.id
        )

    @event(ParticipantRef, current_moderator)
    def on_remove_participant(self, user_id: int, p: ParticipantRef) -> dict:
        """Remove a participant from the workshop."""
        return moderation.remove_participant(
            user_id, session["workshop_id"], p.participant_id, action_id=p.id
        )

    @event(LockRoom, current_moderator)
    def on_lock_room(self, user_id: int, p: LockRoom) -> dict:
        """Lock or unlock a breakout room."""
        return moderation.lock_room(
            user_id, session["workshop_id"], p.room_id, p.locked, action_id=p.id
        )

    @event(MergeIdeas, current_moderator)
    def on_merge_ideas(self, user_id: int, p: MergeIdeas) -> dict:
        """Merge a duplicate into the idea that is kept."""
        return moderation.merge_ideas(
            user_id, session["workshop_id"], p.keep_id, p.duplicate_id, action_id=p.id
        )

    @event(AddPaperPerson, current_moderator)
    def on_add_paper_person(self, user_id: int, p: AddPaperPerson) -> dict:
        """Add a person without a phone to a room (scribe mode)."""
        return scribe.add_paper_person(("user", user_id), p.room_id, p.name, action_id=p.id)

    @event(ScribeIdea, current_moderator)
    def on_scribe_post_idea(self, user_id: int, p: ScribeIdea) -> dict:
        """Post an idea from paper."""
        return scribe.post_idea(("user", user_id), p.paper_id, p.text, p.details, action_id=p.id)

    @event(ScribeVote, current_moderator)
    def on_scribe_vote(self, user_id: int, p: ScribeVote) -> dict:
        """Give or take back a dot from paper."""
        return scribe.give_dot(("user", user_id), p.paper_id, p.idea_id, p.delta, action_id=p.id)

    @event(ScribeOpinion, current_moderator)
    def on_scribe_opinion(self, user_id: int, p: ScribeOpinion) -> dict:
        """Enter an opinion from paper."""
        return scribe.give_opinion(
            ("user", user_id), p.paper_id, p.idea_id, p.stance, action_id=p.id
        )

    @event(ScribeScore, current_moderator)
    def on_scribe_score(self, user_id: int, p: ScribeScore) -> dict:
        """Enter a score from paper."""
        return scribe.give_score(
            ("user", user_id), p.paper_id, p.idea_id, p.criterion, p.score, action_id=p.id
        )

    @event(CreateThemeIn, current_moderator)
    def on_create_theme(self, user_id: int, p: CreateThemeIn) -> dict:
        """Group ideas of a breakout room into a new theme."""
        return themes.create_theme(
            ("user", user_id), p.name, p.description, p.idea_ids, p.room_id, action_id=p.id
        )

    @event(RenameTheme, current_moderator)
    def on_rename_theme(self, user_id: int, p: RenameTheme) -> dict:
        """Rename a theme."""
        return themes.rename_theme(
            ("user", user_id), p.theme_id, p.name, p.description, action_id=p.id
        )

    @event(MoveIdea, current_moderator)
    def on_move_idea(self, user_id: int, p: MoveIdea) -> dict:
        """Put an idea in a theme, or out of any."""
        return themes.move_idea(("user", user_id), p.idea_id, p.theme_id, action_id=p.id)

    @event(MergeThemes, current_moderator)
    def on_merge_themes(self, user_id: int, p: MergeThemes) -> dict:
        """Fold one theme into another."""
        return themes.merge_themes(("user", user_id), p.keep_id, p.merged_id, action_id=p.id)

    @event(ThemeRef, current_moderator)
    def on_dissolve_theme(self, user_id: int, p: ThemeRef) -> dict:
        """Dissolve a theme: its ideas are in none."""
        return themes.dissolve_theme(("user", user_id), p.theme_id, action_id=p.id)

    @event(TagIdea, current_moderator)
    def on_tag_idea(self, user_id: int, p: TagIdea) -> dict:
        """Replace the tags of any visible idea of the workshop."""
        return tags.moderate_tag_idea(
            user_id, session["workshop_id"], p.idea_id, p.tag_ids, action_id=p.id
        )

    @event(TagTheme, current_moderator)
    def on_tag_theme(self, user_id: int, p: TagTheme) -> dict:
        """Replace the tags of any theme of the workshop."""
        return tags.moderate_tag_theme(
            user_id, session["workshop_id"], p.theme_id, p.tag_ids, action_id=p.id
        )

    @event(SuggestCrossThemes, current_moderator)
    def on_suggest_cross_themes(self, user_id: int, p: SuggestCrossThemes) -> dict:
        """Suggest cross-room themes from the rooms' themes (changes nothing)."""
        return cross_themes.suggest_cross_themes(user_id, session["workshop_id"])

    @event(CreateCrossTheme, current_moderator)
    def on_create_cross_theme(self, user_id: int, p: CreateCrossTheme) -> dict:
        """Gather room themes into a new cross-room theme."""
        return cross_themes.create_cross_theme(
            user_id, session["workshop_id"], p.name, p.theme_ids, p.description, action_id=p.id
        )

    @event(RenameCrossTheme, current_moderator)
    def on_rename_cross_theme(self, user_id: int, p: RenameCrossTheme) -> dict:
        """Rename a cross-room theme."""
        return cross_themes.rename_cross_theme(
            user_id, session["workshop_id"], p.cross_theme_id, p.name, p.description, action_id=p.id
        )

    @event(SetCrossThemeMembers, current_moderator)
    def on_set_cross_theme_members(self, user_id: int, p: SetCrossThemeMembers) -> dict:
        """Choose the room themes a cross-room theme holds."""
        return cross_themes.set_cross_theme_members(
            user_id, session["workshop_id"], p.cross_theme_id, p.theme_ids, action_id=p.id
        )

    @event(CrossThemeRef, current_moderator)
    def on_remove_cross_theme(self, user_id: int, p: CrossThemeRef) -> dict:
        """Discard a cross-room theme (its room themes stay)."""
        return cross_themes.remove_cross_theme(
            user_id, session["workshop_id"], p.cross_theme_id, action_id=p.id
        )

    @event(InRoom, current_moderator)
    def on_suggest_themes(self, user_id: int, p: InRoom) -> dict:
        """Suggested themes for a breakout room's ideas in no theme (stores nothing)."""
        return theme_suggestions.suggest_themes(
            ("user", user_id), p.room_id, session["workshop_id"]
        )

    @event(InRoom, current_moderator)
    def on_duplicate_pairs(self, user_id: int, p: InRoom) -> dict:
        """Likely duplicate ideas of a breakout room, to merge (stores nothing)."""
        return theme_suggestions.duplicate_pairs(
            ("user", user_id), p.room_id, session["workshop_id"]
        )

    @event(TagsFor, current_moderator)
    def on_suggest_tags(self, user_id: int, p: TagsFor) -> dict:
        """Tags suggested for an idea of the workshop, or for a text (a hint)."""
        return suggested_tags.suggest_tags(
            ("user", user_id), p.idea_id, p.text, session["workshop_id"]
        )

    @event(CreatePathwayIn, current_moderator)
    def on_create_pathway(self, user_id: int, p: CreatePathwayIn) -> dict:
        """Draft a pathway in a breakout room, from one of its themes or from scratch."""
        return pathways.create_pathway(
            ("user", user_id), p.title, p.theme_id, p.room_id, action_id=p.id
        )

    @event(EditPathway, current_moderator)
    def on_edit_pathway(self, user_id: int, p: EditPathway) -> dict:
        """Change fields of a pathway."""
        return pathways.edit_pathway(
            ("user", user_id), p.pathway_id, p.version, p.changes.given(), action_id=p.id
        )

    @event(PathwayRef, current_moderator)
    def on_remove_pathway(self, user_id: int, p: PathwayRef) -> dict:
        """Remove a pathway."""
        return pathways.remove_pathway(("user", user_id), p.pathway_id, action_id=p.id)

    @event(CommentRef, current_moderator)
    def on_hide_pathway_comment(self, user_id: int, p: CommentRef) -> dict:
        """Hide a comment on a pathway (any phase)."""
        return pathways.hide_pathway_comment(("user", user_id), p.comment_id, action_id=p.id)
