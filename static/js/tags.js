// Human-rights tags (DESIGN §7, docs/protocol.md section 12): which rights an idea or a
// theme is about, whom it concerns, in which policy domain. One module for every page:
// the reducer for `idea_tagged` / `theme_tagged`, an item's tags as small chips, and one
// picker to choose them.
//
// The picker is a single modal <dialog> kept outside the pages' lists: the pages draw
// their ideas and themes again on every event, and a picker inside them would close (and
// lose the keyboard's place) whenever someone else voted. Each tap on a tag sends the
// whole new set at once (two taps on a phone: "Add tags", then a tag); Done or Escape
// closes it and gives the focus back to the button that opened it. For an idea, the
// picker asks the server which tags its text suggests (`suggest_tags`, protocol section
// 14) and lists them first, under "Suggested": a suggestion is never applied without a tap.
import { t } from "./i18n.js";
import { announcer, element } from "./dom.js";

/** The room events this module applies. */
export const TAG_EVENTS = new Set(["idea_tagged", "theme_tagged"]);
/** The kinds, in the order the workshop's lists come in. */
export const TAG_KINDS = ["rights", "groups", "domains"];
/** The most tags an idea, a theme or a pathway may have (the server refuses more: `invalid`). */
export const MAX_TAGS = { idea: 6, theme: 10, pathway: 10 };
/** Announcements of others' changes wait this long (ms) to be said as one. */
const NEWS_WAIT_MS = 1200;
/** More changes than this in one wait are said as their number. */
const NEWS_MAX = 2;

// ---- small helpers ---------------------------------------------------------------------

function short(text) {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function keyOf(kind, id) {
  return `${kind}:${id}`;
}

function tagsOf(workshop) {
  return (workshop && workshop.tags) || [];
}

/** The ids among `ids` that are active tags of the workshop (a soft-removed tag leaves
 * `workshop.tags` with no event on the ideas that had it: protocol section 12). */
function activeIds(workshop, ids) {
  const known = new Set(tagsOf(workshop).map((tag) => tag.id));
  return [...new Set(ids || [])].filter((id) => known.has(id)).sort((a, b) => a - b);
}

/** What an item is called: an idea's text, a theme's name, a pathway's title. */
function nameOf(item) {
  return item.text ?? item.name ?? item.title ?? "";
}

function sameIds(a, b) {
  return (a || []).join() === (b || []).join();
}

/** Letters only, without case or accents: what a search compares. */
function folded(text) {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

// ---- the reducer -----------------------------------------------------------------------

// The sets this page sent, per item, oldest first: their events arrive in the same order
// and must not undo a newer set shown already (two quick taps send two sets).
const sent = new Map();

function awaitMine(key, ids) {
  if (!sent.has(key)) sent.set(key, []);
  sent.get(key).push(ids.join());
}

/**
 * Apply `idea_tagged` / `theme_tagged` to a room's holder {ideas, themes}: the item's
 * `tag_ids` become the event's. Returns whether it was a tag event. With `announce`,
 * changes this page did not make are said politely to screen readers.
 */
export function applyTagEvent(holder, event, { announce = false } = {}) {
  if (!TAG_EVENTS.has(event.type)) return false;
  const kind = event.type === "idea_tagged" ? "idea" : "theme";
  const id = event.data[`${kind}_id`];
  const ids = [...new Set(event.data.tag_ids || [])].sort((a, b) => a - b);
  const key = keyOf(kind, id);
  const queue = sent.get(key) || [];
  const mine = queue.length > 0 && queue[0] === ids.join();
  if (mine) queue.shift();
  if (mine && queue.length) return true; // a newer set of ours is on its way, shown already
  sent.delete(key); // else someone else's change (or ours was refused): the event is the truth
  const items = (kind === "idea" ? holder.ideas : holder.themes) || [];
  const item = items.find((x) => x.id === id);
  if (!item) return true;
  if (announce && !mine && !sameIds(item.tag_ids, ids)) news(kind === "idea" ? item.text : item.name);
  item.tag_ids = ids;
  if (picker && picker.key === key) {
    picker.selected = new Set(ids);
    refreshPicker();
  }
  return true;
}

// ---- who may tag (the server checks again) ---------------------------------------------

/**
 * Whether this participant may tag an idea or a theme of their room (protocol section
 * 12): their own visible idea during `propose`; the facilitator any visible idea and any
 * theme of their room, in every phase but `closed`.
 */
export function participantMayTag(state, kind, item) {
  const { kind: roomKind, phase } = state.room;
  if (roomKind === "plenary" || phase === "closed" || phase === "lobby") return false;
  if (kind === "idea" && item.status !== undefined && item.status !== "visible") return false;
  if (state.me.facilitates) return true;
  return kind === "idea" && phase === "propose" && state.me.ideas.includes(item.id);
}

// ---- chips -----------------------------------------------------------------------------

/**
 * An item's tags as a list of small chips (null when it has none): the label, with its
 * kind said first to screen readers and shown by the chip's outline, not colour alone.
 */
export function tagChips(workshop, tagIds) {
  const order = tagsOf(workshop);
  const wanted = new Set(tagIds || []);
  const tags = order.filter((tag) => wanted.has(tag.id)); // the organizer's order
  if (!tags.length) return null;
  const list = element("ul", "tag-chips");
  list.setAttribute("aria-label", t("tags_list"));
  tags.forEach((tag) => {
    const chip = element("li", "tag-chip");
    chip.dataset.kind = tag.kind;
    chip.append(element("span", "visually-hidden", `${t("tag_kind_prefix", { which: tag.kind })} `), tag.label);
    list.append(chip);
  });
  return list;
}

// What each page drew last, by item: the picker acts on the current state, not on the
// drawing it was opened from.
const contexts = new Map();

/**
 * An item's tags: its chips and, when this page may tag it, the button that opens the
 * picker. Returns null when there is nothing to show.
 * @param {object} options
 * @param {"idea"|"theme"} options.kind
 * @param {object} options.item      the idea or theme (its `tag_ids` change at once on a tap)
 * @param {object} options.workshop  the workshop (its `tags`)
 * @param {boolean} options.canTag   show the button
 * @param {(event: string, payload: object) => void} [options.send]  live.send
 * @param {(ids: number[]) => void} [options.pick]  instead of sending, hand each new set
 *        here (a form that saves the tags with the rest: the pathway editor)
 * @param {() => void} [options.onChange]  draw the page again after a tap
 * @param {(event: string, payload: object) => Promise<object>} [options.ask]  a question
 *   to the server (suggestions.js `asker`): with it, an idea's picker shows suggested tags
 * @param {string} [options.place]   tells two drawings of one item apart (their buttons' ids)
 */
export function itemTags(options) {
  const { kind, item, workshop, canTag, place = "" } = options;
  const chips = tagChips(workshop, item.tag_ids);
  const may = Boolean(canTag && (options.send || options.pick) && tagsOf(workshop).length);
  if (!chips && !may) return null;
  const wrap = element("div", "tags");
  if (chips) wrap.append(chips);
  if (may) {
    const key = keyOf(kind, item.id);
    contexts.set(key, options);
    const name = nameOf(item);
    const has = activeIds(workshop, item.tag_ids).length > 0;
    const open = element("button", "link tag-button", has ? t("tags_change") : t("tags_add"));
    open.type = "button";
    open.id = `tags-${place}${kind}-${item.id}`;
    open.dataset.focus = `tags-${kind}`; // room.js keeps the focus on it through a redraw
    open.setAttribute("aria-haspopup", "dialog");
    open.setAttribute("aria-label", t(has ? "tags_change_on" : "tags_add_on", { text: short(name) }));
    // A click from the keyboard (detail 0) goes to the search field; a tap does not, so
    // that no on-screen keyboard covers the tags.
    open.addEventListener("click", (e) => openPicker(key, open.id, e.detail === 0));
    wrap.append(open);
  }
  return wrap;
}

// ---- the picker ------------------------------------------------------------------------

let picker = null; // {key, openerId, selected: Set}
let dialog = null;

function pickerDialog() {
  if (dialog) return dialog;
  dialog = element("dialog", "tag-picker");
  dialog.setAttribute("aria-labelledby", "tag-picker-title");
  dialog.setAttribute("aria-describedby", "tag-picker-help");
  const head = element("div", "tag-picker-head");
  const title = element("h2", null);
  title.id = "tag-picker-title";
  title.tabIndex = -1;
  const help = element("p", "hint", t("tags_help"));
  help.id = "tag-picker-help";
  // What a tap did, for screen readers; the eye sees the pressed tag and the count line.
  const status = element("p", "visually-hidden");
  status.id = "tag-picker-status";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  const label = element("label", null, t("tags_search"));
  const search = element("input");
  search.id = "tag-picker-search";
  search.type = "search";
  search.autocomplete = "off";
  search.spellcheck = false;
  label.htmlFor = search.id;
  search.addEventListener("input", filter);
  const count = element("p", "tag-picker-count");
  count.id = "tag-picker-count";
  head.append(title, help, count, status, label, search);
  const body = element("div", "tag-picker-body");
  body.id = "tag-picker-body";
  const foot = element("div", "tag-picker-foot");
  const done = element("button", "primary", t("tags_done"));
  done.type = "button";
  done.id = "tag-picker-done";
  done.addEventListener("click", closePicker);
  foot.append(done);
  dialog.append(head, body, foot);
  // Escape: the browser's "cancel" (and a keydown the search field would otherwise eat).
  dialog.addEventListener("cancel", (e) => {
    e.preventDefault();
    closePicker();
  });
  dialog.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.preventDefault();
      closePicker();
    } else if (["ArrowDown", "ArrowUp"].includes(e.key) && e.target.classList?.contains("tag-option")) {
      // Up and down go from tag to tag (Tab still goes everywhere).
      const shown = [...dialog.querySelectorAll(".tag-option")].filter((b) => !b.closest("[hidden]"));
      const at = shown.indexOf(e.target);
      const next = shown[at + (e.key === "ArrowDown" ? 1 : -1)];
      if (next) {
        e.preventDefault();
        next.focus();
      }
    }
  });
  // A tap on the backdrop (outside the box) closes it too.
  dialog.addEventListener("click", (e) => {
    if (e.target === dialog) closePicker();
  });
  (document.querySelector("main") || document.body).append(dialog);
  return dialog;
}

function openPicker(key, openerId, byKeyboard) {
  const context = contexts.get(key);
  if (!context) return;
  const box = pickerDialog();
  picker = {
    key,
    openerId,
    selected: new Set(activeIds(context.workshop, context.item.tag_ids)),
    suggested: suggestedBefore.get(key) || [],
  };
  box.querySelector("#tag-picker-title").textContent = t("tags_title", { text: short(nameOf(context.item)) });
  box.querySelector("#tag-picker-help").textContent = t(context.pick ? "tags_help_pick" : "tags_help");
  box.querySelector("#tag-picker-search").value = "";
  buildOptions(context);
  refreshPicker();
  say("");
  if (!box.open) box.showModal();
  box.querySelector(".tag-picker-body").scrollTop = 0;
  (byKeyboard ? box.querySelector("#tag-picker-search") : box.querySelector("#tag-picker-title")).focus();
  askSuggestions(key, context);
}

// Suggested tags by item, as the server last answered (the text rarely changes while the
// picker is open and closed again).
const suggestedBefore = new Map();

/** Ask which tags an idea's text suggests; list them first when the answer comes, if the
 * picker is still open on that idea. A refusal or no answer shows nothing (a hint). */
async function askSuggestions(key, context) {
  if (context.kind !== "idea" || !context.ask) return;
  const ack = await context.ask("suggest_tags", { idea_id: context.item.id });
  if (!ack || !ack.ok) return;
  const ids = ack.suggestions.map((found) => found.tag_id);
  suggestedBefore.set(key, ids);
  if (!picker || picker.key !== key || ids.join() === picker.suggested.join()) return;
  picker.suggested = ids;
  // The answer may come while someone moves through the tags with the keyboard: on one
  // of the earlier suggestions, which are drawn again, they keep the focus on that tag.
  const focused = document.activeElement?.closest?.("#tag-picker-body .tag-suggested .tag-option");
  showSuggested(context);
  refreshPicker(); // filters too: a search typed meanwhile still holds
  if (focused) dialog.querySelector(`.tag-suggested .tag-option[data-tag-id="${focused.dataset.tagId}"]`)?.focus();
}

function closePicker() {
  if (!picker) return;
  const { openerId } = picker;
  picker = null;
  if (dialog.open) dialog.close();
  // The page may have drawn the button again meanwhile: find it by its id.
  const opener = document.getElementById(openerId);
  if (opener) opener.focus();
}

function tagGroup(name, heading, tags) {
  const group = element("div", "tag-group");
  group.setAttribute("role", "group");
  const title = element("h3", null, heading);
  title.id = `tag-group-${name}`;
  group.setAttribute("aria-labelledby", title.id);
  const list = element("ul", "tag-options");
  tags.forEach((tag) => {
    const li = element("li");
    const option = element("button", "tag-option", tag.label);
    option.type = "button";
    option.dataset.kind = tag.kind;
    option.dataset.tagId = String(tag.id);
    option.dataset.search = folded(tag.label);
    option.addEventListener("click", () => toggle(tag));
    li.append(option);
    list.append(li);
  });
  group.append(title, list);
  return group;
}

function buildOptions(context) {
  const body = dialog.querySelector("#tag-picker-body");
  const all = tagsOf(context.workshop);
  const groups = TAG_KINDS.map((kind) => {
    const tags = all.filter((tag) => tag.kind === kind);
    return tags.length ? tagGroup(kind, t("tag_kinds", { which: kind }), tags) : null;
  }).filter(Boolean);
  const suggested = suggestedGroup(context);
  if (suggested) groups.unshift(suggested);
  const none = element("p", "hint tag-none");
  none.id = "tag-picker-none";
  none.hidden = true;
  body.replaceChildren(...groups, none);
}

/** The group of the tags the server suggested, first in the picker (null when none). */
function suggestedGroup(context) {
  const byId = new Map(tagsOf(context.workshop).map((tag) => [tag.id, tag]));
  const suggested = (picker?.suggested || []).map((id) => byId.get(id)).filter(Boolean);
  if (!suggested.length) return null;
  const group = tagGroup("suggested", t("tags_suggested"), suggested);
  group.classList.add("tag-suggested");
  group.append(element("p", "hint", t("tags_suggested_help")));
  return group;
}

/** Put the suggestions in place of the earlier ones (or first). Only that group is drawn
 * again: the others keep their buttons, so a tap or the focus on one of them stays where
 * it was while the answer comes in. */
function showSuggested(context) {
  const body = dialog.querySelector("#tag-picker-body");
  body.querySelector(".tag-suggested")?.remove();
  const group = suggestedGroup(context);
  if (group) body.prepend(group);
}

/** Show the tags whose label holds what was typed (all of them when nothing was). */
function filter() {
  const query = folded(dialog.querySelector("#tag-picker-search").value.trim());
  let any = false;
  dialog.querySelectorAll(".tag-group").forEach((group) => {
    let shown = 0;
    group.querySelectorAll(".tag-option").forEach((option) => {
      const match = !query || option.dataset.search.includes(query);
      option.parentElement.hidden = !match;
      if (match) shown += 1;
    });
    group.hidden = shown === 0;
    any = any || shown > 0;
  });
  const none = dialog.querySelector("#tag-picker-none");
  none.hidden = any;
  none.textContent = any ? "" : t("tags_no_match", { query: dialog.querySelector("#tag-picker-search").value.trim() });
}

function limitText(kind) {
  return t(`tags_limit_${kind}`, { max: MAX_TAGS[kind] });
}

/** Pressed states, the count, and why no more can be added (when so). */
function refreshPicker() {
  if (!picker || !dialog) return;
  const context = contexts.get(picker.key);
  const max = MAX_TAGS[context.kind];
  const full = picker.selected.size >= max;
  dialog.querySelectorAll(".tag-option").forEach((option) => {
    const on = picker.selected.has(Number(option.dataset.tagId));
    option.setAttribute("aria-pressed", String(on));
    if (full && !on) option.setAttribute("aria-disabled", "true");
    else option.removeAttribute("aria-disabled");
  });
  const count = dialog.querySelector("#tag-picker-count");
  count.textContent = t("tags_count", { n: picker.selected.size, max });
  if (full) count.textContent += ` ${limitText(context.kind)}`;
  filter();
}

/** Say it politely from the picker's status line (emptied first, so a repeat is said). */
function say(text) {
  const status = dialog.querySelector("#tag-picker-status");
  status.textContent = "";
  if (text) setTimeout(() => (status.textContent = text), 50);
}

function toggle(tag) {
  const context = picker && contexts.get(picker.key);
  if (!context) return;
  const { kind, item } = context;
  const selected = new Set(activeIds(context.workshop, [...picker.selected]));
  if (selected.has(tag.id)) {
    selected.delete(tag.id);
  } else if (selected.size >= MAX_TAGS[kind]) {
    say(limitText(kind));
    return;
  } else {
    selected.add(tag.id);
  }
  const ids = [...selected].sort((a, b) => a - b);
  picker.selected = selected;
  item.tag_ids = ids; // at once; the event (or a resync after a refusal) confirms
  if (context.pick) {
    context.pick(ids); // saved later, with the rest of the form
  } else {
    awaitMine(picker.key, ids);
    context.send(kind === "idea" ? "tag_idea" : "tag_theme", { [`${kind}_id`]: item.id, tag_ids: ids });
  }
  refreshPicker();
  const done = t(selected.has(tag.id) ? "tags_added" : "tags_removed", { label: tag.label });
  say(`${done} ${t("tags_count", { n: ids.length, max: MAX_TAGS[kind] })}`);
  context.onChange?.();
}

// ---- others' changes, said politely ------------------------------------------------------

const heard = [];
let newsTimer = null;

const sayNews = announcer("tags-news");

function news(name) {
  heard.push(name);
  if (newsTimer) return;
  newsTimer = setTimeout(() => {
    sayNews(
      heard.length <= NEWS_MAX
        ? heard.map((text) => t("tags_news", { text: short(text) })).join(" ")
        : t("tags_news_many", { n: heard.length }),
    );
    heard.length = 0;
    newsTimer = null;
  }, NEWS_WAIT_MS);
}
