"""The strings the browser scripts show, translated on the server.

Templates render them as JSON data (`<script type="application/json" id="i18n">`), so
no inline script runs. Scripts fill {name} placeholders themselves; a {"one", "other"}
pair holds plural forms, chosen by the script's `n`. The literal strings here are what
`pybabel extract` collects.
"""

from flask_babel import gettext as _
from flask_babel import ngettext


def script_messages() -> dict:
    """Return the scripts' messages in the request's language."""
    return {
        "connecting": _("Connecting…"),
        "reconnecting": _("Reconnecting…"),
        "online": _("Live"),
        "offline": _("Offline: your actions are kept and sent when the connection is back."),
        "pending": {
            "one": ngettext("{n} waiting to be sent", "{n} waiting to be sent", 1),
            "other": ngettext("{n} waiting to be sent", "{n} waiting to be sent", 2),
        },
        "waiting": _("Waiting to be sent"),
        "anonymous": _("Anonymous"),
        "dots_left": {
            "one": ngettext("{n} dot left", "{n} dots left", 1),
            "other": ngettext("{n} dot left", "{n} dots left", 2),
        },
        "dots_total": {
            "one": ngettext("{n} dot", "{n} dots", 1),
            "other": ngettext("{n} dot", "{n} dots", 2),
        },
        "my_dots": _("yours: {n}"),
        "add_dot": _("Add a dot to: {text}"),
        "remove_dot": _("Take a dot back from: {text}"),
        "edit": _("Edit"),
        "edit_text": _("Your idea"),
        "edit_details": _("Details (optional)"),
        "withdraw": _("Withdraw"),
        "save": _("Save"),
        "cancel": _("Cancel"),
        "confirm_withdraw": _("Withdraw this idea? Dots on it go back to the voters."),
        "members": {
            "one": ngettext("{n} person here", "{n} people here", 1),
            "other": ngettext("{n} person here", "{n} people here", 2),
        },
        "lobby_wait": _("You are in the plenary. The moderator will open the breakout rooms."),
        "lobby_choose": _("Choose a breakout room."),
        "lobby_placed": _(
            "The moderator places people in rooms. You will move there automatically."
        ),
        "edited": _("edited"),
        "move_to": _("Move {name} to"),
        "plenary": _("Plenary"),
        "nobody": _("Nobody yet."),
        "chars_left": {
            "one": ngettext("{n} character left", "{n} characters left", 1),
            "other": ngettext("{n} character left", "{n} characters left", 2),
        },
        "refused": _("This page could not connect: join the workshop again."),
        "phase_names": {
            "lobby": _("Lobby"),
            "propose": _("Propose"),
            "cluster": _("Cluster"),
            "vote": _("Vote"),
            "pathway": _("Pathway"),
            "closed": _("Closed"),
        },
        "phase_help": {
            "lobby": _("Waiting to start."),
            "propose": _("Post your ideas, and read everyone's."),
            "cluster": _("The ideas are being grouped into themes."),
            "vote": _("Give your dots to the ideas you support."),
            "pathway": _("Your room turns its top themes into pathways."),
            "closed": _("This room is closed. You can still read it."),
        },
        "phase": _("Phase: {name}"),
        "phase_label": _("Phase"),
        "hidden_total": _("Results hidden"),
        "hidden_idea": _("hidden from participants"),
        "no_role": _("no role given"),
        "all_roles": _("supported by every role in the room"),
        "hide": _("Hide"),
        "on_paper": _("On paper"),
        "from_paper": _("from paper"),
        "paper_dots": _("{n} from paper"),
        "scribe_title": _("Scribe: enter ideas and dots from paper"),
        "scribe_name": _("Name of a person without a phone (optional)"),
        "scribe_add": _("Add the person"),
        "scribe_who": _("For"),
        "scribe_idea": _("Their idea"),
        "scribe_post": _("Post their idea"),
        "scribe_for_idea": _("Idea"),
        "scribe_give": _("Give their dot"),
        "scribe_take": _("Take their dot back"),
        "approve": _("Approve"),
        "awaiting_approval": _("waiting for approval"),
        "awaiting_your_approval": _("Waiting for a moderator's approval: only you see it."),
        "your_idea_approved": _("A moderator approved your idea: {text}"),
        "merge_into": _("Merge this duplicate into another idea: {text}"),
        "merge_choose": _("Merge into…"),
        "restore": _("Restore"),
        "correct": _("Correct"),
        "correct_prompt": _("Correct the idea's text (the old text is kept in the log):"),
        "your_idea_hidden": _("A moderator hid your idea: {text}"),
        "your_idea_restored": _("A moderator restored your idea: {text}"),
        "remove_person": _("Remove {name} from the workshop"),
        "confirm_remove": _("Remove {name}? They will not be able to take part again."),
        "lock_room": _("Lock this room"),
        "unlock_room": _("Unlock this room"),
        "locked": _("locked"),
        "joined": {
            "one": ngettext("{n} person has joined", "{n} people have joined", 1),
            "other": ngettext("{n} person has joined", "{n} people have joined", 2),
        },
        "report_back": _("Report-back: each room's top ideas"),
        "rooms_live": _("The rooms, live"),
        "results_hidden_note": _("Participants do not see the totals until you reveal them."),
        "time_left": _("Time left: {time}"),
        "then_phase": _("then {name}"),
        "no_next_phase": _("No phase change"),
        "facilitator": _("Facilitator: {name}"),
        "make_facilitator": _("Make {name} the facilitator"),
    }
