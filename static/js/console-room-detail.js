// The console's detail of one room, opened on demand from its tile (console-rooms.js):
// its people (move, facilitator ★, remove), its ideas with their moderation (hide,
// correct, merge), its themes, pathways and scribe. Drawn only while it is open, so ten
// rooms of long ideas cost the console ten tiles, not ten boards.
import { t } from "./i18n.js";
import { describeTally, shortTally } from "./tallies.js";
import { ranked, supportedByAllRoles } from "./workshop-state.js";
import { scribePanel } from "./scribe.js";
import { themeBoard } from "./themes.js";
import { itemTags } from "./tags.js";
import { asker } from "./suggestions.js";
import { draftButton, pathwayBoard } from "./pathways.js";
import { element } from "./dom.js";
import { onChoose } from "./choose.js";

/** The rooms whose detail and scribe panel are open: they stay open when the room is drawn
 * again, and the details after a reload (this tab's session storage). */
const OPEN_KEY = `cocreate:console-open:${location.pathname}`;
const openDetails = new Set(JSON.parse(sessionStorage.getItem(OPEN_KEY) || "[]"));
const openScribes = new Set();

function rememberOpen() {
  sessionStorage.setItem(OPEN_KEY, JSON.stringify([...openDetails]));
}

/** The longest idea text a "Merge into…" choice shows: the menu's width never depends on an idea. */
const CHOICE_CHARS = 70;

function shortened(text) {
  return text.length > CHOICE_CHARS ? `${text.slice(0, CHOICE_CHARS - 1).trimEnd()}…` : text;
}

export function personName(member) {
  return member.name || `${t("anonymous")} #${member.id}`;
}

/**
 * Fill the detail of room `r` inside its tile `card`. `page` is the console's
 * {live, snapshot(), redraw(room)}: how to send, what the workshop is now, how to draw
 * the room again after a change made here.
 */
export function fillDetail(card, r, page) {
  const detail = card.querySelector(".room-detail");
  const summary = detail.querySelector(".room-detail-summary");
  summary.replaceChildren(
    element("span", null, t("room_detail", { ideas: r.ideas.length, people: r.members_list.length })),
    element("span", "visually-hidden", ` · ${r.kind === "plenary" ? t("plenary") : r.name}`),
  );
  detail.open = openDetails.has(r.id);
  const draw = () => {
    if (detail.open && !detail.dataset.drawn) drawDetail(card, r, page);
  };
  detail.addEventListener("toggle", () => {
    if (detail.open) openDetails.add(r.id);
    else openDetails.delete(r.id);
    rememberOpen();
    card.classList.toggle("open", detail.open);
    draw();
  });
  card.classList.toggle("open", detail.open);
  draw();
}

function drawDetail(card, r, page) {
  const snapshot = page.snapshot();
  const send = (event, payload) => page.live.send(event, payload);
  card.querySelector(".room-detail").dataset.drawn = "1";
  const step = card.querySelector(".step-into");
  if (r.kind === "breakout") {
    step.textContent = t("step_into", { name: r.name });
    // The template's link for room 0, made by url_for: the same path for this room.
    step.href = step.dataset.href.replace("/rooms/0/", `/rooms/${r.id}/`);
  } else {
    step.parentElement.remove();
  }
  card.querySelector(".room-hidden").textContent = r.results_hidden ? t("results_hidden_note") : "";
  const members = card.querySelector(".member-list");
  if (!r.members_list.length) members.append(element("li", "meta", t("nobody")));
  [...r.members_list].sort((a, b) => a.id - b.id).forEach((m) => members.append(memberRow(m, r, page)));
  const ideas = card.querySelector(".idea-list");
  const waiting = r.ideas.filter((idea) => idea.status === "pending");
  const hidden = r.ideas.filter((idea) => idea.status === "hidden");
  [...waiting, ...ranked(snapshot.workshop, r), ...hidden].forEach((idea) => {
    ideas.append(ideaRow(idea, supportedByAllRoles(snapshot.workshop, r, idea), r, page));
  });
  if (r.kind !== "breakout") return;
  const lock = element("button", null, r.locked ? t("unlock_room") : t("lock_room"));
  lock.type = "button";
  lock.addEventListener("click", () => send("lock_room", { room_id: r.id, locked: !r.locked }));
  card.querySelector(".room-tools").append(lock);
  card.querySelector(".room-themes").replaceChildren(
    themeBoard({
      roomId: r.id,
      holder: r,
      workshop: snapshot.workshop,
      phase: r.phase,
      resultsHidden: false, // moderators see the counts
      canEdit: r.phase !== "closed", // a closed room's themes stay as they are
      moderator: true,
      send,
      // The themes' tags, and the ideas' chips (their button is in the idea list).
      tags: (kind, item) => tagsOf(kind, item, r, kind === "theme", page, "board-"),
      ask: asker(page.live.socket),
      duplicates: true,
      merge: (keepId, duplicateId) => send("merge_ideas", { keep_id: keepId, duplicate_id: duplicateId }),
      rerender: () => page.redraw(r),
      level: 4,
      foldable: true,
      themeActions: r.phase !== "closed" ? (theme) => draftButton(pathwaysOf(r, page), theme) : undefined,
    }),
  );
  card.querySelector(".room-pathways").replaceChildren(pathwayBoard(pathwaysOf(r, page)));
  const scribe = scribePanel({
    members: r.members_list,
    ideas: ranked(snapshot.workshop, r),
    workshop: snapshot.workshop,
    phase: r.phase,
    roomId: r.id,
    send,
  });
  scribe.open = openScribes.has(r.id);
  scribe.addEventListener("toggle", () => (scribe.open ? openScribes.add(r.id) : openScribes.delete(r.id)));
  card.querySelector(".detail-work").append(scribe);
}

function ideaRow(idea, allRoles, room, page) {
  const workshop = page.snapshot().workshop;
  const send = (event, payload) => page.live.send(event, payload);
  const hidden = idea.status === "hidden";
  const pending = idea.status === "pending";
  const li = element("li", hidden ? "idea hidden-idea" : pending ? "idea pending-idea" : "idea");
  li.dataset.key = `idea-${idea.id}`; // the keyboard stays on this idea when the room is drawn again (moderate.js)
  const line = element("span", "idea-line", idea.text);
  const state = hidden ? t("hidden_idea") : pending ? t("awaiting_approval") : describeTally(workshop, idea.tally);
  line.append(element("span", "tally", ` · ${state}`));
  li.append(line);
  if (idea.on_paper) line.append(element("span", "meta", ` · ${t("from_paper")}`));
  if (idea.paper_votes) line.append(element("span", "meta", ` · ${t("paper_votes", { n: idea.paper_votes })}`));
  const roles = Object.entries(idea.by_role || {});
  if (roles.length && !hidden) {
    const support = element("span", "by-role", roles.map(([role, tally]) => `${role || t("no_role")} ${shortTally(workshop, tally)}`).join(" · "));
    if (allRoles) support.prepend(element("span", "all-roles", `✓ ${t("all_roles")} · `));
    li.append(support);
  }
  const tags = tagsOf("idea", idea, room, !hidden && !pending, page); // moderators: any phase
  if (tags) li.append(tags);
  const actions = element("div", "idea-actions");
  const button = (label, onClick) => {
    const b = element("button", "idea-action", label);
    b.type = "button";
    b.setAttribute("aria-label", `${label}: ${idea.text}`);
    b.addEventListener("click", onClick);
    actions.append(b);
  };
  if (hidden) {
    button(t("restore"), () => send("restore_idea", { idea_id: idea.id }));
  } else if (pending) {
    button(t("approve"), () => send("approve_idea", { idea_id: idea.id }));
    button(t("hide"), () => send("hide_idea", { idea_id: idea.id }));
  } else {
    button(t("hide"), () => send("hide_idea", { idea_id: idea.id }));
    button(t("correct"), () => {
      const text = window.prompt(t("correct_prompt"), idea.text);
      if (text && text.trim() && text !== idea.text) send("correct_idea", { idea_id: idea.id, text, details: idea.details });
    });
    const others = ranked(workshop, room).filter((other) => other.id !== idea.id);
    if (others.length) {
      const merge = element("select", "merge");
      merge.setAttribute("aria-label", t("merge_into", { text: idea.text }));
      merge.append(new Option(t("merge_choose"), ""));
      others.forEach((other) => {
        const choice = new Option(shortened(other.text), String(other.id));
        choice.title = other.text;
        merge.append(choice);
      });
      onChoose(merge, (value) => {
        if (value) send("merge_ideas", { keep_id: Number(value), duplicate_id: idea.id });
      });
      actions.append(merge);
    }
  }
  li.append(actions);
  return li;
}

/** What pathways.js needs to draw a room's pathways: moderators edit them in any open phase. */
function pathwaysOf(r, page) {
  return {
    roomId: r.id,
    holder: r,
    workshop: page.snapshot().workshop,
    phase: r.phase,
    resultsHidden: false, // moderators see the counts
    canEdit: r.phase !== "closed",
    canHide: true,
    moderator: true,
    send: (event, payload) => page.live.send(event, payload),
    rerender: () => page.redraw(r),
    level: 4,
    foldable: true,
  };
}

/** An idea's or theme's tags (tags.js), with the picker's button when `canTag`. */
function tagsOf(kind, item, room, canTag, page, place = "") {
  return itemTags({
    kind,
    item,
    place,
    workshop: page.snapshot().workshop,
    canTag,
    send: (event, payload) => page.live.send(event, payload),
    ask: asker(page.live.socket),
    onChange: () => page.redraw(room),
  });
}

function memberRow(member, current, page) {
  const send = (event, payload) => page.live.send(event, payload);
  const li = element("li", "member");
  li.dataset.key = `member-${member.id}`;
  const name = personName(member);
  li.append(element("span", "member-name", name));
  const selectId = `move-member-${member.id}`; // "move-<idea id>" is a theme menu (themes.js)
  const label = element("label", "visually-hidden", t("move_to", { name }));
  label.htmlFor = selectId;
  const select = element("select", "member-move");
  select.id = selectId;
  page.snapshot().rooms.forEach((r) => {
    const option = element("option", null, r.kind === "plenary" ? t("plenary") : r.name);
    option.value = String(r.id);
    option.selected = r.id === current.id;
    select.append(option);
  });
  onChoose(select, (value) => send("move_participant", { participant_id: member.id, room_id: Number(value) }));
  const tools = element("span", "member-tools");
  tools.append(label, select);
  if (current.kind === "breakout" && !(current.facilitator && current.facilitator.id === member.id)) {
    const lead = element("button", "icon-button", "★");
    lead.type = "button";
    lead.setAttribute("aria-label", t("make_facilitator", { name }));
    lead.title = t("make_facilitator", { name });
    lead.addEventListener("click", () => send("appoint_facilitator", { participant_id: member.id }));
    tools.append(lead);
  }
  const remove = element("button", "icon-button danger", "✕");
  remove.type = "button";
  remove.setAttribute("aria-label", t("remove_person", { name }));
  remove.title = t("remove_person", { name });
  remove.addEventListener("click", () => {
    if (window.confirm(t("confirm_remove", { name }))) send("remove_participant", { participant_id: member.id });
  });
  tools.append(remove);
  li.append(tools);
  return li;
}
