// The shared outcome (docs/protocol.md, "Outcome"): drawn from its JSON, and followed.
//
// followOutcome asks GET /api/w/<code>/outcome every POLL_MS with the ETag it has (the
// server answers 304 from memory while nothing changed), at once when the page comes
// back into view or online, and when the page hears an event that changes the outcome
// (refresh(), at most once every REFRESH_MS). The same drawing serves the outcome page,
// the phone's lobby after the breakouts and the projector; participant text only ever
// goes in as textContent.
import { t } from "./i18n.js";
import { describeTally } from "./tallies.js";
import { tagChips } from "./tags.js";
import { element } from "./dom.js";

const POLL_MS = 15000;
const REFRESH_MS = 2000;

/** Room events after which the outcome may have changed (a page that hears them refreshes). */
const CHANGES = /^(theme_|themes_|idea_|ideas_|pathway_|cross_theme_|results_|phase_changed$|workshop_changed$)/;

/** Whether a room event may change the outcome. */
export function changesOutcome(event) {
  return CHANGES.test(event.type) && event.type !== "idea_submitted";
}

/**
 * Follow a workshop's outcome: onChange(outcome) after each answer that brings a new one.
 * Returns {refresh(), stop()}; `etag` is the version the page already shows (none: fetch now).
 */
export function followOutcome(code, onChange, { etag = null, pollMs = POLL_MS } = {}) {
  let current = etag;
  let timer = null;
  let last = 0; // when the latest request went (performance.now())
  let inFlight = false;
  let stopped = false;

  async function fetchNow() {
    if (inFlight || stopped) return;
    inFlight = true;
    last = performance.now();
    try {
      const headers = { Accept: "application/json" };
      if (current) headers["If-None-Match"] = `"${current}"`;
      const response = await fetch(`/api/w/${encodeURIComponent(code)}/outcome`, { headers, cache: "no-store" });
      if (response.status === 200) {
        const body = await response.json();
        current = (response.headers.get("ETag") || "").replace(/^W\//, "").replaceAll('"', "") || null;
        onChange(body.outcome);
      }
    } catch {
      // Offline or the server is away: the next turn tries again.
    } finally {
      inFlight = false;
      schedule(pollMs);
    }
  }

  function schedule(ms) {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(fetchNow, ms);
  }

  /** Ask soon: now, or as soon as REFRESH_MS have passed since the last request. */
  function refresh() {
    schedule(Math.max(0, REFRESH_MS - (performance.now() - last)));
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refresh();
  });
  window.addEventListener("online", refresh);
  schedule(current ? pollMs : 0);
  return {
    refresh,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** A heading of level `level` (clamped to h6). */
function heading(level, text, id) {
  const node = element(`h${Math.min(6, level)}`, null, text);
  if (id) node.id = id;
  return node;
}

function supportLine(workshop, support) {
  return support === null || support === undefined ? null : t("theme_support", { tally: describeTally(workshop, support) });
}

function joined(parts) {
  return parts.filter(Boolean).join(" · ");
}

/**
 * Draw an outcome as an <article>. `level` is the level of its title's heading (the
 * sections' headings are one below); `idPrefix` keeps ids apart when a page has two.
 */
export function renderOutcome(outcome, { level = 1, idPrefix = "outcome" } = {}) {
  const w = outcome.workshop;
  const tagged = { tags: outcome.tags }; // what tags.js reads a workshop's tags from
  const article = element("article", "outcome");
  article.setAttribute("aria-labelledby", `${idPrefix}-title`);

  const head = element("header", "outcome-head");
  head.append(heading(level, w.title, `${idPrefix}-title`), element("p", "question", w.question));
  if (w.description) head.append(element("p", "outcome-description", w.description));
  const p = outcome.participation;
  head.append(
    element(
      "p",
      "meta",
      joined([t("outcome_people", { n: p.people }), t("theme_ideas", { n: p.ideas }), t("outcome_rooms", { n: p.rooms })]),
    ),
  );
  article.append(head);

  const section = (key, title) => {
    const node = element("section", `outcome-section outcome-${key}`);
    node.setAttribute("aria-labelledby", `${idPrefix}-${key}`);
    node.append(heading(level + 1, title, `${idPrefix}-${key}`));
    article.append(node);
    return node;
  };

  const pathways = section("pathways", t("outcome_pathways"));
  if (!outcome.pathways.length) pathways.append(element("p", "meta", t("outcome_no_pathways")));
  outcome.pathways.forEach((pathway) => {
    const card = element("article", "card outcome-pathway");
    card.dataset.id = String(pathway.id);
    card.append(
      heading(level + 2, pathway.title),
      element(
        "p",
        "meta",
        joined([
          t("outcome_from_room", { room: pathway.room }),
          supportLine(w, pathway.support),
          t("outcome_endorsements", { n: pathway.endorsements }),
        ]),
      ),
    );
    if (pathway.challenge) card.append(heading(level + 3, t("outcome_challenge")), element("p", "outcome-text", pathway.challenge));
    if (pathway.vision) card.append(heading(level + 3, t("outcome_vision")), element("p", "outcome-text", pathway.vision));
    if (pathway.steps.length) {
      const steps = element("ol", "outcome-steps");
      pathway.steps.forEach((step) => {
        const li = element("li");
        li.append(element("span", "outcome-step-action", step.action));
        const meta = joined([
          step.actor && t("outcome_step_actor", { actor: step.actor }),
          step.horizon && t("horizons", { which: step.horizon }),
          step.indicator && t("outcome_step_indicator", { indicator: step.indicator }),
        ]);
        if (meta) li.append(" ", element("span", "meta", meta));
        steps.append(li);
      });
      card.append(heading(level + 3, t("outcome_steps")), steps);
    }
    const chips = tagChips(tagged, pathway.tag_ids);
    if (chips) card.append(chips);
    pathways.append(card);
  });

  if (outcome.cross_themes.length) {
    const crosses = section("cross", t("outcome_cross"));
    const list = element("ul", "outcome-list");
    outcome.cross_themes.forEach((cross) => {
      const li = element("li", "card outcome-cross");
      li.dataset.id = String(cross.id);
      li.append(heading(level + 2, cross.name));
      if (cross.description) li.append(element("p", "outcome-text", cross.description));
      li.append(element("p", "meta", cross.themes.map((theme) => t("outcome_room_theme", { room: theme.room, theme: theme.name })).join(" · ")));
      const support = supportLine(w, cross.support);
      if (support) li.append(element("p", "meta", support));
      list.append(li);
    });
    crosses.append(list);
  }

  const rooms = section("rooms", t("outcome_rooms_heading"));
  outcome.rooms.forEach((room) => {
    const card = element("article", "card outcome-room");
    card.dataset.id = String(room.id);
    card.append(heading(level + 2, room.name));
    if (room.topic) card.append(element("p", "topic", room.topic));
    if (!room.results_shown) card.append(element("p", "meta outcome-hidden", t("outcome_hidden")));
    if (room.themes.length) {
      const list = element("ol", "outcome-themes");
      room.themes.forEach((theme) => {
        const li = element("li");
        li.dataset.id = String(theme.id);
        li.append(
          element("span", "outcome-theme-name", theme.name),
          " ",
          element("span", "meta", joined([t("theme_ideas", { n: theme.ideas }), supportLine(w, theme.support)])),
        );
        const chips = tagChips(tagged, theme.tag_ids);
        if (chips) li.append(chips);
        list.append(li);
      });
      card.append(heading(level + 3, t("outcome_themes")), list);
    }
    if (room.top_ideas.length) {
      const list = element("ol", "outcome-ideas");
      room.top_ideas.forEach((idea) => {
        const li = element("li");
        li.dataset.id = String(idea.id);
        const results = idea.results === null ? null : describeTally(w, idea.results);
        li.append(
          element("span", "outcome-idea-text", idea.text),
          " ",
          element("span", "meta", joined([idea.author || t("anonymous"), idea.paper && t("from_paper"), results])),
        );
        list.append(li);
      });
      card.append(heading(level + 3, t("outcome_top_ideas")), list);
    } else if (room.results_shown && !room.themes.length) {
      card.append(element("p", "meta", t("outcome_no_ideas")));
    }
    rooms.append(card);
  });
  return article;
}
