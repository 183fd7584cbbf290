// The phone's list of ideas: each idea with its votes in the workshop's mode (dots,
// agree / disagree / pass, or scores), its author's edit and withdraw, long details
// folded, and the order the person chose (remembered per room on this device).
//
// The list never moves under the thumb: a vote or a tally that changes leaves every idea
// where it is; when that makes the chosen order stale, a "Sort again" button appears and
// the person re-sorts when they want to. A new idea goes straight to its place.
import { t } from "./i18n.js";
import { element } from "./dom.js";
import { byTally, describeTally } from "./tallies.js";
import { watchLength } from "./limits.js";

const STANCES = ["agree", "disagree", "pass"];
const SCORES = [1, 2, 3, 4, 5];
/** The action that votes in each mode. */
export const VOTE_EVENT = { dots: "vote", agree: "opinion", scores: "score" };
/** The orders a person can choose; "support" only while the results are shown. */
const SORTS = ["posted", "newest", "support", "mine"];
/** Details longer than this (characters) or than two lines show two lines and "Show more". */
const FOLD_CHARS = 160;

export function mode(workshop) {
  return workshop.voting_mode || "dots";
}

/** Whether votes count the same way: the mode, and the criteria only when scoring (the
 * server's rule: unused criteria may change at any time). */
export function sameVoting(a, b) {
  const rules = (w) => JSON.stringify([w.voting_mode, w.voting_mode === "scores" ? w.criteria : null]);
  return rules(a) === rules(b);
}

/** A tally in the workshop's mode with nobody's vote in it (tallies.js reads this shape). */
export function emptyTally(workshop) {
  if (mode(workshop) === "agree") return { agree: 0, disagree: 0, pass: 0, consensus: 0.0, divisiveness: 0.0 };
  if (mode(workshop) === "scores") {
    return { criteria: workshop.criteria.map(() => ({ mean: null, count: 0 })), mean: null, voters: 0 };
  }
  return { dots: 0 };
}

/** This participant's scores on an idea, one per criterion (null: not scored). */
function myScores(state, key) {
  const mine = state.me.votes[key];
  return state.workshop.criteria.map((_, c) => (Array.isArray(mine) ? mine[c] ?? null : null));
}

export function dotsLeft(state) {
  const spent = Object.values(state.me.votes).reduce((a, b) => a + b, 0);
  return state.workshop.dots_per_room - spent;
}

/** Whether this participant gave the idea anything: a dot, an opinion, a score. */
function votedOn(state, idea) {
  const mine = state.me.votes[String(idea.id)];
  if (Array.isArray(mine)) return mine.some((score) => score !== null && score !== undefined);
  return Boolean(mine);
}

/**
 * What the sticky bar says of this participant's vote: the dots left, or how many of the
 * room's ideas they gave an opinion on, or scored on every criterion.
 */
export function standing(state) {
  const workshop = state.workshop;
  if (mode(workshop) === "dots") return t("dots_left", { n: dotsLeft(state) });
  const ideas = state.ideas.filter((idea) => idea.status === "visible");
  const done = ideas.filter((idea) => {
    const key = String(idea.id);
    if (mode(workshop) === "agree") return Boolean(state.me.votes[key]);
    return myScores(state, key).every((score) => score !== null);
  }).length;
  return t(mode(workshop) === "agree" ? "opinions_given" : "ideas_scored", { n: done, total: ideas.length });
}

/** Show one vote still in the outbox as this participant's own (if it is of this mode). */
export function showPendingVote(state, { event, payload }) {
  if (event !== VOTE_EVENT[mode(state.workshop)]) return; // another mode's: the server will refuse it
  const key = String(payload.idea_id);
  const votes = state.me.votes;
  if (event === "vote") {
    votes[key] = Math.max(0, (votes[key] || 0) + payload.delta);
  } else if (event === "opinion") {
    if (payload.stance === null) delete votes[key];
    else votes[key] = payload.stance;
  } else {
    const scores = myScores(state, key);
    scores[payload.criterion] = payload.score;
    votes[key] = scores;
  }
}

function control(tag, className, text, focusKey) {
  const node = element(tag, className, text);
  if (tag === "button") {
    node.type = "button";
    // A button acts when Space comes up, and a tally arriving meanwhile draws the idea
    // again with new buttons: the press was lost. Pressed on the way down, it is not.
    node.addEventListener("keydown", (event) => {
      if (event.key !== " " || event.repeat) return;
      event.preventDefault();
      node.click();
    });
  }
  node.dataset.focus = focusKey;
  return node;
}

/**
 * The list of ideas in the <ol> `list`, ordered by `sortSelect` (a <select>; `resort`
 * is the "Sort again" button).
 * @param {{list: HTMLElement, sortSelect: HTMLSelectElement, resort: HTMLButtonElement,
 *   state: () => object, send: (event, payload) => void, allows: (action) => boolean,
 *   tags: (idea) => Node | null, onVote: () => void, pendingIdeas: () => object[],
 *   sortKey: (roomId) => string, limits: {text: number, details: number}}} options
 *   `onVote` redraws what a vote changes besides its idea (the sticky bar, every idea's
 *   + buttons, the themes); `sortKey` names the room's order in localStorage.
 */
export function ideaList(options) {
  const { list, sortSelect, resort } = options;
  const items = new Map(); // idea id → <li>
  const unfolded = new Set(); // ids of ideas whose details this person opened
  let checking = false;

  // ---- the order ------------------------------------------------------------------

  function chosenSort() {
    try {
      const stored = localStorage.getItem(options.sortKey(options.state().room.id));
      return SORTS.includes(stored) ? stored : "posted";
    } catch {
      return "posted"; // storage refused (private mode): the default order
    }
  }

  /** The order in force: the chosen one, but not by support while results are hidden. */
  function sort() {
    const chosen = chosenSort();
    return chosen === "support" && options.state().room.results_hidden ? "posted" : chosen;
  }

  function comparator() {
    const state = options.state();
    const posted = (a, b) => a.id - b.id;
    switch (sort()) {
      case "newest":
        return (a, b) => b.id - a.id;
      case "support":
        return byTally(state.workshop);
      case "mine": {
        const rank = (idea) => (state.me.ideas.includes(idea.id) || votedOn(state, idea) ? 0 : 1);
        return (a, b) => rank(a) - rank(b) || posted(a, b);
      }
      default:
        return posted;
    }
  }

  function ordered() {
    return [...options.state().ideas].sort(comparator());
  }

  function fillSortSelect() {
    const hidden = options.state().room.results_hidden;
    const choices = SORTS.filter((which) => which !== "support" || !hidden);
    const now = [...sortSelect.options].map((o) => o.value);
    if (now.join() !== choices.join()) {
      sortSelect.replaceChildren(...choices.map((which) => new Option(t("sorts", { which }), which)));
    }
    sortSelect.value = sort();
  }

  function ideaOf(li) {
    return options.state().ideas.find((idea) => String(idea.id) === li.dataset.id);
  }

  /** Say whether the list is out of its chosen order (a vote or a tally moved it). */
  function checkOrder() {
    checking = false;
    const shown = [...list.querySelectorAll(":scope > li.idea:not(.pending)")].map((li) => li.dataset.id);
    const wanted = ordered().map((idea) => String(idea.id));
    resort.hidden = shown.join() === wanted.join();
  }

  function checkSoon() {
    if (checking) return;
    checking = true;
    queueMicrotask(checkOrder);
  }

  /** Put every idea in the chosen order; the focus stays where it was. */
  function applyOrder() {
    const focused = document.activeElement;
    const pending = [...list.querySelectorAll(":scope > li.pending")];
    ordered().forEach((idea) => items.get(idea.id) && list.append(items.get(idea.id)));
    if (sort() === "newest") list.prepend(...pending);
    else list.append(...pending);
    if (focused && focused !== document.activeElement && list.contains(focused)) focused.focus();
    resort.hidden = true;
  }

  /** Where a new idea goes: before the first idea it sorts ahead of. */
  function place(li, idea) {
    const compare = comparator();
    const next = [...list.querySelectorAll(":scope > li.idea:not(.pending)")].find((other) => {
      const shown = ideaOf(other);
      return shown && compare(idea, shown) < 0;
    });
    if (next) list.insertBefore(li, next);
    else if (sort() === "newest") list.append(li);
    else list.insertBefore(li, list.querySelector(":scope > li.pending")); // null: at the end
  }

  sortSelect.addEventListener("change", () => {
    try {
      localStorage.setItem(options.sortKey(options.state().room.id), sortSelect.value);
    } catch {
      // Not remembered on this device; the list is still sorted now.
    }
    applyOrder();
  });
  resort.addEventListener("click", () => {
    applyOrder();
    sortSelect.focus(); // the button is gone: the focus goes to the order's menu beside it
  });

  // ---- one idea ---------------------------------------------------------------------

  function details(idea) {
    const text = element("p", "idea-details", idea.details);
    text.id = `idea-details-${idea.id}`;
    const long = idea.details.length > FOLD_CHARS || idea.details.split("\n").length > 2;
    if (!long) return [text];
    const open = unfolded.has(idea.id);
    text.classList.toggle("folded", !open);
    const toggle = control("button", "link fold-toggle", open ? t("show_less") : t("show_more"), "fold");
    toggle.setAttribute("aria-expanded", String(open));
    toggle.setAttribute("aria-controls", text.id);
    toggle.addEventListener("click", () => {
      if (unfolded.has(idea.id)) unfolded.delete(idea.id);
      else unfolded.add(idea.id);
      render(idea);
    });
    return [text, toggle];
  }

  function render(idea) {
    const state = options.state();
    let li = items.get(idea.id);
    if (!li) {
      li = element("li", "idea");
      li.dataset.id = String(idea.id);
      items.set(idea.id, li);
      place(li, idea);
    }
    checkSoon();
    if (li.querySelector("form")) return; // being edited: leave the editor alone
    const mine = state.me.ideas.includes(idea.id);
    const parts = [element("p", "idea-text", idea.text)];
    if (idea.details) parts.push(...details(idea));
    const meta = element("p", "meta", idea.author || t("anonymous"));
    if (idea.on_paper) meta.append(` · ${t("from_paper")}`);
    if (idea.edited) meta.append(` · ${t("edited")}`);
    parts.push(meta);

    if (idea.status === "pending") {
      parts.push(element("p", "meta awaiting", t("awaiting_your_approval")));
      li.classList.add("pending-approval");
      li.replaceChildren(...parts);
      return;
    }
    const tags = options.tags(idea);
    if (tags) parts.push(tags);
    const voting = { dots: dotsVoting, agree: opinionVoting, scores: scoreVoting }[mode(state.workshop)] || dotsVoting;
    parts.push(...voting(idea));

    if (mine && options.allows("edit")) {
      const own = element("div", "own-actions");
      const edit = element("button", "link", t("edit"));
      edit.type = "button";
      edit.addEventListener("click", () => openEditor(li, idea));
      const withdraw = element("button", "link danger", t("withdraw"));
      withdraw.type = "button";
      withdraw.addEventListener("click", () => {
        if (window.confirm(t("confirm_withdraw"))) options.send("withdraw_idea", { idea_id: idea.id });
      });
      own.append(edit, withdraw);
      parts.push(own);
    }
    // Drawing the idea again must not take the focus from a keyboard or screen-reader user.
    const focused = li.contains(document.activeElement) ? document.activeElement.dataset : {};
    li.replaceChildren(...parts);
    const again = (key) => key && li.querySelector(`[data-focus="${CSS.escape(key)}"]`);
    (again(focused.focus) || again(focused.focusFallback))?.focus();
  }

  // ---- voting, in the workshop's mode -------------------------------------------------

  /** The tally line under an idea; `mine` (optional) says what this participant chose. */
  function tallyLine(idea, mine) {
    // A null tally: the results are hidden until the moderator reveals them.
    const tally = element("span", "tally", describeTally(options.state().workshop, idea.tally));
    if (mine) tally.append(element("span", "mine", ` (${mine})`));
    return tally;
  }

  function dotsVoting(idea) {
    const state = options.state();
    const myDots = state.me.votes[String(idea.id)] || 0;
    const row = element("div", "vote-row");
    const tally = tallyLine(idea, t("my_dots", { n: myDots }));
    if (!options.allows("vote")) {
      row.append(tally);
      return [row];
    }
    const minus = control("button", "dot-button", "−", "remove");
    minus.dataset.focusFallback = "add";
    minus.setAttribute("aria-label", t("remove_dot", { text: idea.text }));
    minus.disabled = myDots === 0;
    minus.addEventListener("click", () => giveDot(idea, -1));
    const plus = control("button", "dot-button", "+", "add");
    plus.dataset.focusFallback = "remove";
    plus.setAttribute("aria-label", t("add_dot", { text: idea.text }));
    plus.disabled = dotsLeft(state) <= 0 || myDots >= state.workshop.max_dots_per_idea;
    plus.addEventListener("click", () => giveDot(idea, 1));
    row.append(minus, tally, plus);
    return [row];
  }

  function opinionVoting(idea) {
    const stance = options.state().me.votes[String(idea.id)] || null;
    const row = element("div", "vote-row");
    row.append(tallyLine(idea, stance && t("my_stance", { stance: t("stances", { which: stance }) })));
    if (!options.allows("vote")) return [row];
    const buttons = element("div", "stance-row");
    STANCES.forEach((which) => {
      const button = control("button", "stance-button", t("stances", { which }), `stance-${which}`);
      button.dataset.stance = which;
      button.setAttribute("aria-pressed", String(stance === which));
      button.setAttribute("aria-label", t("stance_on", { stance: t("stances", { which }), text: idea.text }));
      // Pressing the pressed one takes the opinion back.
      button.addEventListener("click", () => giveOpinion(idea, stance === which ? null : which));
      buttons.append(button);
    });
    return [buttons, row];
  }

  function scoreVoting(idea) {
    const state = options.state();
    const row = element("div", "vote-row");
    const scores = myScores(state, String(idea.id));
    if (!options.allows("vote")) {
      // After the vote, one's own scores stay in view, as dots and opinions do.
      const given = state.workshop.criteria
        .map((criterion, c) => (scores[c] === null ? null : t("criterion_score", { criterion, mean: scores[c] })))
        .filter(Boolean);
      row.append(tallyLine(idea, given.length ? t("my_scores", { scores: given.join(" · ") }) : null));
      return [row];
    }
    row.append(tallyLine(idea));
    const fields = state.workshop.criteria.map((criterion, c) => {
      const fieldset = element("fieldset", "score-field");
      fieldset.setAttribute("aria-label", t("score_on", { criterion, text: idea.text }));
      fieldset.append(element("legend", null, criterion));
      const scale = element("div", "score-scale");
      SCORES.forEach((score) => {
        const id = `score-${idea.id}-${c}-${score}`;
        const choice = element("span", "score-choice");
        const input = control("input", null, undefined, `score-${c}-${score}`);
        input.type = "radio";
        input.id = id;
        input.name = `score-${idea.id}-${c}`;
        input.value = String(score);
        input.checked = scores[c] === score;
        input.addEventListener("change", () => giveScore(idea, c, score));
        const label = element("label", null, String(score));
        label.htmlFor = id;
        choice.append(input, label);
        scale.append(choice);
      });
      fieldset.append(scale);
      if (scores[c] !== null) {
        const clear = control("button", "link score-clear", t("score_clear"), `clear-${c}`);
        clear.setAttribute("aria-label", t("score_clear_on", { criterion, text: idea.text }));
        clear.dataset.focusFallback = `score-${c}-${SCORES[0]}`;
        clear.addEventListener("click", () => giveScore(idea, c, null));
        fieldset.append(clear);
      }
      return fieldset;
    });
    return [...fields, row];
  }

  // Every vote shows at once; the ack (or a resync after a refusal) sets what counted.

  function giveDot(idea, delta) {
    const state = options.state();
    const key = String(idea.id);
    state.me.votes[key] = (state.me.votes[key] || 0) + delta;
    if (idea.tally) idea.tally.dots += delta; // null: the results are hidden
    options.send("vote", { idea_id: idea.id, delta });
    options.onVote();
  }

  function giveOpinion(idea, stance) {
    const state = options.state();
    const key = String(idea.id);
    if (stance === null) delete state.me.votes[key];
    else state.me.votes[key] = stance;
    options.send("opinion", { idea_id: idea.id, stance });
    render(idea);
    options.onVote();
  }

  function giveScore(idea, criterion, score) {
    const state = options.state();
    const key = String(idea.id);
    const scores = myScores(state, key);
    scores[criterion] = score;
    state.me.votes[key] = scores;
    options.send("score", { idea_id: idea.id, criterion, score });
    render(idea);
    options.onVote();
  }

  // ---- editing one's own idea ----------------------------------------------------------

  function openEditor(li, idea) {
    const form = element("form", "stack");
    const field = (id, labelText, value, max, tooLong) => {
      const label = element("label", null, labelText);
      label.htmlFor = `${id}-${idea.id}`;
      const area = element("textarea");
      area.id = label.htmlFor;
      area.value = value;
      form.append(label, area);
      return [area, watchLength(area, { max, tooLong })];
    };
    const [text, textLimit] = field("edit-text", t("edit_text"), idea.text, options.limits.text, "idea_too_long_save");
    const [more, moreLimit] = field(
      "edit-details",
      t("edit_details"),
      idea.details,
      options.limits.details,
      "details_too_long_save",
    );
    const save = element("button", "primary", t("save"));
    save.type = "submit";
    const cancel = element("button", null, t("cancel"));
    cancel.type = "button";
    cancel.addEventListener("click", () => {
      form.remove();
      render(idea);
    });
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      if (textLimit.refuse() || moreLimit.refuse()) return; // nothing is sent, nothing is cut
      options.send("edit_idea", { idea_id: idea.id, text: text.value, details: more.value });
      form.remove();
      render({ ...idea, text: text.value, details: more.value });
    });
    form.append(save, cancel);
    li.replaceChildren(form);
    text.focus();
  }

  // ---- the list -----------------------------------------------------------------------

  /** Draw every idea again, in the chosen order (a new snapshot, a new phase). */
  function renderAll() {
    items.forEach((li) => li.remove());
    items.clear();
    fillSortSelect();
    ordered().forEach((idea) => {
      const li = element("li", "idea");
      li.dataset.id = String(idea.id);
      items.set(idea.id, li);
      list.append(li);
      render(idea);
    });
    renderPending();
    resort.hidden = true;
  }

  /** Ideas still in the outbox, shown as waiting to be sent. */
  function renderPending() {
    list.querySelectorAll(":scope > li.pending").forEach((li) => li.remove());
    options.pendingIdeas().forEach((action) => {
      const li = element("li", "idea pending");
      li.dataset.action = action.payload.id;
      li.append(element("p", "idea-text", action.payload.text), element("p", "meta", t("waiting")));
      if (sort() === "newest") list.prepend(li);
      else list.append(li);
    });
  }

  return {
    render,
    renderAll,
    renderPending,
    /** The order's menu again (results hidden or shown change what it offers); the list
     * keeps its order until the person sorts again. */
    refreshSort() {
      fillSortSelect();
      checkSoon();
    },
    item: (ideaId) => items.get(ideaId),
    remove(ideaId) {
      items.get(ideaId)?.remove();
      items.delete(ideaId);
      unfolded.delete(ideaId);
    },
    removePending(actionId) {
      list.querySelector(`:scope > li.pending[data-action="${CSS.escape(actionId)}"]`)?.remove();
    },
  };
}
