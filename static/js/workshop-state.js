// A workshop as a moderator's page follows it: the snapshot of every room, kept current
// by the rooms' events. Shared by the console and the projector screen.
import { Live } from "./live.js";
import { t } from "./i18n.js";
import { byTally, supports } from "./tallies.js";
import { applyThemeEvent } from "./themes.js";
import { applyTagEvent } from "./tags.js";
import { applyPathwayEvent } from "./pathways.js";
import { applyCrossThemeEvent, dropTheme } from "./cross-themes.js";

/**
 * Follow a workshop read-only on the moderator namespace (the projector, a room's view):
 * keep its snapshot current and call render(snapshot, event) after the first snapshot
 * (event undefined) and after each event. Shows the connection in #status.
 */
export function followWorkshop(workshopId, page, render) {
  let snapshot = null;
  const status = document.getElementById("status");
  const live = new Live({
    namespace: "/moderator",
    auth: { workshop: workshopId },
    storageKey: `cocreate:${page}-outbox:${workshopId}`, // these pages send nothing
    syncPayload: () => ({}),
    onSync: (ack) => {
      snapshot = ack.snapshot;
      render(snapshot);
      return Object.fromEntries(snapshot.rooms.map((room) => [room.id, room.seq]));
    },
    onEvent: (event) => {
      if (applyRoomEvent(snapshot, event) === "resync") live.sync();
      else render(snapshot, event);
    },
    onResult: () => {},
    onStatus: ({ state, error }) => {
      const refusal = state === "refused" && error?.data?.message;
      status.textContent = refusal || t(state === "refused" ? "offline" : state);
      status.dataset.state = state;
    },
  });
  return live;
}

/**
 * Apply one room event to the snapshot {workshop, rooms, cross_themes}.
 * Returns "resync" when the list of rooms changed (ask for a snapshot), "workshop" when
 * the workshop's rules changed, "cross_themes" when a cross-room theme changed, or the
 * room the event changed (null when unknown).
 */
export function applyRoomEvent(snapshot, event) {
  const target = snapshot.rooms.find((r) => r.id === event.room_id);
  if (!target) return null;
  if (applyCrossThemeEvent(snapshot, event)) return "cross_themes";
  // A room theme deleted leaves its cross-room theme (cross-themes.js, dropTheme).
  if (event.type === "theme_dissolved") dropTheme(snapshot, event.data.theme_id);
  if (event.type === "themes_merged") dropTheme(snapshot, event.data.merged_id);
  if (event.by === "participant") target.last_activity = event.at;
  const data = event.data;
  switch (event.type) {
    case "member_joined":
      target.members_list = target.members_list.filter((m) => m.id !== data.member.id).concat([data.member]);
      break;
    case "member_left":
      target.members_list = target.members_list.filter((m) => m.id !== data.member_id);
      break;
    case "member_renamed":
      target.members_list = target.members_list.map((m) => (m.id === data.member.id ? data.member : m));
      break;
    case "idea_submitted": // moderators get the pending idea; participants only its id
      if (!data.idea) break;
    // falls through
    case "idea_corrected": // a hidden or pending idea's new text, for moderators only
      if (!data.idea) break;
    // falls through
    case "idea_posted":
    case "idea_edited":
    case "idea_restored":
      target.ideas = target.ideas.filter((i) => i.id !== data.idea.id).concat([data.idea]);
      target.ideas.sort((a, b) => a.id - b.id);
      break;
    case "idea_withdrawn":
      target.ideas = target.ideas.filter((i) => i.id !== data.idea_id);
      break;
    case "ideas_merged":
      return "resync"; // the kept idea's support by role changed: take a fresh snapshot
    case "idea_hidden": {
      const idea = target.ideas.find((i) => i.id === data.idea_id);
      // Its votes went back: nothing to count until it is restored.
      if (idea) Object.assign(idea, { status: "hidden", tally: null, by_role: {}, paper_votes: 0 });
      break;
    }
    case "votes_changed": {
      // Moderators' events carry the idea's whole count: tally, by role, from paper.
      const idea = target.ideas.find((i) => i.id === data.idea_id);
      if (idea) Object.assign(idea, { tally: data.tally, by_role: data.by_role, paper_votes: data.paper_votes });
      break;
    }
    case "results_hidden":
      target.results_hidden = true;
      break;
    case "results_revealed":
      target.results_hidden = false;
      break;
    case "phase_changed":
      target.phase = data.phase;
      break;
    case "timer_started":
      target.timer = data;
      break;
    case "timer_stopped":
      target.timer = null;
      break;
    case "notice":
      target.notice = data.text;
      break;
    case "facilitator_changed":
      target.facilitator = data.facilitator;
      break;
    case "workshop_changed": {
      // A new voting mode or criteria: every tally changes shape, so take a fresh snapshot.
      const voting = (w) => JSON.stringify([w.voting_mode, w.criteria]);
      const recount = voting(data.workshop) !== voting(snapshot.workshop);
      snapshot.workshop = data.workshop;
      const ids = (rooms) => rooms.map((r) => r.id).join();
      if (recount || (data.rooms && ids(data.rooms) !== ids(snapshot.rooms))) return "resync";
      (data.rooms || []).forEach((r) => {
        const known = snapshot.rooms.find((k) => k.id === r.id);
        if (known) Object.assign(known, { name: r.name, topic: r.topic, locked: r.locked });
      });
      return "workshop";
    }
    default:
      // theme_created, idea_moved, themes_merged, …; idea_tagged, theme_tagged; pathway_*
      if (!applyThemeEvent(target, event) && !applyTagEvent(target, event)) applyPathwayEvent(target, event);
      break;
  }
  return target;
}

/**
 * Whether every stakeholder role declared by the room's members (two at least) supports
 * the idea (tallies.js `supports`): the same rule as the server's results.all_roles.
 */
export function supportedByAllRoles(workshop, room, idea) {
  const declared = new Set(room.members_list.map((m) => m.role).filter(Boolean));
  return declared.size >= 2 && [...declared].every((role) => supports(workshop, (idea.by_role || {})[role]));
}

/** A room's ideas that everyone sees (not hidden, not waiting for approval). */
export function shown(room) {
  return room.ideas.filter((idea) => idea.status === undefined || idea.status === "visible");
}

/** A room's shown ideas, best tally first in the workshop's voting mode (ties: oldest first). */
export function ranked(workshop, room) {
  return shown(room).sort(byTally(workshop));
}
