// Stepping into a room from the console: the room as its participants see it (the
// phase and its help, timer, message, ideas in posting order, and tallies only when
// the room's results are shown), kept live from the moderator's events. Read-only.
import { t } from "./i18n.js";
import { formatDuration, secondsLeft } from "./clock.js";
import { followWorkshop, shown } from "./workshop-state.js";
import { describeTally } from "./tallies.js";
import { showThemes } from "./themes.js";
import { itemTags } from "./tags.js";
import { showPathways } from "./pathways.js";

const workshopId = Number(document.body.dataset.workshopId);
const roomId = Number(document.body.dataset.roomId);
const $ = (id) => document.getElementById(id);
let snapshot = null;

followWorkshop(workshopId, "room-view", (current, event) => {
  snapshot = current;
  if (!event || event.room_id === roomId || event.type === "workshop_changed") render();
});

function render() {
  const room = snapshot.rooms.find((r) => r.id === roomId);
  if (!room) {
    $("room-phase").textContent = t("room_gone");
    $("room-ideas").replaceChildren();
    $("room-pathways").replaceChildren();
    return;
  }
  const workshop = snapshot.workshop;
  $("room-name").textContent = room.name;
  $("room-phase").textContent = t("phase", { name: t("phase_names", { which: room.phase }) });
  $("room-help").textContent =
    room.phase === "vote" ? t("vote_help", { which: workshop.voting_mode }) : t("phase_help", { which: room.phase });
  $("room-timer").dataset.endsAt = room.timer ? room.timer.ends_at : "";
  tick();
  $("room-notice").textContent = room.notice || "";
  $("room-people").textContent = t("members", { n: room.members_list.length });
  $("room-hidden").textContent = room.results_hidden ? t("results_hidden_note") : "";
  showThemes($("room-themes"), {
    roomId,
    holder: room,
    workshop,
    phase: room.phase,
    resultsHidden: room.results_hidden,
    canEdit: false, // this view is read-only: the console groups the ideas
    tags: (kind, item) => itemTags({ kind, item, workshop, canTag: false }),
  });
  showPathways($("room-pathways"), {
    roomId,
    holder: room,
    workshop,
    phase: room.phase,
    resultsHidden: room.results_hidden,
    canEdit: false, // read-only: the console and the facilitator edit them
    always: true,
  });
  $("room-ideas").replaceChildren(
    ...shown(room).map((idea) => {
      const li = document.createElement("li");
      li.className = "idea";
      const text = document.createElement("span");
      text.className = "idea-line";
      text.textContent = idea.text;
      const tally = document.createElement("span");
      tally.className = "tally";
      // Participants see no tally while the results are hidden: neither does this view.
      tally.textContent = ` · ${describeTally(workshop, room.results_hidden ? null : idea.tally)}`;
      li.append(text, tally);
      if (idea.on_paper) li.append(` · ${t("from_paper")}`);
      const tags = itemTags({ kind: "idea", item: idea, workshop, canTag: false });
      if (tags) li.append(tags);
      return li;
    }),
  );
}

function tick() {
  const timer = $("room-timer");
  timer.textContent = timer.dataset.endsAt
    ? t("time_left", { time: formatDuration(secondsLeft(timer.dataset.endsAt)) })
    : "";
}
setInterval(tick, 1000);
