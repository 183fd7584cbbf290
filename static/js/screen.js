// The projector screen: read-only, large type. In the lobby it shows how to join and
// how many have; during breakouts each room's phase, timer and live results; back in
// the plenary each room's report-back. Hidden results stay hidden here too. "Show the
// outcome" puts the shared outcome page's content up instead (#outcome in the address
// keeps it there after a reload), refreshed when a room event changes it.
import { t } from "./i18n.js";
import { formatDuration, secondsLeft } from "./clock.js";
import { followWorkshop, ranked, shown } from "./workshop-state.js";
import { describeTally } from "./tallies.js";
import { themeSummary } from "./themes.js";
import { crossThemeScreen, membersOf } from "./cross-themes.js";
import { element } from "./dom.js";
import { changesOutcome, followOutcome, renderOutcome } from "./outcome.js";

const TOP_IDEAS = 5;
const workshopId = Number(document.body.dataset.workshopId);
const $ = (id) => document.getElementById(id);
let snapshot = null;

let outcome = null; // followOutcome's handle while the screen shows the outcome

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

function render() {
  const breakouts = snapshot.rooms.filter((r) => r.kind === "breakout");
  const people = snapshot.rooms.reduce((n, r) => n + r.members_list.length, 0);
  const reportBack = !snapshot.workshop.breakouts_open && breakouts.some((r) => shown(r).length);
  $("joined").textContent = t("joined", { n: people });
  $("screen-join").hidden = snapshot.workshop.breakouts_open || reportBack;
  $("screen-rooms").hidden = !$("screen-join").hidden;
  $("rooms-heading").textContent = reportBack ? t("report_back") : t("rooms_live");
  $("screen-grid").replaceChildren(...breakouts.map((r) => renderRoom(r, reportBack)));
  // Back in plenary: the cross-room themes, with their rooms and support.
  const crosses = (snapshot.cross_themes || []).filter((c) => membersOf(snapshot, c).length);
  $("screen-cross").hidden = snapshot.workshop.breakouts_open || !crosses.length;
  $("cross-heading").textContent = t("cross_heading", { n: crosses.length });
  $("screen-cross-list").replaceChildren(crossThemeScreen(snapshot));
  if (outcome) ["screen-join", "screen-cross", "screen-rooms"].forEach((id) => ($(id).hidden = true));
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
  card.querySelector(".room-hidden").textContent = room.results_hidden ? t("hidden_total") : "";
  const list = card.querySelector(".screen-ideas");
  const ideas = room.results_hidden ? shown(room) : ranked(snapshot.workshop, room); // no ranking gives it away
  ideas.slice(0, TOP_IDEAS).forEach((idea) => {
    const li = element("li", null, idea.text);
    if (!room.results_hidden) li.append(element("span", "tally", ` · ${describeTally(snapshot.workshop, idea.tally)}`));
    list.append(li);
  });
  const themes = room.themes || [];
  card.querySelector(".screen-themes-heading").hidden = !themes.length;
  card.querySelector(".screen-themes-heading").textContent = t("themes_heading", { n: themes.length });
  card.querySelector(".screen-themes").replaceWith(themeSummary(snapshot.workshop, room, TOP_IDEAS));
  return card;
}

function tick(timer) {
  timer.textContent = timer.dataset.endsAt
    ? t("time_left", { time: formatDuration(secondsLeft(timer.dataset.endsAt)) })
    : "";
}
setInterval(() => document.querySelectorAll("#screen-grid .timer").forEach(tick), 1000);
