"""The strings the browser scripts show, translated on the server.

Templates render them as JSON data (`<script type="application/json" id="i18n">`), so
no inline script runs. Scripts fill {name} placeholders themselves. A message with
plural forms is a dict of the CLDR plural categories the page's language has (Korean:
other; English: one, other; French and Spanish: one, many, other), which
static/js/i18n.js picks from with Intl.PluralRules. The literal strings here are what
`pybabel extract` collects.
"""

from collections.abc import Callable

from flask_babel import get_locale, ngettext
from flask_babel import gettext as _

from cocreate.languages import plural_samples


def forms(message: Callable[[int], str]) -> dict[str, str]:
    """A plural message in each CLDR category of the request's language: `message(n)`
    (an ngettext call) for one count of each category (languages.plural_samples)."""
    return {category: message(n) for category, n in plural_samples(str(get_locale())).items()}


def script_messages() -> dict:
    """Return the scripts' messages in the request's language."""
    return {
        "connecting": _("Connecting…"),
        "reconnecting": _("Reconnecting…"),
        "online": _("Live"),
        "offline": _("Offline: your actions are kept and sent when the connection is back."),
        "pending": forms(lambda n: ngettext("{n} waiting to be sent", "{n} waiting to be sent", n)),
        "waiting": _("Waiting to be sent"),
        "anonymous": _("Anonymous"),
        "dots_left": forms(lambda n: ngettext("{n} dot left", "{n} dots left", n)),
        "dots_total": forms(lambda n: ngettext("{n} dot", "{n} dots", n)),
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
        "members": forms(lambda n: ngettext("{n} person here", "{n} people here", n)),
        "lobby_wait": _("You are in the plenary. The moderator will open the breakout rooms."),
        "lobby_choose": _("Choose a breakout room."),
        "lobby_placed": _(
            "The moderator places people in rooms. You will move there automatically."
        ),
        "edited": _("edited"),
        "move_to": _("Move {name} to"),
        "plenary": _("Plenary"),
        "nobody": _("Nobody yet."),
        "chars_left": forms(lambda n: ngettext("{n} character left", "{n} characters left", n)),
        # Text over a limit is refused whole (static/js/limits.js), never cut.
        "idea_too_long": _(
            "Your idea is {length} characters; the limit is {max}. Shorten it to post."
        ),
        "details_too_long": _(
            "The details are {length} characters; the limit is {max}. Shorten them to post."
        ),
        "idea_too_long_save": _(
            "Your idea is {length} characters; the limit is {max}. Shorten it to save."
        ),
        "details_too_long_save": _(
            "The details are {length} characters; the limit is {max}. Shorten them to save."
        ),
        "scribe_too_long": _(
            "This idea is {length} characters; the limit is {max}. Shorten it to post."
        ),
        # The phone's list of ideas (static/js/vote-list.js).
        "opinions_given": _("Opinions given: {n} of {total}"),
        "ideas_scored": _("Ideas scored: {n} of {total}"),
        "sorts": {
            "posted": _("In the order posted"),
            "newest": _("Newest first"),
            "support": _("Most support first"),
            "mine": _("Yours and your votes first"),
        },
        # Others' changes, said once a burst has settled (static/js/room-news.js); both
        # can be said together: "3 new ideas. Votes changed on 12 ideas."
        "news_new_ideas": forms(lambda n: ngettext("{n} new idea.", "{n} new ideas.", n)),
        "news_votes_changed": forms(
            lambda n: ngettext("Votes changed on {n} idea.", "Votes changed on {n} ideas.", n)
        ),
        "show_more": _("Show more"),
        "show_less": _("Show less"),
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
            "vote": _("Vote on the ideas."),
            "pathway": _("Your room turns its top themes into pathways."),
            "closed": _("This room is closed. You can still read it."),
        },
        "vote_help": {
            "dots": _("Give your dots to the ideas you support."),
            "agree": _("Say whether you agree or disagree with each idea, or pass."),
            "scores": _("Score each idea from 1 (low) to 5 (high) on each criterion."),
        },
        "stances": {"agree": _("Agree"), "disagree": _("Disagree"), "pass": _("Pass")},
        "stance_on": _("{stance}: {text}"),
        "my_stance": _("yours: {stance}"),
        "my_scores": _("yours: {scores}"),
        "agree_total": _("{agree} agree · {disagree} disagree · {pass} pass"),
        "consensus": _("consensus {percent}%"),
        "divisiveness": _("divisiveness {percent}%"),
        "score_total": _("{mean} out of 5"),
        "score_none": _("not scored yet"),
        "criterion_score": _("{criterion}: {mean}"),
        "scored_by": forms(lambda n: ngettext("{n} person scored", "{n} people scored", n)),
        "score_on": _("{criterion}: your score for “{text}”"),
        "score_clear": _("Clear"),
        "score_clear_on": _("Clear your score on {criterion} for “{text}”"),
        "scribe_stance": _("Their opinion"),
        "scribe_score": _("Their score"),
        "scribe_criterion": _("Criterion"),
        "scribe_enter": _("Enter it"),
        "scribe_take_back": _("None (take theirs back)"),
        "phase": _("Phase: {name}"),
        "step_into": _("Step into {name}"),
        "activity_none": _("No activity from participants yet"),
        "activity_now": _("Active now"),
        "activity_quiet": _("Quiet for {time}"),
        "room_gone": _("This room was removed."),
        "phase_label": _("Phase"),
        "hidden_total": _("Results hidden"),
        "hidden_idea": _("hidden from participants"),
        "no_role": _("no role given"),
        "all_roles": _("supported by every role in the room"),
        "hide": _("Hide"),
        "on_paper": _("On paper"),
        "from_paper": _("from paper"),
        "paper_votes": _("{n} from paper"),
        "scribe_title": _("Scribe: enter ideas and votes from paper"),
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
        "joined": forms(lambda n: ngettext("{n} person has joined", "{n} people have joined", n)),
        "report_back": _("Report-back: each room's top ideas"),
        "rooms_live": _("The rooms, live"),
        "results_hidden_note": _("Participants do not see the totals until you reveal them."),
        "time_left": _("Time left: {time}"),
        "then_phase": _("then {name}"),
        "no_next_phase": _("No phase change"),
        "facilitator": _("Facilitator: {name}"),
        "make_facilitator": _("Make {name} the facilitator"),
        # The console's room tiles and controls (static/js/console-rooms.js, moderate.js).
        "room_detail": _("Ideas ({ideas}) and people ({people})"),
        "lobby_badge": _("Lobby"),
        "ideas_count": forms(lambda n: ngettext("{n} idea", "{n} ideas", n)),
        "waiting_count": _("{n} to approve"),
        "results_state_hidden": _("Results hidden"),
        "results_state_shown": _("Results shown"),
        "results_all_hidden": _("Hidden from participants in every room, until you reveal them."),
        "results_all_shown": _("Shown to participants in every room."),
        "results_some_hidden": _("Hidden in {n} of {total} rooms, shown in the others."),
        "next_all": _("Next phase in every room: {name}"),
        "next_all_timed": _("Next phase in every room: {name}, {n} min"),
        "next_room": _("Next: {name}"),
        "next_room_timed": _("Next: {name}, {n} min"),
        "for_room": _("{label} — {room}"),
        "all_closed": _("Every room is closed"),
        "no_timer": _("No timer"),
        "phase_rooms": forms(lambda n: ngettext("{name}: {n} room", "{name}: {n} rooms", n)),
        "no_breakouts": _("No breakout rooms yet: add them in the settings."),
        # Themes (static/js/themes.js)
        "themes_heading": forms(lambda n: ngettext("Themes ({n})", "Themes ({n})", n)),
        "themes_help": _("Drag an idea by its handle ⠿ onto a theme, or use “Move to theme…”."),
        "themes_help_first": _("Name a first theme, then move the ideas into it."),
        "themes_watch": _("The ideas are being grouped into themes: you see every move live."),
        "no_themes": _("No themes yet."),
        "unthemed": forms(
            lambda n: ngettext("Not in a theme yet ({n})", "Not in a theme yet ({n})", n)
        ),
        "unthemed_empty": _("Every idea is in a theme."),
        "theme_empty": _("No ideas in this theme yet."),
        "theme_empty_edit": _("No ideas yet: drag one here, or use “Move to theme…”."),
        "theme_ideas": forms(lambda n: ngettext("{n} idea", "{n} ideas", n)),
        "theme_support": _("Support: {tally}"),
        "move_to_theme": _("Move to theme…"),
        "move_out": _("Out of any theme"),
        "drag_idea": _("Drag onto a theme"),
        "new_theme": _("New theme"),
        "add_theme": _("Add the theme"),
        "theme_name": _("Theme name"),
        "theme_description": _("Description (optional)"),
        "rename_theme": _("Rename"),
        "rename_theme_on": _("Rename the theme {name}"),
        "merge_theme": _("Merge"),
        "merge_theme_on": _("Merge the theme {name} into another"),
        "dissolve_theme": _("Dissolve"),
        "dissolve_theme_on": _("Dissolve the theme {name}"),
        "confirm_dissolve": _("Dissolve the theme “{name}”? Its ideas stay, outside any theme."),
        "you_moved": _("Moved to {theme}"),
        "you_moved_out": _("Taken out of its theme"),
        "news_moved": _("“{text}” moved to {theme}"),
        "news_moved_out": _("“{text}” was taken out of its theme"),
        "news_created": _("New theme: {name}"),
        "news_renamed": _("A theme is now called {name}"),
        "news_merged": _("The theme {merged} was merged into {name}"),
        "news_dissolved": _("The theme {name} was dissolved"),
        "news_many": forms(
            lambda n: ngettext("{n} change to the themes", "{n} changes to the themes", n)
        ),
        # Suggested themes, duplicates, similar ideas (static/js/suggestions.js)
        "suggest_heading": _("Suggested themes"),
        "suggest_help": _(
            "The app can group the ideas that are in no theme yet. You check, rename and "
            "choose; nothing changes until you create them."
        ),
        "suggest_button": _("Suggest themes"),
        "suggest_working": _("Working out themes…"),
        "suggest_found": forms(
            lambda n: ngettext("{n} theme suggested.", "{n} themes suggested.", n)
        ),
        "suggest_nothing": _("No theme to suggest: too few ideas outside a theme are alike."),
        "suggested_n": _("Suggestion {i} of {n}"),
        "suggest_create_this": _("Create this theme"),
        "suggest_typical": _("Most typical idea: {text}"),
        "suggest_create": _("Create the checked themes"),
        "suggest_discard": _("Discard"),
        "suggest_none_checked": _("Check at least one theme to create, or discard them."),
        "suggest_created": forms(
            lambda n: ngettext("{n} theme created.", "{n} themes created.", n)
        ),
        "suggest_discarded": _("Suggestions discarded."),
        "suggest_failed": _("No suggestions this time. Try again."),
        "suggest_offline": _("Offline: suggestions need the connection."),
        "suggest_timeout": _("No answer in time. Try again."),
        "duplicates_heading": _("Likely duplicates"),
        "duplicates_button": _("Find duplicates"),
        "duplicates_working": _("Looking for duplicates…"),
        "duplicates_found": forms(
            lambda n: ngettext(
                "{n} pair of ideas that may say the same thing.",
                "{n} pairs of ideas that may say the same thing.",
                n,
            )
        ),
        "duplicates_none": _("No likely duplicates."),
        "duplicates_read_only": _("A moderator can merge them."),
        "duplicate_alike": _("{percent}% alike"),
        "duplicate_merge": _("Merge"),
        "duplicates_merge_help": _(
            "Merging keeps the first idea; the votes of the second move to it."
        ),
        "duplicate_merge_label": _("Merge “{merged}” into “{kept}”"),
        "duplicate_merged": _("Merged."),
        "similar_heading": _("Support this one instead?"),
        "similar_help": _("An idea of your room says nearly the same. You can still post yours."),
        "similar_go": _("See this idea"),
        "similar_go_label": _("See this idea: {text}"),
        # Cross-room themes (static/js/cross-themes.js)
        "cross_suggest": _("Suggest cross-room themes"),
        "cross_suggesting": _("Looking for themes rooms share…"),
        "cross_no_suggestions": _("No theme is shared by two rooms yet."),
        "cross_suggest_failed": _("No answer from the server. Try again."),
        "cross_suggestions": _("Suggested cross-room themes"),
        "cross_rooms": _("Rooms: {rooms}"),
        "cross_name_label": _("Name of the cross-room theme"),
        "cross_keep": _("Keep"),
        "cross_discard": _("Discard"),
        "cross_kept_one": _("Kept: {name}"),
        "cross_none": _("None kept yet."),
        "cross_empty": _("No room theme left in it."),
        "cross_edit": _("Rename or change themes"),
        "cross_confirm_discard": _(
            "Discard the cross-room theme “{name}”? The rooms' themes stay."
        ),
        "cross_members_legend": _("Room themes in it"),
        "cross_choose_one": _("Choose at least one room theme, or discard it."),
        "cross_support_agree": _("{n} agree · {d} disagree"),
        "cross_support_scores": _("mean score {mean} from {n} scores"),
        "cross_found": forms(lambda n: ngettext("{n} suggestion", "{n} suggestions", n)),
        "cross_kept": forms(lambda n: ngettext("{n} cross-room theme", "{n} cross-room themes", n)),
        "cross_heading": forms(
            lambda n: ngettext("Across the rooms: {n} theme", "Across the rooms: {n} themes", n)
        ),
        # The shared outcome (static/js/outcome.js)
        "outcome_people": forms(
            lambda n: ngettext("{n} person took part", "{n} people took part", n)
        ),
        "outcome_rooms": forms(lambda n: ngettext("{n} room", "{n} rooms", n)),
        "outcome_pathways": _("Pathways toward equality"),
        "outcome_no_pathways": _("No pathway yet."),
        "outcome_from_room": _("From {room}"),
        "outcome_endorsements": forms(lambda n: ngettext("{n} endorsement", "{n} endorsements", n)),
        "outcome_challenge": _("The inequality it addresses"),
        "outcome_vision": _("Where we want to be"),
        "outcome_steps": _("Steps"),
        "outcome_step_actor": _("Who: {actor}"),
        "outcome_step_indicator": _("Progress shown by: {indicator}"),
        "outcome_cross": _("Themes across the rooms"),
        "outcome_room_theme": _("{room}: {theme}"),
        "outcome_rooms_heading": _("Rooms"),
        "outcome_themes": _("Themes"),
        "outcome_top_ideas": _("Top ideas"),
        "outcome_hidden": _("Results not shown yet."),
        "outcome_no_ideas": _("No ideas yet."),
        "outcome_live": _("This page updates by itself."),
        "outcome_updated": _("Updated with the latest results."),
        "outcome_thanks": _("Thank you for taking part! Here is what the rooms made together."),
        "outcome_share": _("Open the outcome page to keep or share it"),
        "outcome_show": _("Show the outcome"),
        "outcome_show_rooms": _("Show the rooms live"),
        # The projector's pages of rooms (static/js/screen.js, screen-pager.js)
        "screen_rooms_of": _("Rooms {from}–{to} of {n}"),  # noqa: RUF001 (a range: en dash)
        "screen_room_of": _("Room {from} of {n}"),
        "screen_newest": _("Newest ideas"),
        # Human-rights tags (static/js/tags.js)
        "tags_list": _("Tags"),
        "tag_kinds": {
            "rights": _("Human rights"),
            "groups": _("Groups at risk of exclusion"),
            "domains": _("Policy domains"),
        },
        "tag_kind_prefix": {
            "rights": _("Right:"),
            "groups": _("Group:"),
            "domains": _("Domain:"),
        },
        "tags_add": _("Add tags"),
        "tags_change": _("Change tags"),
        "tags_add_on": _("Add tags to: {text}"),
        "tags_change_on": _("Change tags on: {text}"),
        "tags_title": _("Tags for: {text}"),
        "tags_help": _("Tap a tag to add it or take it off. Each change is saved at once."),
        "tags_search": _("Find a tag"),
        "tags_no_match": _("No tag matches “{query}”."),
        "tags_count": _("{n} of {max} chosen."),
        "tags_limit_idea": _("An idea has at most {max} tags: take one off to add another."),
        "tags_limit_theme": _("A theme has at most {max} tags: take one off to add another."),
        "tags_limit_pathway": _("A pathway has at most {max} tags: take one off to add another."),
        "tags_help_pick": _("Tap a tag to add it or take it off. Save the pathway to keep them."),
        "tags_added": _("Added: {label}."),
        "tags_removed": _("Removed: {label}."),
        "tags_done": _("Done"),
        "tags_suggested": _("Suggested from the idea's text"),
        "tags_suggested_help": _("A suggestion is only added when you tap it."),
        # Pathways (static/js/pathways.js)
        "pathways_heading": forms(lambda n: ngettext("Pathways ({n})", "Pathways ({n})", n)),
        "pathways_help": _(
            "Read each pathway, endorse the ones you support, and say what is missing."
        ),
        "pathways_watch": _("Participants read, endorse and comment on these pathways now."),
        "no_pathways": _("No pathways yet."),
        "pathway_fields": {
            "title": _("Title"),
            "challenge": _("The inequality it addresses"),
            "vision": _("Where we want to be"),
            "steps": _("Steps"),
            "tag_ids": _("Rights, groups and domains"),
            "idea_ids": _("Ideas it builds on"),
        },
        "pathway_from_theme": _("From the theme: {name}"),
        "steps_heading": forms(lambda n: ngettext("Steps ({n})", "Steps ({n})", n)),
        "no_steps": _("No steps yet."),
        "step_untitled": _("Step {n}"),
        "step_n": _("Step {n}"),
        "step_action": _("What is done"),
        "step_actor": _("Who does it"),
        "step_horizon": _("When"),
        "step_indicator": _("How we see progress"),
        "horizons": {
            "short": _("Short term"),
            "medium": _("Medium term"),
            "long": _("Long term"),
        },
        "step_up": _("Move up"),
        "step_up_on": _("Move up: step {n}"),
        "step_down": _("Move down"),
        "step_down_on": _("Move down: step {n}"),
        "step_remove": _("Remove"),
        "step_remove_on": _("Remove: step {n}"),
        "step_add": _("Add a step"),
        "step_added": _("Step {n} added."),
        "step_moved": _("Now step {n}."),
        "step_removed": _("Step {n} removed."),
        "step_needs_action": _("Step {n} needs its action: say what is done."),
        "pathway_ideas": forms(
            lambda n: ngettext("{n} idea it builds on", "{n} ideas it builds on", n)
        ),
        "pathway_ideas_chosen": forms(
            lambda n: ngettext(
                "Ideas it builds on: {n} chosen", "Ideas it builds on: {n} chosen", n
            )
        ),
        "no_ideas_to_link": _("No ideas in this room yet."),
        "no_tags": _("This workshop has no tags."),
        "endorsements": forms(lambda n: ngettext("{n} endorsement", "{n} endorsements", n)),
        "endorse": _("Endorse"),
        "endorsed_now": _("You endorse this pathway."),
        "endorsed_not": _("You no longer endorse this pathway."),
        "comments_heading": forms(lambda n: ngettext("Comments ({n})", "Comments ({n})", n)),
        "comment_label": _("Your comment"),
        "comment_send": _("Comment"),
        "comment_sent": _("Comment sent."),
        "hide_comment_on": _("Hide the comment: {text}"),
        "edit_pathway_on": _("Edit the pathway: {title}"),
        "remove_pathway": _("Remove"),
        "remove_pathway_on": _("Remove the pathway: {title}"),
        "confirm_remove_pathway": _("Remove the pathway “{title}”? Its comments go with it."),
        "draft_heading": _("Draft a pathway"),
        "draft_help": _(
            "Start from a theme (its name, ideas and tags come with it) or from a title."
        ),
        "draft_pathway": _("Draft a pathway"),
        "draft_from_theme": _("Draft a pathway from “{name}”"),
        "draft_from_scratch": _("Title of a new pathway"),
        "pathway_drafting": _("Drafting the pathway…"),
        "pathway_editor": _("Edit the pathway"),
        "close_editor": _("Close"),
        "confirm_close_editor": _("Close without saving? What you changed will be lost."),
        "pathway_saving": _("Saving…"),
        "pathway_saved_now": _("Pathway saved."),
        "pathway_not_saved": _("The pathway was not saved."),
        "pathway_nothing_changed": _("Nothing changed."),
        "pathway_title_needed": _("Give the pathway a title."),
        "pathway_unsaved": _("Not saved yet: {fields}."),
        "pathway_removed_meanwhile": _(
            "Someone removed this pathway. What you typed is still here to copy."
        ),
        "pathway_updated": _("Updated by someone else: {fields}. Your own changes are kept."),
        "pathway_updated_yours": _(
            "Someone else also changed {fields}, which you are changing: "
            "when you save, you choose which to keep."
        ),
        "conflict_heading": _("Someone else saved this pathway while you were editing it."),
        "conflict_help": _(
            "For each field below, keep their text or use yours. Nothing is lost until you choose."
        ),
        "conflict_choose": _("Choose for each field above, then it saves."),
        "conflict_theirs": _("Saved by someone else:"),
        "conflict_mine": _("What you typed:"),
        "keep_theirs": _("Keep theirs"),
        "keep_theirs_on": _("Keep theirs: {field}"),
        "use_mine": _("Use mine"),
        "use_mine_on": _("Use mine: {field}"),
        "kept_theirs": _("Their version is kept."),
        "empty_value": _("(empty)"),
        "tags_news": _("Tags changed on “{text}”."),
        "tags_news_many": forms(
            lambda n: ngettext("Tags changed on {n} item.", "Tags changed on {n} items.", n)
        ),
    }
