// Themes: a room's ideas grouped by hand (the cluster phase, DESIGN §2). One module for
// the phone, the console, a room's view and the projector: it applies the theme events to
// a room's state, draws the themes with the ideas outside any theme, and moves ideas in
// two ways that are both complete on their own: a "Move to theme…" menu per idea (one
// thumb, the keyboard, a screen reader) and drag and drop with Pointer Events (a mouse or
// a finger; the HTML5 drag API does not work with touch).
//
// A "holder" is whatever keeps one room's `themes` and `ideas` (a participant's snapshot,
// a room of the moderators' snapshot). Placement is read from each idea's `theme_id`;
// a theme's `idea_ids` only give the order inside it.
import { t } from "./i18n.js";
import { describeTally } from "./tallies.js";
import { suggestionTools } from "./suggestions.js";
import { announcer, element } from "./dom.js";

/** The room events this module applies. */
export const THEME_EVENTS = new Set(["theme_created", "theme_changed", "idea_moved", "themes_merged", "theme_dissolved"]);
/** A text longer than this folds: its start shows, the rest opens on demand. */
const FOLD_AT = 140;
/** How far (CSS px) a mouse moves on an idea before it counts as a drag, not a click. */
const DRAG_THRESHOLD = 5;
/** How close (CSS px) to the window's top or bottom a drag scrolls the page. */
const SCROLL_EDGE = 56;
/** Announcements of others' changes wait this long (ms) to be said as one. */
const NEWS_WAIT_MS = 1200;
/** More changes than this in one wait are said as their number. */
const NEWS_MAX = 3;

// ---- the reducer ---------------------------------------------------------------

function themesOf(holder) {
  if (!Array.isArray(holder.themes)) holder.themes = [];
  return holder.themes;
}

function upsertTheme(holder, theme) {
  const themes = themesOf(holder);
  const index = themes.findIndex((th) => th.id === theme.id);
  if (index >= 0) themes[index] = { ...theme };
  else themes.push({ ...theme });
  (theme.idea_ids || []).forEach((ideaId) => place(holder, ideaId, theme.id, false));
}

/** Put an idea in a theme (null: in none), keeping every theme's idea_ids in step. */
function place(holder, ideaId, themeId, append = true) {
  themesOf(holder).forEach((theme) => {
    if (theme.id !== themeId) theme.idea_ids = (theme.idea_ids || []).filter((id) => id !== ideaId);
    else if (append && !(theme.idea_ids || []).includes(ideaId)) theme.idea_ids = [...(theme.idea_ids || []), ideaId];
  });
  const idea = (holder.ideas || []).find((i) => i.id === ideaId);
  if (idea) idea.theme_id = themeId;
}

/**
 * Apply one theme event (docs/protocol.md, "Themes") to a room's holder {themes, ideas}.
 * Events carry state, so applying one twice is harmless. Returns whether it was a theme
 * event. With `announce`, changes this page did not ask for are said politely to screen
 * readers (a few at a time).
 */
export function applyThemeEvent(holder, event, { announce = false } = {}) {
  if (!THEME_EVENTS.has(event.type)) return false;
  if (announce) news(holder, event);
  const data = event.data;
  switch (event.type) {
    case "theme_created":
    case "theme_changed":
      upsertTheme(holder, data.theme);
      break;
    case "idea_moved":
      place(holder, data.idea_id, data.theme_id ?? null);
      break;
    case "themes_merged":
      holder.themes = themesOf(holder).filter((th) => th.id !== data.merged_id);
      upsertTheme(holder, data.theme);
      (data.idea_ids || []).forEach((ideaId) => place(holder, ideaId, data.theme.id));
      break;
    case "theme_dissolved":
      holder.themes = themesOf(holder).filter((th) => th.id !== data.theme_id);
      (data.idea_ids || []).forEach((ideaId) => place(holder, ideaId, null));
      (holder.ideas || []).forEach((idea) => {
        if (idea.theme_id === data.theme_id) idea.theme_id = null;
      });
      break;
    default:
      break;
  }
  return true;
}

// ---- reading a room ---------------------------------------------------------------

/** Ideas everyone in the room sees (not hidden, not waiting for approval). */
function visibleIdeas(holder) {
  return (holder.ideas || []).filter((idea) => idea.status === undefined || idea.status === "visible");
}

/** The theme an idea is in, by its theme_id (older snapshots: by the themes' idea_ids). */
function themeIdOf(holder, idea) {
  if (idea.theme_id !== undefined) return idea.theme_id;
  return themesOf(holder).find((th) => (th.idea_ids || []).includes(idea.id))?.id ?? null;
}

/** Each theme with its visible ideas (in the theme's order), and the ideas in none. */
export function grouped(holder) {
  const ideas = visibleIdeas(holder);
  const known = new Set(themesOf(holder).map((th) => th.id));
  const themes = themesOf(holder).map((theme) => {
    const order = theme.idea_ids || [];
    const rank = (idea) => (order.includes(idea.id) ? order.indexOf(idea.id) : order.length + idea.id);
    const mine = ideas.filter((idea) => themeIdOf(holder, idea) === theme.id).sort((a, b) => rank(a) - rank(b));
    return { theme, ideas: mine };
  });
  const loose = ideas.filter((idea) => !known.has(themeIdOf(holder, idea)));
  return { themes, loose };
}

/**
 * A theme's support: its ideas' tallies added up, in the workshop's voting mode, as a
 * Tally tallies.js can say in words. Null (results hidden) when any tally is null.
 * Dots and agree / disagree / pass add up; scores are the mean of all the ideas' scores
 * (each criterion's means weighted by how many scored them), and `voters` counts
 * scorings (one person scoring two ideas counts twice).
 */
export function themeSupport(workshop, ideas) {
  const tallies = ideas.map((idea) => idea.tally);
  if (tallies.some((tally) => tally === null || tally === undefined)) return null;
  const sum = (pick) => tallies.reduce((total, tally) => total + (pick(tally) || 0), 0);
  if (workshop.voting_mode === "agree") {
    const agree = sum((x) => x.agree);
    const disagree = sum((x) => x.disagree);
    const pass = sum((x) => x.pass);
    const n = agree + disagree + pass;
    const round = (x) => Math.round(x * 100) / 100;
    return {
      agree,
      disagree,
      pass,
      consensus: n ? round(agree / n) : 0,
      divisiveness: n ? round((2 * Math.min(agree, disagree)) / n) : 0,
    };
  }
  if (workshop.voting_mode === "scores") {
    const criteria = (workshop.criteria || []).map((_, c) => {
      const count = sum((x) => x.criteria?.[c]?.count);
      const total = sum((x) => (x.criteria?.[c]?.mean ?? 0) * (x.criteria?.[c]?.count || 0));
      return { mean: count ? Math.round((total / count) * 100) / 100 : null, count };
    });
    const means = criteria.map((c) => c.mean).filter((mean) => mean !== null);
    const mean = means.length ? Math.round((means.reduce((a, b) => a + b, 0) / means.length) * 100) / 100 : null;
    return { criteria, mean, voters: sum((x) => x.voters) };
  }
  return { dots: sum((x) => x.dots) };
}

/** The number themes rank by, best first (the same keys as tallies.js byTally). */
function supportKey(workshop, tally) {
  if (!tally) return [0];
  if (workshop.voting_mode === "agree") return [tally.consensus, tally.agree];
  if (workshop.voting_mode === "scores") return [tally.mean ?? 0, tally.voters];
  return [tally.dots];
}

function bySupport(workshop) {
  return (a, b) => {
    const ka = supportKey(workshop, a.support);
    const kb = supportKey(workshop, b.support);
    for (let i = 0; i < ka.length; i += 1) if (kb[i] !== ka[i]) return kb[i] - ka[i];
    return a.theme.id - b.theme.id;
  };
}

/** Phases whose tallies mean something (before the vote every theme has nothing). */
function countsShown(phase) {
  return !["lobby", "propose", "cluster"].includes(phase);
}

/** Whether this participant may group their room's ideas (docs/protocol.md, section 7,
 * Themes: the facilitator in every phase but closed, everyone during the cluster phase
 * when the workshop says so). The server checks it again. */
export function participantMayCluster(state) {
  const { kind, phase } = state.room;
  if (kind === "plenary" || phase === "closed") return false;
  return Boolean(state.me.facilitates || (phase === "cluster" && state.workshop.participants_cluster));
}

// ---- small DOM helpers ---------------------------------------------------------------

function button(text, className, id) {
  const node = element("button", className, text);
  node.type = "button";
  if (id) node.id = id;
  return node;
}

/** A text that folds when long: its start as a summary, all of it when opened. */
function foldable(text, className, id) {
  const full = element("p", className, text);
  if (id) full.id = id;
  if (text.length <= FOLD_AT) return full;
  const details = element("details", "fold");
  const cut = text.slice(0, FOLD_AT - 40).replace(/\s+\S*$/, "");
  details.append(element("summary", null, `${cut}…`), full);
  return details;
}

// ---- what the page remembers between two drawings ----------------------------------------

/** Room id → the options of its board drawn last (drops and drags act on the current one). */
const latest = new Map();

const ui = {
  menu: null, // the open menu's id ("move-12-menu", "merge-3-menu")
  editing: new Set(), // theme ids whose rename form is open
  drafts: new Map(), // input id → what was typed (a redraw keeps it)
  folded: new Map(), // room id → whether its board is open (the console folds boards)
  focus: null, // an element id to focus once the board is drawn again
};

function draft(input) {
  if (ui.drafts.has(input.id)) input.value = ui.drafts.get(input.id);
  input.addEventListener("input", () => ui.drafts.set(input.id, input.value));
  return input;
}

// ---- announcements ------------------------------------------------------------------

const expected = []; // what this page asked for: its own changes are not announced
const heard = [];
let newsTimer = null;

const say = announcer("themes-news");

function awaitMine(kind, key) {
  expected.push(`${kind}:${key}`);
  if (expected.length > 50) expected.shift();
}

function wasMine(kind, key) {
  const index = expected.indexOf(`${kind}:${key}`);
  if (index < 0) return false;
  expected.splice(index, 1);
  return true;
}

function short(text) {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** Queue a sentence about a change someone else made; a burst is said as one. */
function news(holder, event) {
  const data = event.data;
  const themeName = (id) => themesOf(holder).find((th) => th.id === id)?.name;
  let sentence = null;
  if (event.type === "idea_moved") {
    if (wasMine("move", `${data.idea_id}>${data.theme_id ?? ""}`)) return;
    const idea = (holder.ideas || []).find((i) => i.id === data.idea_id);
    if (!idea || (idea.theme_id ?? null) === (data.theme_id ?? null)) return;
    sentence =
      data.theme_id === null || data.theme_id === undefined
        ? t("news_moved_out", { text: short(idea.text) })
        : t("news_moved", { text: short(idea.text), theme: themeName(data.theme_id) || "" });
  } else if (event.type === "theme_created") {
    if (wasMine("create", data.theme.name)) return;
    sentence = t("news_created", { name: data.theme.name });
  } else if (event.type === "theme_changed") {
    if (wasMine("rename", data.theme.id) || themeName(data.theme.id) === data.theme.name) return;
    sentence = t("news_renamed", { name: data.theme.name });
  } else if (event.type === "themes_merged") {
    if (wasMine("merge", data.merged_id)) return;
    sentence = t("news_merged", { merged: themeName(data.merged_id) || "", name: data.theme.name });
  } else if (event.type === "theme_dissolved") {
    if (wasMine("dissolve", data.theme_id)) return;
    sentence = t("news_dissolved", { name: themeName(data.theme_id) || "" });
  }
  if (!sentence) return;
  heard.push(sentence);
  if (!newsTimer) {
    newsTimer = setTimeout(() => {
      say(heard.length <= NEWS_MAX ? heard.join(". ") : t("news_many", { n: heard.length }));
      heard.length = 0;
      newsTimer = null;
    }, NEWS_WAIT_MS);
  }
}

// ---- acting ----------------------------------------------------------------------

/** Move an idea: show it at once (the ack, or a resync after a refusal, sets what counted). */
function moveIdea(options, ideaId, themeId) {
  const idea = visibleIdeas(options.holder).find((i) => i.id === ideaId);
  if (!idea || (themeIdOf(options.holder, idea) ?? null) === themeId) return;
  awaitMine("move", `${ideaId}>${themeId ?? ""}`);
  options.send("move_idea", { idea_id: ideaId, theme_id: themeId });
  place(options.holder, ideaId, themeId);
  const theme = themesOf(options.holder).find((th) => th.id === themeId);
  say(theme ? t("you_moved", { theme: theme.name }) : t("you_moved_out"));
  options.rerender();
}

function act(options, event, payload) {
  if (event === "create_theme") {
    awaitMine("create", payload.name);
    if (options.moderator) payload = { ...payload, room_id: options.roomId };
  }
  if (event === "rename_theme") awaitMine("rename", payload.theme_id);
  if (event === "merge_themes") awaitMine("merge", payload.merged_id);
  if (event === "dissolve_theme") awaitMine("dissolve", payload.theme_id);
  options.send(event, payload);
}

/** Open one menu (closing any other), or close it; focus its first choice or its button. */
function toggleMenu(options, menuId, toggler) {
  const opening = ui.menu !== menuId;
  ui.menu = opening ? menuId : null;
  ui.focus = opening ? `${menuId}-first` : toggler;
  options.rerender();
}

/** A disclosure menu: a button that opens a list of choices, with arrow keys between them. */
function menu(options, { id, text, label, choices }) {
  const wrap = element("div", "menu-wrap");
  const open = ui.menu === `${id}-menu`;
  const toggler = button(text, "menu-button", id);
  toggler.setAttribute("aria-expanded", String(open));
  toggler.setAttribute("aria-controls", `${id}-menu`);
  if (label) toggler.setAttribute("aria-labelledby", label);
  toggler.addEventListener("click", () => toggleMenu(options, `${id}-menu`, id));
  const list = element("ul", "menu");
  list.id = `${id}-menu`;
  list.hidden = !open;
  choices.forEach(({ text: choiceText, action }, n) => {
    const li = element("li");
    const choice = button(choiceText, "menu-choice", n === 0 ? `${id}-menu-first` : `${id}-menu-${n}`);
    choice.addEventListener("click", () => {
      ui.menu = null;
      ui.focus = id;
      action(); // may move the focus elsewhere, and draw the board again
      if (ui.focus) options.rerender();
    });
    li.append(choice);
    list.append(li);
  });
  list.addEventListener("keydown", (e) => {
    const items = [...list.querySelectorAll("button")];
    const at = items.indexOf(document.activeElement);
    const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: items.length - 1 }[e.key];
    if (e.key === "Escape") {
      e.preventDefault();
      toggleMenu(options, `${id}-menu`, id);
    } else if (to !== undefined) {
      e.preventDefault();
      items[(to + items.length) % items.length].focus();
    }
  });
  wrap.append(toggler, list);
  return wrap;
}

// ---- drawing ------------------------------------------------------------------------

function ideaItem(options, idea, here, targets) {
  const li = element("li", "theme-idea");
  li.dataset.ideaId = String(idea.id);
  const textId = `theme-idea-text-${idea.id}`;
  if (options.canEdit) {
    const handle = element("span", "drag-handle", "⠿");
    handle.setAttribute("aria-hidden", "true");
    handle.title = t("drag_idea");
    li.append(handle);
  }
  const body = element("div", "theme-idea-body");
  body.append(foldable(idea.text, "idea-text", textId));
  if (options.counts) {
    body.append(element("p", "meta tally", describeTally(options.workshop, options.resultsHidden ? null : idea.tally)));
  }
  const tags = options.tags?.("idea", idea); // its chips, and the page's tag button (tags.js)
  if (tags) body.append(tags);
  li.append(body);
  if (options.canEdit) {
    const choices = targets
      .filter((theme) => theme.id !== here)
      .map((theme) => ({ text: theme.name, action: () => moveIdea(options, idea.id, theme.id) }));
    if (here !== null) choices.push({ text: t("move_out"), action: () => moveIdea(options, idea.id, null) });
    if (choices.length) {
      const id = `move-${idea.id}`;
      li.append(menu(options, { id, text: t("move_to_theme"), label: `${id} ${textId}`, choices }));
    }
  }
  return li;
}

function ideaList(options, ideas, here, targets, emptyText) {
  const list = element("ul", "theme-ideas");
  ideas.forEach((idea) => list.append(ideaItem(options, idea, here, targets)));
  if (!ideas.length) list.append(element("li", "meta theme-empty", emptyText));
  return list;
}

function renameForm(options, theme) {
  const form = element("form", "stack theme-rename");
  const name = draft(element("input"));
  name.id = `theme-name-${theme.id}`;
  name.maxLength = 80;
  name.required = true;
  if (!ui.drafts.has(name.id)) name.value = theme.name;
  const nameLabel = element("label", null, t("theme_name"));
  nameLabel.htmlFor = name.id;
  const description = draft(element("textarea"));
  description.id = `theme-description-${theme.id}`;
  description.maxLength = 300;
  description.rows = 2;
  if (!ui.drafts.has(description.id)) description.value = theme.description || "";
  const descriptionLabel = element("label", null, t("theme_description"));
  descriptionLabel.htmlFor = description.id;
  const save = element("button", "primary", t("save"));
  save.type = "submit";
  const cancel = button(t("cancel"));
  const close = () => {
    ui.editing.delete(theme.id);
    ui.drafts.delete(name.id);
    ui.drafts.delete(description.id);
    ui.focus = `rename-${theme.id}`;
    options.rerender();
  };
  cancel.addEventListener("click", close);
  form.addEventListener("keydown", (e) => {
    if (e.key === "Escape") close();
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = name.value.trim();
    if (!text) return name.focus();
    act(options, "rename_theme", { theme_id: theme.id, name: text, description: description.value.trim() });
    Object.assign(theme, { name: text, description: description.value.trim() }); // at once; events confirm
    close();
  });
  const buttons = element("div", "button-row");
  buttons.append(save, cancel);
  form.append(nameLabel, name, descriptionLabel, description, buttons);
  return form;
}

function themeItem(options, { theme, ideas, support }, targets) {
  const li = element("li", "theme");
  li.dataset.themeId = String(theme.id);
  li.dataset.drop = String(theme.id);
  const headingId = `theme-${theme.id}-name`;
  if (ui.editing.has(theme.id) && options.canEdit) {
    li.append(renameForm(options, theme));
  } else {
    const heading = element(`h${options.level + 1}`, "theme-name", theme.name);
    heading.id = headingId;
    li.append(heading);
    if (theme.description) li.append(foldable(theme.description, "theme-description"));
  }
  let meta = t("theme_ideas", { n: ideas.length });
  if (options.counts) meta += ` · ${t("theme_support", { tally: describeTally(options.workshop, support) })}`;
  li.append(element("p", "meta theme-meta", meta));
  const tags = options.tags?.("theme", theme);
  const more = options.themeActions?.(theme); // e.g. "Draft a pathway" (pathways.js)
  if (tags && more) {
    // One row when they fit: the console's boards must not grow taller for it.
    const row = element("div", "theme-tools");
    row.append(tags, more);
    li.append(row);
  } else if (tags || more) {
    li.append(tags || more);
  }
  if (options.canEdit && !ui.editing.has(theme.id)) {
    const actions = element("div", "theme-actions");
    const rename = button(t("rename_theme"), null, `rename-${theme.id}`);
    rename.setAttribute("aria-label", t("rename_theme_on", { name: theme.name }));
    rename.addEventListener("click", () => {
      ui.editing.add(theme.id);
      ui.focus = `theme-name-${theme.id}`;
      options.rerender();
    });
    actions.append(rename);
    const others = targets.filter((other) => other.id !== theme.id);
    if (others.length) {
      const merge = menu(options, {
        id: `merge-${theme.id}`,
        text: t("merge_theme"),
        choices: others.map((other) => ({
          text: other.name,
          action: () => {
            act(options, "merge_themes", { keep_id: other.id, merged_id: theme.id });
            ui.focus = `rename-${other.id}`;
          },
        })),
      });
      merge.querySelector(".menu-button").setAttribute("aria-label", t("merge_theme_on", { name: theme.name }));
      actions.append(merge);
    }
    const dissolve = button(t("dissolve_theme"), "danger", `dissolve-${theme.id}`);
    dissolve.setAttribute("aria-label", t("dissolve_theme_on", { name: theme.name }));
    dissolve.addEventListener("click", () => {
      if (window.confirm(t("confirm_dissolve", { name: theme.name }))) {
        ui.focus = `new-theme-name-${options.roomId}`;
        act(options, "dissolve_theme", { theme_id: theme.id });
      }
    });
    actions.append(dissolve);
    li.append(actions);
  }
  const list = ideaList(options, ideas, theme.id, targets, options.canEdit ? t("theme_empty_edit") : t("theme_empty"));
  list.setAttribute("aria-labelledby", headingId);
  li.append(list);
  return li;
}

function newThemeForm(options) {
  const form = element("form", "inline-form theme-new");
  const label = element("label", null, t("new_theme"));
  const name = draft(element("input"));
  name.id = `new-theme-name-${options.roomId}`;
  name.maxLength = 80;
  name.required = true;
  name.autocomplete = "off";
  label.htmlFor = name.id;
  const add = element("button", null, t("add_theme"));
  add.type = "submit";
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const text = name.value.trim();
    if (!text) return name.focus();
    act(options, "create_theme", { name: text });
    name.value = "";
    ui.drafts.delete(name.id);
  });
  form.append(label, name, add);
  return form;
}

/**
 * Draw a room's themes and the ideas in none.
 * @param {object} options
 * @param {number} options.roomId
 * @param {object} options.holder   the room's {themes, ideas} (moves show in it at once)
 * @param {object} options.workshop the workshop (its voting mode)
 * @param {string} options.phase    the room's phase (tallies show from the vote on)
 * @param {boolean} options.resultsHidden  the room's results are hidden (no numbers)
 * @param {boolean} options.canEdit  show the controls (the server decides again)
 * @param {boolean} [options.moderator]  name the room in create_theme (the moderator namespace)
 * @param {(event: string, payload: object) => void} [options.send]
 * @param {() => void} [options.rerender]  draw the page's board again after a change here
 * @param {number} [options.level]  the board's heading level (its themes' one below)
 * @param {boolean} [options.foldable]  a <details> that remembers whether it is open
 * @param {(kind: "idea"|"theme", item: object) => HTMLElement|null} [options.tags]  an idea's
 *        or a theme's tags to show with it (tags.js itemTags, as the page may tag)
 * @param {(event: string, payload: object) => Promise<object>} [options.ask]  ask the server
 *        a question (suggestions.js): with it, those who may edit get suggested themes
 * @param {boolean} [options.duplicates]  also show the likely duplicates (with `ask`)
 * @param {(keepId: number, duplicateId: number) => void} [options.merge]  merge a duplicate
 * @param {(theme: object) => HTMLElement|null} [options.themeActions]  more for a theme's
 *        card (pathways.js draftButton)
 * @returns {HTMLElement}
 */
export function themeBoard(options) {
  options = { level: 2, send: () => {}, rerender: () => {}, ...options };
  options.counts = countsShown(options.phase);
  const { themes, loose } = grouped(options.holder);
  // Moderators' tallies are there even while the results are hidden: the page says whether to show them.
  themes.forEach((entry) => (entry.support = options.resultsHidden ? null : themeSupport(options.workshop, entry.ideas)));
  if (options.counts && !options.resultsHidden && !options.canEdit) themes.sort(bySupport(options.workshop));
  const targets = themes.map((entry) => entry.theme);

  const board = element(options.foldable ? "details" : "section", "themes-board");
  board.dataset.roomId = String(options.roomId);
  if (options.canEdit) board.classList.add("editable");
  const headingText = t("themes_heading", { n: themes.length });
  if (options.foldable) {
    board.append(element("summary", "themes-heading", headingText));
    board.open = ui.folded.has(options.roomId) ? ui.folded.get(options.roomId) : options.phase === "cluster";
    board.addEventListener("toggle", () => ui.folded.set(options.roomId, board.open));
  } else {
    const heading = element(`h${options.level}`, "themes-heading", headingText);
    heading.id = `themes-heading-${options.roomId}`;
    board.setAttribute("aria-labelledby", heading.id);
    board.append(heading);
  }
  if (options.canEdit) {
    board.append(element("p", "hint", targets.length ? t("themes_help") : t("themes_help_first")));
    board.append(newThemeForm(options));
  } else if (options.phase === "cluster" && options.viewerHint) {
    board.append(element("p", "hint", t("themes_watch")));
  }
  // Suggested themes and likely duplicates (suggestions.js), where the page can ask for them.
  const tools = { suggest: Boolean(options.ask && options.canEdit), duplicates: Boolean(options.ask && options.duplicates) };
  if (tools.suggest || tools.duplicates) {
    const create = (name, ids) => act(options, "create_theme", { name, idea_ids: ids });
    board.append(suggestionTools({ ...options, ...tools, create, focus: (id) => (ui.focus = id) }));
  }
  const list = element("ul", "theme-list");
  themes.forEach((entry) => list.append(themeItem(options, entry, targets)));
  if (!themes.length) list.append(element("li", "meta", t("no_themes")));
  board.append(list);

  const pool = element("section", "unthemed");
  pool.dataset.drop = "";
  const poolHeading = element(`h${options.level + 1}`, null, t("unthemed", { n: loose.length }));
  poolHeading.id = `unthemed-heading-${options.roomId}`;
  pool.setAttribute("aria-labelledby", poolHeading.id);
  const poolList = ideaList(options, loose, null, targets, t("unthemed_empty"));
  poolList.setAttribute("aria-labelledby", poolHeading.id);
  pool.append(poolHeading, poolList);
  board.append(pool);

  if (options.canEdit) latest.set(options.roomId, options);
  // An action asked for the focus somewhere (a menu's first choice, a moved idea's button):
  // once the page has put this drawing in place.
  if (ui.focus) queueMicrotask(() => restoreFocus(null));
  return board;
}

/**
 * Draw the board into a container, keeping the keyboard's place (by element id). While
 * an idea is dragged here the drawing waits for the drop.
 */
export function showThemeBoard(container, options) {
  const draw = () => {
    const focused = container.contains(document.activeElement) ? document.activeElement.id : null;
    container.replaceChildren(themeBoard({ ...options, rerender: () => showThemeBoard(container, options) }));
    restoreFocus(focused);
  };
  if (drag && drag.roomId === options.roomId) drag.redraw = draw;
  else draw();
}

/** After a drawing, focus what an action asked for, else what had the focus. */
function restoreFocus(fallback) {
  const wanted = ui.focus;
  ui.focus = null;
  const target = (wanted && document.getElementById(wanted)) || (fallback && document.getElementById(fallback));
  if (target && target !== document.activeElement) target.focus();
}

/**
 * Show a room's themes in a container, or hide it while there is nothing to show (before
 * the cluster phase, with no theme yet). The cluster phase gets the whole board; later
 * phases too, or with `summary` only a short list of the themes (the phone, where the
 * ideas follow with their votes).
 */
export function showThemes(container, options) {
  const themes = options.holder.themes || [];
  const { phase } = options;
  container.hidden = !(phase === "cluster" || (themes.length && phase !== "lobby"));
  if (container.hidden) {
    container.replaceChildren();
  } else if (phase !== "cluster" && options.summary) {
    const section = element("section", "themes-board themes-summary");
    const heading = element(`h${options.level || 2}`, "themes-heading", t("themes_heading", { n: themes.length }));
    heading.id = `themes-heading-${options.roomId}`;
    section.setAttribute("aria-labelledby", heading.id);
    const room = { ...options.holder, phase, results_hidden: options.resultsHidden };
    section.append(heading, themeSummary(options.workshop, room));
    container.replaceChildren(section);
  } else {
    showThemeBoard(container, options);
  }
}

/** A short list of a room's themes (the projector, a phone after the cluster phase):
 * name, how many ideas, support; best first when the results are shown. */
export function themeSummary(workshop, room, limit = Infinity) {
  const list = element("ol", "screen-themes");
  const { themes } = grouped(room);
  themes.forEach((entry) => (entry.support = themeSupport(workshop, entry.ideas)));
  const counts = countsShown(room.phase) && !room.results_hidden;
  if (counts) themes.sort(bySupport(workshop)); // hidden results: no ranking gives them away
  themes.slice(0, limit).forEach(({ theme, ideas, support }) => {
    const li = element("li", null, theme.name);
    let meta = t("theme_ideas", { n: ideas.length });
    if (counts) meta += ` · ${describeTally(workshop, support)}`;
    li.append(element("span", "tally", ` · ${meta}`));
    list.append(li);
  });
  return list;
}

// ---- drag and drop (Pointer Events: a mouse, a pen or a finger) ------------------------------

let drag = null; // {ideaId, roomId, ghost, target, startX, startY, started, pointerId, redraw}

function dropZoneAt(x, y) {
  const under = document.elementFromPoint(x, y);
  const zone = under?.closest("[data-drop]");
  const board = zone?.closest(".themes-board");
  if (!zone || !board?.classList.contains("editable") || board.dataset.roomId !== String(drag.roomId)) return null;
  return zone;
}

function highlight(zone) {
  if (drag.target === zone) return;
  drag.target?.classList.remove("drop-target");
  drag.target = zone;
  zone?.classList.add("drop-target");
}

function startDrag() {
  drag.started = true;
  const source = document.querySelector(`.themes-board .theme-idea[data-idea-id="${drag.ideaId}"]`);
  source?.classList.add("dragging");
  const ghost = element("div", "drag-ghost", short(drag.text));
  ghost.setAttribute("aria-hidden", "true");
  document.body.append(ghost);
  drag.ghost = ghost;
  document.body.classList.add("theme-dragging");
  document.querySelectorAll(`.themes-board[data-room-id="${drag.roomId}"] [data-drop]`).forEach((zone) => zone.classList.add("drop-ready"));
  window.getSelection()?.removeAllRanges();
}

function moveGhost(x, y) {
  drag.x = x;
  drag.y = y;
  drag.ghost.style.transform = `translate(${x + 12}px, ${y + 12}px)`;
  highlight(dropZoneAt(x, y));
}

/** Near the window's top or bottom edge the page scrolls, so far-away themes can be reached. */
function autoScroll() {
  if (!drag?.started) return;
  const { y } = drag;
  const step = y < SCROLL_EDGE ? -12 : y > window.innerHeight - SCROLL_EDGE ? 12 : 0;
  if (step) {
    window.scrollBy(0, step);
    highlight(dropZoneAt(drag.x, drag.y));
  }
  drag.scroll = requestAnimationFrame(autoScroll);
}

function endDrag(drop) {
  if (!drag) return;
  const current = drag;
  drag = null;
  cancelAnimationFrame(current.scroll);
  current.ghost?.remove();
  current.target?.classList.remove("drop-target");
  document.body.classList.remove("theme-dragging");
  document.querySelectorAll(".drop-ready, .dragging").forEach((node) => node.classList.remove("drop-ready", "dragging"));
  if (current.started) {
    // The click that ends a mouse drag (it comes in the same task) must not open a menu
    // or a fold under the pointer.
    const swallow = (e) => {
      e.stopPropagation();
      e.preventDefault();
    };
    window.addEventListener("click", swallow, { capture: true });
    setTimeout(() => window.removeEventListener("click", swallow, { capture: true }), 0);
  }
  const zone = drop && current.started ? current.target : null;
  const themeId = zone ? (zone.dataset.drop === "" ? null : Number(zone.dataset.drop)) : undefined;
  current.redraw?.();
  const options = latest.get(current.roomId);
  if (zone && options) moveIdea(options, current.ideaId, themeId);
}

document.addEventListener("pointerdown", (e) => {
  if (drag || e.button !== 0) return;
  const item = e.target.closest(".themes-board.editable .theme-idea");
  if (!item) return;
  const onHandle = Boolean(e.target.closest(".drag-handle"));
  // A finger drags by the handle only (elsewhere it scrolls); a mouse from anywhere on
  // the idea but its controls.
  if (!onHandle && (e.pointerType !== "mouse" || e.target.closest("button, a, input, select, textarea, summary, .menu"))) return;
  const board = item.closest(".themes-board");
  const idea = visibleIdeas(latest.get(Number(board.dataset.roomId))?.holder || {}).find((i) => String(i.id) === item.dataset.ideaId);
  if (!idea) return;
  drag = {
    ideaId: idea.id,
    roomId: Number(board.dataset.roomId),
    text: idea.text,
    startX: e.clientX,
    startY: e.clientY,
    x: e.clientX,
    y: e.clientY,
    pointerId: e.pointerId,
    started: false,
    target: null,
  };
  if (onHandle) {
    e.preventDefault();
    startDrag();
    moveGhost(e.clientX, e.clientY);
    drag.scroll = requestAnimationFrame(autoScroll);
  }
});

document.addEventListener("pointermove", (e) => {
  if (!drag || e.pointerId !== drag.pointerId) return;
  if (!drag.started) {
    if (Math.hypot(e.clientX - drag.startX, e.clientY - drag.startY) < DRAG_THRESHOLD) return;
    startDrag();
    drag.scroll = requestAnimationFrame(autoScroll);
  }
  e.preventDefault();
  moveGhost(e.clientX, e.clientY);
});

document.addEventListener("pointerup", (e) => {
  if (drag && e.pointerId === drag.pointerId) endDrag(true);
});
document.addEventListener("pointercancel", (e) => {
  if (drag && e.pointerId === drag.pointerId) endDrag(false);
});
document.addEventListener("keydown", (e) => {
  if (drag && e.key === "Escape") endDrag(false);
});
