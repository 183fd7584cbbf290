// The console's rooms at a glance: one tile per room (phase, timer, people, ideas,
// activity, hidden or revealed results), its Next phase and phase menu, and its detail
// on demand (console-room-detail.js). A tile's size never depends on what people typed.
import { t } from "./i18n.js";
import { formatDuration, secondsLeft, secondsSince } from "./clock.js";
import { element } from "./dom.js";
import { onChoose } from "./choose.js";
import { fillDetail, personName } from "./console-room-detail.js";

export const PHASES = ["propose", "cluster", "vote", "pathway", "closed"];

/** The phase after this one (Propose after the lobby), or null after Closed. */
export function nextPhase(phase) {
  if (phase === "lobby") return "propose";
  const at = PHASES.indexOf(phase);
  return at >= 0 && at < PHASES.length - 1 ? PHASES[at + 1] : null;
}

/** Fill a <select> with the phases (and "no phase change" first when `withNone`). */
export function fillPhases(select, withNone) {
  if (withNone) select.append(new Option(t("no_next_phase"), ""));
  PHASES.forEach((p) => select.append(new Option(t("phase_names", { which: p }), p)));
}

/**
 * What a Next phase button says: the phase, and the timer that starts with it (none
 * when `minutes` is 0 or the next phase is Closed). `all`: the button for every room.
 */
export function nextLabel(phase, minutes, all) {
  const name = t("phase_names", { which: phase });
  const timed = minutes > 0 && phase !== "closed";
  if (all) return timed ? t("next_all_timed", { name, n: minutes }) : t("next_all", { name });
  return timed ? t("next_room_timed", { name, n: minutes }) : t("next_room", { name });
}

/**
 * Move rooms to `phase` and start the timer that goes with it, in one gesture: one room
 * (`roomId`) or every breakout room (`roomId` null). Two actions; in either order the
 * room ends in the phase with the timer running (the timer carries no phase change).
 */
export function advance(live, phase, minutes, roomId = null) {
  live.send("set_phase", { phase, room_id: roomId });
  if (minutes > 0 && phase !== "closed") {
    live.send("start_timer", { seconds: Math.round(minutes * 60), next_phase: null, room_id: roomId });
  }
}

/**
 * A room's tile. `page` is the console's {live, snapshot(), redraw(room), minutes()}.
 */
export function roomTile(r, page) {
  const card = document.getElementById("room-card").content.firstElementChild.cloneNode(true);
  const breakout = r.kind === "breakout";
  card.dataset.roomId = String(r.id);
  card.dataset.phase = breakout ? r.phase : "";
  const title = breakout ? r.name : t("plenary");
  const name = card.querySelector(".room-name");
  name.textContent = title;
  name.title = title; // the tile shows two lines of a long name; the rest on hover
  name.id = `room-name-${r.id}`;
  card.setAttribute("aria-labelledby", name.id);
  const badge = card.querySelector(".phase-badge");
  badge.textContent = breakout ? t("phase_names", { which: r.phase }) : t("lobby_badge");
  badge.dataset.phase = breakout ? r.phase : "lobby";
  const topic = card.querySelector(".room-topic");
  topic.textContent = r.topic;
  topic.title = r.topic;

  const timer = card.querySelector(".timer");
  timer.dataset.endsAt = r.timer ? r.timer.ends_at : "";
  timer.dataset.next = r.timer && r.timer.next_phase ? r.timer.next_phase : "";
  renderTimer(timer);
  card.querySelector(".room-count").textContent = t("members", { n: r.members_list.length });
  const waiting = r.ideas.filter((idea) => idea.status === "pending").length;
  const ideas = card.querySelector(".room-ideas");
  ideas.textContent = t("ideas_count", { n: r.ideas.filter((idea) => idea.status !== "hidden").length });
  if (waiting) ideas.append(element("strong", "waiting", ` · ${t("waiting_count", { n: waiting })}`));
  const results = card.querySelector(".room-results");
  if (breakout) {
    results.textContent = r.results_hidden ? t("results_state_hidden") : t("results_state_shown");
    results.dataset.hidden = String(Boolean(r.results_hidden));
  } else {
    results.remove();
  }
  const activity = card.querySelector(".room-activity");
  activity.dataset.at = r.last_activity || "";
  activity.dataset.phase = breakout ? r.phase : "";
  renderActivity(activity);
  const facts = card.querySelector(".room-facts");
  if (r.facilitator) facts.append(element("span", "room-facilitator", t("facilitator", { name: personName(r.facilitator) })));
  if (r.locked) facts.append(element("span", "room-locked", t("locked")));
  card.querySelector(".room-notice").textContent = r.notice || "";

  if (breakout) card.querySelector(".room-drive").append(...driveControls(r, page));
  else card.querySelector(".room-drive").remove();
  fillDetail(card, r, page);
  return card;
}

/** A breakout room's own Next phase button and phase menu. */
function driveControls(r, page) {
  const controls = [];
  const next = nextPhase(r.phase);
  if (next) {
    const button = element("button", "next-phase room-next");
    button.type = "button";
    button.dataset.next = next;
    button.dataset.room = r.name;
    labelNext(button, page.minutes());
    button.addEventListener("click", () => advance(page.live, next, page.minutes(), r.id));
    controls.push(button);
  }
  const select = element("select", "room-phase phase-select");
  select.id = `phase-${r.id}`;
  const label = element("label", "room-phase-label", t("phase_label"));
  label.htmlFor = select.id;
  fillPhases(select, false);
  select.value = r.phase;
  select.setAttribute("aria-describedby", `room-name-${r.id}`);
  onChoose(select, (phase) => page.live.send("set_phase", { phase, room_id: r.id }));
  const phase = element("div", "room-phase-field");
  phase.append(label, select);
  controls.push(phase);
  return controls;
}

/** Say on a room's Next phase button what it does now (the minutes may have changed). */
export function labelNext(button, minutes) {
  const text = nextLabel(button.dataset.next, minutes, false);
  button.textContent = text;
  button.setAttribute("aria-label", t("for_room", { label: text, room: button.dataset.room }));
}

export function renderTimer(node) {
  if (!node.dataset.endsAt) {
    node.textContent = t("no_timer");
    node.classList.add("idle");
    return;
  }
  node.classList.remove("idle");
  let text = t("time_left", { time: formatDuration(secondsLeft(node.dataset.endsAt)) });
  if (node.dataset.next) text += ` · ${t("then_phase", { name: t("phase_names", { which: node.dataset.next }) })}`;
  node.textContent = text;
}

// A room counts as active for a minute after a participant's last action; one silent for
// three minutes while people should be posting or voting is flagged, so it gets help in time.
const ACTIVE_SECONDS = 60;
const SILENT_SECONDS = 180;

export function renderActivity(node) {
  const at = node.dataset.at;
  const since = at ? secondsSince(at) : null;
  if (since === null) node.textContent = t("activity_none");
  else if (since < ACTIVE_SECONDS) node.textContent = t("activity_now");
  else node.textContent = t("activity_quiet", { time: formatDuration(since) });
  const expected = ["propose", "vote"].includes(node.dataset.phase);
  node.classList.toggle("silent", expected && (since === null || since >= SILENT_SECONDS));
}
