// The projector screen: read-only, made for the back of the hall. The way to join (QR,
// link, code) stays in the right-hand column while the workshop is open, in every phase,
// so late arrivals can join; in the lobby it fills the screen. During the breakouts each
// room shows its phase, timer and live results as bars (screen-bars.js); back in the
// plenary each room's report-back, after the cross-room themes. Hidden results stay
// hidden here too: no bar, no ranking. The rooms come a page at a time, as many as the
// screen holds (screen-pager.js), turning by themselves; the pager pauses, turns back and
// forth, and shows one room on request. "Show the outcome" puts the shared outcome page's
// content up instead (#outcome in the address keeps it there after a reload), refreshed
// when a room event changes it.
import { t } from "./i18n.js";
import { formatDuration, secondsLeft } from "./clock.js";
import { followWorkshop, ranked, shown } from "./workshop-state.js";
import { themeSummary } from "./themes.js";
import { crossThemeScreen, membersOf } from "./cross-themes.js";
import { element } from "./dom.js";
import { changesOutcome, followOutcome, renderOutcome } from "./outcome.js";
import { dotsScale, resultBars } from "./screen-bars.js";
import { Pager } from "./screen-pager.js";

/** The most ideas and themes a card lists; fit() takes off what the card cannot hold. */
const TOP_IDEAS = 5;
const TOP_THEMES = 3;
/** Phases whose tallies mean something (before the vote every bar would be empty). */
const COUNTED = ["vote", "pathway", "closed"];
const workshopId = Number(document.body.dataset.workshopId);
const $ = (id) => document.getElementById(id);
let snapshot = null;

let outcome = null; // followOutcome's handle while the screen shows the outcome

const pager = new Pager({
  grid: $("screen-grid"),
  nav: $("screen-pager"),
  onTurn: () => snapshot && render(),
});

followWorkshop(workshopId, "screen", (current, event) => {
  snapshot = current;
  if (outcome && event && changesOutcome(event)) outcome.refresh();
  render();
});

function showOutcome(on) {
  const toggle = $("outcome-toggle");
  toggle.setAttribute("aria-pressed", String(on));
  toggle.textContent = on ? t("outcome_show_rooms") : t("outcome_show");
  $("screen-outcome").hidden = !on;
  history.replaceState(null, "", on ? "#outcome" : location.pathname + location.search);
  if (on && !outcome) {
    outcome = followOutcome(document.body.dataset.code, (current) =>
      $("screen-outcome").replaceChildren(renderOutcome(current, { level: 2, idPrefix: "screen-outcome" })),
    );
  } else if (!on && outcome) {
    outcome.stop();
    outcome = null;
  }
  if (snapshot) render();
}
$("outcome-toggle").addEventListener("click", () => showOutcome(!outcome));
showOutcome(location.hash === "#outcome");

/**
 * Where the workshop is, for the screen: "lobby" (before the breakouts), "rooms" (they
 * are open), "report" (back in plenary with ideas to report), "over" (back in plenary and
 * every room closed: the way to join goes away).
 */
function stageOf(breakouts) {
  const { breakouts_open: open, breakouts_held: held } = snapshot.workshop;
  if (open) return "rooms";
  if (held && breakouts.length && breakouts.every((r) => r.phase === "closed")) return "over";
  return breakouts.some((r) => shown(r).length) ? "report" : "lobby";
}

function render() {
  const breakouts = snapshot.rooms.filter((r) => r.kind === "breakout");
  const people = snapshot.rooms.reduce((n, r) => n + r.members_list.length, 0);
  const stage = stageOf(breakouts);
  const reportBack = stage === "report" || stage === "over";
  document.body.dataset.stage = outcome ? "outcome" : stage;
  $("joined").textContent = t("joined", { n: people });
  $("screen-join").hidden = stage === "over";

  // Back in plenary the cross-room themes come first, as a page of their own.
  const crosses = (snapshot.cross_themes || []).filter((c) => membersOf(snapshot, c).length);
  const crossPage = reportBack && crosses.length > 0;
  pager.update({ rooms: stage === "lobby" || outcome ? [] : breakouts, extraFirst: crossPage });
  const page = pager.current();

  $("screen-cross").hidden = Boolean(outcome) || !crossPage || !page.extra;
  $("cross-heading").textContent = t("cross_heading", { n: crosses.length });
  $("screen-cross-list").replaceChildren(crossThemeScreen(snapshot));

  $("screen-rooms").hidden = Boolean(outcome) || stage === "lobby" || page.extra;
  $("rooms-heading").textContent = reportBack ? t("report_back") : t("rooms_live");
  $("screen-grid").replaceChildren(...page.rooms.map((r) => renderRoom(r, reportBack)));
  $("screen-grid").querySelectorAll(".screen-room").forEach(fit);
}

/** Take a card's last ideas (then themes) off until it holds what is left: nothing is cut
 * in half at the bottom of the screen. One idea and one theme always stay. */
function fit(card) {
  const lists = [card.querySelector(".screen-ideas"), card.querySelector(".screen-themes")];
  for (const list of lists) {
    while (card.scrollHeight > card.clientHeight && list && list.children.length > 1) list.lastElementChild.remove();
  }
}

function renderRoom(room, reportBack) {
  const card = $("screen-room").content.firstElementChild.cloneNode(true);
  card.dataset.roomId = String(room.id);
  card.querySelector(".room-name").textContent = room.name;
  card.querySelector(".room-phase").textContent = reportBack
    ? ""
    : t("phase", { name: t("phase_names", { which: room.phase }) });
  const timer = card.querySelector(".timer");
  timer.dataset.endsAt = room.timer && !reportBack ? room.timer.ends_at : "";
  tick(timer);
  const visible = shown(room);
  card.querySelector(".room-counts").textContent = `${t("members", { n: room.members_list.length })} · ${t("theme_ideas", { n: visible.length })}`;
  card.querySelector(".room-hidden").textContent = room.results_hidden ? t("hidden_total") : "";

  // Hidden results: no bar and no ranking that gives them away, the newest ideas instead.
  const counted = COUNTED.includes(room.phase) && !room.results_hidden;
  const ideas = (counted ? ranked(snapshot.workshop, room) : visible.reverse()).slice(0, TOP_IDEAS);
  const scale = dotsScale(ideas);
  const list = card.querySelector(".screen-ideas");
  list.setAttribute("aria-label", counted ? t("outcome_top_ideas") : t("screen_newest"));
  ideas.forEach((idea) => {
    const li = element("li");
    li.append(element("span", "idea-text", idea.text));
    if (counted) li.append(resultBars(snapshot.workshop, idea.tally, scale));
    list.append(li);
  });

  const themes = room.themes || [];
  const heading = card.querySelector(".screen-themes-heading");
  heading.hidden = !themes.length;
  heading.textContent = t("themes_heading", { n: themes.length });
  card.querySelector(".screen-themes").replaceWith(themeSummary(snapshot.workshop, room, TOP_THEMES));
  return card;
}

function tick(timer) {
  timer.textContent = timer.dataset.endsAt
    ? t("time_left", { time: formatDuration(secondsLeft(timer.dataset.endsAt)) })
    : "";
}
setInterval(() => document.querySelectorAll("#screen-grid .timer").forEach(tick), 1000);
