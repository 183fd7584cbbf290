"""The participant's namespace: a phone in a workshop.

The connection's identity and room come from the signed session cookie and the
database, never from the payload: the client names only the workshop (by code)
it wants to connect to, and the server checks this device joined it.
"""

from collections import defaultdict

from flask import request, session
from flask_babel import gettext as _
from flask_socketio import join_room, leave_room

from cocreate.extensions import socketio
from cocreate.realtime import PARTICIPANT_NS, participant_channel, room_channel
from cocreate.services import (
    access,
    ideas,
    participants,
    phases,
    scribe,
    snapshots,
    votes,
    workshops,
)
from cocreate.services.errors import DomainError
from cocreate.sockets.gate import Action, GatedNamespace, Id, Payload, event, limiter, refuse
from cocreate.sockets.payloads import (
    IdeaRef,
    Opinion,
    Score,
    ScribeIdea,
    ScribeOpinion,
    ScribeScore,
    ScribeVote,
)

#: This process's participant connections: participant id → their socket ids.
connected: dict[int, set[str]] = defaultdict(set)


def disconnect_removed() -> int:
    """Close this process's connections of participants a moderator removed; return how
    many. Each process runs it every second (cocreate.timers), so a removed phone stops
    hearing its room within a second, whichever process holds its connection."""
    closed = 0
    for participant_id in access.removed_among(list(connected)):
        for sid in list(connected.pop(participant_id, ())):
            socketio.server.disconnect(sid, namespace=PARTICIPANT_NS)
            closed += 1
    return closed


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
        try:
            workshop = workshops.workshop_by_code(code if isinstance(code, str) else "")
        except DomainError:
            raise refuse("not_found", _("No workshop has this code.")) from None
        person = participants.participant_for_device(workshop.id, session.get("device"))
        if person is None:
            raise refuse("not_joined", _("Join the workshop first."))
        if person.removed:
            raise refuse("removed", _("A moderator removed you from this workshop."))
        session["participant_id"] = person.id
        session["room_id"] = person.room_id
        connected[person.id].add(request.sid)
        join_room(participant_channel(person.id))
        join_room(room_channel(person.room_id))

    def on_disconnect(self, reason=None):
        """Forget the connection: its rate-limit bucket, and whose it was."""
        limiter.forget(request.sid)
        sids = connected.get(session.get("participant_id"))
        if sids is not None:
            sids.discard(request.sid)
            if not sids:
                connected.pop(session["participant_id"], None)

    def _follow(self, room_id: int) -> None:
        """Put this connection in the room the database names (after a move)."""
        if session.get("room_id") != room_id:
            if session.get("room_id") is not None:
                leave_room(room_channel(session["room_id"]))
            join_room(room_channel(room_id))
            session["room_id"] = room_id

    @event(Sync, current_participant)
    def on_sync(self, participant_id: int, payload: Sync) -> dict:
        """Answer with the missed events of the participant's room, or a snapshot."""
        me = access.participant(participant_id)
        self._follow(me.room_id)  # join first: nothing sent after this read is missed
        if payload.since is not None and payload.room_id == me.room_id:
            missed = snapshots.events_since(me.room_id, payload.since)
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
        result = participants.choose_room(participant_id, p.room_id, action_id=p.id)
        self._follow(result["room_id"])
        return result

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
