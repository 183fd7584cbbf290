// Pathways toward equality (DESIGN §5, docs/protocol.md "Pathways"): what a room turns its
// strongest themes into. One module for the phone, the console and a room's view: it
// applies the pathway events to a room's state, draws the pathways as readable cards
// (endorse and comment during the `pathway` phase), and edits them in one editor.
//
// Several people may edit one pathway at once, and no edit is silently lost. The editor
// remembers the pathway as it was when it opened (`base`, at `version`) and sends only
// the fields that differ from it. Someone else's save that arrives meanwhile fills in the
// fields this person has not touched and leaves the ones they are typing in alone; the
// server refuses an edit of a field someone else changed after `version` ("conflict"),
// and the editor then shows both texts of each such field, side by side, until the person
// chooses "Keep theirs" or "Use mine" (sent again with the current version).
//
// The editor is one modal <dialog> outside the pages' lists: pages draw their rooms again
// on every event, and an editor inside them would lose what is being typed.
import { t } from "./i18n.js";
import { announcer, element } from "./dom.js";
import { describeTally } from "./tallies.js";
import { themeSupport } from "./themes.js";
import { itemTags, tagChips } from "./tags.js";

/** The room events this module applies. */
export const PATHWAY_EVENTS = new Set([
  "pathway_saved",
  "pathway_removed",
  "pathway_commented",
  "pathway_comment_hidden",
  "pathway_endorsed",
]);
/** The actions whose answers this module reads (pathwayResult). */
const PATHWAY_ACTIONS = new Set([
  "create_pathway",
  "edit_pathway",
  "remove_pathway",
  "comment_pathway",
  "endorse_pathway",
  "hide_pathway_comment",
]);
/** A step's time horizon, shortest first (cocreate/models/pathway.py HORIZONS). */
export const HORIZONS = ["short", "medium", "long"];
/** The longest texts the server takes (the same as its checks; the inputs stop there). */
const MAX = { title: 120, challenge: 1000, vision: 1000, action: 300, actor: 120, indicator: 300, steps: 20, comment: 500 };
/** The fields an editor changes, as `edit_pathway` names them, in the editor's order. */
const KEYS = ["title", "challenge", "vision", "steps", "tag_ids", "idea_ids"];
/** How `field_versions` and a conflict's `fields` may name them (the model's names). */
const MODEL_NAME = { tag_ids: "tags", idea_ids: "ideas" };
/** A text longer than this folds on a card: its start shows, the rest opens on demand. */
const FOLD_AT = 220;

// ---- the reducer ---------------------------------------------------------------------

function pathwaysOf(holder) {
  if (!Array.isArray(holder.pathways)) holder.pathways = [];
  return holder.pathways;
}

function copy(value) {
  return JSON.parse(JSON.stringify(value));
}

/** Put a pathway in its room's list (a newer version only: an ack may come after the event). */
function upsert(holder, pathway) {
  const list = pathwaysOf(holder);
  const index = list.findIndex((p) => p.id === pathway.id);
  if (index < 0) list.push(copy(pathway));
  else if ((list[index].version ?? 0) <= (pathway.version ?? 0)) list[index] = copy(pathway);
  list.sort((a, b) => a.id - b.id); // creation order
}

/**
 * Apply one pathway event (docs/protocol.md, "Pathways") to a room's holder {pathways}.
 * Events carry state, so applying one twice is harmless. Returns whether it was one.
 */
export function applyPathwayEvent(holder, event) {
  if (!PATHWAY_EVENTS.has(event.type)) return false;
  const data = event.data;
  const find = (id) => pathwaysOf(holder).find((p) => p.id === id);
  switch (event.type) {
    case "pathway_saved":
      upsert(holder, data.pathway);
      editorHears(data.pathway);
      break;
    case "pathway_removed":
      holder.pathways = pathwaysOf(holder).filter((p) => p.id !== data.pathway_id);
      editorLoses(data.pathway_id);
      break;
    case "pathway_commented": {
      const pathway = find(data.comment.pathway_id);
      if (pathway) {
        pathway.comments = pathway.comments || [];
        if (!pathway.comments.some((c) => c.id === data.comment.id)) pathway.comments.push({ ...data.comment });
      }
      break;
    }
    case "pathway_comment_hidden": {
      const pathway = find(data.pathway_id);
      if (pathway) pathway.comments = (pathway.comments || []).filter((c) => c.id !== data.comment_id);
      break;
    }
    case "pathway_endorsed": {
      const pathway = find(data.pathway_id);
      if (pathway) pathway.endorsements = data.endorsements;
      break;
    }
    default:
      break;
  }
  return true;
}

// ---- who may (the server checks again) -------------------------------------------------

/** Whether this participant may draft and edit their room's pathways: its facilitator,
 * from the cluster phase on, in a breakout room. */
export function participantMayDraft(state) {
  const { kind, phase } = state.room;
  return kind === "breakout" && Boolean(state.me.facilitates) && ["cluster", "vote", "pathway"].includes(phase);
}

/** Whether this participant may endorse and comment: anyone in the room during `pathway`. */
export function participantMayDiscuss(state) {
  return state.room.kind === "breakout" && state.room.phase === "pathway";
}

// ---- what this page endorsed -------------------------------------------------------------

const endorsed = new Set(); // pathway ids this person endorses

/** What the server says this person endorses (the participant's `me.endorsed_pathways`). */
export function setEndorsed(ids) {
  if (!Array.isArray(ids)) return; // an older server: keep what this page knows
  endorsed.clear();
  ids.forEach((id) => endorsed.add(id));
}

// ---- announcements ----------------------------------------------------------------------

const say = announcer("pathways-news");

// ---- small DOM helpers ---------------------------------------------------------------

function button(text, className, id) {
  const node = element("button", className, text);
  node.type = "button";
  if (id) node.id = id;
  return node;
}

function heading(level, className, text) {
  return element(`h${Math.min(6, level)}`, className, text);
}

const opened = new Set(); // ids of the cards' <details> this person opened (a redraw keeps them)

/** A <details> that stays open (or closed) through the redraws that every event brings. */
function keptOpen(className, id) {
  const details = element("details", className);
  details.id = id;
  details.open = opened.has(id);
  details.addEventListener("toggle", () => (details.open ? opened.add(id) : opened.delete(id)));
  return details;
}

/** A text that folds when long: its start as a summary, all of it when opened. */
function foldable(text, className, id) {
  const full = element("p", className, text);
  if (text.length <= FOLD_AT) return full;
  const details = keptOpen("fold", id);
  const cut = text.slice(0, FOLD_AT - 40).replace(/\s+\S*$/, "");
  details.append(element("summary", null, `${cut}…`), full);
  return details;
}

function short(text) {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** A labelled text field (input or textarea) whose value lives in `model[key]`. */
function textField({ id, label, value, max, rows, onInput, describedBy }) {
  const wrap = element("div", "field");
  const labelNode = element("label", null, label);
  const input = element(rows ? "textarea" : "input");
  if (rows) input.rows = rows;
  else input.type = "text";
  input.id = id;
  input.maxLength = max;
  input.autocomplete = "off";
  input.value = value;
  labelNode.htmlFor = id;
  if (describedBy) input.setAttribute("aria-describedby", describedBy);
  input.addEventListener("input", () => onInput(input.value));
  wrap.append(labelNode, input);
  return wrap;
}

// ---- what a page drew last -------------------------------------------------------------

/** Room id → the options of its pathways drawn last (the editor and the acks act on them). */
const latest = new Map();
/** Input id → what was typed in a comment field (a redraw keeps it). */
const drafts = new Map();
/** Ids of the create_pathway actions this page sent: their pathway opens in the editor. */
const created = new Set();

function holderOf(roomId) {
  return latest.get(roomId)?.holder || null;
}

function pathwayIn(roomId, pathwayId) {
  const holder = holderOf(roomId);
  return holder ? pathwaysOf(holder).find((p) => p.id === pathwayId) || null : null;
}

/** The room a pathway is in, among the rooms this page drew. */
function roomOf(pathwayId) {
  for (const [roomId, options] of latest) {
    if (pathwaysOf(options.holder).some((p) => p.id === pathwayId)) return roomId;
  }
  return null;
}

// ---- reading a pathway -----------------------------------------------------------------

/** Ideas everyone in the room sees (not hidden, not waiting for approval). */
function visibleIdeas(holder) {
  return (holder.ideas || []).filter((idea) => idea.status === undefined || idea.status === "visible");
}

/** A pathway's support: its ideas' tallies added up as the themes' are (themes.js), while
 * every one is known here; else what the server said. Null while the results are hidden. */
function supportOf(options, pathway) {
  if (options.resultsHidden) return null;
  const ideas = visibleIdeas(options.holder).filter((idea) => (pathway.idea_ids || []).includes(idea.id));
  if (ideas.length && ideas.length === (pathway.idea_ids || []).length) return themeSupport(options.workshop, ideas);
  return pathway.support ?? null;
}

/** The editable fields of a pathway, as the editor keeps them. */
function fieldsOf(pathway) {
  return {
    title: pathway.title || "",
    challenge: pathway.challenge || "",
    vision: pathway.vision || "",
    steps: (pathway.steps || []).map((s) => ({
      action: s.action || "",
      actor: s.actor || "",
      horizon: HORIZONS.includes(s.horizon) ? s.horizon : "short",
      indicator: s.indicator || "",
    })),
    tag_ids: [...(pathway.tag_ids || [])].sort((a, b) => a - b),
    idea_ids: [...(pathway.idea_ids || [])].sort((a, b) => a - b),
  };
}

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The version that last changed a field (0: never changed since it was made). */
function fieldVersion(pathway, key) {
  const versions = pathway.field_versions || {};
  return versions[key] ?? versions[MODEL_NAME[key]] ?? 0;
}

/** A conflict's field names as the editor's keys (the server may use the model's names). */
function editorKey(name) {
  return Object.entries(MODEL_NAME).find(([, model]) => model === name)?.[0] || name;
}

function fieldLabel(key) {
  return t("pathway_fields", { which: key });
}

// ---- the cards -----------------------------------------------------------------------

function stepItem(step, n) {
  const li = element("li", "pathway-step");
  li.append(element("p", "step-action", step.action || t("step_untitled", { n })));
  const facts = element("dl", "step-facts");
  const fact = (term, value) => {
    if (!value) return;
    facts.append(element("dt", null, term), element("dd", null, value));
  };
  fact(t("step_actor"), step.actor);
  fact(t("step_horizon"), t("horizons", { which: step.horizon }));
  fact(t("step_indicator"), step.indicator);
  li.append(facts);
  return li;
}

function commentItem(options, pathway, comment) {
  const li = element("li", "pathway-comment");
  li.append(element("p", "comment-text", comment.text));
  li.append(element("p", "meta", comment.author || t("anonymous")));
  if (options.canHide) {
    const hide = button(t("hide"), "link danger", `hide-comment-${comment.id}`);
    hide.setAttribute("aria-label", t("hide_comment_on", { text: short(comment.text) }));
    hide.addEventListener("click", () => {
      options.send("hide_pathway_comment", { comment_id: comment.id });
      pathway.comments = (pathway.comments || []).filter((c) => c.id !== comment.id); // at once
      options.rerender();
    });
    li.append(hide);
  }
  return li;
}

function commentForm(options, pathway) {
  const form = element("form", "stack comment-form");
  const id = `pathway-comment-${pathway.id}`;
  const label = element("label", null, t("comment_label"));
  label.htmlFor = id;
  const text = element("textarea");
  text.id = id;
  text.rows = 2;
  text.maxLength = MAX.comment;
  text.required = true;
  text.value = drafts.get(id) || "";
  const count = element("p", "hint", "");
  count.id = `${id}-count`;
  count.setAttribute("aria-live", "polite");
  text.setAttribute("aria-describedby", count.id);
  const update = () => (count.textContent = t("chars_left", { n: MAX.comment - text.value.length }));
  update();
  text.addEventListener("input", () => {
    drafts.set(id, text.value);
    update();
  });
  const send = element("button", "primary", t("comment_send"));
  send.type = "submit";
  send.id = `${id}-send`;
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const value = text.value.trim();
    if (!value) return text.focus();
    options.send("comment_pathway", { pathway_id: pathway.id, text: value });
    drafts.delete(id);
    text.value = "";
    update();
    say(t("comment_sent"));
  });
  form.append(label, text, count, send);
  return form;
}

function endorseButton(options, pathway) {
  const mine = endorsed.has(pathway.id);
  const endorse = button(t("endorse"), "endorse-button", `endorse-${pathway.id}`);
  endorse.setAttribute("aria-pressed", String(mine));
  endorse.setAttribute("aria-describedby", `pathway-${pathway.id}-endorsements`);
  endorse.addEventListener("click", () => {
    const now = !endorsed.has(pathway.id);
    // At once; the event (and the ack) set the real count.
    if (now) endorsed.add(pathway.id);
    else endorsed.delete(pathway.id);
    pathway.endorsements = Math.max(0, (pathway.endorsements || 0) + (now ? 1 : -1));
    options.send("endorse_pathway", { pathway_id: pathway.id, endorse: now });
    say(t(now ? "endorsed_now" : "endorsed_not"));
    options.rerender();
  });
  return endorse;
}

function pathwayItem(options, pathway) {
  const li = element("li", "pathway");
  li.dataset.pathwayId = String(pathway.id);
  const article = element("article", "pathway-card");
  const titleId = `pathway-${pathway.id}-title`;
  article.setAttribute("aria-labelledby", titleId);
  const title = heading(options.level + 1, "pathway-title", pathway.title);
  title.id = titleId;
  article.append(title);
  const theme = (options.holder.themes || []).find((th) => th.id === pathway.theme_id);
  if (theme) article.append(element("p", "meta", t("pathway_from_theme", { name: theme.name })));
  const sub = options.level + 2;
  if (pathway.challenge) article.append(heading(sub, "pathway-sub", t("pathway_fields", { which: "challenge" })), foldable(pathway.challenge, "pathway-text", `pathway-${pathway.id}-challenge`));
  if (pathway.vision) article.append(heading(sub, "pathway-sub", t("pathway_fields", { which: "vision" })), foldable(pathway.vision, "pathway-text", `pathway-${pathway.id}-vision`));
  const steps = pathway.steps || [];
  article.append(heading(sub, "pathway-sub", t("steps_heading", { n: steps.length })));
  if (steps.length) {
    const list = element("ol", "pathway-steps");
    steps.forEach((step, n) => list.append(stepItem(step, n + 1)));
    article.append(list);
  } else {
    article.append(element("p", "meta", t("no_steps")));
  }
  const chips = tagChips(options.workshop, pathway.tag_ids);
  if (chips) {
    const tags = element("div", "tags");
    tags.append(chips);
    article.append(tags);
  }
  const ideas = visibleIdeas(options.holder).filter((idea) => (pathway.idea_ids || []).includes(idea.id));
  if (ideas.length) {
    const fold = keptOpen("pathway-ideas", `pathway-${pathway.id}-ideas`);
    fold.append(element("summary", null, t("pathway_ideas", { n: ideas.length })));
    const list = element("ul", "pathway-idea-list");
    ideas.forEach((idea) => list.append(element("li", null, idea.text)));
    fold.append(list);
    article.append(fold);
  }
  if (!["cluster"].includes(options.phase)) {
    article.append(element("p", "meta pathway-support", t("theme_support", { tally: describeTally(options.workshop, supportOf(options, pathway)) })));
  }
  const count = element("p", "pathway-endorsements", t("endorsements", { n: pathway.endorsements || 0 }));
  count.id = `pathway-${pathway.id}-endorsements`;
  const actions = element("div", "pathway-actions");
  if (options.canDiscuss) actions.append(endorseButton(options, pathway));
  actions.append(count);
  article.append(actions);
  if (options.canEdit) {
    const edit = element("div", "button-row pathway-edit-row");
    const open = button(t("edit"), null, `edit-pathway-${pathway.id}`);
    open.setAttribute("aria-label", t("edit_pathway_on", { title: pathway.title }));
    open.addEventListener("click", () => openEditor(options.roomId, pathway.id, open.id));
    const remove = button(t("remove_pathway"), "danger", `remove-pathway-${pathway.id}`);
    remove.setAttribute("aria-label", t("remove_pathway_on", { title: pathway.title }));
    remove.addEventListener("click", () => {
      if (!window.confirm(t("confirm_remove_pathway", { title: pathway.title }))) return;
      options.send("remove_pathway", { pathway_id: pathway.id });
      options.holder.pathways = pathwaysOf(options.holder).filter((p) => p.id !== pathway.id); // at once
      wantFocus = `pathway-new-title-${options.roomId}`;
      options.rerender();
    });
    edit.append(open, remove);
    article.append(edit);
  }
  const comments = pathway.comments || [];
  if (comments.length || options.canDiscuss) {
    const section = element("section", "pathway-comments");
    const commentsHeading = heading(sub, "pathway-sub", t("comments_heading", { n: comments.length }));
    commentsHeading.id = `pathway-${pathway.id}-comments`;
    section.setAttribute("aria-labelledby", commentsHeading.id);
    section.append(commentsHeading);
    if (comments.length) {
      const list = element("ul", "comment-list");
      comments.forEach((comment) => list.append(commentItem(options, pathway, comment)));
      section.append(list);
    }
    if (options.canDiscuss) section.append(commentForm(options, pathway));
    article.append(section);
  }
  li.append(article);
  return li;
}

/** The "Draft a pathway" button of a theme (a theme's card on the board, or the list below). */
export function draftButton(options, theme, { long = false } = {}) {
  const draft = button(
    long ? t("draft_from_theme", { name: theme.name }) : t("draft_pathway"),
    long ? "draft-button" : "link draft-link",
    `draft-${long ? "list-" : ""}theme-${theme.id}`,
  );
  if (!long) draft.setAttribute("aria-label", t("draft_from_theme", { name: theme.name }));
  draft.addEventListener("click", () => create(options, { theme_id: theme.id }));
  return draft;
}

function create(options, payload) {
  if (options.moderator) payload = { ...payload, room_id: options.roomId };
  const action = options.send("create_pathway", payload);
  if (action?.payload?.id) created.add(action.payload.id);
  say(t("pathway_drafting"));
}

function draftSection(options) {
  const section = element("section", "pathway-draft");
  const headingNode = heading(options.level + 1, null, t("draft_heading"));
  headingNode.id = `pathway-draft-${options.roomId}`;
  section.setAttribute("aria-labelledby", headingNode.id);
  section.append(headingNode);
  const themes = options.holder.themes || [];
  if (themes.length) {
    section.append(element("p", "hint", t("draft_help")));
    const list = element("ul", "draft-list");
    themes.forEach((theme) => {
      const li = element("li");
      li.append(draftButton(options, theme, { long: true }));
      list.append(li);
    });
    section.append(list);
  }
  const form = element("form", "inline-form pathway-new");
  const id = `pathway-new-title-${options.roomId}`;
  const label = element("label", null, t("draft_from_scratch"));
  const input = element("input");
  input.id = id;
  input.maxLength = MAX.title;
  input.required = true;
  input.autocomplete = "off";
  input.value = drafts.get(id) || "";
  input.addEventListener("input", () => drafts.set(id, input.value));
  label.htmlFor = id;
  const add = element("button", null, t("draft_pathway"));
  add.type = "submit";
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const title = input.value.trim();
    if (!title) return input.focus();
    create(options, { title });
    drafts.delete(id);
    input.value = "";
  });
  form.append(label, input, add);
  section.append(form);
  return section;
}

/**
 * Draw a room's pathways: the cards, and for those who may edit, the ways to draft one.
 * @param {object} options
 * @param {number} options.roomId
 * @param {object} options.holder   the room's {pathways, ideas, themes}
 * @param {object} options.workshop the workshop (its tags, its voting mode)
 * @param {string} options.phase    the room's phase
 * @param {boolean} options.resultsHidden  no support while the room's results are hidden
 * @param {boolean} options.canEdit    draft, edit and remove (the server decides again)
 * @param {boolean} [options.canDiscuss]  endorse and comment
 * @param {boolean} [options.canHide]  hide comments
 * @param {boolean} [options.moderator]  name the room in create_pathway (the moderator namespace)
 * @param {(event: string, payload: object) => object} [options.send]  live.send
 * @param {() => void} [options.rerender]  draw the pathways again after a change here
 * @param {number} [options.level]  the section's heading level
 * @param {boolean} [options.foldable]  a <details> (the console's room cards)
 * @returns {HTMLElement}
 */
export function pathwayBoard(options) {
  options = { level: 2, send: () => null, rerender: () => {}, ...options };
  const pathways = pathwaysOf(options.holder);
  const board = element(options.foldable ? "details" : "section", "pathways-board");
  board.dataset.roomId = String(options.roomId);
  const headingText = t("pathways_heading", { n: pathways.length });
  if (options.foldable) {
    board.append(element("summary", "pathways-heading", headingText));
    board.open = folded.has(options.roomId) ? folded.get(options.roomId) : options.phase === "pathway";
    board.addEventListener("toggle", () => folded.set(options.roomId, board.open));
  } else {
    const headingNode = heading(options.level, "pathways-heading", headingText);
    headingNode.id = `pathways-heading-${options.roomId}`;
    board.setAttribute("aria-labelledby", headingNode.id);
    board.append(headingNode);
  }
  if (options.phase === "pathway") board.append(element("p", "hint", t(options.canDiscuss ? "pathways_help" : "pathways_watch")));
  const list = element("ul", "pathway-list");
  pathways.forEach((pathway) => list.append(pathwayItem(options, pathway)));
  if (!pathways.length) list.append(element("li", "meta", t("no_pathways")));
  board.append(list);
  if (options.canEdit) board.append(draftSection(options));
  latest.set(options.roomId, options);
  if (editor && editor.roomId === options.roomId) catchUp();
  // An action asked for the focus somewhere: once the page has put this drawing in place.
  if (wantFocus) {
    queueMicrotask(() => {
      const target = wantFocus && document.getElementById(wantFocus);
      wantFocus = null;
      target?.focus();
    });
  }
  return board;
}

const folded = new Map(); // room id → whether its console board is open
let wantFocus = null; // an element id to focus once the pathways are drawn again

/**
 * Show a room's pathways in a container (hidden while there is nothing for this reader),
 * keeping the keyboard's place and what was typed through the redraw.
 */
export function showPathways(container, options) {
  const any = pathwaysOf(options.holder).length > 0;
  const readable = ["pathway", "closed"].includes(options.phase) || options.always;
  container.hidden = !(options.canEdit || (any && readable));
  if (container.hidden) {
    container.replaceChildren();
    latest.set(options.roomId, options);
    return;
  }
  const draw = () => {
    const active = container.contains(document.activeElement) ? document.activeElement : null;
    const focusId = active?.id;
    const selection = active && "selectionStart" in active ? [active.selectionStart, active.selectionEnd] : null;
    const drawn = { ...options, rerender: draw };
    container.replaceChildren(pathwayBoard(drawn));
    const target = focusId && document.getElementById(focusId);
    if (target && target !== document.activeElement) {
      target.focus();
      if (selection && target.id === focusId && "setSelectionRange" in target) {
        try {
          target.setSelectionRange(...selection);
        } catch {
          // an input type without a selection
        }
      }
    }
  };
  draw();
}

// ---- the editor --------------------------------------------------------------------------

// {roomId, pathwayId, openerId, version, seen, base, form, saving, conflict, removed, news}
let editor = null;
let dialog = null;

function context() {
  return editor ? latest.get(editor.roomId) : null;
}

/** The fields whose value (as it would be saved: trimmed, empty steps left out) differs
 * from the pathway the editor started from. */
function changedKeys() {
  return KEYS.filter((key) => !same(trimmed(key, editor.form[key]), editor.base[key]));
}

function editorDialog() {
  if (dialog) return dialog;
  dialog = element("dialog", "pathway-editor");
  dialog.id = "pathway-editor";
  dialog.setAttribute("aria-labelledby", "pathway-editor-title");
  const head = element("div", "pathway-editor-head");
  const title = element("h2", null, t("pathway_editor"));
  title.id = "pathway-editor-title";
  title.tabIndex = -1;
  const news = element("div", "pathway-editor-news");
  news.id = "pathway-editor-news";
  news.setAttribute("role", "status");
  news.setAttribute("aria-live", "polite");
  head.append(title, news);
  const body = element("form", "pathway-editor-body stack");
  body.id = "pathway-editor-form";
  body.noValidate = true;
  body.addEventListener("submit", (e) => {
    e.preventDefault();
    save();
  });
  const foot = element("div", "pathway-editor-foot");
  const status = element("p", "pathway-editor-status");
  status.id = "pathway-editor-status";
  status.setAttribute("role", "status");
  const saveButton = element("button", "primary", t("save"));
  saveButton.type = "submit";
  saveButton.id = "pathway-editor-save";
  saveButton.setAttribute("form", body.id);
  const close = button(t("close_editor"), null, "pathway-editor-close");
  close.addEventListener("click", () => closeEditor(false));
  foot.append(status, saveButton, close);
  dialog.append(head, body, foot);
  dialog.addEventListener("cancel", (e) => {
    e.preventDefault();
    closeEditor(false);
  });
  (document.querySelector("main") || document.body).append(dialog);
  return dialog;
}

/** Open the editor on a pathway of a room this page drew. */
export function openEditor(roomId, pathwayId, openerId = null) {
  const pathway = pathwayIn(roomId, pathwayId);
  if (!pathway) return;
  if (editor && editor.pathwayId !== pathwayId && changedKeys().length && !window.confirm(t("confirm_close_editor"))) return;
  editor = {
    roomId,
    pathwayId,
    openerId,
    version: pathway.version,
    seen: pathway.version,
    base: fieldsOf(pathway),
    form: fieldsOf(pathway),
    saving: null,
    conflict: null,
    removed: false,
    news: [],
    error: "",
  };
  const box = editorDialog();
  drawEditor();
  if (!box.open) box.showModal();
  box.querySelector(".pathway-editor-body").scrollTop = 0;
  document.getElementById("pathway-title")?.focus();
}

/** Close the editor; unsaved changes only after the person said so. */
function closeEditor(saved) {
  if (!editor) return;
  if (!saved && !editor.removed && changedKeys().length && !window.confirm(t("confirm_close_editor"))) return;
  const { openerId, roomId, pathwayId } = editor;
  editor = null;
  if (dialog?.open) dialog.close();
  const opener = (openerId && document.getElementById(openerId)) || document.getElementById(`edit-pathway-${pathwayId}`);
  if (opener) opener.focus();
  else document.getElementById(`pathways-heading-${roomId}`)?.focus();
}

/** Draw the editor from its model, keeping the keyboard's place. */
function drawEditor(focusId) {
  if (!editor || !dialog) return;
  const active = dialog.contains(document.activeElement) ? document.activeElement : null;
  const keep = focusId || active?.id;
  const selection = active && !focusId && "selectionStart" in active ? [active.selectionStart, active.selectionEnd] : null;
  const form = dialog.querySelector(".pathway-editor-body");
  const scroll = form.scrollTop;
  const { form: model } = editor;
  const parts = [];
  if (editor.conflict) parts.push(conflictPanel());
  parts.push(
    textField({ id: "pathway-title", label: fieldLabel("title"), value: model.title, max: MAX.title, onInput: (v) => typed("title", v) }),
    textField({ id: "pathway-challenge", label: fieldLabel("challenge"), value: model.challenge, max: MAX.challenge, rows: 3, onInput: (v) => typed("challenge", v) }),
    textField({ id: "pathway-vision", label: fieldLabel("vision"), value: model.vision, max: MAX.vision, rows: 3, onInput: (v) => typed("vision", v) }),
    stepsEditor(),
    tagsEditor(),
    ideasEditor(),
  );
  form.replaceChildren(...parts);
  form.scrollTop = scroll;
  drawNews();
  drawStatus();
  const target = keep && document.getElementById(keep);
  if (target) {
    target.focus();
    if (selection && "setSelectionRange" in target) {
      try {
        target.setSelectionRange(...selection);
      } catch {
        // a select or a checkbox: no selection
      }
    }
  }
}

function typed(key, value) {
  editor.form[key] = value;
  editor.error = "";
  drawStatus();
}

function drawStatus() {
  if (!editor || !dialog) return;
  const status = dialog.querySelector("#pathway-editor-status");
  const saveButton = dialog.querySelector("#pathway-editor-save");
  let text = "";
  if (editor.removed) text = t("pathway_removed_meanwhile");
  else if (editor.error) text = editor.error;
  else if (editor.saving) text = t("pathway_saving");
  else if (editor.conflict) text = t("conflict_choose");
  else if (changedKeys().length) text = t("pathway_unsaved", { fields: changedKeys().map(fieldLabel).join(", ") });
  status.textContent = text;
  status.classList.toggle("error", Boolean(editor.error || editor.removed));
  saveButton.disabled = Boolean(editor.removed || editor.saving || editor.conflict);
}

function drawNews() {
  const box = dialog.querySelector("#pathway-editor-news");
  box.replaceChildren(...editor.news.map((line) => element("p", "pathway-news", line)));
}

// ---- steps ----

function stepsEditor() {
  const fieldset = element("fieldset", "steps-editor");
  fieldset.append(element("legend", null, t("steps_heading", { n: editor.form.steps.length })));
  const list = element("ol", "step-edits");
  const steps = editor.form.steps;
  steps.forEach((step, i) => {
    const n = i + 1;
    const li = element("li", "step-edit");
    const group = element("div", "step-fields");
    group.setAttribute("role", "group");
    const label = element("p", "step-label", t("step_n", { n }));
    label.id = `step-${i}-label`;
    group.setAttribute("aria-labelledby", label.id);
    group.append(
      label,
      textField({ id: `step-${i}-action`, label: t("step_action"), value: step.action, max: MAX.action, rows: 2, onInput: (v) => stepTyped(i, "action", v) }),
      textField({ id: `step-${i}-actor`, label: t("step_actor"), value: step.actor, max: MAX.actor, onInput: (v) => stepTyped(i, "actor", v) }),
    );
    const horizonWrap = element("div", "field");
    const horizonLabel = element("label", null, t("step_horizon"));
    const horizon = element("select");
    horizon.id = `step-${i}-horizon`;
    horizonLabel.htmlFor = horizon.id;
    HORIZONS.forEach((which) => horizon.append(new Option(t("horizons", { which }), which)));
    horizon.value = step.horizon;
    horizon.addEventListener("change", () => stepTyped(i, "horizon", horizon.value));
    horizonWrap.append(horizonLabel, horizon);
    group.append(horizonWrap, textField({ id: `step-${i}-indicator`, label: t("step_indicator"), value: step.indicator, max: MAX.indicator, onInput: (v) => stepTyped(i, "indicator", v) }));
    const moves = element("div", "step-moves");
    const up = button(t("step_up"), null, `step-${i}-up`);
    up.setAttribute("aria-label", t("step_up_on", { n }));
    up.disabled = i === 0;
    up.addEventListener("click", () => moveStep(i, -1));
    const down = button(t("step_down"), null, `step-${i}-down`);
    down.setAttribute("aria-label", t("step_down_on", { n }));
    down.disabled = i === steps.length - 1;
    down.addEventListener("click", () => moveStep(i, 1));
    const remove = button(t("step_remove"), "danger", `step-${i}-remove`);
    remove.setAttribute("aria-label", t("step_remove_on", { n }));
    remove.addEventListener("click", () => removeStep(i));
    moves.append(up, down, remove);
    group.append(moves);
    li.append(group);
    list.append(li);
  });
  fieldset.append(list);
  const add = button(t("step_add"), null, "step-add");
  add.disabled = steps.length >= MAX.steps;
  add.addEventListener("click", () => {
    editor.form.steps = [...editor.form.steps, { action: "", actor: "", horizon: "short", indicator: "" }];
    drawEditor(`step-${editor.form.steps.length - 1}-action`);
    say(t("step_added", { n: editor.form.steps.length }));
  });
  fieldset.append(add);
  return fieldset;
}

function stepTyped(i, field, value) {
  editor.form.steps = editor.form.steps.map((step, n) => (n === i ? { ...step, [field]: value } : step));
  editor.error = "";
  drawStatus();
}

function moveStep(i, delta) {
  const steps = [...editor.form.steps];
  const j = i + delta;
  if (j < 0 || j >= steps.length) return;
  [steps[i], steps[j]] = [steps[j], steps[i]];
  editor.form.steps = steps;
  // The keyboard goes with the step; at an end, to the button that still moves it.
  const edge = (delta < 0 && j === 0) || (delta > 0 && j === steps.length - 1);
  drawEditor(`step-${j}-${edge ? (delta < 0 ? "down" : "up") : delta < 0 ? "up" : "down"}`);
  say(t("step_moved", { n: j + 1 }));
}

function removeStep(i) {
  editor.form.steps = editor.form.steps.filter((_, n) => n !== i);
  const left = editor.form.steps.length;
  drawEditor(left ? `step-${Math.min(i, left - 1)}-action` : "step-add");
  say(t("step_removed", { n: i + 1 }));
}

// ---- tags and ideas ----

function tagsEditor() {
  const ctx = context();
  const section = element("fieldset", "pathway-tags-editor");
  section.append(element("legend", null, fieldLabel("tag_ids")));
  const item = { id: editor.pathwayId, title: editor.form.title || t("pathway_editor"), tag_ids: editor.form.tag_ids };
  const tags = itemTags({
    kind: "pathway",
    item,
    place: "editor-",
    workshop: ctx.workshop,
    canTag: true,
    pick: (ids) => {
      editor.form.tag_ids = [...ids].sort((a, b) => a - b);
    },
    onChange: () => {
      // The picker stays open over the editor: only the chips change under it.
      const old = dialog.querySelector(".pathway-tags-editor");
      if (old) old.replaceWith(tagsEditor());
      drawStatus();
    },
  });
  if (tags) section.append(tags);
  else section.append(element("p", "meta", t("no_tags")));
  return section;
}

function ideasEditor() {
  const ctx = context();
  const chosen = new Set(editor.form.idea_ids);
  const ideas = visibleIdeas(ctx.holder);
  const fold = element("details", "pathway-ideas-editor");
  fold.id = "pathway-ideas-fold";
  fold.open = ideasOpen;
  fold.addEventListener("toggle", () => (ideasOpen = fold.open));
  fold.append(element("summary", null, t("pathway_ideas_chosen", { n: ideas.filter((i) => chosen.has(i.id)).length })));
  const fieldset = element("fieldset", "idea-checks");
  fieldset.append(element("legend", null, fieldLabel("idea_ids")));
  if (!ideas.length) fieldset.append(element("p", "meta", t("no_ideas_to_link")));
  ideas.forEach((idea) => {
    const id = `pathway-idea-${idea.id}`;
    const label = element("label", "check");
    const box = element("input");
    box.type = "checkbox";
    box.id = id;
    box.checked = chosen.has(idea.id);
    box.addEventListener("change", () => {
      const ids = new Set(editor.form.idea_ids);
      if (box.checked) ids.add(idea.id);
      else ids.delete(idea.id);
      editor.form.idea_ids = [...ids].sort((a, b) => a - b);
      fold.querySelector("summary").textContent = t("pathway_ideas_chosen", { n: ideas.filter((i) => ids.has(i.id)).length });
      drawStatus();
    });
    label.htmlFor = id;
    label.append(box, element("span", null, idea.text));
    fieldset.append(label);
  });
  fold.append(fieldset);
  return fold;
}
let ideasOpen = false;

// ---- saving ----

function trimmed(key, value) {
  if (key === "steps") {
    return value
      .map((s) => ({ action: s.action.trim(), actor: s.actor.trim(), horizon: s.horizon, indicator: s.indicator.trim() }))
      .filter((s) => s.action || s.actor || s.indicator);
  }
  return typeof value === "string" ? value.trim() : value;
}

function save() {
  if (!editor || editor.saving || editor.removed || editor.conflict) return;
  const keys = changedKeys();
  editor.error = "";
  if (!keys.length) {
    closeEditor(true);
    say(t("pathway_nothing_changed"));
    return;
  }
  if (!editor.form.title.trim()) {
    editor.error = t("pathway_title_needed");
    drawStatus();
    document.getElementById("pathway-title")?.focus();
    return;
  }
  // A step needs its action (a step left wholly empty is dropped when saving).
  const lacking = editor.form.steps.findIndex((s) => !s.action.trim() && (s.actor.trim() || s.indicator.trim()));
  if (lacking >= 0) {
    editor.error = t("step_needs_action", { n: lacking + 1 });
    drawStatus();
    document.getElementById(`step-${lacking}-action`)?.focus();
    return;
  }
  send(keys);
}

function send(keys) {
  const ctx = context();
  const changes = Object.fromEntries(keys.map((key) => [key, trimmed(key, editor.form[key])]));
  const action = ctx.send("edit_pathway", { pathway_id: editor.pathwayId, version: editor.version, changes });
  editor.saving = action?.payload?.id || true;
  editor.news = [];
  drawNews();
  drawStatus();
}

/** A snapshot drew the room again: hear the pathway as it is now (a sync may skip events). */
function catchUp() {
  const pathway = pathwayIn(editor.roomId, editor.pathwayId);
  if (pathway) editorHears(pathway);
  else if (!editor.removed && holderOf(editor.roomId)) editorLoses(editor.pathwayId);
}

/**
 * Someone saved the pathway being edited (or this editor's own save came back): fill in
 * the fields this person has not touched, keep the ones they changed, and say so.
 */
function editorHears(pathway) {
  if (!editor || pathway.id !== editor.pathwayId || pathway.version <= editor.seen) return;
  editor.seen = pathway.version;
  const incoming = fieldsOf(pathway);
  const touched = changedKeys();
  const merged = [];
  const clashing = [];
  KEYS.forEach((key) => {
    if (same(incoming[key], editor.base[key])) return; // not changed by anyone
    if (!touched.includes(key)) {
      editor.base[key] = copy(incoming[key]);
      editor.form[key] = copy(incoming[key]);
      merged.push(key);
    } else if (same(incoming[key], trimmed(key, editor.form[key]))) {
      editor.base[key] = copy(incoming[key]); // what this person typed is saved now
    } else if (editor.conflict?.fields.includes(key)) {
      editor.conflict.theirs[key] = copy(incoming[key]); // the panel shows their newest
      editor.base[key] = copy(incoming[key]);
    } else {
      clashing.push(key);
    }
  });
  // The version moves on only when no field this person is changing was changed by
  // someone else after it: else the server would take their edit over the other's.
  if (changedKeys().every((key) => fieldVersion(pathway, key) <= editor.version)) editor.version = pathway.version;
  if (merged.length || clashing.length) {
    const lines = [];
    if (merged.length) lines.push(t("pathway_updated", { fields: merged.map(fieldLabel).join(", ") }));
    if (clashing.length) lines.push(t("pathway_updated_yours", { fields: clashing.map(fieldLabel).join(", ") }));
    editor.news = lines;
    drawEditor();
  }
}

function editorLoses(pathwayId) {
  if (!editor || editor.pathwayId !== pathwayId) return;
  editor.removed = true;
  editor.news = [t("pathway_removed_meanwhile")];
  drawNews();
  drawStatus();
}

// ---- conflicts ----

/** A field's value in words, for the conflict panel. */
function valueView(key, value) {
  const ctx = context();
  if (key === "steps") {
    if (!value.length) return element("p", "meta", t("empty_value"));
    const list = element("ol", "pathway-steps");
    value.forEach((step, n) => list.append(stepItem(step, n + 1)));
    return list;
  }
  if (key === "tag_ids") {
    return tagChips(ctx.workshop, value) || element("p", "meta", t("empty_value"));
  }
  if (key === "idea_ids") {
    const texts = visibleIdeas(ctx.holder).filter((idea) => value.includes(idea.id));
    if (!texts.length) return element("p", "meta", t("empty_value"));
    const list = element("ul", "pathway-idea-list");
    texts.forEach((idea) => list.append(element("li", null, idea.text)));
    return list;
  }
  return value ? element("p", "conflict-text", value) : element("p", "meta", t("empty_value"));
}

function conflictPanel() {
  const { conflict } = editor;
  const panel = element("section", "conflict-panel");
  panel.id = "pathway-conflict";
  const title = element("h3", null, t("conflict_heading"));
  title.id = "pathway-conflict-heading";
  title.tabIndex = -1;
  panel.setAttribute("aria-labelledby", title.id);
  panel.append(title, element("p", null, t("conflict_help")));
  conflict.fields.forEach((key) => {
    const field = element("section", "conflict-field");
    field.dataset.field = key;
    const name = element("h4", null, fieldLabel(key));
    name.id = `conflict-${key}-heading`;
    field.setAttribute("aria-labelledby", name.id);
    const theirs = element("div", "conflict-side conflict-theirs");
    theirs.append(element("p", "conflict-label", t("conflict_theirs")), valueView(key, conflict.theirs[key]));
    const mine = element("div", "conflict-side conflict-mine");
    mine.append(element("p", "conflict-label", t("conflict_mine")), valueView(key, conflict.mine[key]));
    const choices = element("div", "button-row");
    const keepTheirs = button(t("keep_theirs"), null, `conflict-${key}-theirs`);
    keepTheirs.setAttribute("aria-label", t("keep_theirs_on", { field: fieldLabel(key) }));
    keepTheirs.addEventListener("click", () => choose(key, "theirs"));
    const useMine = button(t("use_mine"), "primary", `conflict-${key}-mine`);
    useMine.setAttribute("aria-label", t("use_mine_on", { field: fieldLabel(key) }));
    useMine.addEventListener("click", () => choose(key, "mine"));
    choices.append(keepTheirs, useMine);
    field.append(name, theirs, mine, choices);
    panel.append(field);
  });
  return panel;
}

/**
 * The server refused an edit: someone else changed some of its fields after the version
 * it started from. Open (or keep) the editor with both texts of each such field.
 */
function showConflict(action, error) {
  const current = error.current;
  const roomId = current?.room_id ?? roomOf(action.payload.pathway_id);
  if (!current || roomId === null || !latest.has(roomId)) return false;
  upsert(holderOf(roomId), current);
  const sent = action.payload.changes || {};
  if (!editor || editor.pathwayId !== current.id) {
    // The editor was closed meanwhile (or the page reloaded with the edit in its outbox):
    // open it again on what is saved now, with what was sent on top.
    openEditor(roomId, current.id);
    if (!editor) return false;
    Object.entries(sent).forEach(([key, value]) => {
      if (KEYS.includes(key)) editor.form[key] = key.endsWith("_ids") ? [...value].sort((a, b) => a - b) : copy(value);
    });
  }
  const incoming = fieldsOf(current);
  const mineNow = changedKeys();
  const fields = (error.fields || []).map(editorKey).filter((key) => KEYS.includes(key));
  // What the person changes and nobody else did: it stays in the form, on the new version.
  KEYS.forEach((key) => {
    if (!mineNow.includes(key) && !fields.includes(key)) editor.form[key] = copy(incoming[key]);
    editor.base[key] = copy(incoming[key]);
  });
  const clashing = fields.filter((key) => !same(trimmed(key, editor.form[key]), incoming[key]));
  editor.version = current.version;
  editor.seen = Math.max(editor.seen, current.version);
  editor.saving = null;
  editor.news = [];
  if (!clashing.length) {
    // They saved the same as this person did: nothing is left to choose.
    editor.conflict = null;
    drawEditor();
    return true;
  }
  editor.conflict = {
    fields: clashing,
    theirs: Object.fromEntries(clashing.map((key) => [key, copy(incoming[key])])),
    mine: Object.fromEntries(clashing.map((key) => [key, copy(editor.form[key])])),
    choices: {},
  };
  drawEditor("pathway-conflict-heading");
  say(`${t("conflict_heading")} ${clashing.map(fieldLabel).join(", ")}`);
  return true;
}

/** Keep their text of a field, or use mine; once every field is chosen, send what is left. */
function choose(key, which) {
  const { conflict } = editor;
  conflict.choices[key] = which;
  // "Use mine" keeps what is in the field now (typed on since the conflict, maybe).
  if (which === "theirs") editor.form[key] = copy(conflict.theirs[key]);
  editor.base[key] = copy(conflict.theirs[key]);
  const open = conflict.fields.filter((field) => !conflict.choices[field]);
  if (open.length) {
    conflict.fields = open;
    drawEditor(`conflict-${open[0]}-mine`);
    return;
  }
  editor.conflict = null;
  const keys = changedKeys();
  if (keys.length) {
    send(keys);
    drawEditor("pathway-editor-title");
  } else {
    closeEditor(true);
    say(t("kept_theirs"));
  }
}

// ---- answers -------------------------------------------------------------------------------

/**
 * Read the answer to a pathway action (the pages' onResult calls it first). Returns true
 * when it was handled here; false when the page should show it (a refusal) as usual.
 */
export function pathwayResult(action, ack, pending = []) {
  if (!PATHWAY_ACTIONS.has(action.event)) return false;
  const { payload } = action;
  if (action.event === "edit_pathway") {
    const mine = editor && editor.saving === payload.id;
    if (ack.ok) {
      const roomId = ack.pathway?.room_id ?? roomOf(payload.pathway_id);
      if (ack.pathway && latest.has(roomId)) upsert(holderOf(roomId), ack.pathway);
      if (mine) {
        editor.saving = null;
        if (ack.pathway) editorHears(ack.pathway);
        // Typed on while it was saving: that stays open, unsaved, for the next Save.
        if (!changedKeys().length) closeEditor(true);
        else drawStatus();
        say(t("pathway_saved_now"));
      }
      redraw(roomId);
      return true;
    }
    if (ack.error?.code === "conflict" && showConflict(action, ack.error)) return true;
    if (mine) {
      editor.saving = null;
      editor.error = ack.error?.message || t("pathway_not_saved");
      drawStatus();
      return true;
    }
    return false;
  }
  if (!ack.ok) {
    if (action.event === "endorse_pathway") endorsed.delete(payload.pathway_id); // the sync sets the count
    return false;
  }
  if (action.event === "create_pathway" && ack.pathway) {
    const roomId = ack.pathway.room_id ?? payload.room_id;
    if (latest.has(roomId)) upsert(holderOf(roomId), ack.pathway);
    redraw(roomId);
    if (created.delete(payload.id) && !editor) openEditor(roomId, ack.pathway.id);
  } else if (action.event === "endorse_pathway") {
    // A later tap still waiting says more than this answer.
    const later = pending.some((a) => a.event === "endorse_pathway" && a.payload.pathway_id === payload.pathway_id);
    if (!later) {
      if (ack.endorsed) endorsed.add(payload.pathway_id);
      else endorsed.delete(payload.pathway_id);
      const roomId = roomOf(payload.pathway_id);
      const pathway = roomId !== null ? pathwayIn(roomId, payload.pathway_id) : null;
      if (pathway && typeof ack.endorsements === "number") pathway.endorsements = ack.endorsements;
      redraw(roomId);
    }
  } else if (action.event === "comment_pathway" && ack.comment) {
    const roomId = roomOf(ack.comment.pathway_id);
    if (roomId !== null) {
      applyPathwayEvent(holderOf(roomId), { type: "pathway_commented", data: { comment: ack.comment } });
      redraw(roomId);
    }
  }
  return true;
}

function redraw(roomId) {
  latest.get(roomId)?.rerender?.();
}
