// Scribe mode: a small form for entering the ideas and dots of people without a phone.
// Used on the console (every room) and on a facilitator's phone (their room).
import { t } from "./i18n.js";

let counter = 0;

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

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
 * @param {{members: object[], ideas: object[], phase: string, send: (event, payload) => void,
 *          roomId?: number}} room  the room's members and visible ideas, and how to send
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
    text.maxLength = 280;
    post.append(...labelled(t("scribe_who"), who), ...labelled(t("scribe_idea"), text));
    post.append(element("button", null, t("scribe_post")));
    post.addEventListener("submit", (e) => {
      e.preventDefault();
      if (!text.value.trim()) return;
      room.send("scribe_post_idea", { paper_id: Number(who.value), text: text.value });
      text.value = "";
    });
    details.append(post);
  }
  if (room.phase === "vote" && room.ideas.length) {
    const vote = element("form", "inline-form");
    const who = peopleSelect(people);
    const idea = element("select");
    room.ideas.forEach((i) => idea.append(new Option(i.text, String(i.id))));
    const give = element("button", null, t("scribe_give"));
    const take = element("button", null, t("scribe_take"));
    take.type = "button";
    vote.append(...labelled(t("scribe_who"), who), ...labelled(t("scribe_for_idea"), idea), give, take);
    const send = (delta) =>
      room.send("scribe_vote", { paper_id: Number(who.value), idea_id: Number(idea.value), delta });
    vote.addEventListener("submit", (e) => {
      e.preventDefault();
      send(1);
    });
    take.addEventListener("click", () => send(-1));
    details.append(vote);
  }
  return details;
}
