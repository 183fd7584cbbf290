// Scribe mode: a small form for entering the ideas and votes of people without a phone.
// Used on the console (every room) and on a facilitator's phone (their room).
import { t } from "./i18n.js";
import { element } from "./dom.js";
import { watchLength } from "./limits.js";

/** The server's limit on an idea's text (the phone's page says it; the console's is 280). */
const IDEA_MAX = Number(document.body.dataset.ideaMax) || 280;

let counter = 0;

function labelled(labelText, control) {
  counter += 1;
  control.id = `scribe-${counter}`;
  const label = element("label", null, labelText);
  label.htmlFor = control.id;
  return [label, control];
}

function peopleSelect(people) {
  const select = element("select");
  people.forEach((p, n) => select.append(new Option(p.name || `${t("on_paper")} ${n + 1}`, String(p.id))));
  return select;
}

/**
 * Build the scribe panel.
 * @param {{members: object[], ideas: object[], phase: string, workshop: object,
 *          send: (event, payload) => void, roomId?: number}} room  the room's members and
 *          visible ideas, the workshop (its voting mode), and how to send
 */
export function scribePanel(room) {
  const details = element("details", "scribe");
  details.append(element("summary", null, t("scribe_title")));
  const people = room.members.filter((m) => m.on_paper);
  const withRoom = (payload) => (room.roomId ? { ...payload, room_id: room.roomId } : payload);

  const add = element("form", "inline-form");
  const name = element("input");
  name.maxLength = 40;
  add.append(...labelled(t("scribe_name"), name), element("button", null, t("scribe_add")));
  add.addEventListener("submit", (e) => {
    e.preventDefault();
    room.send("add_paper_person", withRoom({ name: name.value }));
    name.value = "";
  });
  details.append(add);
  if (!people.length) return details;

  if (room.phase === "propose") {
    const post = element("form", "inline-form");
    const who = peopleSelect(people);
    const text = element("input");
    post.append(...labelled(t("scribe_who"), who), ...labelled(t("scribe_idea"), text));
    // Too long is refused with a message, never cut (no maxlength).
    const limit = watchLength(text, { max: IDEA_MAX, tooLong: "scribe_too_long" });
    post.append(element("button", null, t("scribe_post")));
    post.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!text.value.trim() || limit.refuse()) return;
      room.send("scribe_post_idea", { paper_id: Number(who.value), text: text.value });
      text.value = "";
      limit.update();
    });
    details.append(post);
  }
  if (room.phase === "vote" && room.ideas.length) details.append(voteForm(room, people));
  return details;
}

/** The form for a paper vote in the workshop's mode: a dot, an opinion or a score. */
function voteForm(room, people) {
  const form = element("form", "inline-form");
  const who = peopleSelect(people);
  const idea = element("select");
  room.ideas.forEach((i) => idea.append(new Option(i.text, String(i.id))));
  form.append(...labelled(t("scribe_who"), who), ...labelled(t("scribe_for_idea"), idea));
  const target = () => ({ paper_id: Number(who.value), idea_id: Number(idea.value) });
  const mode = room.workshop.voting_mode;
  let submit;
  if (mode === "agree") {
    const stance = element("select");
    ["agree", "disagree", "pass"].forEach((s) => stance.append(new Option(t("stances", { which: s }), s)));
    stance.append(new Option(t("scribe_take_back"), ""));
    form.append(...labelled(t("scribe_stance"), stance), element("button", null, t("scribe_enter")));
    submit = () => room.send("scribe_opinion", { ...target(), stance: stance.value || null });
  } else if (mode === "scores") {
    const criterion = element("select");
    room.workshop.criteria.forEach((c, n) => criterion.append(new Option(c, String(n))));
    const score = element("select");
    [1, 2, 3, 4, 5].forEach((n) => score.append(new Option(String(n), String(n))));
    score.append(new Option(t("scribe_take_back"), ""));
    form.append(...labelled(t("scribe_criterion"), criterion), ...labelled(t("scribe_score"), score));
    form.append(element("button", null, t("scribe_enter")));
    submit = () =>
      room.send("scribe_score", {
        ...target(),
        criterion: Number(criterion.value),
        score: score.value ? Number(score.value) : null,
      });
  } else {
    const take = element("button", null, t("scribe_take"));
    take.type = "button";
    take.addEventListener("click", () => room.send("scribe_vote", { ...target(), delta: -1 }));
    form.append(element("button", null, t("scribe_give")), take);
    submit = () => room.send("scribe_vote", { ...target(), delta: 1 });
  }
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    submit();
  });
  return form;
}
