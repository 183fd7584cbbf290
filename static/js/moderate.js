// The moderator's console: every room live, and the controls that place people.
import { Live } from "./live.js";
import { t } from "./i18n.js";
import { formatDuration, secondsLeft, secondsSince } from "./clock.js";
import { applyRoomEvent, ranked, supportedByAllRoles } from "./workshop-state.js";
import { describeTally, shortTally } from "./tallies.js";
import { scribePanel } from "./scribe.js";
import { themeBoard } from "./themes.js";
import { itemTags } from "./tags.js";
import { asker } from "./suggestions.js";
import { crossThemePanel } from "./cross-themes.js";
import { draftButton, pathwayBoard, pathwayResult } from "./pathways.js";
import { element } from "./dom.js";

const PHASES = ["propose", "cluster", "vote", "pathway", "closed"];

const workshopId = Number(document.body.dataset.workshopId);
const $ = (id) => document.getElementById(id);
let snapshot = null;
const openScribes = new Set(); // rooms whose scribe panel is open: it stays open on re-render // {workshop, rooms: [{id, name, members_list, ideas, ...}]}

const live = new Live({
  namespace: "/moderator",
  auth: { workshop: workshopId },
  storageKey: `cocreate:moderator-outbox:${workshopId}`,
  syncPayload: () => ({}),
  onSync: (ack) => {
    snapshot = ack.snapshot;
    render();
    return Object.fromEntries(snapshot.rooms.map((room) => [room.id, room.seq]));
  },
  onEvent: applyEvent,
  onResult: (action, ack) => {
    if (pathwayResult(action, ack, live.pending())) return; // pathways.js: its editor, conflicts
    if (!ack.ok) {
      $("breakout-state").textContent = ack.error.message;
      live.sync();
    }
  },
  onStatus: ({ state, pending, error }) => {
    // A refused console says why (signed out, taken off the workshop): the server's words.
    const text = state === "refused" && error?.data?.message ? error.data.message : t(state === "refused" ? "offline" : state);
    $("status").textContent = pending ? `${text} · ${t("pending", { n: pending })}` : text;
    $("status").dataset.state = state;
  },
});

function applyEvent(event) {
  const changed = applyRoomEvent(snapshot, event);
  if (changed === "resync") live.sync(); // rooms were added or removed, or the voting mode changed
  else if (changed === "workshop") render();
  else if (changed === "cross_themes") crossThemes.render();
  else if (changed) renderRoomCard(changed); // only the card that changed: open menus elsewhere stay open
  // Room themes and votes change what the cross-room themes show (names, support).
  if (changed && typeof changed === "object" && (event.type.includes("theme") || event.type === "votes_changed")) {
    crossThemes.render();
  }
}

const crossThemes = crossThemePanel({
  root: $("cross-themes"),
  getSnapshot: () => snapshot,
  send: (event, payload) => live.send(event, payload),
  ask: (event, payload) => live.socket.timeout(30000).emitWithAck(event, payload),
});

function render() {
  const w = snapshot.workshop;
  $("assignment").value = w.assignment;
  $("open-breakouts").disabled = w.breakouts_open;
  $("close-breakouts").disabled = !w.breakouts_open;
  $("spread").disabled = !w.breakouts_open;
  const focused = document.activeElement?.id;
  $("rooms").replaceChildren(...snapshot.rooms.map(renderRoom));
  crossThemes.render();
  if (focused && $(focused)) $(focused).focus();
}

function renderRoomCard(r) {
  const old = document.querySelector(`.room-card[data-room-id="${r.id}"]`);
  if (!old) return render();
  const focused = document.activeElement?.id;
  old.replaceWith(renderRoom(r));
  if (focused && $(focused)) $(focused).focus();
}

function renderRoom(r) {
  const card = $("room-card").content.firstElementChild.cloneNode(true);
  card.dataset.roomId = String(r.id);
  card.dataset.phase = r.kind === "breakout" ? r.phase : "";
  card.querySelector(".room-name").textContent = r.kind === "plenary" ? t("plenary") : r.name;
  card.querySelector(".room-topic").textContent = r.topic;
  const step = card.querySelector(".step-into");
  if (r.kind === "breakout") {
    step.textContent = t("step_into", { name: r.name });
    // The template's link for room 0, made by url_for: the same path for this room.
    step.href = step.dataset.href.replace("/rooms/0/", `/rooms/${r.id}/`);
  } else {
    step.parentElement.remove();
  }
  card.querySelector(".room-count").textContent = t("members", { n: r.members_list.length });
  const drive = card.querySelector(".room-drive");
  if (r.kind === "plenary") {
    drive.querySelector(".room-phase-label").remove();
    drive.querySelector(".room-phase").remove();
  } else {
    const select = drive.querySelector(".room-phase");
    select.id = `phase-${r.id}`;
    const label = drive.querySelector(".room-phase-label");
    label.htmlFor = select.id;
    label.textContent = t("phase_label");
    fillPhases(select, false);
    select.value = r.phase;
    select.addEventListener("change", () => live.send("set_phase", { phase: select.value, room_id: r.id }));
  }
  const timer = drive.querySelector(".timer");
  timer.dataset.endsAt = r.timer ? r.timer.ends_at : "";
  timer.dataset.next = r.timer && r.timer.next_phase ? r.timer.next_phase : "";
  renderTimer(timer);
  const activity = drive.querySelector(".room-activity");
  activity.dataset.at = r.last_activity || "";
  activity.dataset.phase = r.kind === "breakout" ? r.phase : "";
  renderActivity(activity);
  drive.querySelector(".room-facilitator").textContent = r.facilitator
    ? t("facilitator", { name: r.facilitator.name || `${t("anonymous")} #${r.facilitator.id}` })
    : "";
  drive.querySelector(".room-notice").textContent = r.notice || "";
  drive.querySelector(".room-hidden").textContent = r.results_hidden ? t("results_hidden_note") : "";
  const members = card.querySelector(".member-list");
  if (!r.members_list.length) members.append(element("li", "meta", t("nobody")));
  [...r.members_list].sort((a, b) => a.id - b.id).forEach((m) => members.append(renderMember(m, r)));
  const ideas = card.querySelector(".idea-list");
  const waiting = r.ideas.filter((idea) => idea.status === "pending");
  const hidden = r.ideas.filter((idea) => idea.status === "hidden");
  [...waiting, ...ranked(snapshot.workshop, r), ...hidden].forEach((idea) => {
    ideas.append(renderIdea(idea, supportedByAllRoles(snapshot.workshop, r, idea), r));
  });
  const lock = element("button", null, r.locked ? t("unlock_room") : t("lock_room"));
  lock.type = "button";
  if (r.kind === "breakout") {
    lock.addEventListener("click", () => live.send("lock_room", { room_id: r.id, locked: !r.locked }));
    card.querySelector(".room-drive").append(lock);
    const scribe = scribePanel({
      members: r.members_list,
      ideas: ranked(snapshot.workshop, r),
      workshop: snapshot.workshop,
      phase: r.phase,
      roomId: r.id,
      send: (event, payload) => live.send(event, payload),
    });
    card.querySelector(".room-themes").replaceChildren(
      themeBoard({
        roomId: r.id,
        holder: r,
        workshop: snapshot.workshop,
        phase: r.phase,
        resultsHidden: false, // moderators see the counts
        canEdit: r.phase !== "closed", // a closed room's themes stay as they are
        moderator: true,
        send: (event, payload) => live.send(event, payload),
        // The themes' tags, and the ideas' chips (their button is in the idea list).
        tags: (kind, item) => tagsOf(kind, item, r, kind === "theme", "board-"),
        ask: asker(live.socket),
        duplicates: true,
        merge: (keepId, duplicateId) => live.send("merge_ideas", { keep_id: keepId, duplicate_id: duplicateId }),
        rerender: () => renderRoomCard(r),
        level: 4,
        foldable: true,
        themeActions: r.phase !== "closed" ? (theme) => draftButton(pathwaysOf(r), theme) : undefined,
      }),
    );
    card.querySelector(".room-pathways").replaceChildren(pathwayBoard(pathwaysOf(r)));
    scribe.open = openScribes.has(r.id);
    scribe.addEventListener("toggle", () => (scribe.open ? openScribes.add(r.id) : openScribes.delete(r.id)));
    card.append(scribe);
  }
  return card;
}

function renderIdea(idea, allRoles, room) {
  const hidden = idea.status === "hidden";
  const pending = idea.status === "pending";
  const li = element("li", hidden ? "idea hidden-idea" : pending ? "idea pending-idea" : "idea");
  const line = element("span", "idea-line", idea.text);
  const state = hidden
    ? t("hidden_idea")
    : pending
      ? t("awaiting_approval")
      : describeTally(snapshot.workshop, idea.tally);
  line.append(element("span", "tally", ` · ${state}`));
  li.append(line);
  if (idea.on_paper) line.append(element("span", "meta", ` · ${t("from_paper")}`));
  if (idea.paper_votes) line.append(element("span", "meta", ` · ${t("paper_votes", { n: idea.paper_votes })}`));
  const roles = Object.entries(idea.by_role || {});
  if (roles.length && !hidden) {
    const support = element("span", "by-role", roles.map(([role, tally]) => `${role || t("no_role")} ${shortTally(snapshot.workshop, tally)}`).join(" · "));
    if (allRoles) support.prepend(element("span", "all-roles", `✓ ${t("all_roles")} · `));
    li.append(support);
  }
  const tags = tagsOf("idea", idea, room, !hidden && !pending); // moderators: any phase
  if (tags) li.append(tags);
  const actions = element("span", "idea-actions");
  const button = (label, name, onClick) => {
    const b = element("button", "link", label);
    b.type = "button";
    b.setAttribute("aria-label", `${name}: ${idea.text}`);
    b.addEventListener("click", onClick);
    actions.append(b);
  };
  if (hidden) {
    button(t("restore"), t("restore"), () => live.send("restore_idea", { idea_id: idea.id }));
  } else if (pending) {
    button(t("approve"), t("approve"), () => live.send("approve_idea", { idea_id: idea.id }));
    button(t("hide"), t("hide"), () => live.send("hide_idea", { idea_id: idea.id }));
  } else {
    button(t("hide"), t("hide"), () => live.send("hide_idea", { idea_id: idea.id }));
    button(t("correct"), t("correct"), () => {
      const text = window.prompt(t("correct_prompt"), idea.text);
      if (text && text.trim() && text !== idea.text) {
        live.send("correct_idea", { idea_id: idea.id, text, details: idea.details });
      }
    });
    const others = ranked(snapshot.workshop, room).filter((other) => other.id !== idea.id);
    if (others.length) {
      const merge = element("select", "merge");
      merge.setAttribute("aria-label", t("merge_into", { text: idea.text }));
      merge.append(new Option(t("merge_choose"), ""));
      others.forEach((other) => merge.append(new Option(other.text, String(other.id))));
      merge.addEventListener("change", () => {
        if (merge.value) live.send("merge_ideas", { keep_id: Number(merge.value), duplicate_id: idea.id });
      });
      actions.append(merge);
    }
  }
  li.append(actions);
  return li;
}

/** What pathways.js needs to draw a room's pathways: moderators edit them in any open phase. */
function pathwaysOf(r) {
  return {
    roomId: r.id,
    holder: r,
    workshop: snapshot.workshop,
    phase: r.phase,
    resultsHidden: false, // moderators see the counts
    canEdit: r.phase !== "closed",
    canHide: true,
    moderator: true,
    send: (event, payload) => live.send(event, payload),
    rerender: () => renderRoomCard(r),
    level: 4,
    foldable: true,
  };
}

/** An idea's or theme's tags (tags.js), with the picker's button when `canTag`. */
function tagsOf(kind, item, room, canTag, place = "") {
  return itemTags({
    kind,
    item,
    place,
    workshop: snapshot.workshop,
    canTag,
    send: (event, payload) => live.send(event, payload),
    ask: asker(live.socket),
    onChange: () => renderRoomCard(room),
  });
}

function renderMember(member, current) {
  const li = element("li", "member");
  const name = member.name || `${t("anonymous")} #${member.id}`;
  li.append(element("span", null, name));
  const selectId = `move-member-${member.id}`; // "move-<idea id>" is a theme menu (themes.js)
  const label = element("label", "visually-hidden", t("move_to", { name }));
  label.htmlFor = selectId;
  const select = element("select");
  select.id = selectId;
  snapshot.rooms.forEach((r) => {
    const option = element("option", null, r.kind === "plenary" ? t("plenary") : r.name);
    option.value = String(r.id);
    option.selected = r.id === current.id;
    select.append(option);
  });
  select.addEventListener("change", () =>
    live.send("move_participant", { participant_id: member.id, room_id: Number(select.value) }),
  );
  li.append(label, select);
  if (current.kind === "breakout" && !(current.facilitator && current.facilitator.id === member.id)) {
    const lead = element("button", "link", "★");
    lead.type = "button";
    lead.setAttribute("aria-label", t("make_facilitator", { name }));
    lead.title = t("make_facilitator", { name });
    lead.addEventListener("click", () => live.send("appoint_facilitator", { participant_id: member.id }));
    li.append(lead);
  }
  const remove = element("button", "link danger", "✕");
  remove.type = "button";
  remove.setAttribute("aria-label", t("remove_person", { name }));
  remove.title = t("remove_person", { name });
  remove.addEventListener("click", () => {
    if (window.confirm(t("confirm_remove", { name }))) live.send("remove_participant", { participant_id: member.id });
  });
  li.append(remove);
  return li;
}

$("assignment").addEventListener("change", (e) => live.send("set_assignment", { mode: e.target.value }));
$("open-breakouts").addEventListener("click", () => live.send("open_breakouts", {}));
$("spread").addEventListener("click", () => live.send("spread", {}));
$("close-breakouts").addEventListener("click", () => live.send("close_breakouts", {}));

function fillPhases(select, withNone) {
  if (withNone) select.append(new Option(t("no_next_phase"), ""));
  PHASES.forEach((p) => select.append(new Option(t("phase_names", { which: p }), p)));
}

function renderTimer(element) {
  if (!element.dataset.endsAt) {
    element.textContent = "";
    return;
  }
  let text = t("time_left", { time: formatDuration(secondsLeft(element.dataset.endsAt)) });
  if (element.dataset.next) text += ` · ${t("then_phase", { name: t("phase_names", { which: element.dataset.next }) })}`;
  element.textContent = text;
}
// A room counts as active for a minute after a participant's last action; one silent for
// three minutes while people should be posting or voting is flagged, so it gets help in time.
const ACTIVE_SECONDS = 60;
const SILENT_SECONDS = 180;

function renderActivity(element) {
  const at = element.dataset.at;
  const since = at ? secondsSince(at) : null;
  if (since === null) element.textContent = t("activity_none");
  else if (since < ACTIVE_SECONDS) element.textContent = t("activity_now");
  else element.textContent = t("activity_quiet", { time: formatDuration(since) });
  const expected = ["propose", "vote"].includes(element.dataset.phase);
  element.classList.toggle("silent", expected && (since === null || since >= SILENT_SECONDS));
}

setInterval(() => {
  document.querySelectorAll("#rooms .timer").forEach(renderTimer);
  document.querySelectorAll("#rooms .room-activity").forEach(renderActivity);
}, 1000);

fillPhases($("all-phase-select"), false);
fillPhases($("all-next"), true);
$("all-phase").addEventListener("submit", (e) => {
  e.preventDefault();
  live.send("set_phase", { phase: $("all-phase-select").value });
});
$("all-timer").addEventListener("submit", (e) => {
  e.preventDefault();
  const seconds = Math.round(Number($("all-minutes").value) * 60);
  live.send("start_timer", { seconds, next_phase: $("all-next").value || null });
});
$("all-stop").addEventListener("click", () => live.send("stop_timer", {}));
$("all-message").addEventListener("submit", (e) => {
  e.preventDefault();
  live.send("broadcast", { text: $("all-message-text").value });
  $("all-message-text").value = "";
});
$("hide-results").addEventListener("click", () => live.send("set_results_hidden", { hidden: true }));
$("reveal-results").addEventListener("click", () => live.send("set_results_hidden", { hidden: false }));
