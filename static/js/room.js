// The participant's screen: the plenary lobby, then a breakout room with its ideas and
// votes in the workshop's mode (dots, agree / disagree / pass, or scores).
import { Live } from "./live.js";
import { t } from "./i18n.js";
import { formatDuration, secondsLeft } from "./clock.js";
import { scribePanel } from "./scribe.js";
import { describeTally } from "./tallies.js";
import { applyThemeEvent, participantMayCluster, showThemes } from "./themes.js";
import { applyTagEvent, itemTags, participantMayTag } from "./tags.js";
import { asker, highlight, watchTyping } from "./suggestions.js";
import { applyPathwayEvent, draftButton, participantMayDiscuss, participantMayDraft, pathwayResult, setEndorsed, showPathways } from "./pathways.js";
import { element } from "./dom.js";
import { changesOutcome, followOutcome, renderOutcome } from "./outcome.js";

const PHASES = ["lobby", "propose", "cluster", "vote", "pathway", "closed"];
const STANCES = ["agree", "disagree", "pass"];
const SCORES = [1, 2, 3, 4, 5];
/** The action that votes in each mode. */
const VOTE_EVENT = { dots: "vote", agree: "opinion", scores: "score" };

const body = document.body;
const code = body.dataset.code;
const $ = (id) => document.getElementById(id);

let state = null; // the snapshot, kept current by events
const ideaItems = new Map(); // idea id → <li>
let outcome = null; // followOutcome's handle while the lobby shows the outcome

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
        idea.tally = data.tally;
        renderIdea(idea);
        renderThemes();
      }
      break;
    }
    case "member_joined":
      state.members = state.members.filter((m) => m.id !== data.member.id).concat([data.member]);
      renderPeople();
      renderFacilitation();
      break;
    case "member_left":
      state.members = state.members.filter((m) => m.id !== data.member_id);
      renderPeople();
      break;
    case "member_renamed":
      state.members = state.members.map((m) => (m.id === data.member.id ? data.member : m));
      break;
    case "results_hidden":
      state.room.results_hidden = true;
      state.ideas.forEach((idea) => (idea.tally = null));
      renderMine();
      break;
    case "results_revealed":
      state.room.results_hidden = false;
      state.ideas.forEach((idea) => (idea.tally = data.tallies[String(idea.id)] ?? emptyTally()));
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
        state.ideas.forEach((idea) => (idea.tally = state.room.results_hidden ? null : emptyTally()));
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
    removePendingIdea(action.payload.id);
    live.sync(); // undo what we showed too early
    return;
  }
  if (action.event === "post_idea") {
    removePendingIdea(action.payload.id);
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
      .forEach(showPendingVote);
    renderMine();
  } else if (action.event === "edit_idea") {
    upsertIdea(ack.idea);
  } else if (action.event === "withdraw_idea") {
    removeIdea(ack.idea_id);
  }
}

// ---- rendering -------------------------------------------------------------

function showStatus({ state: connection, pending, error }) {
  const status = $("status");
  if (connection === "refused") {
    status.textContent = t("refused");
  } else {
    let text = t(connection); // online, offline, connecting, reconnecting
    if (pending) text += ` · ${t("pending", { n: pending })}`;
    status.textContent = text;
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
    send: (event, payload) => live.send(event, payload),
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
    $("phase").textContent = t("phase", { name: t("phase_names", { which: state.room.phase }) });
    $("phase-help").textContent =
      state.room.phase === "vote"
        ? t("vote_help", { which: state.workshop.voting_mode })
        : t("phase_help", { which: state.room.phase });
    $("idea-form").hidden = !allows("post");
    $("dots-left").hidden = state.room.phase !== "vote" || mode() !== "dots";
    document.body.dataset.phase = state.room.phase;
    renderTimer();
    renderFacilitation();
    ideaItems.forEach((li) => li.remove());
    ideaItems.clear();
    state.ideas.forEach(renderIdea);
    renderPending();
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
  $("room-people").textContent = t("members", { n: state.members.length });
}

function dotsLeft() {
  const spent = Object.values(state.me.votes).reduce((a, b) => a + b, 0);
  return state.workshop.dots_per_room - spent;
}

function renderMine() {
  if (!state || state.room.kind === "plenary") return;
  if (mode() === "dots") $("dots-left").textContent = t("dots_left", { n: dotsLeft() });
  state.ideas.forEach(renderIdea);
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
  renderIdea(idea);
  renderThemes();
  $("ideas").dataset.count = String(state.ideas.length);
}

function removeIdea(ideaId) {
  state.ideas = state.ideas.filter((i) => i.id !== ideaId);
  delete state.me.votes[String(ideaId)];
  state.me.ideas = state.me.ideas.filter((id) => id !== ideaId);
  ideaItems.get(ideaId)?.remove();
  ideaItems.delete(ideaId);
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

function renderIdea(idea) {
  let li = ideaItems.get(idea.id);
  if (!li) {
    li = element("li", "idea");
    li.dataset.id = String(idea.id);
    ideaItems.set(idea.id, li);
    $("ideas").append(li);
  }
  if (li.querySelector("form")) return; // being edited: leave the editor alone
  const mine = state.me.ideas.includes(idea.id);
  const text = element("p", "idea-text", idea.text);
  const parts = [text];
  if (idea.details) parts.push(element("p", "idea-details", idea.details));
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
  const tags = tagsOf("idea", idea);
  if (tags) parts.push(tags);
  const voting = { dots: dotsVoting, agree: opinionVoting, scores: scoreVoting }[mode()] || dotsVoting;
  parts.push(...voting(idea));

  if (mine && allows("edit")) {
    const own = element("div", "own-actions");
    const edit = element("button", "link", t("edit"));
    edit.type = "button";
    edit.addEventListener("click", () => openEditor(li, idea));
    const withdraw = element("button", "link danger", t("withdraw"));
    withdraw.type = "button";
    withdraw.addEventListener("click", () => {
      if (window.confirm(t("confirm_withdraw"))) live.send("withdraw_idea", { idea_id: idea.id });
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

// ---- voting, in the workshop's mode ------------------------------------------

function mode() {
  return state.workshop.voting_mode || "dots";
}

/** Whether votes count the same way: the mode, and the criteria only when scoring (the
 * server's rule: unused criteria may change at any time). */
function sameVoting(a, b) {
  const rules = (w) => JSON.stringify([w.voting_mode, w.voting_mode === "scores" ? w.criteria : null]);
  return rules(a) === rules(b);
}

/** A tally in the workshop's mode with nobody's vote in it (tallies.js reads this shape). */
function emptyTally() {
  if (mode() === "agree") return { agree: 0, disagree: 0, pass: 0, consensus: 0.0, divisiveness: 0.0 };
  if (mode() === "scores") {
    return { criteria: state.workshop.criteria.map(() => ({ mean: null, count: 0 })), mean: null, voters: 0 };
  }
  return { dots: 0 };
}

/** The tally line under an idea; `mine` (optional) says what this participant chose. */
function tallyLine(idea, mine) {
  // A null tally: the results are hidden until the moderator reveals them.
  const tally = element("span", "tally", describeTally(state.workshop, idea.tally));
  if (mine) tally.append(element("span", "mine", ` (${mine})`));
  return tally;
}

function control(tag, className, text, focusKey) {
  const node = element(tag, className, text);
  if (tag === "button") node.type = "button";
  node.dataset.focus = focusKey;
  return node;
}

function dotsVoting(idea) {
  const myDots = state.me.votes[String(idea.id)] || 0;
  const row = element("div", "vote-row");
  const tally = tallyLine(idea, t("my_dots", { n: myDots }));
  if (!allows("vote")) {
    row.append(tally);
    return [row];
  }
  const minus = control("button", "dot-button", "−", "remove");
  minus.dataset.focusFallback = "add";
  minus.setAttribute("aria-label", t("remove_dot", { text: idea.text }));
  minus.disabled = myDots === 0;
  minus.addEventListener("click", () => vote(idea, -1));
  const plus = control("button", "dot-button", "+", "add");
  plus.dataset.focusFallback = "remove";
  plus.setAttribute("aria-label", t("add_dot", { text: idea.text }));
  plus.disabled = dotsLeft() <= 0 || myDots >= state.workshop.max_dots_per_idea;
  plus.addEventListener("click", () => vote(idea, 1));
  row.append(minus, tally, plus);
  return [row];
}

function opinionVoting(idea) {
  const stance = state.me.votes[String(idea.id)] || null;
  const row = element("div", "vote-row");
  row.append(tallyLine(idea, stance && t("my_stance", { stance: t("stances", { which: stance }) })));
  if (!allows("vote")) return [row];
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
  const row = element("div", "vote-row");
  const scores = myScores(String(idea.id));
  if (!allows("vote")) {
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

/** This participant's scores on an idea, one per criterion (null: not scored). */
function myScores(key) {
  const mine = state.me.votes[key];
  return state.workshop.criteria.map((_, c) => (Array.isArray(mine) ? mine[c] ?? null : null));
}

// Every vote shows at once; the ack (or a resync after a refusal) sets what counted.

function giveOpinion(idea, stance) {
  const key = String(idea.id);
  if (stance === null) delete state.me.votes[key];
  else state.me.votes[key] = stance;
  live.send("opinion", { idea_id: idea.id, stance });
  renderIdea(idea);
}

function giveScore(idea, criterion, score) {
  const key = String(idea.id);
  const scores = myScores(key);
  scores[criterion] = score;
  state.me.votes[key] = scores;
  live.send("score", { idea_id: idea.id, criterion, score });
  renderIdea(idea);
}

function openEditor(li, idea) {
  const form = element("form", "stack");
  const label = element("label", null, t("edit_text"));
  label.htmlFor = `edit-text-${idea.id}`;
  const text = element("textarea");
  text.id = label.htmlFor;
  text.maxLength = Number(body.dataset.ideaMax);
  text.value = idea.text;
  const detailsLabel = element("label", null, t("edit_details"));
  detailsLabel.htmlFor = `edit-details-${idea.id}`;
  const details = element("textarea");
  details.id = detailsLabel.htmlFor;
  details.maxLength = Number(body.dataset.detailsMax);
  details.value = idea.details;
  const save = element("button", "primary", t("save"));
  save.type = "submit";
  const cancel = element("button", null, t("cancel"));
  cancel.type = "button";
  cancel.addEventListener("click", () => {
    form.remove();
    renderIdea(idea);
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    live.send("edit_idea", { idea_id: idea.id, text: text.value, details: details.value });
    form.remove();
    renderIdea({ ...idea, text: text.value, details: details.value });
  });
  form.append(label, text, detailsLabel, details, save, cancel);
  li.replaceChildren(form);
  text.focus();
}

function vote(idea, delta) {
  // Show it at once; the ack (or a resync after an error) sets the real numbers.
  const key = String(idea.id);
  state.me.votes[key] = (state.me.votes[key] || 0) + delta;
  if (idea.tally) idea.tally.dots += delta; // null: the results are hidden
  live.send("vote", { idea_id: idea.id, delta });
  renderMine();
}

function showPendingVotes() {
  // The server's numbers do not include votes still in the outbox: show those on top.
  live.pending().forEach(showPendingVote);
}

/** Show one vote still in the outbox as this participant's own (if it is of this mode). */
function showPendingVote({ event, payload }) {
  if (event !== VOTE_EVENT[mode()]) return; // another mode's: the server will refuse it
  const key = String(payload.idea_id);
  const votes = state.me.votes;
  if (event === "vote") {
    votes[key] = Math.max(0, (votes[key] || 0) + payload.delta);
  } else if (event === "opinion") {
    if (payload.stance === null) delete votes[key];
    else votes[key] = payload.stance;
  } else {
    const scores = myScores(key);
    scores[payload.criterion] = payload.score;
    votes[key] = scores;
  }
}

function pendingIdeas() {
  return live.pending().filter((a) => a.event === "post_idea");
}

function renderPending() {
  document.querySelectorAll(".idea.pending").forEach((li) => li.remove());
  pendingIdeas().forEach((action) => {
    const li = element("li", "idea pending");
    li.dataset.action = action.payload.id;
    li.append(element("p", "idea-text", action.payload.text), element("p", "meta", t("waiting")));
    $("ideas").append(li);
  });
}

function removePendingIdea(actionId) {
  document.querySelector(`.idea.pending[data-action="${CSS.escape(actionId)}"]`)?.remove();
}

// ---- the idea form ---------------------------------------------------------

const ideaText = $("idea-text");
function updateCount() {
  const left = Number(body.dataset.ideaMax) - ideaText.value.length;
  $("idea-count").textContent = t("chars_left", { n: left });
}
ideaText.addEventListener("input", updateCount);
updateCount();
// "Said already?": near-identical ideas of the room while typing; posting is never held up.
const similar = watchTyping({
  input: ideaText,
  hint: $("idea-similar"),
  ask,
  ideas: () => new Map(state.ideas.filter((i) => i.status === "visible").map((i) => [i.id, i])),
  show: (ideaId) => highlight(ideaItems.get(ideaId)),
});

$("idea-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const text = ideaText.value.trim();
  if (!text) {
    ideaText.focus();
    return;
  }
  live.send("post_idea", { text, details: $("idea-details").value.trim() });
  similar.clear();
  ideaText.value = "";
  $("idea-details").value = "";
  updateCount();
  renderPending();
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
