// The moderator's console: the controls for every room at once, and every room live
// (console-rooms.js draws a room's tile, console-room-detail.js its detail on demand).
import { Live } from "./live.js";
import { t } from "./i18n.js";
import { applyRoomEvent } from "./workshop-state.js";
import { crossThemePanel } from "./cross-themes.js";
import { pathwayResult } from "./pathways.js";
import { onChoose } from "./choose.js";
import { advance, fillPhases, labelNext, nextLabel, nextPhase, renderActivity, renderTimer, roomTile } from "./console-rooms.js";

const workshopId = Number(document.body.dataset.workshopId);
const $ = (id) => document.getElementById(id);
let snapshot = null; // {workshop, rooms: [{id, name, members_list, ideas, ...}]}

const live = new Live({
  namespace: "/moderator",
  auth: { workshop: workshopId },
  storageKey: `cocreate:moderator-outbox:${workshopId}`,
  syncPayload: () => ({}),
  onSync: (ack) => {
    snapshot = ack.snapshot;
    render();
    return Object.fromEntries(snapshot.rooms.map((room) => [room.id, room.seq]));
  },
  onEvent: applyEvent,
  onResult: (action, ack) => {
    if (pathwayResult(action, ack, live.pending())) return; // pathways.js: its editor, conflicts
    if (!ack.ok) {
      $("breakout-state").textContent = ack.error.message;
      live.sync();
    }
  },
  onStatus: ({ state, pending, error }) => {
    // A refused console says why (signed out, taken off the workshop): the server's words.
    const text = state === "refused" && error?.data?.message ? error.data.message : t(state === "refused" ? "offline" : state);
    $("status").textContent = pending ? `${text} · ${t("pending", { n: pending })}` : text;
    $("status").dataset.state = state;
  },
});

/** What the room modules need from the page. */
const page = {
  live,
  snapshot: () => snapshot,
  redraw: (room) => redrawRoom(room),
  minutes: () => Math.max(0, Math.min(180, Number($("next-minutes").value) || 0)),
};

function applyEvent(event) {
  const changed = applyRoomEvent(snapshot, event);
  if (changed === "resync") live.sync(); // rooms were added or removed, or the voting mode changed
  else if (changed === "workshop") render();
  else if (changed === "cross_themes") crossThemes.render();
  else if (changed) {
    redrawRoom(changed); // only the tile that changed: open menus elsewhere stay open
    renderDeck();
  }
  // Room themes and votes change what the cross-room themes show (names, support).
  if (changed && typeof changed === "object" && (event.type.includes("theme") || event.type === "votes_changed")) {
    crossThemes.render();
  }
}

const crossThemes = crossThemePanel({
  root: $("cross-themes"),
  getSnapshot: () => snapshot,
  send: (event, payload) => live.send(event, payload),
  ask: (event, payload) => live.socket.timeout(30000).emitWithAck(event, payload),
});

function render() {
  const w = snapshot.workshop;
  $("assignment").value = w.assignment;
  $("open-breakouts").disabled = w.breakouts_open;
  $("close-breakouts").disabled = !w.breakouts_open;
  $("spread").disabled = !w.breakouts_open;
  keepingFocus(() => $("rooms").replaceChildren(...snapshot.rooms.map((room) => roomTile(room, page))));
  renderDeck();
  crossThemes.render();
}

function redrawRoom(room) {
  const old = document.querySelector(`.room-card[data-room-id="${room.id}"]`);
  if (!old) return render();
  keepingFocus(() => old.replaceWith(roomTile(room, page)));
}

/** What the keyboard can land on in a room's tile. */
const FOCUSABLE = "a[href], button:not(:disabled), input:not(:disabled), select:not(:disabled), textarea:not(:disabled), summary, [tabindex]:not([tabindex='-1'])";

/** Draw again without losing the keyboard's place: a live event redraws a whole tile, and
 * the control that had the focus is gone with it. Found again by its id; else, in its
 * room's new tile, by its kind and what it says (its accessible name or text); else
 * another control of its idea or person (Hide became Restore, the ★ went); else the same
 * kind of room control (summary, Next phase); else the room's summary. */
function keepingFocus(draw) {
  const focused = document.activeElement;
  const card = focused?.closest?.(".room-card");
  const named = (el) => `${el.tagName}|${el.getAttribute("aria-label") || el.textContent}`;
  const name = focused ? named(focused) : null;
  const row = focused?.closest?.("[data-key]")?.dataset.key;
  const role = focused?.matches?.(".room-detail-summary") ? ".room-detail-summary" : focused?.matches?.(".room-next") ? ".room-next" : null;
  draw();
  if (!focused || focused.isConnected) return;
  if (focused.id && $(focused.id)) return $(focused.id).focus();
  const tile = card && document.querySelector(`.room-card[data-room-id="${card.dataset.roomId}"]`);
  if (!tile) return;
  const shown = (el) => el && el.getClientRects().length > 0;
  const controls = [...tile.querySelectorAll(FOCUSABLE)].filter(shown);
  const again =
    controls.find((el) => named(el) === name) ||
    (row && controls.find((el) => el.closest("[data-key]")?.dataset.key === row)) ||
    (role && tile.querySelector(role)) ||
    tile.querySelector(".room-detail-summary");
  again?.focus();
}

function breakouts() {
  return snapshot ? snapshot.rooms.filter((room) => room.kind === "breakout") : [];
}

/** The phase most breakout rooms are in (the earliest of a tie). */
function commonPhase(rooms) {
  const counts = new Map();
  rooms.forEach((room) => counts.set(room.phase, (counts.get(room.phase) || 0) + 1));
  let best = null;
  ["lobby", ...["propose", "cluster", "vote", "pathway", "closed"]].forEach((phase) => {
    if (counts.has(phase) && (best === null || counts.get(phase) > counts.get(best))) best = phase;
  });
  return best;
}

/** The controls for every room: where the rooms are, what Next phase does, the results. */
function renderDeck() {
  const rooms = breakouts();
  const counts = new Map();
  rooms.forEach((room) => counts.set(room.phase, (counts.get(room.phase) || 0) + 1));
  $("all-summary").textContent = rooms.length
    ? [...counts].map(([phase, n]) => t("phase_rooms", { name: t("phase_names", { which: phase }), n })).join(" · ")
    : t("no_breakouts");
  const button = $("all-next-phase");
  const next = nextPhase(commonPhase(rooms));
  button.dataset.next = next || "";
  button.disabled = !next;
  button.textContent = next ? nextLabel(next, page.minutes(), true) : t("all_closed");
  const hidden = rooms.filter((room) => room.results_hidden).length;
  const state = $("results-state");
  state.dataset.hidden = !rooms.length || hidden === 0 ? "none" : hidden === rooms.length ? "all" : "some";
  state.textContent =
    state.dataset.hidden === "none"
      ? t("results_all_shown")
      : state.dataset.hidden === "all"
        ? t("results_all_hidden")
        : t("results_some_hidden", { n: hidden, total: rooms.length });
}

$("next-phase-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const next = $("all-next-phase").dataset.next;
  if (next) advance(live, next, page.minutes());
});
$("next-minutes").addEventListener("input", () => {
  if (!snapshot) return;
  renderDeck();
  document.querySelectorAll("#rooms .room-next").forEach((button) => labelNext(button, page.minutes()));
});

onChoose($("assignment"), (mode) => live.send("set_assignment", { mode }));
$("open-breakouts").addEventListener("click", () => live.send("open_breakouts", {}));
$("spread").addEventListener("click", () => live.send("spread", {}));
$("close-breakouts").addEventListener("click", () => live.send("close_breakouts", {}));

setInterval(() => {
  document.querySelectorAll("#rooms .timer").forEach(renderTimer);
  document.querySelectorAll("#rooms .room-activity").forEach(renderActivity);
}, 1000);

fillPhases($("all-phase-select"), false);
fillPhases($("all-next"), true);
$("all-phase").addEventListener("submit", (e) => {
  e.preventDefault();
  live.send("set_phase", { phase: $("all-phase-select").value });
});
$("all-timer").addEventListener("submit", (e) => {
  e.preventDefault();
  const seconds = Math.round(Number($("all-minutes").value) * 60);
  live.send("start_timer", { seconds, next_phase: $("all-next").value || null });
});
$("all-stop").addEventListener("click", () => live.send("stop_timer", {}));
$("all-message").addEventListener("submit", (e) => {
  e.preventDefault();
  live.send("broadcast", { text: $("all-message-text").value });
  $("all-message-text").value = "";
});
$("hide-results").addEventListener("click", () => live.send("set_results_hidden", { hidden: true }));
$("reveal-results").addEventListener("click", () => live.send("set_results_hidden", { hidden: false }));
