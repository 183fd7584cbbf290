// Suggested themes and likely duplicates on the themes board, and the "said already?"
// hint under the phone's idea form (issue 8; docs/protocol.md, "Suggestions").
//
// The server only answers questions (suggest_themes, duplicate_pairs, similar_ideas): it
// stores nothing. Accepting a suggested theme is the ordinary create_theme, one action
// per checked group; merging a duplicate is the ordinary merge_ideas. What the page was
// offered lives here, per room, so the board can be drawn again (it is, on every event)
// without losing the names someone is editing or the boxes they unchecked.
import { t } from "./i18n.js";
import { element } from "./dom.js";

/** The phone asks for similar ideas this long (ms) after typing stops... */
const TYPING_PAUSE_MS = 600;
/** ...and only for text at least this long (the server's SIMILAR_MIN_CHARS). */
const TYPED_MIN = 12;
/** How long (ms) a question waits for its answer. */
const ASK_TIMEOUT_MS = 30000;
/** A highlighted idea stays highlighted this long (ms). */
const HIGHLIGHT_MS = 4000;

/** Room id → {status, groups, error, said, pairs, pairsStatus, pairsError, pairsSaid} */
const rooms = new Map();

function roomState(roomId) {
  if (!rooms.has(roomId)) rooms.set(roomId, { status: "idle", groups: [], pairs: [], pairsStatus: "idle" });
  return rooms.get(roomId);
}

/**
 * Ask the server a question (an event without an id) over a socket; resolves with the ack,
 * or with an error ack when offline or unanswered.
 */
export function asker(socket) {
  return async (event, payload) => {
    if (!socket.connected) return { ok: false, error: { code: "offline", message: t("suggest_offline") } };
    try {
      return await socket.timeout(ASK_TIMEOUT_MS).emitWithAck(event, payload);
    } catch {
      return { ok: false, error: { code: "timeout", message: t("suggest_timeout") } };
    }
  };
}

function button(text, className, id) {
  const node = element("button", className, text);
  node.type = "button";
  if (id) node.id = id;
  return node;
}

function status(id, text) {
  const line = element("p", "hint suggest-status", text);
  line.id = id;
  line.setAttribute("role", "status");
  line.setAttribute("aria-live", "polite");
  return line;
}

/** The ideas everyone sees, by id. */
function visibleById(holder) {
  const found = new Map();
  (holder.ideas || []).forEach((idea) => {
    if (idea.status === undefined || idea.status === "visible") found.set(idea.id, idea);
  });
  return found;
}

function quoted(text) {
  return `“${text.length > 140 ? `${text.slice(0, 137)}…` : text}”`;
}

// ---- suggested themes ----------------------------------------------------------------

async function askForThemes(options) {
  const state = roomState(options.roomId);
  if (state.status === "loading") return;
  state.status = "loading";
  state.error = null;
  options.rerender();
  const ack = await options.ask("suggest_themes", options.moderator ? { room_id: options.roomId } : {});
  if (ack.ok) {
    state.groups = ack.groups.map((group) => ({ ...group, name: group.label, checked: true }));
    state.status = "ready";
  } else {
    state.status = "error";
    state.error = ack.error?.message || t("suggest_failed");
  }
  options.rerender();
}

/** The ideas of a group that can still go into a new theme: visible, in no theme. */
function stillLoose(options, group) {
  const ideas = visibleById(options.holder);
  return group.idea_ids.filter((id) => ideas.has(id) && (ideas.get(id).theme_id ?? null) === null);
}

function createChecked(options) {
  const state = roomState(options.roomId);
  const chosen = state.groups.filter((group) => group.checked);
  if (!chosen.length) {
    state.said = t("suggest_none_checked");
    options.rerender();
    return;
  }
  let made = 0;
  chosen.forEach((group) => {
    const ids = stillLoose(options, group);
    const name = group.name.trim() || group.label;
    if (!ids.length) return;
    options.create(name.slice(0, 80), ids);
    made += 1;
  });
  state.groups = [];
  state.status = "idle";
  state.said = t("suggest_created", { n: made });
  options.focus(`suggest-${options.roomId}`);
  options.rerender();
}

function discard(options) {
  const state = roomState(options.roomId);
  state.groups = [];
  state.status = "idle";
  state.said = t("suggest_discarded");
  options.focus(`suggest-${options.roomId}`);
  options.rerender();
}

function groupItem(options, group, index, count) {
  const ideas = visibleById(options.holder);
  const prefix = `suggested-${options.roomId}-${index}`;
  const item = element("li", "suggested-group");
  const fieldset = element("fieldset");
  fieldset.append(element("legend", null, t("suggested_n", { i: index + 1, n: count })));

  const check = element("label", "suggested-check");
  const box = element("input");
  box.type = "checkbox";
  box.id = `${prefix}-check`;
  box.checked = group.checked;
  box.addEventListener("change", () => (group.checked = box.checked));
  check.append(box, element("span", null, t("suggest_create_this")));

  const nameLabel = element("label", null, t("theme_name"));
  const name = element("input");
  name.id = `${prefix}-name`;
  name.maxLength = 80;
  name.autocomplete = "off";
  name.value = group.name;
  nameLabel.htmlFor = name.id;
  name.addEventListener("input", () => (group.name = name.value));

  const representative = ideas.get(group.representative_id);
  const parts = [check, nameLabel, name];
  if (representative) parts.push(element("p", "meta", t("suggest_typical", { text: quoted(representative.text) })));
  const list = element("ul", "suggested-ideas");
  group.idea_ids.forEach((id) => {
    const idea = ideas.get(id);
    if (idea) list.append(element("li", null, idea.text));
  });
  const listHeading = element("p", "meta", t("theme_ideas", { n: list.children.length }));
  listHeading.id = `${prefix}-ideas`;
  list.setAttribute("aria-labelledby", listHeading.id);
  parts.push(listHeading, list);
  fieldset.append(...parts);
  item.append(fieldset);
  return item;
}

/** The suggested groups, once there are some: each checkable and renamable. */
function themeSuggestions(options) {
  const state = roomState(options.roomId);
  const section = element("section", "suggestions");
  const heading = element(`h${options.level + 1}`, null, t("suggest_heading"));
  heading.id = `suggest-heading-${options.roomId}`;
  section.setAttribute("aria-labelledby", heading.id);
  section.append(heading, element("p", "hint", t("suggest_help")));
  const form = element("form", "suggested");
  form.setAttribute("aria-labelledby", heading.id);
  const list = element("ol", "suggested-list");
  state.groups.forEach((group, index) => list.append(groupItem(options, group, index, state.groups.length)));
  const actions = element("div", "suggested-actions");
  const create = element("button", "primary", t("suggest_create"));
  create.type = "submit";
  create.id = `suggest-create-${options.roomId}`;
  const drop = button(t("suggest_discard"), null, `suggest-discard-${options.roomId}`);
  drop.addEventListener("click", () => discard(options));
  actions.append(create, drop);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    createChecked(options);
  });
  form.append(list, actions);
  section.append(form);
  return section;
}

/** What the suggestions' status line says now (said once, then forgotten). */
function themesSaid(state) {
  let said = state.said || "";
  if (state.status === "loading") said = t("suggest_working");
  if (state.status === "error") said = state.error;
  if (state.status === "ready") said = state.groups.length ? t("suggest_found", { n: state.groups.length }) : t("suggest_nothing");
  state.said = null;
  return said;
}

// ---- likely duplicates -----------------------------------------------------------------

async function askForPairs(options) {
  const state = roomState(options.roomId);
  if (state.pairsStatus === "loading") return;
  state.pairsStatus = "loading";
  options.rerender();
  const ack = await options.ask("duplicate_pairs", options.moderator ? { room_id: options.roomId } : {});
  if (ack.ok) {
    state.pairs = ack.pairs;
    state.pairsStatus = "ready";
  } else {
    state.pairsStatus = "error";
    state.pairsError = ack.error?.message || t("suggest_failed");
  }
  options.rerender();
}

function pairItem(options, pair, ideas) {
  const [first, second] = pair.idea_ids.map((id) => ideas.get(id));
  const item = element("li", "duplicate-pair");
  item.append(
    element("p", "duplicate-text", quoted(first.text)),
    element("p", "duplicate-text", quoted(second.text)),
    element("p", "meta", t("duplicate_alike", { percent: Math.round(pair.similarity * 100) })),
  );
  if (options.merge) {
    const merge = button(t("duplicate_merge"), null, `merge-pair-${first.id}-${second.id}`);
    merge.setAttribute("aria-label", t("duplicate_merge_label", { kept: first.text, merged: second.text }));
    merge.addEventListener("click", () => {
      options.merge(first.id, second.id);
      const state = roomState(options.roomId);
      state.pairs = state.pairs.filter((p) => !p.idea_ids.includes(second.id));
      state.pairsSaid = t("duplicate_merged");
      options.focus(`duplicates-${options.roomId}`);
      options.rerender();
    });
    item.append(merge);
  }
  return item;
}

/** The likely duplicate pairs still worth showing (both ideas visible). */
function livePairs(options) {
  const ideas = visibleById(options.holder);
  return roomState(options.roomId).pairs.filter((pair) => pair.idea_ids.every((id) => ideas.has(id)));
}

function duplicates(options, pairs) {
  const section = element("section", "duplicates");
  const heading = element(`h${options.level + 1}`, null, t("duplicates_heading"));
  heading.id = `duplicates-heading-${options.roomId}`;
  section.setAttribute("aria-labelledby", heading.id);
  section.append(heading, element("p", "hint", options.merge ? t("duplicates_merge_help") : t("duplicates_read_only")));
  const ideas = visibleById(options.holder);
  const list = element("ul", "duplicate-list");
  list.setAttribute("aria-labelledby", heading.id);
  pairs.forEach((pair) => list.append(pairItem(options, pair, ideas)));
  section.append(list);
  return section;
}

function pairsSaid(state, pairs) {
  let said = state.pairsSaid || "";
  if (state.pairsStatus === "loading") said = t("duplicates_working");
  if (state.pairsStatus === "error") said = state.pairsError;
  if (state.pairsStatus === "ready" && !said) said = pairs.length ? t("duplicates_found", { n: pairs.length }) : t("duplicates_none");
  state.pairsSaid = null;
  return said;
}

/**
 * The suggestion tools of a room's themes board.
 * @param {object} options  themeBoard's options, plus
 * @param {(event: string, payload: object) => Promise<object>} options.ask  ask a question
 * @param {(name: string, ideaIds: number[]) => void} options.create  send create_theme
 * @param {(keepId: number, duplicateId: number) => void} [options.merge]  send merge_ideas
 *        (moderators); without it the duplicates are shown read-only
 * @param {boolean} options.suggest  offer suggested themes (whoever may group ideas)
 * @param {boolean} options.duplicates  offer the likely duplicates (facilitator, moderators)
 * @param {(id: string) => void} options.focus  focus this element once drawn again
 * @returns {HTMLElement}
 */
export function suggestionTools(options) {
  const state = roomState(options.roomId);
  // One row of buttons while there is nothing to show: the board's themes stay in view.
  const tools = element("div", "suggestion-tools");
  const row = element("div", "suggestion-buttons");
  tools.append(row);
  if (options.suggest) {
    const ask = button(t("suggest_button"), null, `suggest-${options.roomId}`);
    ask.disabled = state.status === "loading";
    ask.addEventListener("click", () => askForThemes(options));
    row.append(ask);
  }
  const pairs = livePairs(options);
  if (options.duplicates) {
    const find = button(t("duplicates_button"), null, `duplicates-${options.roomId}`);
    find.disabled = state.pairsStatus === "loading";
    find.addEventListener("click", () => askForPairs(options));
    row.append(find);
  }
  // The status lines are always there, so that screen readers hear what comes into them.
  if (options.suggest) tools.append(status(`suggest-status-${options.roomId}`, themesSaid(state)));
  if (options.duplicates) tools.append(status(`duplicates-status-${options.roomId}`, pairsSaid(state, pairs)));
  if (options.suggest && state.status === "ready" && state.groups.length) tools.append(themeSuggestions(options));
  if (options.duplicates && pairs.length) tools.append(duplicates(options, pairs));
  return tools;
}

// ---- the phone: "said already?" while typing an idea ------------------------------------

/**
 * Under the idea form, while a participant types (a pause of TYPING_PAUSE_MS, at least
 * TYPED_MIN characters), show up to three near-identical ideas of the room with
 * "Support this one instead?": a button takes them to that idea. Posting is never held up.
 * @param {object} options
 * @param {HTMLTextAreaElement} options.input  the idea's text
 * @param {HTMLElement} options.hint  where the hint goes
 * @param {(event: string, payload: object) => Promise<object>} options.ask
 * @param {() => Map<number, object>} options.ideas  the room's visible ideas by id now
 * @param {(ideaId: number) => void} options.show  take the participant to an idea
 * @returns {{clear: () => void}}
 */
export function watchTyping({ input, hint, ask, ideas, show }) {
  let timer = null;
  let asked = 0; // answers to older questions are dropped
  const answers = new Map(); // text → idea ids (the room's ideas change rarely while typing)

  const clear = () => {
    clearTimeout(timer);
    asked += 1;
    hint.hidden = true;
    hint.replaceChildren();
  };

  const draw = (ids) => {
    const known = ideas();
    const found = ids.filter((id) => known.has(id));
    if (!found.length) return clear();
    const heading = element("p", "similar-heading", t("similar_heading"));
    heading.id = "idea-similar-heading";
    const list = element("ul", "similar-list");
    list.setAttribute("aria-labelledby", heading.id);
    found.forEach((id) => {
      const li = element("li", "similar-idea");
      li.append(element("p", "idea-text", known.get(id).text));
      const go = button(t("similar_go"), null);
      go.setAttribute("aria-label", t("similar_go_label", { text: known.get(id).text }));
      go.addEventListener("click", () => show(id));
      li.append(go);
      list.append(li);
    });
    hint.replaceChildren(heading, element("p", "hint", t("similar_help")), list);
    hint.hidden = false;
  };

  const question = async () => {
    const text = input.value.trim();
    if (text.length < TYPED_MIN) return clear();
    if (answers.has(text)) return draw(answers.get(text));
    const mine = ++asked;
    const ack = await ask("similar_ideas", { text });
    if (mine !== asked) return; // typed on, or posted, meanwhile
    if (!ack.ok) return; // a hint: no answer, no hint
    const ids = ack.ideas.map((found) => found.idea_id);
    answers.set(text, ids);
    if (answers.size > 50) answers.delete(answers.keys().next().value);
    draw(ids);
  };

  input.addEventListener("input", () => {
    clearTimeout(timer);
    if (input.value.trim().length < TYPED_MIN) {
      clear();
      return;
    }
    timer = setTimeout(question, TYPING_PAUSE_MS);
  });
  return { clear };
}

/** Scroll to an idea's item, focus it and mark it for a moment. */
export function highlight(item) {
  if (!item) return;
  item.tabIndex = -1;
  item.classList.add("highlighted");
  // Someone who asked their system for less motion gets the jump, not the glide.
  const still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  item.scrollIntoView({ block: "center", behavior: still ? "auto" : "smooth" });
  item.focus({ preventScroll: true });
  setTimeout(() => item.classList.remove("highlighted"), HIGHLIGHT_MS);
}
