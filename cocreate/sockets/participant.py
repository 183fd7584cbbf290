"""The participant's namespace: a phone in a workshop.

The connection's identity and room come from the signed session cookie and the
database, never from the payload: the client names only the workshop (by code)
it wants to connect to, and the server checks this device joined it.
"""

import threading

from flask import current_app, request, session
from flask_babel import gettext as _
from flask_socketio import join_room

from cocreate.extensions import db, socketio
from cocreate.realtime import PARTICIPANT_NS, on_room_change, participant_channel, room_channel
from cocreate.services import (
    access,
    ideas,
    participants,
    pathways,
    phases,
    scribe,
    snapshots,
    suggested_tags,
    tags,
    theme_suggestions,
    themes,
    votes,
    workshops,
)
from cocreate.sockets.gate import Action, GatedNamespace, Id, Payload, event, limiter, refuse
from cocreate.sockets.pathway_payloads import (
    CommentPathway,
    CommentRef,
    CreatePathway,
    EditPathway,
    EndorsePathway,
    PathwayRef,
)
from cocreate.sockets.payloads import (
    IdeaRef,
    Opinion,
    Score,
    ScribeIdea,
    ScribeOpinion,
    ScribeScore,
    ScribeVote,
)
from cocreate.sockets.suggestion_payloads import OwnRoom, TagsFor, TypedIdea
from cocreate.sockets.tagging import TagIdea, TagTheme
from cocreate.sockets.theme_payloads import (
    CreateTheme,
    MergeThemes,
    MoveIdea,
    RenameTheme,
    ThemeRef,
)


class Connections:
    """This process's participant connections: whose each one is, and which room channel
    it follows.

    A process knows only its own sockets, so each process keeps them in the room the
    database names: right after an action of its own moved someone, and every second
    for moves made elsewhere (follow_rooms). Reading the database and moving the
    connections happen under one lock, so a late, stale read never undoes a newer one.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        #: participant id → {socket id: the room id whose channel it is in}
        self._rooms: dict[int, dict[str, int]] = {}

    def _live(self, participant_id: int) -> dict[str, int]:
        """The participant's connections the server still holds (a connection whose
        disconnect was never handled, or one of an earlier server, is forgotten)."""
        sids = self._rooms.get(participant_id, {})
        for sid in [
            sid for sid in sids if not socketio.server.manager.is_connected(sid, PARTICIPANT_NS)
        ]:
            del sids[sid]
        if not sids:
            self._rooms.pop(participant_id, None)
        return sids

    def present(self, participant_ids: list[int] | None = None) -> list[int]:
        """Those of these participants (None: everyone) with a connection here."""
        with self.lock:
            wanted = list(self._rooms) if participant_ids is None else participant_ids
            return [pid for pid in wanted if self._live(pid)]

    def add(self, participant_id: int, sid: str, room_id: int, most: int) -> bool:
        """Put a new connection in its channels, unless the participant has `most`
        connections here already; tell whether it was added."""
        with self.lock:
            if len(self._live(participant_id)) >= most:
                return False
            self._rooms.setdefault(participant_id, {})[sid] = room_id
            join_room(participant_channel(participant_id))
            join_room(room_channel(room_id))
            return True

    def discard(self, participant_id: int | None, sid: str) -> None:
        """Forget a closed connection."""
        with self.lock:
            sids = self._rooms.get(participant_id)
            if sids is not None:
                sids.pop(sid, None)
                if not sids:
                    del self._rooms[participant_id]

    def follow(self, participant_id: int, room_id: int) -> int:
        """Move every connection of the participant here into the room's channel (and
        out of the one it followed); return how many moved. Call with the lock held,
        right after reading the room from the database."""
        if all(followed == room_id for followed in self._rooms.get(participant_id, {}).values()):
            return 0  # each second, for almost everyone: nothing to move or forget
        moved = 0
        sids = self._live(participant_id)
        for sid, followed in list(sids.items()):
            if followed != room_id:
                socketio.server.leave_room(sid, room_channel(followed), namespace=PARTICIPANT_NS)
                socketio.server.enter_room(sid, room_channel(room_id), namespace=PARTICIPANT_NS)
                sids[sid] = room_id
                moved += 1
        return moved

    def drop(self, participant_id: int) -> list[str]:
        """Forget all the participant's connections here; return their socket ids."""
        with self.lock:
            sids = list(self._live(participant_id))
            self._rooms.pop(participant_id, None)
            return sids


#: This process's participant connections.
connected = Connections()


@on_room_change
def follow_rooms(participant_ids: list[int] | None = None) -> tuple[int, int]:
    """Put this process's connections of these participants (None: all) in the room
    channel the database names, and close those of participants a moderator removed;
    return (connections moved, connections closed).

    Runs right after an action of this process moves people (realtime.on_room_change) and
    every second on each process's clock (cocreate.timers), so a phone stops hearing its
    old room at once when its connection is here, within a second when it is elsewhere,
    whether or not it answers `moved`. One query for everyone.
    """
    with connected.lock:
        here = connected.present(participant_ids)
        rooms = participants.current_rooms(here) if here else {}
        moved = sum(connected.follow(pid, room_id) for pid, room_id in rooms.items() if room_id)
        gone = [sid for pid in here if rooms.get(pid) is None for sid in connected.drop(pid)]
    for sid in gone:
        socketio.server.disconnect(sid, namespace=PARTICIPANT_NS)
    return moved, len(gone)


def disconnect_removed() -> int:
    """Close this process's connections of participants a moderator removed (and put
    the others in their rooms); return how many closed (see follow_rooms)."""
    return follow_rooms()[1]


def current_participant() -> int | None:
    """The participant this connection authenticated as."""
    return session.get("participant_id")


class Sync(Payload):
    """Catch up: events after `since` in the participant's room, or a snapshot."""

    room_id: Id | None = None
    since: int | None = None


class PostIdea(Action):
    text: str
    details: str = ""


class EditIdea(Action):
    idea_id: Id
    text: str
    details: str = ""


class Vote(Action):
    idea_id: Id
    delta: int


class ChooseRoom(Action):
    room_id: Id


class SetName(Action):
    name: str = ""


class AddPaperPerson(Action):
    name: str = ""


class SetPhase(Action):
    phase: str


class StartTimer(Action):
    seconds: int
    next_phase: str | None = None


class ParticipantNamespace(GatedNamespace):
    """Events of participants' phones."""

    def on_connect(self, auth=None):
        """Accept a device that joined the workshop it names; refuse any other."""
        code = auth.get("workshop") if isinstance(auth, dict) else None
        if not isinstance(code, str):
            raise refuse("not_found", _("No workshop has this code."))
        # A code of no workshop is refused as one this device did not join: connecting
        # must not tell a real code from a wrong one (guesses are counted over HTTP).
        # One statement finds the person by code and device: every phone of a join storm
        # connects.
        device = session.get("device")
        person = participants.participant_for_device(workshops.id_of_code(code), device)
        if person is None:
            raise refuse("not_joined", _("Join the workshop first."))
        if person.removed:
            raise refuse("removed", _("A moderator removed you from this workshop."))
        most = current_app.config["SOCKETS_PER_PARTICIPANT"]
        participant_id, room_id = person.id, person.room_id
        # Give the database connection back before waiting for the lock: its holder may
        # need one from the pool (follow_rooms reads the database under it).
        db.session.rollback()
        if not connected.add(participant_id, request.sid, room_id, most):
            raise refuse(
                "too_many_connections",
                _(
                    "This device has %(n)d connections to the workshop open already. Close "
                    "other tabs of it, or wait half a minute, then reload.",
                    n=most,
                ),
            )
        session["participant_id"] = participant_id

    def on_disconnect(self, reason=None):
        """Forget the connection: its rate-limit bucket, and whose it was."""
        limiter.forget(request.sid)
        connected.discard(session.get("participant_id"), request.sid)

    @event(Sync, current_participant)
    def on_sync(self, participant_id: int, payload: Sync) -> dict:
        """Answer with the missed events of the participant's room, or a snapshot."""
        with connected.lock:  # follow first: nothing sent after this read is missed
            me = access.participant(participant_id, with_workshop=True)
            connected.follow(me.id, me.room_id)
        if payload.since is not None and payload.room_id == me.room_id:
            missed = snapshots.events_since(me.room_id, payload.since, me.id)
            if missed is not None:
                return {
                    "room_id": me.room_id,
                    "events": missed,
                    "me": snapshots.my_state(me),
                    "now": snapshots.server_time(),
                }
        return {"room_id": me.room_id, "snapshot": snapshots.participant_snapshot(me.id)}

    @event(PostIdea, current_participant)
    def on_post_idea(self, participant_id: int, p: PostIdea) -> dict:
        """Post an idea in the participant's room."""
        return ideas.post_idea(participant_id, p.text, p.details, action_id=p.id)

    @event(EditIdea, current_participant)
    def on_edit_idea(self, participant_id: int, p: EditIdea) -> dict:
        """Change one's own idea."""
        return ideas.edit_idea(participant_id, p.idea_id, p.text, p.details, action_id=p.id)

    @event(IdeaRef, current_participant)
    def on_withdraw_idea(self, participant_id: int, p: IdeaRef) -> dict:
        """Withdraw one's own idea."""
        return ideas.withdraw_idea(participant_id, p.idea_id, action_id=p.id)

    @event(Vote, current_participant)
    def on_vote(self, participant_id: int, p: Vote) -> dict:
        """Give (+1) or take back (-1) a dot."""
        return votes.give_dot(participant_id, p.idea_id, p.delta, action_id=p.id)

    @event(Opinion, current_participant)
    def on_opinion(self, participant_id: int, p: Opinion) -> dict:
        """Agree, disagree or pass on an idea (or take the opinion back)."""
        return votes.give_opinion(participant_id, p.idea_id, p.stance, action_id=p.id)

    @event(Score, current_participant)
    def on_score(self, participant_id: int, p: Score) -> dict:
        """Score an idea on one criterion (or take the score back)."""
        return votes.give_score(participant_id, p.idea_id, p.criterion, p.score, action_id=p.id)

    @event(ChooseRoom, current_participant)
    def on_choose_room(self, participant_id: int, p: ChooseRoom) -> dict:
        """Go to a breakout room of one's choice."""
        # The move puts this participant's connections in the room (realtime.on_room_change);
        # a retried choice changes nothing, and the connections stay where the database says.
        return participants.choose_room(participant_id, p.room_id, action_id=p.id)

    @event(SetName, current_participant)
    def on_set_name(self, participant_id: int, p: SetName) -> dict:
        """Change one's display name (empty: anonymous)."""
        return participants.set_display_name(participant_id, p.name, action_id=p.id)

    @event(SetPhase, current_participant)
    def on_set_phase(self, participant_id: int, p: SetPhase) -> dict:
        """A facilitator moves their room to a phase."""
        return phases.facilitate_phase(participant_id, p.phase, action_id=p.id)

    @event(StartTimer, current_participant)
    def on_start_timer(self, participant_id: int, p: StartTimer) -> dict:
        """A facilitator starts a countdown in their room."""
        return phases.facilitate_timer(participant_id, p.seconds, p.next_phase, action_id=p.id)

    @event(Action, current_participant)
    def on_stop_timer(self, participant_id: int, p: Action) -> dict:
        """A facilitator stops their room's countdown."""
        return phases.facilitate_stop_timer(participant_id, action_id=p.id)

    @event(AddPaperPerson, current_participant)
    def on_add_paper_person(self, participant_id: int, p: AddPaperPerson) -> dict:
        """A facilitator adds a person without a phone to their room."""
        return scribe.add_paper_person(
            ("participant", participant_id), None, p.name, action_id=p.id
        )

    @event(ScribeIdea, current_participant)
    def on_scribe_post_idea(self, participant_id: int, p: ScribeIdea) -> dict:
        """A facilitator posts an idea from paper."""
        return scribe.post_idea(
            ("participant", participant_id), p.paper_id, p.text, p.details, action_id=p.id
        )

    @event(ScribeVote, current_participant)
    def on_scribe_vote(self, participant_id: int, p: ScribeVote) -> dict:
        """A facilitator gives or takes back a dot from paper."""
        return scribe.give_dot(
            ("participant", participant_id), p.paper_id, p.idea_id, p.delta, action_id=p.id
        )

    @event(ScribeOpinion, current_participant)
    def on_scribe_opinion(self, participant_id: int, p: ScribeOpinion) -> dict:
        """A facilitator enters an opinion from paper."""
        return scribe.give_opinion(
            ("participant", participant_id), p.paper_id, p.idea_id, p.stance, action_id=p.id
        )

    @event(ScribeScore, current_participant)
    def on_scribe_score(self, participant_id: int, p: ScribeScore) -> dict:
        """A facilitator enters a score from paper."""
        return scribe.give_score(
            ("participant", participant_id),
            p.paper_id,
            p.idea_id,
            p.criterion,
            p.score,
            action_id=p.id,
        )

    @event(CreateTheme, current_participant)
    def on_create_theme(self, participant_id: int, p: CreateTheme) -> dict:
        """Group ideas of the participant's room into a new theme."""
        return themes.create_theme(
            ("participant", participant_id), p.name, p.description, p.idea_ids, action_id=p.id
        )

    @event(RenameTheme, current_participant)
    def on_rename_theme(self, participant_id: int, p: RenameTheme) -> dict:
        """Rename a theme of the participant's room."""
        return themes.rename_theme(
            ("participant", participant_id), p.theme_id, p.name, p.description, action_id=p.id
        )

    @event(MoveIdea, current_participant)
    def on_move_idea(self, participant_id: int, p: MoveIdea) -> dict:
        """Put an idea in a theme, or out of any."""
        return themes.move_idea(
            ("participant", participant_id), p.idea_id, p.theme_id, action_id=p.id
        )

    @event(MergeThemes, current_participant)
    def on_merge_themes(self, participant_id: int, p: MergeThemes) -> dict:
        """Fold one theme into another."""
        return themes.merge_themes(
            ("participant", participant_id), p.keep_id, p.merged_id, action_id=p.id
        )

    @event(ThemeRef, current_participant)
    def on_dissolve_theme(self, participant_id: int, p: ThemeRef) -> dict:
        """Dissolve a theme: its ideas are in none."""
        return themes.dissolve_theme(("participant", participant_id), p.theme_id, action_id=p.id)

    @event(TagIdea, current_participant)
    def on_tag_idea(self, participant_id: int, p: TagIdea) -> dict:
        """Replace the tags of one's own idea, or (facilitator) of any idea of the room."""
        return tags.tag_idea(participant_id, p.idea_id, p.tag_ids, action_id=p.id)

    @event(TagTheme, current_participant)
    def on_tag_theme(self, participant_id: int, p: TagTheme) -> dict:
        """A facilitator replaces the tags of a theme of their room."""
        return tags.tag_theme(participant_id, p.theme_id, p.tag_ids, action_id=p.id)

    @event(OwnRoom, current_participant)
    def on_suggest_themes(self, participant_id: int, p: OwnRoom) -> dict:
        """Suggested themes for the ideas of the participant's room in no theme (stores nothing)."""
        return theme_suggestions.suggest_themes(("participant", participant_id))

    @event(OwnRoom, current_participant)
    def on_duplicate_pairs(self, participant_id: int, p: OwnRoom) -> dict:
        """A facilitator's look at the likely duplicates of their room (stores nothing)."""
        return theme_suggestions.duplicate_pairs(("participant", participant_id))

    @event(TypedIdea, current_participant)
    def on_similar_ideas(self, participant_id: int, p: TypedIdea) -> dict:
        """Ideas of the room that say nearly what the participant is typing (a hint)."""
        return theme_suggestions.similar_ideas(participant_id, p.text)

    @event(TagsFor, current_participant)
    def on_suggest_tags(self, participant_id: int, p: TagsFor) -> dict:
        """Tags suggested for one's idea, or (facilitator) any idea of the room (a hint)."""
        return suggested_tags.suggest_tags(("participant", participant_id), p.idea_id, p.text)

    @event(CreatePathway, current_participant)
    def on_create_pathway(self, participant_id: int, p: CreatePathway) -> dict:
        """The facilitator drafts a pathway in their room, from a theme or from scratch."""
        return pathways.create_pathway(
            ("participant", participant_id), p.title, p.theme_id, action_id=p.id
        )

    @event(EditPathway, current_participant)
    def on_edit_pathway(self, participant_id: int, p: EditPathway) -> dict:
        """The facilitator changes fields of a pathway of their room."""
        return pathways.edit_pathway(
            ("participant", participant_id),
            p.pathway_id,
            p.version,
            p.changes.given(),
            action_id=p.id,
        )

    @event(PathwayRef, current_participant)
    def on_remove_pathway(self, participant_id: int, p: PathwayRef) -> dict:
        """The facilitator removes a pathway of their room."""
        return pathways.remove_pathway(
            ("participant", participant_id), p.pathway_id, action_id=p.id
        )

    @event(CommentPathway, current_participant)
    def on_comment_pathway(self, participant_id: int, p: CommentPathway) -> dict:
        """Comment on a pathway of one's room."""
        return pathways.comment_pathway(participant_id, p.pathway_id, p.text, action_id=p.id)

    @event(EndorsePathway, current_participant)
    def on_endorse_pathway(self, participant_id: int, p: EndorsePathway) -> dict:
        """Endorse a pathway of one's room, or take the endorsement back."""
        return pathways.endorse_pathway(participant_id, p.pathway_id, p.endorse, action_id=p.id)

    @event(CommentRef, current_participant)
    def on_hide_pathway_comment(self, participant_id: int, p: CommentRef) -> dict:
        """The facilitator hides a comment on a pathway of their room."""
        return pathways.hide_pathway_comment(
            ("participant", participant_id), p.comment_id, action_id=p.id
        )
