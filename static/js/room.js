// The participant's screen: the plenary lobby, then a breakout room with its ideas and
// votes in the workshop's mode (dots, agree / disagree / pass, or scores).
import { Live } from "./live.js";
import { t } from "./i18n.js";
import { formatDuration, secondsLeft } from "./clock.js";
import { scribePanel } from "./scribe.js";
import { applyThemeEvent, participantMayCluster, showThemes } from "./themes.js";
import { applyTagEvent, itemTags, participantMayTag } from "./tags.js";
import { asker, highlight, watchTyping } from "./suggestions.js";
import { applyPathwayEvent, draftButton, participantMayDiscuss, participantMayDraft, pathwayResult, setEndorsed, showPathways } from "./pathways.js";
import { changesOutcome, followOutcome, renderOutcome } from "./outcome.js";
import { VOTE_EVENT, emptyTally, ideaList, mode, sameVoting, showPendingVote, standing } from "./vote-list.js";
import { watchLength } from "./limits.js";
import { roomNews } from "./room-news.js";

const PHASES = ["lobby", "propose", "cluster", "vote", "pathway", "closed"];

const body = document.body;
const code = body.dataset.code;
const $ = (id) => document.getElementById(id);

let state = null; // the snapshot, kept current by events
let outcome = null; // followOutcome's handle while the lobby shows the outcome
const news = roomNews("room-news"); // others' ideas and votes, said once a burst settles

const live = new Live({
  namespace: "/participant",
  auth: { workshop: code },
  storageKey: `cocreate:outbox:${code}`,
  syncPayload: (seqs) => {
    if (!state) return {};
    const roomId = state.room.id;
    return seqs.has(roomId) ? { room_id: roomId, since: seqs.get(roomId) } : {};
  },
  onSync: applySync,
  onEvent: applyEvent,
  onResult: applyResult,
  onStatus: showStatus,
});
const ask = asker(live.socket); // questions (no id, no outbox): suggestions.js
const ideas = ideaList({
  list: $("ideas"),
  sortSelect: $("idea-sort"),
  resort: $("idea-resort"),
  state: () => state,
  send: sendVote,
  allows,
  tags: (idea) => tagsOf("idea", idea),
  onVote: renderMine,
  pendingIdeas: () => live.pending().filter((a) => a.event === "post_idea"),
  sortKey: (roomId) => `cocreate:sort:${code}:${roomId}`,
  limits: { text: Number(body.dataset.ideaMax), details: Number(body.dataset.detailsMax) },
});
live.on("moved", () => live.sync());
live.on("idea_moderated", ({ idea_id: ideaId, text, status }) => {
  const key = { hidden: "your_idea_hidden", approved: "your_idea_approved" }[status] || "your_idea_restored";
  showNotice(t(key, { text }));
  if (status === "hidden") removeIdea(ideaId); // also one still waiting for approval
});
live.on("removed", ({ message }) => {
  live.socket.disconnect();
  $("status").textContent = message;
  $("status").dataset.state = "refused";
  $("room").hidden = true;
  $("lobby").hidden = true;
});

function applySync(ack) {
  if (ack.snapshot) {
    news.clear();
    state = ack.snapshot;
    setEndorsed(state.me.endorsed_pathways);
    showPendingVotes();
    renderAll();
    return { [state.room.id]: state.room.seq };
  }
  state.me = ack.me;
  setEndorsed(state.me.endorsed_pathways);
  showPendingVotes();
  ack.events.forEach(applyEvent);
  renderMine();
  return { [state.room.id]: ack.events.length ? ack.events.at(-1).seq : live.seqs.get(state.room.id) };
}

function applyEvent(event) {
  const data = event.data;
  if (outcome && changesOutcome(event)) outcome.refresh();
  switch (event.type) {
    case "idea_posted":
      if (isNews(data.idea)) news.idea(data.idea.id);
      upsertIdea(data.idea);
      break;
    case "idea_edited":
    case "idea_restored":
      upsertIdea(data.idea);
      break;
    case "idea_withdrawn":
    case "idea_hidden":
      removeIdea(data.idea_id);
      break;
    case "idea_redacted": // a replayed event about ideas we may no longer see
      data.idea_ids.forEach((id) => removeIdea(id));
      break;
    case "ideas_merged":
      removeIdea(data.merged_id);
      upsertIdea(data.idea);
      live.sync(); // our own dots on the two may have moved: fetch them
      break;
    case "votes_changed": {
      const idea = state.ideas.find((i) => i.id === data.idea_id);
      if (idea) {
        news.votes(idea.id, idea.tally, data.tally);
        idea.tally = data.tally;
        ideas.render(idea);
        renderThemes();
      }
      break;
    }
    // The snapshot names only the people on paper (the scribe picks them) and counts the
    // rest: the events keep the count, one in, one out (docs/protocol.md, snapshots).
    case "member_joined":
      state.room.members += 1;
      if (data.member.on_paper) {
        state.members = state.members.filter((m) => m.id !== data.member.id).concat([data.member]);
      }
      renderPeople();
      renderFacilitation();
      break;
    case "member_left":
      state.room.members = Math.max(0, state.room.members - 1);
      state.members = state.members.filter((m) => m.id !== data.member_id);
      renderPeople();
      break;
    case "member_renamed":
      state.members = state.members.map((m) => (m.id === data.member.id ? data.member : m));
      break;
    case "results_hidden":
      state.room.results_hidden = true;
      state.ideas.forEach((idea) => (idea.tally = null));
      ideas.refreshSort();
      renderMine();
      break;
    case "results_revealed":
      state.room.results_hidden = false;
      state.ideas.forEach((idea) => (idea.tally = data.tallies[String(idea.id)] ?? emptyTally(state.workshop)));
      ideas.refreshSort();
      renderMine();
      break;
    case "phase_changed":
      state.room.phase = data.phase;
      renderAll();
      break;
    case "timer_started":
      state.room.timer = data;
      renderTimer();
      break;
    case "timer_stopped":
      state.room.timer = null;
      renderTimer();
      break;
    case "notice":
      state.room.notice = data.text;
      renderNotice();
      break;
    case "facilitator_changed":
      state.room.facilitator = data.facilitator;
      state.me.facilitates = Boolean(data.facilitator && data.facilitator.id === state.me.id);
      renderFacilitation();
      renderThemes();
      break;
    case "workshop_changed": {
      const before = state.workshop;
      state.workshop = data.workshop;
      if (data.rooms) state.rooms = data.rooms;
      if (!sameVoting(before, state.workshop)) {
        // The mode or criteria change only while nobody has voted: start from empty tallies.
        state.me.votes = {};
        state.ideas.forEach((idea) => (idea.tally = state.room.results_hidden ? null : emptyTally(state.workshop)));
      }
      renderAll();
      break;
    }
    case "idea_tagged":
    case "theme_tagged":
      applyTagEvent(state, event, { announce: true });
      renderMine(); // the ideas and the themes, with their tags
      break;
    default:
      if (applyThemeEvent(state, event, { announce: true })) renderThemes();
      else if (applyPathwayEvent(state, event)) renderPathways();
      break;
  }
}

function applyResult(action, ack) {
  if (pathwayResult(action, ack, live.pending())) return; // pathways.js: its editor, conflicts
  if (!ack.ok) {
    showNotice(ack.error.message);
    ideas.removePending(action.payload.id);
    live.sync(); // undo what we showed too early
    return;
  }
  if (action.event === "post_idea") {
    ideas.removePending(action.payload.id);
    if (!state.me.ideas.includes(ack.idea.id)) state.me.ideas.push(ack.idea.id);
    upsertIdea(ack.idea);
  } else if (Object.values(VOTE_EVENT).includes(action.event)) {
    // Our own vote as the server counted it, with what still waits in the outbox on top.
    // The tallies come with the room's events, which are in order: an ack's can be older
    // (a resent action is answered with the result stored the first time).
    const key = String(ack.idea_id);
    if (ack.mine === null) delete state.me.votes[key];
    else state.me.votes[key] = ack.mine;
    live.pending()
      .filter(({ payload }) => String(payload.idea_id) === key)
      .forEach((pending) => showPendingVote(state, pending));
    renderMine();
  } else if (action.event === "edit_idea") {
    upsertIdea(ack.idea);
  } else if (action.event === "withdraw_idea") {
    removeIdea(ack.idea_id);
  }
}

// ---- rendering -------------------------------------------------------------

/** On a live connection an action is answered in a blink: its "1 waiting to be sent" is
 * shown only if it waits longer than this (else every tap is read out twice, then "Live"). */
const PENDING_SHOWN_AFTER_MS = 2000;

function showStatus({ state: connection, pending, error }) {
  const status = $("status");
  clearTimeout(showStatus.later);
  if (connection === "refused") {
    status.textContent = t("refused");
  } else {
    const text = t(connection); // online, offline, connecting, reconnecting
    const waiting = pending ? `${text} · ${t("pending", { n: pending })}` : text;
    if (connection === "online" && pending) {
      setText(status, text);
      showStatus.later = setTimeout(() => setText(status, waiting), PENDING_SHOWN_AFTER_MS);
    } else {
      setText(status, waiting);
    }
  }
  status.dataset.state = connection;
  if (connection === "refused" && error && error.data) status.textContent = error.data.message;
}

function showNotice(message) {
  const notice = $("notice");
  notice.textContent = message;
  notice.hidden = false;
  clearTimeout(showNotice.timer);
  showNotice.timer = setTimeout(() => (notice.hidden = true), 6000);
}

/** Send an action; a vote's tally that comes back is this person's own, not news. */
function sendVote(event, payload) {
  if (event.endsWith("vote") || event.endsWith("opinion") || event.endsWith("score")) news.ownVote(payload.idea_id);
  return live.send(event, payload);
}

/** Whether an idea just posted is someone else's, new to this page and seen by the room. */
function isNews(idea) {
  if (!state || idea.room_id !== state.room.id || idea.status !== "visible") return false;
  if (state.ideas.some((i) => i.id === idea.id) || state.me.ideas.includes(idea.id)) return false;
  // Our own post's event can come before its ack: it is still in the outbox then.
  return !live.pending().some((a) => a.event.endsWith("post_idea") && a.payload.text === idea.text);
}

/** Write a text only if it changed: a live region rewritten with the same words is read again. */
function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function allows(action) {
  return { post: "propose", edit: "propose", vote: "vote" }[action] === state.room.phase;
}

function renderNotice() {
  $("room-notice").textContent = state.room.notice || "";
  $("room-notice").hidden = !state.room.notice;
}

function renderTimer() {
  const timer = $("timer");
  const room = state && state.room;
  timer.hidden = !(room && room.timer);
  if (timer.hidden) return;
  let text = t("time_left", { time: formatDuration(secondsLeft(room.timer.ends_at)) });
  if (room.timer.next_phase) {
    text += ` · ${t("then_phase", { name: t("phase_names", { which: room.timer.next_phase }) })}`;
  }
  timer.textContent = text;
}
setInterval(renderTimer, 1000);

function fillPhaseSelect(select, withNone) {
  if (select.options.length) return;
  if (withNone) select.append(new Option(t("no_next_phase"), ""));
  PHASES.filter((p) => p !== "lobby").forEach((p) => select.append(new Option(t("phase_names", { which: p }), p)));
}

function renderFacilitation() {
  const panel = $("facilitate");
  panel.hidden = !state.me.facilitates || state.room.kind === "plenary";
  if (panel.hidden) return;
  fillPhaseSelect($("facilitate-phase-select"), false);
  fillPhaseSelect($("facilitate-next"), true);
  $("facilitate-phase-select").value = state.room.phase;
  const open = $("facilitate").querySelector("details.scribe")?.open;
  $("facilitate").querySelector("details.scribe")?.remove();
  const scribe = scribePanel({
    members: state.members,
    ideas: state.ideas.filter((i) => i.status !== "pending"),
    phase: state.room.phase,
    workshop: state.workshop,
    send: sendVote,
  });
  scribe.open = Boolean(open);
  $("facilitate").append(scribe);
}

function renderAll() {
  $("question").textContent = state.workshop.question;
  const inLobby = state.room.kind === "plenary";
  $("lobby").hidden = !inLobby;
  $("room").hidden = inLobby;
  if (!inLobby) renderOutcomeInLobby(false);
  renderNotice();
  if (inLobby) {
    renderLobby();
  } else {
    $("room-heading").textContent = state.room.name;
    $("room-topic").textContent = state.room.topic;
    setText($("phase"), t("phase", { name: t("phase_names", { which: state.room.phase }) }));
    $("phase-help").textContent =
      state.room.phase === "vote"
        ? t("vote_help", { which: state.workshop.voting_mode })
        : t("phase_help", { which: state.room.phase });
    $("idea-form").hidden = !allows("post");
    const voting = state.room.phase === "vote";
    $("dots-left").hidden = !voting || mode(state.workshop) !== "dots";
    $("vote-progress").hidden = !voting || mode(state.workshop) === "dots";
    document.body.dataset.phase = state.room.phase;
    renderTimer();
    renderFacilitation();
    ideas.renderAll();
    renderPeople();
    renderMine();
  }
}

// Back in the plenary after the breakouts, the lobby shows the shared outcome, kept current.
function renderOutcomeInLobby(show) {
  $("lobby-outcome").hidden = !show;
  if (show && !outcome) {
    outcome = followOutcome(code, (current) =>
      $("lobby-outcome-body").replaceChildren(renderOutcome(current, { level: 2, idPrefix: "lobby-outcome" })),
    );
  } else if (!show && outcome) {
    outcome.stop();
    outcome = null;
  }
}

function renderLobby() {
  const w = state.workshop;
  const choosing = w.breakouts_open && w.assignment === "choose";
  const after = !w.breakouts_open && w.breakouts_held;
  $("lobby-text").textContent = after
    ? t("outcome_thanks")
    : !w.breakouts_open
      ? t("lobby_wait")
      : choosing
        ? t("lobby_choose")
        : t("lobby_placed");
  renderOutcomeInLobby(after);
  const list = $("room-choices");
  list.replaceChildren();
  if (!choosing) return;
  state.rooms
    .filter((room) => room.kind === "breakout")
    .forEach((room) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "choice";
      const name = document.createElement("strong");
      name.textContent = room.name;
      const topic = document.createElement("span");
      topic.textContent = room.topic;
      const count = document.createElement("span");
      count.className = "meta";
      count.textContent = t("members", { n: room.members });
      button.append(name, topic, count);
      button.disabled = room.locked;
      if (room.locked) count.textContent += ` · ${t("locked")}`;
      button.addEventListener("click", () => live.send("choose_room", { room_id: room.id }));
      li.append(button);
      list.append(li);
    });
}

function renderPeople() {
  if (state.room.kind === "plenary") return;
  $("room-people").textContent = t("members", { n: state.room.members });
}

/** What is this participant's own: the sticky bar's dots left (or opinions given, or ideas
 * scored), every idea's votes, the themes. */
function renderMine() {
  if (!state || state.room.kind === "plenary") return;
  setText($(mode(state.workshop) === "dots" ? "dots-left" : "vote-progress"), standing(state));
  state.ideas.forEach(ideas.render);
  renderThemes();
}

function renderThemes() {
  if (!state || state.room.kind === "plenary") return;
  showThemes($("themes"), {
    roomId: state.room.id,
    holder: state,
    workshop: state.workshop,
    phase: state.room.phase,
    resultsHidden: state.room.results_hidden,
    canEdit: participantMayCluster(state),
    send: (event, payload) => live.send(event, payload),
    tags: (kind, item) => tagsOf(kind, item, "board-"),
    ask,
    duplicates: Boolean(state.me.facilitates), // read-only: moderators merge
    summary: true,
    viewerHint: true,
    themeActions: participantMayDraft(state) ? (theme) => draftButton(pathwayOptions(), theme) : undefined,
  });
  renderPathways();
}

/** What pathways.js needs to draw this room's pathways (and to draft one from a theme). */
function pathwayOptions() {
  return {
    roomId: state.room.id,
    holder: state,
    workshop: state.workshop,
    phase: state.room.phase,
    resultsHidden: state.room.results_hidden,
    canEdit: participantMayDraft(state),
    canDiscuss: participantMayDiscuss(state),
    canHide: Boolean(state.me.facilitates),
    send: (event, payload) => live.send(event, payload),
  };
}

function renderPathways() {
  if (!state || state.room.kind === "plenary") return;
  showPathways($("pathways"), pathwayOptions());
}

function upsertIdea(idea) {
  if (!state || idea.room_id !== state.room.id) return;
  const index = state.ideas.findIndex((i) => i.id === idea.id);
  if (index >= 0) state.ideas[index] = idea;
  else state.ideas.push(idea);
  ideas.render(idea);
  renderThemes();
  $("ideas").dataset.count = String(state.ideas.length);
}

function removeIdea(ideaId) {
  state.ideas = state.ideas.filter((i) => i.id !== ideaId);
  delete state.me.votes[String(ideaId)];
  state.me.ideas = state.me.ideas.filter((id) => id !== ideaId);
  ideas.remove(ideaId);
  renderMine();
}

/** An idea's or theme's tags (tags.js), with the picker's button when this person may tag it. */
function tagsOf(kind, item, place = "") {
  return itemTags({
    kind,
    item,
    place,
    workshop: state.workshop,
    canTag: participantMayTag(state, kind, item),
    send: (event, payload) => live.send(event, payload),
    ask,
    onChange: renderMine,
  });
}

function showPendingVotes() {
  // The server's numbers do not include votes still in the outbox: show those on top.
  live.pending().forEach((pending) => showPendingVote(state, pending));
}

// The sticky bar's height: what gets the focus scrolls clear of it (scroll-padding, app.css).
new ResizeObserver(([entry]) => {
  const height = Math.ceil(entry.borderBoxSize[0].blockSize);
  document.documentElement.style.setProperty("--room-bar-height", `${height}px`);
}).observe($("room-bar"));

// ---- the idea form ---------------------------------------------------------

const ideaText = $("idea-text");
const ideaDetails = $("idea-details");
const textLimit = watchLength(ideaText, {
  max: Number(body.dataset.ideaMax),
  tooLong: "idea_too_long",
  count: $("idea-count"),
  message: $("idea-limit"),
});
const detailsLimit = watchLength(ideaDetails, {
  max: Number(body.dataset.detailsMax),
  tooLong: "details_too_long",
  count: $("idea-details-count"),
  message: $("idea-details-limit"),
});
// "Said already?": near-identical ideas of the room while typing; posting is never held up.
const similar = watchTyping({
  input: ideaText,
  hint: $("idea-similar"),
  ask,
  ideas: () => new Map(state.ideas.filter((i) => i.status === "visible").map((i) => [i.id, i])),
  show: (ideaId) => highlight(ideas.item(ideaId)),
});

$("idea-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = ideaText.value.trim();
  if (!text) {
    ideaText.focus();
    return;
  }
  // Too long is refused here, whole: nothing is sent and nothing is cut.
  if (textLimit.refuse()) return;
  if (!detailsLimit.ok()) ideaDetails.closest("details").open = true;
  if (detailsLimit.refuse()) return;
  live.send("post_idea", { text, details: ideaDetails.value.trim() });
  similar.clear();
  ideaText.value = "";
  ideaDetails.value = "";
  textLimit.update();
  detailsLimit.update();
  ideas.renderPending();
});

// ---- facilitating ------------------------------------------------------------

$("facilitate-phase").addEventListener("submit", (e) => {
  e.preventDefault();
  live.send("set_phase", { phase: $("facilitate-phase-select").value });
});
$("facilitate-timer").addEventListener("submit", (e) => {
  e.preventDefault();
  const minutes = Number($("facilitate-minutes").value);
  const next = $("facilitate-next").value || null;
  live.send("start_timer", { seconds: Math.round(minutes * 60), next_phase: next });
});
$("facilitate-stop").addEventListener("click", () => live.send("stop_timer", {}));
